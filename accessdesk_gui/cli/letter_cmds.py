"""letter command: issue a request's letters, list them, write copies, record mailings.

    accessdesk letter ID --kind KIND [--language en|es] --out FILE.pdf [--new] [facts...]
    accessdesk letter ID --list [--json]
    accessdesk letter ID --copy LETTER_ID --out FILE.pdf
    accessdesk letter ID --mail LETTER_ID --method METHOD --date YYYY-MM-DD [--tracking NO]

--kind issues a new letter, unless the request already has one of that kind in that
language: then it writes a copy of the latest one, stamped COPY and logged, and issues
nothing (an issued letter never changes). --new issues another one anyway (e.g. a second
request for clarification).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from accessdesk_gui.cli.common import CliError, date_arg, emit, login, open_store

KINDS = [
    "acknowledgement",
    "clarification",
    "extension",
    "records_ready",
    "email_risk",
    "denial",
    "partial_denial",
    "review_referral",
    "review_determination",
]
METHODS = ["first_class", "certified", "handed_over", "emailed", "portal"]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "letter",
        parents=[common],
        help="a request's letters: issue, list, copy, record mailing",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("request_id", type=int, metavar="REQUEST_ID")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--kind", choices=KINDS, help="issue a letter of this kind")
    what.add_argument("--list", action="store_true", help="list the request's letters")
    what.add_argument(
        "--copy", type=int, metavar="LETTER_ID", help="write a copy (stamped COPY) of a letter"
    )
    what.add_argument(
        "--mail", type=int, metavar="LETTER_ID", help="record how and when a letter was sent"
    )
    p.add_argument(
        "--language",
        choices=["en", "es"],
        default=None,
        help="default: the requester's preferred language recorded at intake",
    )
    p.add_argument("--out", type=Path, help="PDF file to write")
    p.add_argument("--new", action="store_true", help="issue even if one of this kind exists")
    p.add_argument("--letter-date", type=date_arg, help="date printed on the letter")
    p.add_argument(
        "--unclear", action="append", default=[], help="clarification: what is unclear (repeat)"
    )
    p.add_argument(
        "--release",
        action="append",
        default=[],
        metavar="'CATEGORY | FROM | TO | N pages'",
        help="records ready: one release-list line (repeat)",
    )
    p.add_argument("--fee-estimate", help="acknowledgement: the approximate fee")
    p.add_argument("--amount-due", help="records ready: the amount due")
    p.add_argument("--email", help="e-mail risk notice: the address the patient gave")
    p.add_argument("--method", choices=METHODS, help="with --mail: how it was sent")
    p.add_argument("--date", type=date_arg, help="with --mail: the date it was sent")
    p.add_argument("--tracking", default="", help="with --mail: tracking number (certified)")
    p.add_argument("--note", default="", help="with --mail: a note")
    p.set_defaults(handler=cmd_letter)


def _write(path: Path, pdf: bytes) -> None:
    # Letters carry health information: readable by the user only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pdf)


def _extra(args: argparse.Namespace) -> dict[str, object]:
    extra: dict[str, object] = {}
    if args.unclear:
        extra["unclear_points"] = list(args.unclear)
    if args.release:
        extra["release_items"] = list(args.release)
    if args.fee_estimate is not None:
        extra["fee_estimate"] = args.fee_estimate
    if args.amount_due is not None:
        extra["amount_due"] = args.amount_due
    if args.email is not None:
        extra["email_address"] = args.email
    return extra


def cmd_letter(args: argparse.Namespace) -> int:
    from accessdesk_gui.letters import LetterKind
    from accessdesk_gui.services import letters, requests

    if (args.kind or args.copy is not None) and args.out is None:
        raise CliError("Say where to write the PDF: --out FILE.pdf.")
    if args.mail is not None and (args.method is None or args.date is None):
        raise CliError("Recording a mailing needs --method and --date.")
    store = open_store(args)
    actor = login(args, store)
    rid = args.request_id

    if args.list:
        found = letters.list_letters(store, actor, rid)
        lines = [
            f"#{x.id} {x.kind.value} ({x.language}) dated {x.letter_date} sha256 {x.sha256}: "
            f"{x.state_text()}"
            for x in found
        ]
        emit(
            args,
            [x.to_json() for x in found],
            "\n".join(lines) or f"Request {rid} has no letters.",
        )
        return 0

    if args.mail is not None:
        _belongs(letters.get_letter(store, actor, args.mail), rid)
        sent = letters.record_mailing(
            store, actor, args.mail, args.method, args.date, args.tracking, args.note
        )
        emit(args, sent.to_json(), f"Letter #{sent.id}: {sent.state_text()}")
        return 0

    if args.copy is not None:
        _belongs(letters.get_letter(store, actor, args.copy), rid)
        _write(args.out, letters.reprint(store, actor, args.copy, how="cli"))
        letter = letters.get_letter(store, actor, args.copy)
        emit(
            args,
            {"letter": letter.to_json(), "out": str(args.out), "copy": True},
            f"Wrote a copy of letter #{letter.id} to {args.out}",
        )
        return 0

    kind = LetterKind(args.kind)
    language = args.language or requests.get_request(store, actor, rid).preferred_language
    existing = [
        x
        for x in letters.list_letters(store, actor, rid)
        if x.kind is kind and x.language == language
    ]
    if existing and not args.new:
        latest = existing[-1]
        _write(args.out, letters.reprint(store, actor, latest.id, how="cli"))
        emit(
            args,
            {"letter": latest.to_json(), "out": str(args.out), "copy": True},
            f"Letter #{latest.id} ({kind.value}) was already issued on {latest.letter_date}; "
            f"wrote a copy marked COPY to {args.out} (use --new to issue another).",
        )
        return 0
    issued = letters.issue_letter(store, actor, rid, kind, language, _extra(args), args.letter_date)
    _write(args.out, letters.original_pdf(store, actor, issued.id))
    emit(
        args,
        {"letter": issued.to_json(), "out": str(args.out), "copy": False},
        f"Issued letter #{issued.id} ({kind.value}, {issued.language}) to {args.out}; "
        f"sha256 {issued.sha256}. It counts as sent once you record the mailing "
        f"(accessdesk letter {rid} --mail {issued.id} --method ... --date ...).",
    )
    return 0


def _belongs(letter: Any, request_id: int) -> None:
    if letter.request_id != request_id:
        raise CliError(
            f"Letter #{letter.id} belongs to request {letter.request_id}, not {request_id}."
        )
