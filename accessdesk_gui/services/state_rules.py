"""State rules as the practice sees them, and the practice's own check of a rule.

The rules are data in the domain (deadlines.STATE_RULES, fees.STATE_FEE_RULES), each with a
mark saying how it was checked (access-rules 11.1). A rule marked S says "verify before
relying" until the privacy officer records having checked it: who, when, against what text.
That record and its audit entry commit in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from accessdesk_gui.domain import deadlines, fees
from accessdesk_gui.domain.deadlines import VERIFY_BEFORE_RELYING, Mark
from accessdesk_gui.domain.intake import check_text
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.services.errors import InvalidInput, NotFound
from accessdesk_gui.store import audit
from accessdesk_gui.store.db import Store
from accessdesk_gui.store.models import User
from accessdesk_gui.store.state_rule_models import RuleVerification

AGAINST_MAX = 2000


@dataclass(frozen=True)
class Verification:
    by: str
    at: dt.datetime
    against: str


@dataclass(frozen=True)
class RuleStatus:
    """One state rule with the practice's latest check of it."""

    code: str
    kind: str  # "deadline" | "fee"
    state: str
    source: str
    mark: Mark
    summary: str
    verification: Verification | None = None

    @property
    def verify_before_relying(self) -> bool:
        """A rule seen only in a secondary source, not yet checked by the practice."""
        return self.mark is Mark.SECONDARY and self.verification is None

    def caution(self) -> str:
        """What the practice's screens show beside the rule ('' when nothing to say)."""
        if self.verify_before_relying:
            return VERIFY_BEFORE_RELYING
        if self.verification is not None:
            v = self.verification
            return f"Verified by {v.by} on {v.at.date().isoformat()} against: {v.against}"
        return ""

    def to_json(self) -> dict[str, object]:
        v = self.verification
        return {
            "code": self.code,
            "kind": self.kind,
            "state": self.state,
            "citation": self.source,
            "mark": self.mark.value,
            "summary": self.summary,
            "verify_before_relying": self.verify_before_relying,
            "verified": (
                {"by": v.by, "at": v.at.isoformat(timespec="seconds"), "against": v.against}
                if v
                else None
            ),
        }


def _deadline_summary(rule: deadlines.StateRule) -> str:
    unit = "working days" if rule.counting is deadlines.Counting.BUSINESS else "days"
    text = f"{rule.applies_to.value.replace('_', ' ')}: {rule.days} {unit}"
    if rule.extended_days:
        text += f" ({rule.extended_days} with a delay notice)"
    if rule.out_of_state_days:
        text += f" ({rule.out_of_state_days} if records are kept out of state)"
    return text + (f"; {rule.scope}" if rule.scope else "")


def _all_rules() -> list[RuleStatus]:
    out = [
        RuleStatus(r.code, "deadline", r.state, r.source, r.mark, _deadline_summary(r))
        for r in deadlines.STATE_RULES
    ]
    out += [
        RuleStatus(r.code, "fee", r.state, r.source, r.mark, r.summary)
        for r in fees.STATE_FEE_RULES
    ]
    return out


def _latest(store: Store, codes: list[str]) -> dict[str, Verification]:
    """The newest check of each rule named (a later row supersedes an earlier one)."""
    with store.read() as s:
        rows = s.execute(
            select(
                RuleVerification.rule_code,
                User.full_name,
                RuleVerification.verified_at,
                RuleVerification.against,
            )
            .join(User, User.id == RuleVerification.verified_by_id)
            .where(RuleVerification.rule_code.in_(codes))
            .order_by(RuleVerification.verified_at, RuleVerification.id)
        ).all()
    return {code: Verification(name, at, against) for code, name, at, against in rows}


def list_rules(store: Store, actor: Actor, state: str | None = None) -> list[RuleStatus]:
    """The state rules (one state's, or all), each with the practice's latest check."""
    actor.require_staff()
    rules = [r for r in _all_rules() if state is None or r.state == state.upper()]
    checked = _latest(store, [r.code for r in rules])
    return [_with(r, checked.get(r.code)) for r in rules]


def _with(rule: RuleStatus, v: Verification | None) -> RuleStatus:
    return RuleStatus(rule.code, rule.kind, rule.state, rule.source, rule.mark, rule.summary, v)


def _find(code: str) -> RuleStatus:
    wanted = code.strip().upper()
    for rule in _all_rules():
        if rule.code == wanted:
            return rule
    known = ", ".join(r.code for r in _all_rules())
    raise NotFound(f"There is no state rule '{code}'. Known rules: {known}.")


def rule_status(store: Store, actor: Actor, code: str) -> RuleStatus:
    actor.require_staff()
    rule = _find(code)
    return _with(rule, _latest(store, [rule.code]).get(rule.code))


def rule_for_source(store: Store, actor: Actor, source: str) -> RuleStatus | None:
    """The deadline rule behind a stored due date's citation (None for the federal rule)."""
    actor.require_staff()
    rule = deadlines.rule_by_source(source)
    return None if rule is None else rule_status(store, actor, rule.code)


def verify_rule(
    store: Store, actor: Actor, code: str, against: str, now: dt.datetime | None = None
) -> RuleStatus:
    """Record that the privacy officer checked a state rule against the text named.

    One transaction: the check and its audit entry (access-rules 11.1; 164.530(j)).
    """
    actor.require(Role.PRIVACY_OFFICER, "mark a state rule verified")
    rule = _find(code)
    text = check_text("against", against, required=True, limit=AGAINST_MAX)
    if len(text) < 10:
        raise InvalidInput(
            "against", "name the text checked (e.g. the statute section and where it was read)."
        )
    when = (now or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0)
    with store.write() as s:
        row = RuleVerification(
            rule_code=rule.code,
            rule_source=rule.source,
            against=text,
            verified_by_id=actor.user_id,
            verified_at=when,
        )
        s.add(row)
        s.flush()
        audit.append(
            s,
            actor.username,
            "state_rule_verified",
            "state_rule",
            rule.code,
            None,
            {"rule": rule.code, "citation": rule.source, "mark": rule.mark.value, "against": text},
            event_at=when,
        )
    return _with(rule, Verification(actor.full_name, when, text))
