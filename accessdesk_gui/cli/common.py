"""What every command shares: options, the store, logging in, output and errors."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accessdesk_gui.services.actor import Actor
    from accessdesk_gui.services.workspace import Store

EXIT_REFUSED = 2

# Commands that only read (list, show, verify, export): they may run while the app or
# another command has the store open. Every other command takes the store's instance lock
# (services/workspace.py) before opening it, so only one AccessDesk writes to a store at a time.
READ_ONLY = frozenset(
    {
        "admin_cmds.cmd_user_list",
        "admin_cmds.cmd_audit_verify",
        "request_cmds.cmd_request_list",
        "request_cmds.cmd_request_show",
        "intake_cmds.cmd_reminders",
        "intake_cmds.cmd_attachment",
        "drs_cmds.cmd_drs_show",
        "drs_cmds.cmd_drs_versions",
        "drs_cmds.cmd_request_checklist",
        "denial_cmds.cmd_denial_show",
        "denial_cmds.cmd_denial_grounds",
        "denial_cmds.cmd_queue",
        "denial_cmds.cmd_review_candidates",
        "denial_cmds.cmd_review_show",
        "denial_cmds.cmd_settings_show",
        "security_cmds.cmd_key_sheet",
        "security_cmds.cmd_audit_report",
        "state_cmds.cmd_rules",
        "state_cmds.cmd_fee_notice",
    }
)


def is_read_only(handler: Any) -> bool:
    return f"{handler.__module__.rsplit('.', 1)[-1]}.{handler.__name__}" in READ_ONLY


class CliError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """Bad options are one line on stderr and status 2, like every other refusal."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_REFUSED, f"{self.prog}: {message} (see --help)\n")


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from None


def common_options() -> argparse.ArgumentParser:
    # SUPPRESS so an option given before the command is not overwritten by the default here.
    p = Parser(add_help=False)
    p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="store file")
    p.add_argument("--user", default=argparse.SUPPRESS, help="user name to act as")
    p.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    return p


def opt(args: argparse.Namespace, name: str, default: Any = None) -> Any:
    return getattr(args, name, default)


def open_store(args: argparse.Namespace, create: bool = False) -> Store:
    """The store for this command (services/workspace.py), locked unless it only reads.

    The instance lock stays on args until main() returns: StoreInUse (exit 2) names who
    has the store open (the app or another command).
    """
    from accessdesk_gui.services import workspace

    held = opt(args, "instance_lock") is not None
    ws = workspace.open_workspace(
        opt(args, "db"),
        create=create,
        lock_as=None if opt(args, "read_only") or held else _lock_holder(args),
        ask_passphrase=lambda: password(
            "Practice passphrase for the store: ", workspace.PASSPHRASE_ENV
        ),
    )
    if ws.lock is not None:
        args.instance_lock = ws.lock
    return ws.store


def _lock_holder(args: argparse.Namespace) -> str:
    who = opt(args, "user") or os.environ.get("ACCESSDESK_USER") or "someone"
    return f"{who} (command line)"


def release_instance_lock(args: argparse.Namespace) -> None:
    lock = opt(args, "instance_lock")
    if lock is not None:
        lock.release()
        args.instance_lock = None


def password(prompt: str, env: str = "ACCESSDESK_PASSWORD") -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise CliError(f"No password: set {env} or run in a terminal to be prompted.")
    return getpass.getpass(prompt)


def login(args: argparse.Namespace, store: Store) -> Actor:
    from accessdesk_gui.services import auth

    username = opt(args, "user") or os.environ.get("ACCESSDESK_USER")
    if not username:
        raise CliError("Say who is acting: --user NAME (or ACCESSDESK_USER).")
    return auth.login(store, username, password(f"Password for {username}: "))


def store_and_actor(args: argparse.Namespace) -> tuple[Store, Actor]:
    store = open_store(args)
    return store, login(args, store)


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if opt(args, "json"):
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(text)


def group(sub: Any, name: str, help_text: str) -> Any:
    """The sub-commands of command group ``name``, created once and shared by every module
    that adds to it (e.g. 'settings' gets commands from the denial and security modules).
    """
    parser = sub.choices.get(name)
    if parser is None:
        return sub.add_parser(name, help=help_text).add_subparsers(metavar="SUB")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError(f"{parser.prog} has no sub-commands")
