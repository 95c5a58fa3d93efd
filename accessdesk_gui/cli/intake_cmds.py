"""Intake options of `request add`, the queue filters of `request list`, and the desk
subcommands: verify, clarify, note, attach, attachment, fee, reminders.

request_cmds.py creates the `request` group and calls the functions here, so this
module owns everything the complete intake added.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from accessdesk_gui.cli.common import CliError, date_arg, emit, login, open_store

AUTHORITIES = [
    "parent_of_minor",
    "court_guardian",
    "health_care_poa",
    "executor",
    "other",
]
ELECTRONIC_FORMATS = ["pdf", "ccda", "images", "portal_download", "email", "usb", "cd"]
CHANNELS = ["in_person", "mail", "fax", "email", "portal", "phone"]
METHODS = [
    "photo_id",
    "known_to_staff",
    "portal_account",
    "signature_match",
    "callback",
    "notarized",
    "legal_document",
    "other",
]
KINDS = ["individual", "personal_representative", "third_party_directive"]


def add_intake_options(add: argparse.ArgumentParser) -> None:
    g = add.add_argument_group("complete intake")
    g.add_argument("--authority", choices=AUTHORITIES, help="representative's kind of authority")
    g.add_argument("--authority-document", default="", help="document of authority seen")
    g.add_argument("--directive-recipient", default="", help="third party named in a directive")
    g.add_argument("--directive-destination", default="", help="where the directive says to send")
    g.add_argument("--directive-signed", action="store_true", help="the directive is signed")
    g.add_argument("--whole-drs", action="store_true", help="the whole designated record set")
    g.add_argument("--category", action="append", default=[], help="a record category (repeatable)")
    g.add_argument("--date-from", type=date_arg, help="records from this date")
    g.add_argument("--date-to", type=date_arg, help="records up to this date")
    g.add_argument("--summary-agreed", action="store_true", help="agreed to a summary")
    g.add_argument("--summary-fee-agreed", action="store_true", help="agreed to its fee")
    g.add_argument("--electronic-format", choices=ELECTRONIC_FORMATS)
    g.add_argument(
        "--paper-records", action="store_true", help="the records are kept on paper only"
    )
    g.add_argument("--agreed-format", default="", help="format agreed if not the one asked")
    g.add_argument(
        "--declined-electronic",
        action="store_true",
        help="the patient declined every electronic format offered",
    )
    g.add_argument(
        "--email-risk-accepted",
        action="store_true",
        help="warned about unencrypted e-mail, the requester still prefers it",
    )
    g.add_argument("--channel", choices=CHANNELS, default="in_person", help="how it arrived")
    g.add_argument("--language", choices=["en", "es"], default="en", help="preferred language")
    g.add_argument("--verified-method", choices=METHODS, help="identity/authority check done")
    g.add_argument("--verified-on", type=date_arg, help="date verified (default: received)")
    g.add_argument("--verification-note", default="")
    g.add_argument(
        "--benefit-claim",
        action="store_true",
        help="the copy is for a benefit claim or appeal (free or cheaper in NY, CT, WA, VA, LA)",
    )
    g.add_argument(
        "--earlier-copy",
        action="store_true",
        help="the patient already had a copy from the practice (KY first copy free)",
    )
    g.add_argument("--attach", type=Path, help="scanned request (PDF or image) to keep")
    g.add_argument("--fee-method", choices=["actual_cost", "average_schedule", "flat_fee"])
    g.add_argument(
        "--fee-line",
        action="append",
        default=[],
        help="component:price[:quantity[:unit]], e.g. copy_labor:6.00 (repeatable)",
    )


def intake_from_args(args: argparse.Namespace) -> Any:
    from accessdesk_gui.domain.deadlines import AccessKind
    from accessdesk_gui.domain.intake import (
        Authority,
        Channel,
        Delivery,
        ElectronicFormat,
        Format,
        Intake,
        RequesterKind,
        Verification,
        VerificationMethod,
    )

    kind = RequesterKind(args.requester_kind)
    delivery = args.delivery
    if delivery is None:
        delivery = "third_party" if kind is RequesterKind.THIRD_PARTY_DIRECTIVE else "portal"
    summary = args.access == "summary"
    verification = None
    if args.verified_method:
        verification = Verification(
            VerificationMethod(args.verified_method),
            args.verified_on or args.received,
            args.verification_note,
        )
    elif args.verified_on:
        raise CliError("--verified-on needs --verified-method.")
    return Intake(
        patient_name=args.patient,
        patient_dob=args.dob,
        received=args.received,
        requester_kind=kind,
        scope=args.scope,
        access=AccessKind.COPY if summary else AccessKind(args.access),
        format=Format(args.format),
        delivery=Delivery(delivery),
        mrn=args.mrn,
        requester_name=args.requester_name,
        requester_relationship=args.relationship,
        mail_address=args.address,
        email=args.email,
        authority=Authority(args.authority) if args.authority else None,
        authority_document=args.authority_document,
        directive_recipient=args.directive_recipient,
        directive_destination=args.directive_destination,
        directive_signed=args.directive_signed,
        whole_drs=args.whole_drs,
        categories=tuple(args.category),
        date_from=args.date_from,
        date_to=args.date_to,
        summary=summary,
        summary_agreed=args.summary_agreed,
        summary_fee_agreed=args.summary_fee_agreed,
        electronic_format=(
            ElectronicFormat(args.electronic_format) if args.electronic_format else None
        ),
        phi_electronic=not args.paper_records,
        agreed_format=args.agreed_format,
        declined_electronic=args.declined_electronic,
        email_risk_accepted=args.email_risk_accepted,
        channel=Channel(args.channel),
        preferred_language=args.language,
        verification=verification,
        benefit_claim=args.benefit_claim,
        earlier_copy=args.earlier_copy,
    )


def add_extras(args: argparse.Namespace) -> dict[str, Any]:
    """The scan and fee estimate of `request add`, for the one call that logs the request
    (services/intake.py checks them, with the intake, before anything is saved).
    """
    from accessdesk_gui.domain.fees import FeeMethod
    from accessdesk_gui.services import desk, intake

    attachment = None
    if args.attach is not None:
        try:
            data = args.attach.read_bytes()
        except OSError as exc:
            raise CliError(f"Cannot read {args.attach}: {exc.strerror}.") from None
        attachment = intake.NewAttachment(args.attach.name, data, "scanned_request")
    lines = [desk.parse_fee_line(t) for t in args.fee_line]
    if lines and not args.fee_method:
        raise CliError("--fee-line needs --fee-method.")
    fee = intake.NewEstimate(FeeMethod(args.fee_method), lines) if args.fee_method else None
    return {"attachment": attachment, "fee": fee}


def add_list_filters(lst: argparse.ArgumentParser) -> None:
    lst.add_argument("--status", help="only this status (e.g. received, in_progress)")
    lst.add_argument("--due-within", choices=["overdue", "3", "7"], help="due window")
    lst.add_argument("--assignee", help="user name of the assignee")
    lst.add_argument("--requester-kind", choices=KINDS)


LIST_VIEWS = [
    "open",
    "overdue",
    "due_7",
    "closed",
    "all",
    "mine",
    "due_week",
    "awaiting_sign_off",
    "incomplete",
]


def query_from_args(args: argparse.Namespace, store: Any, actor: Any) -> Any:
    from accessdesk_gui.domain.lifecycle import Status
    from accessdesk_gui.services import auth, requests

    assignee_id = None
    if args.assignee:
        assignee_id = _user_id(store, actor, args.assignee)
    try:
        status = Status(args.status) if args.status else None
    except ValueError:
        raise CliError(
            f"'{args.status}' is not a status; use one of {', '.join(Status)}."
        ) from None
    _ = auth
    return requests.Query(
        view=requests.View(args.view),
        search=args.search,
        sort=requests.SortKey(args.sort),
        descending=args.desc,
        today=args.as_of or dt.date.today(),
        assignee_id=assignee_id,
        status=status,
        due_within=requests.DueWindow(args.due_within) if args.due_within else None,
        requester_kind=args.requester_kind,
        me_id=actor.user_id,
    )


def _user_id(store: Any, actor: Any, username: str) -> int:
    from accessdesk_gui.services import auth

    match = [u for u in auth.list_users(store, actor) if u.username == username]
    if not match:
        raise CliError(f"There is no active user '{username}'.")
    return int(match[0].id)


# -- desk subcommands -----------------------------------------------------------------------


def register_request_subcommands(req: Any, common: argparse.ArgumentParser) -> None:
    v = req.add_parser("verify", parents=[common], help="record identity/authority verification")
    v.add_argument("id", type=int)
    v.add_argument("--method", required=True, choices=METHODS)
    v.add_argument("--date", type=date_arg, default=None)
    v.add_argument("--note", default="")
    v.set_defaults(handler=cmd_verify)

    c = req.add_parser("clarify", parents=[common], help="record what the requester clarified")
    c.add_argument("id", type=int)
    c.add_argument("--directive-signed", action="store_true", default=None)
    c.add_argument("--directive-recipient")
    c.add_argument("--directive-destination")
    c.add_argument("--authority-document")
    c.add_argument("--email-risk-accepted", action="store_true", default=None)
    c.add_argument("--summary-agreed", action="store_true", default=None)
    c.add_argument("--summary-fee-agreed", action="store_true", default=None)
    c.set_defaults(handler=cmd_clarify)

    n = req.add_parser("note", parents=[common], help="add a note to the timeline")
    n.add_argument("id", type=int)
    n.add_argument("--text", required=True)
    n.set_defaults(handler=cmd_note)

    a = req.add_parser("attach", parents=[common], help="keep a PDF or image with the request")
    a.add_argument("id", type=int)
    a.add_argument("file", type=Path)
    a.add_argument(
        "--kind", choices=["scanned_request", "authority", "directive", "other"], default="other"
    )
    a.set_defaults(handler=cmd_attach)

    x = req.add_parser("attachment", parents=[common], help="save an attachment to a file")
    x.add_argument("attachment_id", type=int)
    x.add_argument("--out", type=Path, required=True)
    x.set_defaults(handler=cmd_attachment)

    f = req.add_parser("fee", parents=[common], help="record the fee estimate given")
    f.add_argument("id", type=int)
    f.add_argument(
        "--method", required=True, choices=["actual_cost", "average_schedule", "flat_fee"]
    )
    f.add_argument("--line", action="append", default=[], help="component:price[:qty[:unit]]")
    f.add_argument("--date", type=date_arg, default=None, help="date the estimate was given")
    f.set_defaults(handler=cmd_fee)

    r = req.add_parser("reminders", parents=[common], help="what needs action today")
    r.add_argument("--as-of", type=date_arg)
    r.set_defaults(handler=cmd_reminders)


def _done(args: argparse.Namespace, rid: int, what: str) -> int:
    emit(args, {"id": rid, "result": what}, f"Request {rid}: {what}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.intake import VerificationMethod
    from accessdesk_gui.services import desk

    store = open_store(args)
    desk.verify(
        store,
        login(args, store),
        args.id,
        VerificationMethod(args.method),
        args.date or dt.date.today(),
        args.note,
    )
    return _done(args, args.id, "verified")


def cmd_clarify(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import desk

    store = open_store(args)
    todo = desk.clarify(
        store,
        login(args, store),
        args.id,
        directive_signed=args.directive_signed,
        directive_recipient=args.directive_recipient,
        directive_destination=args.directive_destination,
        authority_document=args.authority_document,
        email_risk_accepted=args.email_risk_accepted,
        summary_agreed=args.summary_agreed,
        summary_fee_agreed=args.summary_fee_agreed,
    )
    emit(
        args,
        {"id": args.id, "outstanding": todo},
        f"Request {args.id}: " + ("still needs: " + " ".join(todo) if todo else "complete"),
    )
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import desk

    store = open_store(args)
    desk.add_note(store, login(args, store), args.id, args.text)
    return _done(args, args.id, "note added")


def cmd_attach(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import desk

    store = open_store(args)
    actor = login(args, store)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CliError(f"Cannot read {args.file}: {exc.strerror}.") from None
    aid = desk.attach(store, actor, args.id, args.file.name, data, args.kind)
    emit(args, {"id": args.id, "attachment_id": aid}, f"Request {args.id}: attachment {aid} kept")
    return 0


def cmd_attachment(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import desk

    store = open_store(args)
    name, media, data = desk.attachment_data(store, login(args, store), args.attachment_id)
    if args.out.exists():
        raise CliError(f"{args.out} exists; choose a new file name.")
    args.out.write_bytes(data)
    emit(args, {"filename": name, "media_type": media, "size": len(data)}, f"Saved {name}")
    return 0


def cmd_fee(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.fees import FeeMethod
    from accessdesk_gui.services import desk

    store = open_store(args)
    actor = login(args, store)
    lines = [desk.parse_fee_line(t) for t in args.line]
    est = desk.estimate(
        store, actor, args.id, FeeMethod(args.method), lines, args.date or dt.date.today()
    )
    emit(
        args,
        {"id": args.id, "total": str(est.total), "notes": list(est.notes)},
        f"Request {args.id}: fee estimate ${est.total}" + "".join(f"\n  {n}" for n in est.notes),
    )
    return 0


def cmd_reminders(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from accessdesk_gui.services import desk

    store = open_store(args)
    rem = desk.reminders(store, login(args, store), args.as_of or dt.date.today())
    data = asdict(rem) | {"today": rem.today.isoformat(), "text": rem.text()}
    emit(args, data, rem.text())
    return 0
