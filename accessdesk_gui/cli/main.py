"""The `accessdesk` command: the GUI with no command, the same services headless with one.

Exit status: 0 done, 2 refused (bad input, unknown id, wrong password, illegal step,
missing store); the reason is one line on stderr and nothing was changed.
Each area registers its commands from its own module (see COMMAND_MODULES).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from accessdesk_gui.about import version
from accessdesk_gui.cli import (
    admin_cmds,
    denial_cmds,
    drs_cmds,
    letter_cmds,
    request_cmds,
    security_cmds,
    selftest_cmds,
    state_cmds,
)
from accessdesk_gui.cli.common import (
    EXIT_REFUSED,
    CliError,
    Parser,
    common_options,
    is_read_only,
    opt,
    release_instance_lock,
)

# drs_cmds adds sub-commands to 'request', so it registers after request_cmds.
COMMAND_MODULES = [
    admin_cmds,
    request_cmds,
    drs_cmds,
    letter_cmds,
    denial_cmds,
    security_cmds,
    selftest_cmds,
    state_cmds,
]


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = Parser(
        prog="accessdesk",
        description="AccessDesk: HIPAA right-of-access requests. With no command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"AccessDesk {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from accessdesk_gui.ui.app import run_app

        return run_app(opt(args, "db"))
    handler = getattr(args, "handler", None)
    if handler is None:
        print(
            f"accessdesk: '{args.command}' needs a subcommand; see 'accessdesk {args.command} "
            "--help'.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    from accessdesk_gui.services.errors import USER_ERRORS

    args.read_only = is_read_only(handler)
    try:
        return int(handler(args))
    except (CliError, *USER_ERRORS) as exc:
        print(f"accessdesk: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("accessdesk: interrupted; nothing more was changed.", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        release_instance_lock(args)


if __name__ == "__main__":
    raise SystemExit(main())
