"""The `accessdesk` command: the GUI with no command, the same services headless with one.

Exit status: 0 done, 2 refused (bad input, unknown id, wrong password, illegal step,
missing store); the reason is one line on stderr and nothing was changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

EXIT_REFUSED = 2


class CliError(Exception):
    pass


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from None


class _Parser(argparse.ArgumentParser):
    """Bad options are one line on stderr and status 2, like every other refusal."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_REFUSED, f"{self.prog}: {message} (see --help)\n")


def _common() -> argparse.ArgumentParser:
    # SUPPRESS so an option given before the command is not overwritten by the default here.
    p = _Parser(add_help=False)
    p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="store file")
    p.add_argument("--user", default=argparse.SUPPRESS, help="user name to act as")
    p.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    return p


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(
        prog="accessdesk",
        description="AccessDesk: HIPAA right-of-access requests. With no command, opens the app.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo", parents=[common], help="open a throwaway store with fictional sample requests"
    )
    demo.add_argument("--no-gui", action="store_true", help="create the store and exit")
    demo.add_argument("--today", type=_date, help="date the sample is built around")

    init = sub.add_parser("init", parents=[common], help="set up a new store")
    init.add_argument("--practice-name", required=True)
    init.add_argument("--address", required=True)
    init.add_argument("--phone", required=True)
    init.add_argument("--state", required=True, help="two-letter state code, e.g. CA")
    init.add_argument("--admin-name", required=True, help="full name of the first administrator")

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="sub", metavar="SUB")
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
    user.add_parser("list", parents=[common], help="list users")

    req = sub.add_parser("request", help="access requests").add_subparsers(
        dest="sub", metavar="SUB"
    )
    add = req.add_parser("add", parents=[common], help="log a new request")
    add.add_argument("--patient", required=True, help="patient's full name")
    add.add_argument("--dob", required=True, type=_date, help="date of birth")
    add.add_argument("--mrn", default="")
    add.add_argument("--received", required=True, type=_date, help="date the request arrived")
    add.add_argument(
        "--requester-kind",
        choices=["individual", "personal_representative"],
        default="individual",
    )
    add.add_argument("--requester-name", default="")
    add.add_argument("--relationship", default="", help="representative's authority")
    add.add_argument("--scope", required=True, help="what is asked for")
    add.add_argument("--access", choices=["inspect", "copy", "both"], default="copy")
    add.add_argument("--format", choices=["paper", "electronic"], default="electronic")
    add.add_argument("--delivery", choices=["pickup", "mail", "email", "portal"], default="portal")
    add.add_argument("--address", default="", help="mailing address for mail delivery")
    add.add_argument("--email", default="")

    lst = req.add_parser("list", parents=[common], help="list requests")
    lst.add_argument(
        "--view", choices=["open", "overdue", "due_7", "closed", "all"], default="open"
    )
    lst.add_argument("--search", default="")
    lst.add_argument(
        "--sort",
        choices=["number", "patient", "requester", "received", "due", "status", "assignee"],
        default="due",
    )
    lst.add_argument("--desc", action="store_true")
    lst.add_argument("--limit", type=int, default=200)
    lst.add_argument("--as-of", type=_date, help="count days left from this date")

    show = req.add_parser("show", parents=[common], help="show one request with its timeline")
    show.add_argument("id", type=int)
    show.add_argument("--as-of", type=_date)

    st = req.add_parser("start", parents=[common], help="mark work as started")
    st.add_argument("id", type=int)
    st.add_argument("--date", type=_date, default=None)

    ext = req.add_parser("extend", parents=[common], help="the one 30-day extension")
    ext.add_argument("id", type=int)
    ext.add_argument("--notice-date", required=True, type=_date)
    ext.add_argument("--reasons", required=True)
    ext.add_argument("--complete-by", required=True, type=_date)

    ful = req.add_parser("fulfil", parents=[common], help="record that access was provided")
    ful.add_argument("id", type=int)
    ful.add_argument("--date", required=True, type=_date)
    ful.add_argument("--note", default="")

    wd = req.add_parser("withdraw", parents=[common], help="record a withdrawal")
    wd.add_argument("id", type=int)
    wd.add_argument("--date", required=True, type=_date)
    wd.add_argument("--reason", required=True)

    asg = req.add_parser("assign", parents=[common], help="assign to a staff member")
    asg.add_argument("id", type=int)
    asg.add_argument("--to", required=True, help="user name, or 'nobody'")

    aud = sub.add_parser("audit", help="audit trail").add_subparsers(dest="sub", metavar="SUB")
    aud.add_parser("verify", parents=[common], help="check the audit chain")
    return parser


