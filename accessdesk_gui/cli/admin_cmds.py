"""init, user, audit and demo commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessdesk_gui.cli.common import (
    CliError,
    date_arg,
    emit,
    open_store,
    opt,
    password,
    store_and_actor,
)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    demo = sub.add_parser(
        "demo", parents=[common], help="open a throwaway store with fictional sample requests"
    )
    demo.add_argument("--no-gui", action="store_true", help="create the store and exit")
    demo.add_argument("--today", type=date_arg, help="date the sample is built around")
    demo.add_argument(
        "--state",
        choices=["OR", "TX"],
        default="OR",
        help="the demo practice's state (TX: a shorter state deadline, 15 business days)",
    )
    demo.set_defaults(handler=cmd_demo)

    init = sub.add_parser("init", parents=[common], help="set up a new store")
    init.add_argument("--practice-name", required=True)
    init.add_argument("--address", required=True)
    init.add_argument("--phone", required=True)
    init.add_argument("--state", required=True, help="two-letter state code, e.g. CA")
    init.add_argument("--admin-name", required=True, help="full name of the first administrator")
    init.add_argument(
        "--key-mode",
        choices=["keyring", "passphrase"],
        default="keyring",
        help="where the encryption key lives: the system keyring (default), or a practice "
        "passphrase typed at every start (ACCESSDESK_STORE_PASSPHRASE or a prompt)",
    )
    init.set_defaults(handler=cmd_init)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(metavar="SUB")
    uadd = user.add_parser(
        "add",
        parents=[common],
        help="add a user (password from ACCESSDESK_NEW_PASSWORD or a prompt)",
    )
    uadd.add_argument("username")
    uadd.add_argument("--full-name", required=True)
    uadd.add_argument(
        "--role",
        action="append",
        required=True,
        choices=["front_desk", "privacy_officer", "licensed_professional"],
    )
    uadd.add_argument("--licence-type", default="")
    uadd.add_argument("--licence-number", default="")
    uadd.set_defaults(handler=cmd_user_add)
    user.add_parser("list", parents=[common], help="list users").set_defaults(handler=cmd_user_list)

    aud = sub.add_parser("audit", help="audit trail").add_subparsers(metavar="SUB")
    aud.add_parser("verify", parents=[common], help="check the audit chain").set_defaults(
        handler=cmd_audit_verify
    )


def cmd_init(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import practice

    username = opt(args, "user")
    if not username:
        raise CliError("Name the first administrator's user name with --user NAME.")
    pw = password(f"New password for {username}: ")
    if opt(args, "key_mode") == "passphrase":
        from accessdesk_gui.services import workspace

        phrase = password("Practice passphrase for the store: ", workspace.PASSPHRASE_ENV)
        store = workspace.open_workspace(opt(args, "db"), create=True, passphrase=phrase).store
    else:
        store = open_store(args, create=True)
    admin = practice.set_up(
        store,
        practice.PracticeInfo(args.practice_name, args.address, args.phone, args.state),
        username,
        args.admin_name,
        pw,
    )
    emit(args, {"store": str(store.path), "admin": admin.username}, f"Created {store.path}")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.roles import Role
    from accessdesk_gui.services import auth

    store, actor = store_and_actor(args)
    pw = password(f"Password for new user {args.username}: ", "ACCESSDESK_NEW_PASSWORD")
    new = auth.add_user(
        store,
        actor,
        args.username,
        args.full_name,
        pw,
        {Role(r) for r in args.role},
        args.licence_type,
        args.licence_number,
    )
    emit(args, {"id": new.user_id, "username": new.username}, f"Added user {new.username}")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import auth

    store, actor = store_and_actor(args)
    users = auth.list_users(store, actor)
    data = [
        {"id": u.id, "username": u.username, "full_name": u.full_name, "roles": sorted(u.roles)}
        for u in users
    ]
    lines = [f"{u.username:<16} {u.full_name:<30} {', '.join(sorted(u.roles))}" for u in users]
    emit(args, data, "\n".join(lines))
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import audit_service

    store, actor = store_and_actor(args)
    res = audit_service.verify(store, actor)
    data = {
        "ok": res.ok,
        "entries": res.entries,
        "head_hash": res.head_hash,
        "first_bad_entry": res.first_bad_seq,
        "problem": res.problem,
    }
    if res.ok:
        emit(args, data, f"Audit trail intact: {res.entries} entries, head {res.head_hash[:16]}")
        return 0
    emit(args, data, f"Audit trail broken at entry {res.first_bad_seq}: {res.problem}")
    return 1


def cmd_demo(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import demo

    path = opt(args, "db")
    if args.no_gui:
        if path is None:
            raise CliError("With --no-gui, say where to put the demo store: --db PATH.")
        demo.build_demo_store(Path(path), today=args.today, state=args.state)
        emit(args, {"store": str(path), "user": demo.DEMO_USER}, f"Demo store at {path}")
        return 0
    from accessdesk_gui.ui.app import run_demo

    return run_demo(path, state=args.state, today=args.today)
