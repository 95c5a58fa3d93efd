"""Requests to amend the designated record set, 45 CFR 164.526 (access-rules 8).

- (b)(1): the practice may require a written request with a reason only if it told
  patients so in advance.
- (b)(2): act within 60 days; one extension of up to 30 days, by a written notice within the
  60 days with the reasons and a date (domain/right_clocks.py, access-rules 8.2).
- (a)(2): deny only on the four grounds of :data:`GROUNDS` (access-rules 8.1).
- (c): accepting, in whole or in part: identify the records affected and amend them or link
  the amendment; tell the patient; with the patient's agreement, notify the people the
  patient names and those known to rely on the old information (access-rules 8.3).
- (d)(1): the denial letter's elements (:func:`missing_letter_elements`, access-rules 8.4).
- (d)(2)-(5): the statement of disagreement (its length may be limited), the rebuttal (a
  copy to the patient), linked to the record and carried with later disclosures
  (access-rules 8.5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.right_clocks import AMENDMENT_CLOCK

CLOCK = AMENDMENT_CLOCK  # 164.526(b)(2)


def check_written(in_writing: bool, writing_required: bool, patients_told: bool) -> None:
    """164.526(b)(1): a spoken request may be refused only when the practice requires
    written requests and told patients so in advance.
    """
    if writing_required and patients_told and not in_writing:
        raise RuleViolation(
            "This practice requires amendment requests in writing and told patients so in "
            "advance (45 CFR 164.526(b)(1)): ask the patient to put the request in writing."
        )


# ---------------------------------------------------------------------------
# The four grounds for denial, 164.526(a)(2)
# ---------------------------------------------------------------------------


class GroundCode(StrEnum):
    NOT_CREATED_BY_PRACTICE = "not_created_by_practice"  # (a)(2)(i)
    NOT_IN_RECORD_SET = "not_in_record_set"  # (a)(2)(ii)
    NOT_OPEN_TO_INSPECTION = "not_open_to_inspection"  # (a)(2)(iii)
    ACCURATE_AND_COMPLETE = "accurate_and_complete"  # (a)(2)(iv)


@dataclass(frozen=True)
class AmendmentGround:
    code: GroundCode
    title: str
    citation: str


GROUNDS: dict[GroundCode, AmendmentGround] = {
    g.code: g
    for g in (
        AmendmentGround(
            GroundCode.NOT_CREATED_BY_PRACTICE,
            "Not created by the practice (the originator is still available)",
            "45 CFR 164.526(a)(2)(i)",
        ),
        AmendmentGround(
            GroundCode.NOT_IN_RECORD_SET,
            "Not part of the designated record set",
            "45 CFR 164.526(a)(2)(ii)",
        ),
        AmendmentGround(
            GroundCode.NOT_OPEN_TO_INSPECTION,
            "Not open to inspection under 164.524",
            "45 CFR 164.526(a)(2)(iii)",
        ),
        AmendmentGround(
            GroundCode.ACCURATE_AND_COMPLETE,
            "Accurate and complete",
            "45 CFR 164.526(a)(2)(iv)",
        ),
    )
}

_FOUR = "; ".join(f"{g.code.value} ({g.citation})" for g in GROUNDS.values())


def check_grounds(codes: Iterable[str], originator_unavailable: bool) -> tuple[GroundCode, ...]:
    """The grounds a denial rests on, as codes; refuses anything but the four of (a)(2).

    ``originator_unavailable``: the patient gave a reasonable basis to believe that whoever
    created the information is no longer available to act on the request; then (a)(2)(i)
    cannot be used and the practice must decide the request itself.
    """
    found: list[GroundCode] = []
    for raw in codes:
        text = str(raw).strip()
        try:
            code = GroundCode(text)
        except ValueError:
            raise RuleViolation(
                f"'{text}' is not a ground for denying an amendment. 45 CFR 164.526(a)(2) "
                f"allows only these four: {_FOUR}."
            ) from None
        if code not in found:
            found.append(code)
    if not found:
        raise RuleViolation(
            f"A denial needs its ground (45 CFR 164.526(a)(2), (d)(1)(i)): one of {_FOUR}."
        )
    if GroundCode.NOT_CREATED_BY_PRACTICE in found and originator_unavailable:
        raise RuleViolation(
            "The patient gave a reasonable basis to believe the originator is no longer "
            "available to act on the request, so 'not created by the practice' cannot be used "
            "(45 CFR 164.526(a)(2)(i)): decide the request on its merits."
        )
    return tuple(found)


# ---------------------------------------------------------------------------
# Status table
# ---------------------------------------------------------------------------


class Status(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"  # in whole, 164.526(c)
    PARTLY_ACCEPTED = "partly_accepted"  # accepted in part, denied for the rest
    DENIED = "denied"  # 164.526(d)


class Action(StrEnum):
    EXTEND = "extend"
    ACCEPT = "accept"
    ACCEPT_PART = "accept_part"
    DENY = "deny"
    DISAGREE = "disagree"  # the patient's statement of disagreement, (d)(2)
    REBUT = "rebut"  # the practice's rebuttal, (d)(3)
    ASK_TO_CARRY = "ask_to_carry"  # (d)(1)(iii): no statement, carry request and denial


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "Received (to decide)",
    Status.ACCEPTED: "Accepted",
    Status.PARTLY_ACCEPTED: "Accepted in part",
    Status.DENIED: "Denied",
}

DECIDED: frozenset[Status] = frozenset({Status.ACCEPTED, Status.PARTLY_ACCEPTED, Status.DENIED})
# A statement of disagreement answers a denial, whole or partial (164.526(d)(2)).
WITH_DENIAL: frozenset[Status] = frozenset({Status.PARTLY_ACCEPTED, Status.DENIED})

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.RECEIVED, Action.EXTEND): Status.RECEIVED,
    (Status.RECEIVED, Action.ACCEPT): Status.ACCEPTED,
    (Status.RECEIVED, Action.ACCEPT_PART): Status.PARTLY_ACCEPTED,
    (Status.RECEIVED, Action.DENY): Status.DENIED,
    **{
        (s, a): s for s in WITH_DENIAL for a in (Action.DISAGREE, Action.REBUT, Action.ASK_TO_CARRY)
    },
}


def check_transition(status: Status, action: Action) -> Status:
    target = TRANSITIONS.get((status, action))
    if target is not None:
        return target
    label = STATUS_LABELS[status].lower()
    if action in (Action.DISAGREE, Action.REBUT, Action.ASK_TO_CARRY):
        reason = (
            f"This amendment request is {label}; a statement of disagreement, a rebuttal or a "
            "request to carry the denial follows a denial only (45 CFR 164.526(d))"
        )
    else:
        reason = f"This amendment request is already {label}; it cannot be decided again"
    raise RuleViolation(reason + ".")


def check_action_date(on: dt.date, received: dt.date, due: dt.date) -> int:
    """Days late (0 when acted on or before the due date). A late decision is still
    recorded, and says it was late: the patient is owed the answer either way.
    """
    if on < received:
        raise RuleViolation(
            f"The date {on.isoformat()} is before the request was received "
            f"({received.isoformat()})."
        )
    return max(0, (on - due).days)


# ---------------------------------------------------------------------------
# Accepting, 164.526(c)
# ---------------------------------------------------------------------------


class Change(StrEnum):
    AMENDED = "amended"  # the record itself changed
    LINKED = "linked"  # the amendment appended or linked to the record's location


class NotifyWhy(StrEnum):
    PATIENT_NAMED = "patient_named"  # (c)(3)(i)
    KNOWN_RELIER = "known_relier"  # (c)(3)(ii), business associates included


@dataclass(frozen=True)
class RecordChange:
    """One record affected: in which system (from the map), what, amended or linked."""

    system: str
    record: str
    change: Change


@dataclass(frozen=True)
class Notifyee:
    name: str
    why: NotifyWhy
    address: str = ""


def check_acceptance(
    changes: Sequence[RecordChange],
    notify: Sequence[Notifyee],
    patient_agreed_to_notify: bool,
    map_systems: Iterable[str] | None,
) -> None:
    """164.526(c)(1)-(3): the records affected are named and amended or linked; others are
    notified only with the patient's identification of them and agreement ((c)(2)).
    """
    if not changes:
        raise RuleViolation(
            "Name the records affected and whether each was amended or the amendment linked "
            "to it (45 CFR 164.526(c)(1))."
        )
    known = None if map_systems is None else {s.casefold() for s in map_systems}
    for n, c in enumerate(changes, start=1):
        if not c.system.strip() or not c.record.strip():
            raise InvalidInput("changes", f"line {n}: name the system and the record.")
        if known is not None and c.system.strip().casefold() not in known:
            raise InvalidInput(
                "changes",
                f"line {n}: '{c.system}' is not a system of the record set map in force; "
                "choose one from the map (164.526(c)(1)).",
            )
    for person in notify:
        if not person.name.strip():
            raise InvalidInput("notify", "every person to notify needs a name.")
    if notify and not patient_agreed_to_notify:
        raise RuleViolation(
            "The patient's agreement is needed before the practice notifies others of the "
            "amendment (45 CFR 164.526(c)(2))."
        )


# ---------------------------------------------------------------------------
# The denial letter, 164.526(d)(1)
# ---------------------------------------------------------------------------


class LetterElement(StrEnum):
    BASIS = "basis"  # (d)(1)(i)
    DISAGREEMENT_HOW = "disagreement_how"  # (d)(1)(ii)
    NO_STATEMENT_OPTION = "no_statement_option"  # (d)(1)(iii)
    COMPLAINT_CONTACT = "complaint_contact"  # (d)(1)(iv), 164.530(a)(1)(ii)
    COMPLAINT_PHONE = "complaint_phone"  # (d)(1)(iv)
    HHS_COMPLAINT = "hhs_complaint"  # (d)(1)(iv), 160.306


LETTER_ELEMENT_RULES: dict[LetterElement, str] = {
    LetterElement.BASIS: "The basis for the denial, in plain language (45 CFR 164.526(d)(1)(i)).",
    LetterElement.DISAGREEMENT_HOW: (
        "The right to file a written statement of disagreement, and how to file it "
        "(45 CFR 164.526(d)(1)(ii))."
    ),
    LetterElement.NO_STATEMENT_OPTION: (
        "That without a statement the patient may ask that the request and the denial go with "
        "any future disclosure of the information (45 CFR 164.526(d)(1)(iii))."
    ),
    LetterElement.COMPLAINT_CONTACT: (
        "The name or title of the contact person or office for complaints "
        "(45 CFR 164.526(d)(1)(iv), 164.530(a)(1)(ii))."
    ),
    LetterElement.COMPLAINT_PHONE: (
        "The telephone number of the contact for complaints (45 CFR 164.526(d)(1)(iv))."
    ),
    LetterElement.HHS_COMPLAINT: (
        "How to complain to the Secretary of HHS (45 CFR 164.526(d)(1)(iv), 160.306)."
    ),
}

_PHONE_DIGITS = 7


@dataclass(frozen=True)
class DenialLetterFacts:
    grounds: tuple[GroundCode, ...]
    basis_detail: str  # the plain-language reason in this case
    disagreement_how: str
    no_statement_option: bool
    complaint_contact: str
    complaint_phone: str
    hhs_complaint: bool


def missing_letter_elements(facts: DenialLetterFacts) -> list[LetterElement]:
    """The 164.526(d)(1) elements the letter lacks, in the rule's order; empty when complete."""
    missing: list[LetterElement] = []
    if not facts.grounds or not facts.basis_detail.strip():
        missing.append(LetterElement.BASIS)
    if not facts.disagreement_how.strip():
        missing.append(LetterElement.DISAGREEMENT_HOW)
    if not facts.no_statement_option:
        missing.append(LetterElement.NO_STATEMENT_OPTION)
    if not facts.complaint_contact.strip():
        missing.append(LetterElement.COMPLAINT_CONTACT)
    if sum(ch.isdigit() for ch in facts.complaint_phone) < _PHONE_DIGITS:
        missing.append(LetterElement.COMPLAINT_PHONE)
    if not facts.hhs_complaint:
        missing.append(LetterElement.HHS_COMPLAINT)
    return missing