# -- helpers ----------------------------------------------------------------------------


def _opt(args: argparse.Namespace, name: str, default: Any = None) -> Any:
    return getattr(args, name, default)


def _store(args: argparse.Namespace, create: bool = False) -> Any:
    from accessdesk_gui.paths import default_store_path
    from accessdesk_gui.store.db import Store

    return Store.open(_opt(args, "db") or default_store_path(), create=create)


def _password(prompt: str, env: str = "ACCESSDESK_PASSWORD") -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise CliError(f"No password: set {env} or run in a terminal to be prompted.")
    return getpass.getpass(prompt)


def _login(args: argparse.Namespace, store: Any) -> Any:
    from accessdesk_gui.services import auth

    username = _opt(args, "user") or os.environ.get("ACCESSDESK_USER")
    if not username:
        raise CliError("Say who is acting: --user NAME (or ACCESSDESK_USER).")
    return auth.login(store, username, _password(f"Password for {username}: "))


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if _opt(args, "json"):
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(text)


# -- commands ---------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import practice

    username = _opt(args, "user")
    if not username:
        raise CliError("Name the first administrator's user name with --user NAME.")
    password = _password(f"New password for {username}: ")
    store = _store(args, create=True)
    admin = practice.set_up(
        store,
        practice.PracticeInfo(args.practice_name, args.address, args.phone, args.state),
        username,
        args.admin_name,
        password,
    )
    _emit(args, {"store": str(store.path), "admin": admin.username}, f"Created {store.path}")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.roles import Role
    from accessdesk_gui.services import auth

    store = _store(args)
    actor = _login(args, store)
    password = _password(f"Password for new user {args.username}: ", "ACCESSDESK_NEW_PASSWORD")
    new = auth.add_user(
        store,
        actor,
        args.username,
        args.full_name,
        password,
        {Role(r) for r in args.role},
        args.licence_type,
        args.licence_number,
    )
    _emit(args, {"id": new.user_id, "username": new.username}, f"Added user {new.username}")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import auth

    store = _store(args)
    actor = _login(args, store)
    users = auth.list_users(store, actor)
    data = [
        {"id": u.id, "username": u.username, "full_name": u.full_name, "roles": sorted(u.roles)}
        for u in users
    ]
    lines = [f"{u.username:<16} {u.full_name:<30} {', '.join(sorted(u.roles))}" for u in users]
    _emit(args, data, "\n".join(lines))
    return 0


