"""request commands: add, list, show and the lifecycle steps."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from accessdesk_gui.cli import intake_cmds
from accessdesk_gui.cli.common import CliError, date_arg, emit, login, open_store


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    req = sub.add_parser("request", help="access requests").add_subparsers(metavar="SUB")
    add = req.add_parser("add", parents=[common], help="log a new request")
    add.add_argument("--patient", required=True, help="patient's full name")
    add.add_argument("--dob", required=True, type=date_arg, help="date of birth")
    add.add_argument("--mrn", default="")
    add.add_argument("--received", required=True, type=date_arg, help="date the request arrived")
    add.add_argument("--requester-kind", choices=intake_cmds.KINDS, default="individual")
    add.add_argument("--requester-name", default="")
    add.add_argument("--relationship", default="", help="representative's authority")
    add.add_argument("--scope", default="", help="what is asked for, in the requester's words")
    add.add_argument("--access", choices=["inspect", "copy", "both", "summary"], default="copy")
    add.add_argument("--format", choices=["paper", "electronic"], default="electronic")
    add.add_argument(
        "--delivery",
        choices=["pickup", "mail", "email", "portal", "third_party"],
        default=None,
        help="default: portal, or third_party for a directive",
    )
    add.add_argument("--address", default="", help="mailing address for mail delivery")
    add.add_argument("--email", default="")
    intake_cmds.add_intake_options(add)

    lst = req.add_parser("list", parents=[common], help="list requests")
    lst.add_argument("--view", choices=intake_cmds.LIST_VIEWS, default="open")
    lst.add_argument("--search", default="")
    lst.add_argument(
        "--sort",
        choices=["number", "patient", "requester", "received", "due", "status", "assignee"],
        default="due",
    )
    lst.add_argument("--desc", action="store_true")
    lst.add_argument("--limit", type=int, default=200)
    lst.add_argument("--as-of", type=date_arg, help="count days left from this date")
    intake_cmds.add_list_filters(lst)

    show = req.add_parser("show", parents=[common], help="show one request with its timeline")
    show.add_argument("id", type=int)
    show.add_argument("--as-of", type=date_arg)

    st = req.add_parser("start", parents=[common], help="mark work as started")
    st.add_argument("id", type=int)
    st.add_argument("--date", type=date_arg, default=None)

    ext = req.add_parser("extend", parents=[common], help="the one 30-day extension")
    ext.add_argument("id", type=int)
    ext.add_argument("--notice-date", required=True, type=date_arg)
    ext.add_argument("--reasons", required=True)
    ext.add_argument("--complete-by", required=True, type=date_arg)

    ful = req.add_parser("fulfil", parents=[common], help="record that access was provided")
    ful.add_argument("id", type=int)
    ful.add_argument("--date", required=True, type=date_arg)
    ful.add_argument("--note", default="")
    ful.add_argument(
        "--confirm-open-items",
        action="store_true",
        help="fulfil although collection checklist items are still open",
    )

    wd = req.add_parser("withdraw", parents=[common], help="record a withdrawal")
    wd.add_argument("id", type=int)
    wd.add_argument("--date", required=True, type=date_arg)
    wd.add_argument("--reason", required=True)

    asg = req.add_parser("assign", parents=[common], help="assign to a staff member")
    asg.add_argument("id", type=int)
    asg.add_argument("--to", required=True, help="user name, or 'nobody'")

    add.set_defaults(handler=cmd_request_add)
    lst.set_defaults(handler=cmd_request_list)
    show.set_defaults(handler=cmd_request_show)
    st.set_defaults(handler=cmd_request_start)
    ext.set_defaults(handler=cmd_request_extend)
    ful.set_defaults(handler=cmd_request_fulfil)
    wd.set_defaults(handler=cmd_request_withdraw)
    asg.set_defaults(handler=cmd_request_assign)
    intake_cmds.register_request_subcommands(req, common)


def cmd_request_add(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = open_store(args)
    actor = login(args, store)
    intake = intake_cmds.intake_from_args(args)
    extras = intake_cmds.check_add_extras(args, intake, store)
    rid = requests.log_request(store, actor, intake)
    intake_cmds.after_add(args, store, actor, rid, extras)
    detail = requests.get_request(store, actor, rid)
    text = f"Logged request {rid}; due {detail.effective_due.isoformat()} ({detail.due_source})"
    if detail.possible_duplicate_of is not None:
        text += f"\nPossible duplicate of request {detail.possible_duplicate_of} (logged anyway)."
    text += "".join(f"\nNeeds clarification: {c}" for c in detail.clarifications)
    emit(
        args,
        {
            "id": rid,
            "effective_due": detail.effective_due.isoformat(),
            "incomplete": detail.incomplete,
            "clarifications": list(detail.clarifications),
            "possible_duplicate_of": detail.possible_duplicate_of,
        },
        text,
    )
    return 0


def cmd_request_list(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = open_store(args)
    actor = login(args, store)
    q = intake_cmds.query_from_args(args, store, actor)
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
    emit(args, data, "\n".join(lines) if lines else "No requests.")
    return 0


def cmd_request_show(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = open_store(args)
    actor = login(args, store)
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
    emit(args, d.to_json(), "\n".join(lines))
    return 0


def _done(args: argparse.Namespace, rid: int, what: str) -> int:
    emit(args, {"id": rid, "result": what}, f"Request {rid}: {what}")
    return 0


def cmd_request_start(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = open_store(args)
    requests.start(store, login(args, store), args.id, args.date or dt.date.today())
    return _done(args, args.id, "in progress")


def cmd_request_extend(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = open_store(args)
    requests.extend(
        store, login(args, store), args.id, args.notice_date, args.reasons, args.complete_by
    )
    return _done(args, args.id, f"extended to {args.complete_by}")


def cmd_request_fulfil(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = open_store(args)
    requests.fulfil(
        store,
        login(args, store),
        args.id,
        args.date,
        args.note,
        open_items_confirmed=args.confirm_open_items,
    )
    return _done(args, args.id, "fulfilled")


def cmd_request_withdraw(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import requests

    store = open_store(args)
    requests.withdraw(store, login(args, store), args.id, args.date, args.reason)
    return _done(args, args.id, "withdrawn")


def cmd_request_assign(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import auth, requests

    store = open_store(args)
    actor = login(args, store)
    target = None
    if args.to != "nobody":
        match = [u for u in auth.list_users(store, actor) if u.username == args.to]
        if not match:
            raise CliError(f"There is no active user '{args.to}'.")
        target = match[0].id
    requests.assign(store, actor, args.id, target)
    return _done(args, args.id, f"assigned to {args.to}")
