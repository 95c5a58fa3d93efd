"""denial, review and settings commands: the denial and review loop, headless.

Signing (``denial sign``, ``review decide``) needs the password entered again; on the
command line the acting user's ACCESSDESK_PASSWORD (or the prompt's answer) is that
re-entered password, checked again against its argon2 hash when signing.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from accessdesk_gui.cli.common import CliError, date_arg, emit, group, password, store_and_actor


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    den = sub.add_parser("denial", help="deny access in whole or in part").add_subparsers(
        metavar="SUB"
    )
    dr = den.add_parser("draft", parents=[common], help="draft a denial of named parts")
    dr.add_argument("request", type=int, help="request number")
    dr.add_argument(
        "--part",
        action="append",
        required=True,
        metavar="KEY=DESCRIPTION",
        help="a part of what was asked (repeat for each part)",
    )
    dr.add_argument("--dates", action="append", default=[], metavar="KEY=START..END")
    dr.add_argument("--document", action="append", default=[], metavar="KEY")
    dr.add_argument(
        "--deny",
        action="append",
        required=True,
        metavar="KEY=GROUND",
        help="deny a part on a ground code (see 'denial grounds')",
    )
    dr.add_argument("--fact", action="append", default=[], metavar="KEY.NAME=VALUE")
    dr.add_argument("--withhold", action="append", default=[], metavar="KEY=copy|inspect|both")
    dr.add_argument("--determiner", help="licensed professional who determines (a)(3) grounds")
    dr.add_argument("--participant", action="append", default=[], metavar="USER")
    dr.add_argument("--reason", default="", help="the rationale, for the file and the reviewer")
    dr.add_argument("--letter-detail", default="", help="plain-language detail for the letter")
    dr.add_argument("--other-holder", default="", help="who holds what the practice does not")
    dr.add_argument("--address", default="", help="mailing address for the letter")
    dr.add_argument(
        "--notes-kept-separately",
        choices=["yes", "no"],
        help="psychotherapy notes are kept separately from the chart",
    )
    dr.set_defaults(handler=cmd_denial_draft)

    gr = den.add_parser("grounds", parents=[common], help="the lawful grounds and their facts")
    gr.set_defaults(handler=cmd_denial_grounds)

    rt = den.add_parser("route", parents=[common], help="send to a licensed professional")
    rt.add_argument("denial", type=int)
    rt.add_argument("--to", required=True, metavar="USER")
    rt.set_defaults(handler=cmd_denial_route)

    sg = den.add_parser(
        "sign", parents=[common], help="sign the determination (password entered again)"
    )
    sg.add_argument("denial", type=int)
    sg.set_defaults(handler=cmd_denial_sign)

    iss = den.add_parser("issue", parents=[common], help="issue the letter")
    iss.add_argument("denial", type=int)
    iss.add_argument("--date", required=True, type=date_arg)
    iss.add_argument("--out", type=Path, help="write the letter PDF here")
    iss.set_defaults(handler=cmd_denial_issue)

    sh = den.add_parser("show", parents=[common], help="show a denial")
    sh.add_argument("denial", type=int)
    sh.set_defaults(handler=cmd_denial_show)

    lt = den.add_parser("letter", parents=[common], help="write the letter (or a preview) as PDF")
    lt.add_argument("denial", type=int)
    lt.add_argument("--out", type=Path, required=True)
    lt.add_argument("--date", type=date_arg, help="letter date of a preview")
    lt.set_defaults(handler=cmd_denial_letter)

    ds = den.add_parser("discard", parents=[common], help="discard a denial not yet issued")
    ds.add_argument("denial", type=int)
    ds.add_argument("--reason", required=True)
    ds.set_defaults(handler=cmd_denial_discard)

    q = den.add_parser("queue", parents=[common], help="my sign-offs and reviews, oldest first")
    q.set_defaults(handler=cmd_queue)

    rev = sub.add_parser("review", help="review of a reviewable denial").add_subparsers(
        metavar="SUB"
    )
    rq = rev.add_parser("request", parents=[common], help="record that review was asked for")
    rq.add_argument("denial", type=int)
    rq.add_argument("--date", required=True, type=date_arg)
    rq.add_argument("--note", default="")
    rq.set_defaults(handler=cmd_review_request)

    rc = rev.add_parser("candidates", parents=[common], help="who may review, with reasons")
    rc.add_argument("review", type=int)
    rc.set_defaults(handler=cmd_review_candidates)

    ra = rev.add_parser("assign", parents=[common], help="refer to a reviewing official")
    ra.add_argument("review", type=int)
    ra.add_argument("--to", required=True, metavar="USER")
    ra.add_argument("--date", required=True, type=date_arg)
    ra.add_argument("--out", type=Path, help="write the referral letter PDF here")
    ra.set_defaults(handler=cmd_review_assign)

    rd = rev.add_parser(
        "decide", parents=[common], help="the reviewer's determination (password entered again)"
    )
    rd.add_argument("review", type=int)
    rd.add_argument("--uphold", action="append", default=[], metavar="KEY[=STANDARD]")
    rd.add_argument("--reverse", action="append", default=[], metavar="KEY")
    rd.add_argument("--date", required=True, type=date_arg)
    rd.add_argument("--reason", default="")
    rd.add_argument("--out", type=Path, help="write the determination letter PDF here")
    rd.set_defaults(handler=cmd_review_decide)

    rs = rev.add_parser("show", parents=[common], help="show a review")
    rs.add_argument("review", type=int)
    rs.set_defaults(handler=cmd_review_show)

    st = group(sub, "settings", "practice settings")
    dz = st.add_parser(
        "designate-reviewer", parents=[common], help="designate a reviewing official"
    )
    dz.add_argument("username")
    dz.set_defaults(handler=cmd_designate)
    rz = st.add_parser("revoke-reviewer", parents=[common], help="end a designation")
    rz.add_argument("username")
    rz.set_defaults(handler=cmd_revoke)
    cc = st.add_parser(
        "complaint-contact", parents=[common], help="who takes complaints, and their phone"
    )
    cc.add_argument("--contact", required=True, help="name or title, e.g. 'the Privacy Officer'")
    cc.add_argument("--phone", required=True)
    cc.add_argument("--review-how", default="", help="how to ask for review (optional)")
    cc.set_defaults(handler=cmd_complaint_contact)
    ss = st.add_parser("show", parents=[common], help="show the denial settings")
    ss.set_defaults(handler=cmd_settings_show)


# -- helpers ------------------------------------------------------------------------------


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        key, sep, rest = v.partition("=")
        if not sep or not key.strip():
            raise CliError(f"{option} '{v}': use KEY=VALUE.")
        out[key.strip()] = rest.strip()
    return out


def _user_id(store: Any, username: str) -> int:
    from accessdesk_gui.services import denials

    return denials.user_id_by_name(store, username)


def _fact_value(kind: Any, text: str) -> str | bool:
    from accessdesk_gui.domain.denials import FactKind

    if kind is FactKind.CONFIRM:
        low = text.strip().lower()
        if low in ("yes", "true", "y", "1"):
            return True
        if low in ("no", "false", "n", "0"):
            return False
        raise CliError(f"'{text}': a confirmation is yes or no.")
    return text


def _write(path: Path | None, pdf: bytes) -> str:
    if path is None:
        return ""
    path.write_bytes(pdf)
    return f"; letter written to {path}"


# -- denial ---------------------------------------------------------------------------------


def cmd_denial_draft(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.deadlines import AccessKind
    from accessdesk_gui.domain.denials import GROUNDS, GroundCode, PartKind
    from accessdesk_gui.services import denials

    parts = _pairs(args.part, "--part")
    deny = _pairs(args.deny, "--deny")
    withhold = _pairs(args.withhold, "--withhold")
    dates = _pairs(args.dates, "--dates")
    for option, keys in (("--deny", deny), ("--withhold", withhold), ("--dates", dates)):
        for key in keys:
            if key not in parts:
                raise CliError(f"{option} names '{key}', which is not a --part.")
    facts: dict[str, dict[str, str | bool]] = {k: {} for k in parts}
    for v in args.fact:
        target, sep, value = v.partition("=")
        key, dot, name = target.partition(".")
        if not sep or not dot or key not in parts:
            raise CliError(f"--fact '{v}': use KEY.NAME=VALUE with KEY a --part.")
        code = deny.get(key, "")
        specs = (
            {s.name: s for s in GROUNDS[GroundCode(code)].facts} if code in set(GroundCode) else {}
        )
        spec = specs.get(name)
        facts[key][name] = _fact_value(spec.kind, value) if spec else value
    store, actor = store_and_actor(args)
    inputs = []
    for key, description in parts.items():
        start = end = None
        kind = PartKind.DOCUMENT if key in args.document else PartKind.CATEGORY
        if key in dates:
            a, sep, b = dates[key].partition("..")
            if not sep:
                raise CliError(f"--dates {key}: use START..END (YYYY-MM-DD).")
            start, end = date_arg(a), date_arg(b)
            kind = PartKind.DATE_RANGE
        try:
            withholds = AccessKind(withhold.get(key, "both"))
        except ValueError:
            raise CliError(f"--withhold {key}: copy, inspect or both.") from None
        inputs.append(
            denials.PartInput(
                key, description, kind, start, end, deny.get(key, ""), facts[key], withholds
            )
        )
    notes = {"yes": True, "no": False, None: None}[args.notes_kept_separately]
    draft = denials.DraftInput(
        parts=tuple(inputs),
        rationale=args.reason,
        letter_detail=args.letter_detail,
        other_holder=args.other_holder,
        letter_address=args.address,
        psychotherapy_notes_kept_separately=notes,
        determiner_id=_user_id(store, args.determiner) if args.determiner else None,
        participant_ids=tuple(_user_id(store, u) for u in args.participant),
    )
    did = denials.draft_denial(store, actor, args.request, draft)
    d = denials.get_denial(store, actor, did)
    text = f"Drafted denial {did} ({d.extent.value}): {denials.STATUS_LABELS[d.status]}"
    if d.determiner:
        text += f"; sign-off by {d.determiner}"
    emit(args, d.to_json(), text)
    return 0


def cmd_denial_grounds(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.denials import GROUNDS

    data = [
        {
            "code": g.code.value,
            "title": g.title,
            "citation": g.citation,
            "reviewable": g.reviewable,
            "facts": [{"name": f.name, "label": f.label, "kind": f.kind.value} for f in g.facts],
        }
        for g in GROUNDS.values()
    ]
    lines = []
    for g in GROUNDS.values():
        lines.append(f"{g.code.value} — {g.title} ({g.citation}){' [reviewable]' * g.reviewable}")
        lines += [f"    {f.name} ({f.kind.value}): {f.label}" for f in g.facts]
    emit(args, data, "\n".join(lines))
    return 0


def cmd_denial_route(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import denials

    store, actor = store_and_actor(args)
    denials.route_denial(store, actor, args.denial, _user_id(store, args.to))
    emit(args, {"denial": args.denial, "to": args.to}, f"Denial {args.denial} sent to {args.to}")
    return 0


def cmd_denial_sign(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import denials

    store, actor = store_and_actor(args)
    # The password entered again: ACCESSDESK_PASSWORD, or a second prompt.
    again = password(f"Enter your password again to sign, {actor.username}: ")
    denials.sign_denial(store, actor, args.denial, again)
    d = denials.get_denial(store, actor, args.denial)
    emit(args, d.to_json(), f"Denial {args.denial} signed by {actor.full_name}")
    return 0


def cmd_denial_issue(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import denials

    store, actor = store_and_actor(args)
    letter = denials.issue_denial(store, actor, args.denial, args.date)
    data = {"denial": args.denial, "letter_kind": letter.kind.value, "sha256": letter.sha256}
    text = f"Denial {args.denial} issued ({letter.kind.value}, sha256 {letter.sha256[:16]})"
    emit(args, data, text + _write(args.out, letter.pdf))
    return 0


def cmd_denial_show(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import denials

    store, actor = store_and_actor(args)
    d = denials.get_denial(store, actor, args.denial)
    lines = [
        f"Denial {d.id} of request {d.request_id} ({d.extent.value}): "
        f"{denials.STATUS_LABELS[d.status]}",
        f"Drafted by {d.drafter}" + (f"; determination by {d.determiner}" if d.determiner else ""),
    ]
    for p in d.parts:
        what = f"DENIED: {p.ground.value}" if p.ground else "released"
        lines.append(f"  {p.key}: {p.description} — {what}")
    if d.signature:
        s = d.signature
        lines.append(f"Signed by {s.full_name} ({s.licence_type} {s.licence_number}) {s.signed_at}")
    if d.issued_on:
        lines.append(f"Issued {d.issued_on} ({d.letter_kind}, sha256 {d.letter_sha256})")
    emit(args, d.to_json(), "\n".join(lines))
    return 0


def cmd_denial_letter(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import denials

    store, actor = store_and_actor(args)
    d = denials.get_denial(store, actor, args.denial)
    if d.issued_on is not None:
        pdf = denials.letter_pdf(store, actor, args.denial)
    else:
        pdf = denials.preview_letter(store, actor, args.denial, args.date or dt.date.today())
    args.out.write_bytes(pdf)
    emit(args, {"out": str(args.out)}, f"Letter written to {args.out}")
    return 0


def cmd_denial_discard(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import denials

    store, actor = store_and_actor(args)
    denials.discard_denial(store, actor, args.denial, args.reason)
    emit(args, {"denial": args.denial}, f"Denial {args.denial} discarded")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import review

    store, actor = store_and_actor(args)
    items = review.my_queue(store, actor)
    data = [
        {
            "kind": i.kind.value,
            "denial": i.denial_id,
            "review": i.review_id,
            "request": i.request_id,
            "since": i.since.isoformat(),
            "waited_days": i.waited.days,
            "summary": i.summary,
        }
        for i in items
    ]
    lines = [f"{i.waited_text:>18} waiting  request {i.request_id}: {i.summary}" for i in items]
    emit(args, data, "\n".join(lines) or "Nothing awaits your sign-off or review.")
    return 0


# -- review -------------------------------------------------------------------------------


def cmd_review_request(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import review

    store, actor = store_and_actor(args)
    rid = review.request_review(store, actor, args.denial, args.date, args.note)
    emit(args, {"review": rid}, f"Review {rid} recorded; refer it to a reviewing official")
    return 0


def cmd_review_candidates(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import review

    store, actor = store_and_actor(args)
    cands = review.reviewer_candidates(store, actor, args.review)
    data = [
        {"username": c.username, "name": c.full_name, "eligible": c.eligible, "reason": c.reason}
        for c in cands
    ]
    lines = [f"{'yes' if c.eligible else 'no ':<4}{c.username:<16} {c.reason}" for c in cands]
    emit(args, data, "\n".join(lines))
    return 0


def cmd_review_assign(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import review

    store, actor = store_and_actor(args)
    letter = review.assign_reviewer(store, actor, args.review, _user_id(store, args.to), args.date)
    data = {"review": args.review, "reviewer": args.to, "sha256": letter.sha256}
    emit(args, data, f"Review {args.review} referred to {args.to}" + _write(args.out, letter.pdf))
    return 0


def cmd_review_decide(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.denials import GroundCode
    from accessdesk_gui.services import review

    store, actor = store_and_actor(args)
    v = review.get_review(store, actor, args.review)
    original = {p.key: p.ground for p in v.parts}
    upheld: dict[str, GroundCode] = {}
    for item in args.uphold:
        key, sep, code = item.partition("=")
        key = key.strip()
        try:
            upheld[key] = GroundCode(code.strip()) if sep else original[key]
        except (ValueError, KeyError):
            raise CliError(
                f"--uphold '{item}': name a part under review ({', '.join(original)}) and "
                "optionally the (a)(3) standard relied on."
            ) from None
    again = password(f"Enter your password again to sign, {actor.username}: ")
    letter = review.decide_review(
        store, actor, args.review, upheld, args.reverse, args.date, again, args.reason
    )
    v = review.get_review(store, actor, args.review)
    data = {**v.to_json(), "sha256": letter.sha256}
    outcome = v.outcome.value if v.outcome else ""
    emit(args, data, f"Review {args.review} decided: {outcome}" + _write(args.out, letter.pdf))
    return 0


def cmd_review_show(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import review

    store, actor = store_and_actor(args)
    v = review.get_review(store, actor, args.review)
    lines = [
        f"Review {v.id} of denial {v.denial_id} (request {v.request_id}): {v.status.value}",
        f"Asked for on {v.requested_on}" + (f"; reviewer {v.reviewer}" if v.reviewer else ""),
    ]
    lines += [
        f"  {p.key}: {p.description} — {p.ground.value}"
        + ("" if p.upheld is None else (" UPHELD" if p.upheld else " REVERSED"))
        for p in v.parts
    ]
    if v.outcome:
        lines.append(f"Outcome: {v.outcome.value}, signed by {v.signed_by} on {v.decided_on}")
    emit(args, v.to_json(), "\n".join(lines))
    return 0


# -- settings -----------------------------------------------------------------------------


def cmd_designate(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import review

    store, actor = store_and_actor(args)
    review.designate_reviewer(store, actor, _user_id(store, args.username))
    emit(args, {"designated": args.username}, f"{args.username} is a reviewing official")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import review

    store, actor = store_and_actor(args)
    review.revoke_reviewer(store, actor, _user_id(store, args.username))
    emit(args, {"revoked": args.username}, f"{args.username} is no longer a reviewing official")
    return 0


def cmd_complaint_contact(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import denials

    store, actor = store_and_actor(args)
    s = denials.set_complaint_contact(store, actor, args.contact, args.phone, args.review_how)
    data = {"complaint_contact": s.complaint_contact, "complaint_phone": s.complaint_phone}
    emit(args, data, f"Complaints: {s.complaint_contact}, {s.complaint_phone}")
    return 0


def cmd_settings_show(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import denials, review

    store, actor = store_and_actor(args)
    s = denials.get_letter_settings(store)
    officials = review.reviewing_officials(store, actor)
    data = {
        "complaint_contact": s.complaint_contact,
        "complaint_phone": s.complaint_phone,
        "review_how": s.review_instructions(),
        "reviewing_officials": [o.username for o in officials],
    }
    lines = [
        f"Complaint contact: {s.complaint_contact or '(not set)'} {s.complaint_phone}",
        "Reviewing officials: "
        + (", ".join(f"{o.full_name} ({o.licence})" for o in officials) or "(none)"),
    ]
    emit(args, data, "\n".join(lines))
    return 0