# ---------------------------------------------------------------------------
# Statement of disagreement, rebuttal, future disclosures, 164.526(d)(2)-(5)
# ---------------------------------------------------------------------------

STATEMENT_LIMIT_MAX = 20_000  # what the store holds; a practice's own limit is lower


def check_statement(text: str, limit: int | None) -> str:
    """164.526(d)(2): the patient's statement of disagreement and its basis; the practice
    may reasonably limit its length (``limit`` characters, None for no limit of its own).
    """
    body = text.strip()
    if not body:
        raise InvalidInput("statement", "is empty: write what the patient disagrees with and why.")
    cap = min(limit, STATEMENT_LIMIT_MAX) if limit else STATEMENT_LIMIT_MAX
    if len(body) > cap:
        raise InvalidInput(
            "statement",
            f"is {len(body)} characters; the practice limits statements of disagreement to "
            f"{cap} (45 CFR 164.526(d)(2)).",
        )
    return body


def check_rebuttal(text: str, has_statement: bool) -> str:
    """164.526(d)(3): a rebuttal answers a statement of disagreement; a copy goes to the
    patient (the service records the copy sent).
    """
    if not has_statement:
        raise RuleViolation(
            "A rebuttal answers the patient's statement of disagreement, and there is none "
            "(45 CFR 164.526(d)(3))."
        )
    body = text.strip()
    if not body:
        raise InvalidInput("rebuttal", "is empty.")
    if len(body) > STATEMENT_LIMIT_MAX:
        raise InvalidInput("rebuttal", f"is longer than {STATEMENT_LIMIT_MAX} characters.")
    return body


def check_ask_to_carry(has_statement: bool) -> None:
    """164.526(d)(1)(iii), (d)(5)(ii): the choice for a patient who files no statement."""
    if has_statement:
        raise RuleViolation(
            "The patient filed a statement of disagreement: the request, the denial, the "
            "statement and any rebuttal already go with future disclosures "
            "(45 CFR 164.526(d)(5)(i))."
        )


def carried_with_disclosures(
    status: Status, has_statement: bool, has_rebuttal: bool, patient_asked: bool
) -> tuple[str, ...]:
    """What goes with each later disclosure of the disputed information (164.526(d)(4)-(5)),
    or an accurate summary of it.
    """
    if status not in WITH_DENIAL:
        return ()
    if has_statement:
        parts = ["the amendment request", "the denial", "the statement of disagreement"]
        if has_rebuttal:
            parts.append("the rebuttal")
        return tuple(parts)  # (d)(5)(i)
    if patient_asked:
        return ("the amendment request", "the denial")  # (d)(5)(ii)
    return ()
