"""State-law commands under `settings`: list the state rules, mark one verified, and print
the practice's fee notice (access-rules 3.6, 11.1); and `request part2-consent`, the
patient's 42 CFR Part 2 consent for a directive (access-rules 11.5).
"""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from accessdesk_gui.cli.common import CliError, date_arg, emit, group, store_and_actor

FEE_METHODS = ["actual_cost", "average_schedule", "flat_fee"]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    settings = group(sub, "settings", "practice settings")
    rules = settings.add_parser(
        "rules",
        parents=[common],
        help="the state rules (deadlines and fees) with their marks and the practice's checks",
    )
    rules.add_argument("--state", help="another state's rules (default: the practice's)")
    rules.add_argument("--all", action="store_true", help="every encoded state")
    rules.set_defaults(handler=cmd_rules)
    vr = settings.add_parser(
        "verify-rule",
        parents=[common],
        help="record that a state rule was checked against a text (privacy officer)",
    )
    vr.add_argument("code", help="the rule's code, e.g. LA-ANY (see 'settings rules')")
    vr.add_argument("--against", required=True, help="the text checked, and where it was read")
    vr.set_defaults(handler=cmd_verify_rule)
    fn = settings.add_parser(
        "fee-notice",
        parents=[common],
        help="print the practice's fee schedule notice as PDF (its method and state's rules)",
    )
    fn.add_argument("--out", type=Path, required=True, help="PDF file to write")
    fn.add_argument("--method", choices=FEE_METHODS, default="actual_cost")
    fn.add_argument("--flat-fee", help="the flat fee (at most 6.50), with --method flat_fee")
    fn.add_argument(
        "--item",
        action="append",
        default=[],
        help="component:price[:unit] of an average-cost schedule, e.g. paper:0.10:page",
    )
    fn.set_defaults(handler=cmd_fee_notice)

    req = group(sub, "request", "access requests")
    pc = req.add_parser(
        "part2-consent",
        parents=[common],
        help="record the patient's Part 2 consent for a directive (42 CFR 2.31)",
    )
    pc.add_argument("id", type=int)
    pc.add_argument("--on", type=date_arg, required=True, help="date of the signed consent")
    pc.add_argument("--note", required=True, help="what was signed, naming the recipient")
    pc.set_defaults(handler=cmd_part2_consent)


def _line(rule: Any) -> str:
    caution = rule.caution()
    text = (
        f"{rule.code:<13} {rule.kind:<8} mark {rule.mark.value}  {rule.source}\n    {rule.summary}"
    )
    return text + (f"\n    {caution}" if caution else "")


def cmd_rules(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.deadlines import NOT_ENCODED
    from accessdesk_gui.services import practice, state_rules

    store, actor = store_and_actor(args)
    state = None if args.all else (args.state or practice.get_practice(store).state).upper()
    rows = state_rules.list_rules(store, actor, state)
    skipped = [n for n in NOT_ENCODED if state is None or n.state == state]
    text = "\n".join(_line(r) for r in rows) or f"No state rules for {state}: federal rules apply."
    for n in skipped:
        text += f"\n{n.state} not encoded ({n.source}): {n.reason}"
    emit(
        args,
        {
            "state": state,
            "rules": [r.to_json() for r in rows],
            "not_encoded": [n.__dict__ for n in skipped],
        },
        text,
    )
    return 0


def cmd_verify_rule(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import state_rules

    store, actor = store_and_actor(args)
    done = state_rules.verify_rule(store, actor, args.code, args.against)
    emit(args, done.to_json(), f"{done.code} ({done.source}): {done.caution()}")
    return 0


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CliError(f"{what}: '{text}' is not an amount, e.g. 2.50.") from None
    if not value.is_finite() or value < 0:
        raise CliError(f"{what}: '{text}' is not an amount, e.g. 2.50.")
    return value


def _items(texts: list[str]) -> list[Any]:
    from accessdesk_gui.domain.fees import FeeComponent, Unit
    from accessdesk_gui.letters.fee_notice import ScheduleItem

    out = []
    for text in texts:
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise CliError(f"--item '{text}': use component:price[:unit].")
        try:
            component = FeeComponent(parts[0].strip())
            unit = Unit(parts[2].strip()) if len(parts) == 3 else Unit.ITEM
        except ValueError:
            raise CliError(
                f"--item '{text}': components are {', '.join(c.value for c in FeeComponent)}; "
                f"units {', '.join(u.value for u in Unit)}."
            ) from None
        out.append(ScheduleItem(component, _decimal(parts[1], "--item"), unit))
    return out


def cmd_fee_notice(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.fees import FLAT_FEE_CAP, FeeMethod, state_fee_rules
    from accessdesk_gui.letters.drs_policy import letterhead_of
    from accessdesk_gui.letters.fee_notice import render_fee_notice
    from accessdesk_gui.services import practice, state_rules

    store, actor = store_and_actor(args)
    info = practice.get_practice(store)
    method = FeeMethod(args.method)
    flat = _decimal(args.flat_fee, "--flat-fee") if args.flat_fee else None
    if flat is not None and method is not FeeMethod.FLAT_FEE:
        raise CliError("--flat-fee goes with --method flat_fee.")
    if flat is not None and flat > FLAT_FEE_CAP:
        raise CliError(f"A flat fee may not exceed ${FLAT_FEE_CAP} (HHS FAQ 2029, 2030).")
    items = _items(args.item)
    if items and method is not FeeMethod.AVERAGE_SCHEDULE:
        raise CliError("--item goes with --method average_schedule.")
    pdf = render_fee_notice(
        letterhead_of(info.name, info.address, info.phone), info.state, method, flat, items
    )
    try:
        args.out.write_bytes(pdf)
    except OSError as exc:
        raise CliError(f"Could not write {args.out}: {exc.strerror}") from None
    # The notice prints the state's rules for patients; the practice is told which still need
    # checking (a rule marked S says "verify before relying" on the practice's side).
    codes = {r.code for r in state_fee_rules(info.state)}
    unchecked = [
        r.code
        for r in state_rules.list_rules(store, actor, info.state)
        if r.code in codes and r.verify_before_relying
    ]
    text = f"Wrote the fee notice for {info.state} ({method.value}) to {args.out}."
    if unchecked:
        text += f" Verify before relying: {', '.join(unchecked)} (see 'settings rules')."
    emit(
        args,
        {
            "out": str(args.out),
            "state": info.state,
            "method": method.value,
            "unverified_rules": unchecked,
            "bytes": len(pdf),
        },
        text,
    )
    return 0


def cmd_part2_consent(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import part2

    store, actor = store_and_actor(args)
    part2.record_part2_consent(store, actor, args.id, args.on, args.note)
    emit(
        args,
        {"id": args.id, "part2_consent_on": args.on.isoformat()},
        f"Request {args.id}: Part 2 consent of {args.on.isoformat()} recorded.",
    )
    return 0