def cmd_request_add(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.deadlines import AccessKind
    from accessdesk_gui.domain.intake import Delivery, Format, Intake, RequesterKind
    from accessdesk_gui.services import requests

    store = _store(args)
    actor = _login(args, store)
    intake = Intake(
        patient_name=args.patient,
        patient_dob=args.dob,
        received=args.received,
        requester_kind=RequesterKind(args.requester_kind),
        scope=args.scope,
        access=AccessKind(args.access),
        format=Format(args.format),
        delivery=Delivery(args.delivery),
        mrn=args.mrn,
        requester_name=args.requester_name,
        requester_relationship=args.relationship,
        mail_address=args.address,
        email=args.email,
    )
    rid = requests.log_request(store, actor, intake)
    detail = requests.get_request(store, actor, rid)
    _emit(
        args,
        {"id": rid, "effective_due": detail.effective_due.isoformat()},
        f"Logged request {rid}; due {detail.effective_due.isoformat()} ({detail.due_source})",
    )
    return 0


def cmd_request_list(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = _store(args)
    actor = _login(args, store)
    q = requests.Query(
        view=requests.View(args.view),
        search=args.search,
        sort=requests.SortKey(args.sort),
        descending=args.desc,
        today=args.as_of or dt.date.today(),
    )
    rows = requests.list_requests(store, actor, q, limit=args.limit)
    data = [
        {
            "id": r.id,
            "patient_name": r.patient_name,
            "requester": r.requester,
            "received": r.received.isoformat(),
            "effective_due": r.due.isoformat(),
            "days_left": r.days_left,
            "status": r.status.value,
            "urgency": r.urgency.value,
            "assigned_to": r.assignee,
        }
        for r in rows
    ]
    lines = [
        f"{r.id:>6}  {r.patient_name[:28]:<28}  {r.received}  due {r.due}  "
        f"{r.days_left:>4}d  {r.status.value:<16} {r.urgency.value}"
        for r in rows
    ]
    _emit(args, data, "\n".join(lines) if lines else "No requests.")
    return 0


def cmd_request_show(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = _store(args)
    actor = _login(args, store)
    d = requests.get_request(store, actor, args.id, today=args.as_of)
    lines = [
        f"Request {d.id}: {d.patient_name} (born {d.patient_dob})",
        f"Status: {d.status.value}   Received: {d.received}   Due: {d.effective_due} "
        f"({d.due_source})   Days left: {d.days_left}",
        f"Requester: {d.requester_name} ({d.requester_kind})",
        f"Asked for: {d.scope} [{d.access}, {d.format}, {d.delivery}]",
    ]
    if d.extended_due:
        lines.append(
            f"Extended on {d.extension_notice_date} to {d.extended_due}: {d.extension_reasons}"
        )
    lines.append("Timeline:")
    lines += [f"  {e.event_date}  {e.kind:<10} {e.summary}  ({e.by})" for e in d.timeline]
    _emit(args, d.to_json(), "\n".join(lines))
    return 0


def _done(args: argparse.Namespace, rid: int, what: str) -> int:
    _emit(args, {"id": rid, "result": what}, f"Request {rid}: {what}")
    return 0


def cmd_request_start(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = _store(args)
    requests.start(store, _login(args, store), args.id, args.date or dt.date.today())
    return _done(args, args.id, "in progress")


def cmd_request_extend(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = _store(args)
    requests.extend(
        store, _login(args, store), args.id, args.notice_date, args.reasons, args.complete_by
    )
    return _done(args, args.id, f"extended to {args.complete_by}")


def cmd_request_fulfil(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = _store(args)
    requests.fulfil(store, _login(args, store), args.id, args.date, args.note)
    return _done(args, args.id, "fulfilled")


def cmd_request_withdraw(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = _store(args)
    requests.withdraw(store, _login(args, store), args.id, args.date, args.reason)
    return _done(args, args.id, "withdrawn")


def cmd_request_assign(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import auth, requests

    store = _store(args)
    actor = _login(args, store)
    target = None
    if args.to != "nobody":
        match = [u for u in auth.list_users(store, actor) if u.username == args.to]
        if not match:
            raise CliError(f"There is no active user '{args.to}'.")
        target = match[0].id
    requests.assign(store, actor, args.id, target)
    return _done(args, args.id, f"assigned to {args.to}")


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import audit_service

    store = _store(args)
    actor = _login(args, store)
    res = audit_service.verify(store, actor)
    data = {
        "ok": res.ok,
        "entries": res.entries,
        "head_hash": res.head_hash,
        "first_bad_entry": res.first_bad_seq,
        "problem": res.problem,
    }
    if res.ok:
        _emit(args, data, f"Audit trail intact: {res.entries} entries, head {res.head_hash[:16]}")
        return 0
    _emit(args, data, f"Audit trail broken at entry {res.first_bad_seq}: {res.problem}")
    return 1


def cmd_demo(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import demo

    path = _opt(args, "db")
    if args.no_gui:
        if path is None:
            raise CliError("With --no-gui, say where to put the demo store: --db PATH.")
        demo.build_demo_store(Path(path), today=args.today)
        _emit(args, {"store": str(path), "user": demo.DEMO_USER}, f"Demo store at {path}")
        return 0
    from accessdesk_gui.ui.app import run_demo

    return run_demo(path)


COMMANDS: dict[tuple[str, str | None], Callable[[argparse.Namespace], int]] = {
    ("demo", None): cmd_demo,
    ("init", None): cmd_init,
    ("user", "add"): cmd_user_add,
    ("user", "list"): cmd_user_list,
    ("request", "add"): cmd_request_add,
    ("request", "list"): cmd_request_list,
    ("request", "show"): cmd_request_show,
    ("request", "start"): cmd_request_start,
    ("request", "extend"): cmd_request_extend,
    ("request", "fulfil"): cmd_request_fulfil,
    ("request", "withdraw"): cmd_request_withdraw,
    ("request", "assign"): cmd_request_assign,
    ("audit", "verify"): cmd_audit_verify,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from accessdesk_gui.ui.app import run_app

        return run_app(_opt(args, "db"))
    handler = COMMANDS.get((args.command, getattr(args, "sub", None)))
    if handler is None:
        parser.parse_args([args.command, "--help"])
        return EXIT_REFUSED
    from accessdesk_gui.services.errors import USER_ERRORS

    try:
        return handler(args)
    except (CliError, *USER_ERRORS) as exc:
        print(f"accessdesk: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("accessdesk: interrupted; nothing more was changed.", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    raise SystemExit(main())
