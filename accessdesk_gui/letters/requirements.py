"""Which elements each letter kind must contain, and the check for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from accessdesk_gui.letters.model import (
    DenialGround,
    LetterData,
    LetterIncomplete,
    LetterInvalid,
    LetterKind,
    ReleaseItem,
    ReviewOutcome,
)

FEDERAL_DAYS = 30  # 164.524(b)(2)(i)
MAX_EXTENSION_DAYS = 30  # 164.524(b)(2)(ii)


@dataclass(frozen=True)
class Element:
    key: str
    label: str  # plain words, used in LetterIncomplete messages


# Elements every letter needs, checked on LetterData attributes.
COMMON_ELEMENTS: tuple[Element, ...] = (
    Element("letterhead.name", "the practice name"),
    Element("letterhead.address_lines", "the practice address"),
    Element("letterhead.phone", "the practice phone number"),
    Element("recipient.name", "the recipient's name"),
    Element("recipient.address_lines", "the recipient's mailing address"),
    Element("request_number", "the request number"),
    Element("patient_name", "the patient's name"),
    Element("signer.name", "the name of the person signing"),
)

_COMPLAINT = (
    # 164.524(d)(2)(iii): how to complain to the practice, with the name or title and
    # phone number of the contact person or office (164.530(d)(1)); the Secretary part
    # (160.306, with its 180-day limit, 160.306(b)(3)) is fixed text in texts.py.
    Element("complaint_contact", "the name or title of the person who takes complaints"),
    Element("complaint_phone", "the phone number for complaints"),
)

# Elements each kind always needs, checked in LetterData.fields.
REQUIRED_ELEMENTS: Mapping[LetterKind, tuple[Element, ...]] = {
    LetterKind.ACKNOWLEDGEMENT: (
        Element("received_date", "the date the request was received"),
        # 164.524(b)(2)(i): due 30 days after receipt (access-rules 1.1).
        Element("due_date", "the due date"),
    ),
    LetterKind.CLARIFICATION: (
        Element("unclear_points", "what is unclear about the request"),
        # The clock keeps running while we ask (164.524(c)(3)(i), access-rules 1.5), so the
        # letter states the date we must still answer by.
        Element("due_date", "the due date"),
    ),
    LetterKind.EXTENSION: (
        Element("received_date", "the date the request was received"),
        # 164.524(b)(2)(ii): the notice states the reasons for the delay and the date by
        # which the practice will act (access-rules 1.3).
        Element("reasons", "the reasons for the delay"),
        Element("act_by_date", "the date by which the practice will act"),
    ),
    LetterKind.RECORDS_READY: (Element("release_items", "the list of records released"),),
    LetterKind.EMAIL_RISK: (
        # 78 FR 5634; HHS FAQ 2061 (access-rules 2.7): warn of the risk, record acceptance.
        Element("email_address", "the email address the patient gave"),
    ),
    # 164.524(d)(2)(i): the basis for the denial.
    LetterKind.DENIAL: (Element("denial_grounds", "the basis for the denial"), *_COMPLAINT),
    LetterKind.PARTIAL_DENIAL: (
        Element("denial_grounds", "the basis for the denial"),
        # 164.524(d)(1): everything else requested is given (access-rules 4.5).
        Element("released_description", "what is being released"),
        *_COMPLAINT,
    ),
    LetterKind.REVIEW_REFERRAL: (
        Element("review_requested_date", "the date the review was requested"),
        # 164.524(d)(4): a licensed health care professional who did not take part in the
        # original decision (access-rules 5.1).
        Element("reviewer_name", "the reviewing official's name"),
        Element("reviewer_licence", "the reviewing official's licence"),
    ),
    LetterKind.REVIEW_DETERMINATION: (
        # 164.524(d)(4): written notice of the reviewer's determination (access-rules 5.3).
        Element("outcome", "the outcome of the review (uphold, reverse or partly reverse)"),
        Element("reviewer_name", "the reviewing official's name"),
        Element("reviewer_licence", "the reviewing official's licence"),
    ),
}

_REVIEW_HOW = Element("review_how", "how to ask for a review")
_OTHER_HOLDER = Element("other_holder", "who holds the information and where to send the request")
_RELEASED = Element("released_description", "what is being released")


def _denial_conditional(fields: Mapping[str, object]) -> list[Element]:
    out: list[Element] = []
    grounds = fields.get("denial_grounds")
    if isinstance(grounds, Iterable) and any(
        isinstance(g, DenialGround) and g.reviewable for g in grounds
    ):
        # 164.524(d)(2)(ii): for a reviewable denial, the right to review and how to use it.
        out.append(_REVIEW_HOW)
    if fields.get("knows_other_holder") is True:
        # 164.524(d)(3): only when the practice knows where the information is kept.
        out.append(_OTHER_HOLDER)
    return out


def _determination_conditional(fields: Mapping[str, object]) -> list[Element]:
    outcome = fields.get("outcome")
    out: list[Element] = []
    if outcome in (ReviewOutcome.UPHOLD, ReviewOutcome.PARTLY_REVERSE):
        out.extend(_COMPLAINT)  # what is still withheld keeps the 164.524(d)(2)(iii) content
    if outcome == ReviewOutcome.PARTLY_REVERSE:
        out.append(_RELEASED)
    return out


_CONDITIONAL: Mapping[LetterKind, Callable[[Mapping[str, object]], list[Element]]] = {
    LetterKind.DENIAL: _denial_conditional,
    LetterKind.PARTIAL_DENIAL: _denial_conditional,
    LetterKind.REVIEW_DETERMINATION: _determination_conditional,
}


def _empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) == 0 or all(_empty(v) for v in value)
    return False


def _attr(data: LetterData, dotted: str) -> object:
    value: object = data
    for part in dotted.split("."):
        value = getattr(value, part, None)
    return value


def _release_item_problems(items: object) -> list[str]:
    if not isinstance(items, (list, tuple)):
        return []
    problems = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, ReleaseItem):
            problems.append(f"release list line {n} (not a ReleaseItem)")
            continue
        if not item.category.strip():
            problems.append(f"the category on release list line {n}")
        if item.date_from is None and item.date_to is None:
            problems.append(f"the date range on release list line {n}")
        if item.count <= 0:
            problems.append(f"the page or file count on release list line {n}")
    return problems


def required_elements(data: LetterData) -> list[Element]:
    """All elements this letter needs, given the facts already in it."""
    elements = list(REQUIRED_ELEMENTS[data.kind])
    conditional = _CONDITIONAL.get(data.kind)
    if conditional is not None:
        elements.extend(e for e in conditional(data.fields) if e not in elements)
    return elements


def _missing(data: LetterData) -> tuple[list[str], list[str]]:
    labels: list[str] = []
    keys: list[str] = []
    for element in COMMON_ELEMENTS:
        if _empty(_attr(data, element.key)):
            labels.append(element.label)
            keys.append(element.key)
    for element in required_elements(data):
        if _empty(data.fields.get(element.key)):
            labels.append(element.label)
            keys.append(element.key)
    for problem in _release_item_problems(data.fields.get("release_items")):
        labels.append(problem)
        keys.append("release_items")
    return labels, keys


def missing_elements(data: LetterData) -> list[str]:
    """Plain-word names of every required element that is absent or empty."""
    return _missing(data)[0]


def check(data: LetterData) -> None:
    """Raise LetterIncomplete (all missing elements at once) or LetterInvalid."""
    labels, keys = _missing(data)
    if labels:
        raise LetterIncomplete(data.kind, labels, keys)
    if data.kind is LetterKind.EXTENSION:
        received = data.fields["received_date"]
        act_by = data.fields["act_by_date"]
        assert isinstance(received, dt.date) and isinstance(act_by, dt.date)
        # 164.524(b)(2)(ii): one extension of at most 30 days, notice sent within the first 30.
        if data.letter_date > received + dt.timedelta(days=FEDERAL_DAYS):
            raise LetterInvalid(
                "An extension notice must be sent within 30 days of receiving the request "
                f"(by {received + dt.timedelta(days=FEDERAL_DAYS):%Y-%m-%d})."
            )
        latest = received + dt.timedelta(days=FEDERAL_DAYS + MAX_EXTENSION_DAYS)
        if act_by > latest:
            raise LetterInvalid(
                "The extended date may be at most 60 days after receipt "
                f"(latest {latest:%Y-%m-%d})."
            )
