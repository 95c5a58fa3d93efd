"""Which elements each letter kind must contain, and the one check for them.

The rules are the domain's: a denial letter's elements are checked through
domain/denials.py (164.524(d)(2)-(3)), the extension notice's timing through
domain/deadlines.py (164.524(b)(2)(ii)). This module maps them onto LetterData.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from accessdesk_gui.domain import deadlines
from accessdesk_gui.domain.denials import (
    GROUNDS,
    LETTER_ELEMENT_RULES,
    DenialLetterFacts,
    GroundCode,
    LetterElement,
    missing_letter_elements,
)
from accessdesk_gui.domain.errors import RuleViolation
from accessdesk_gui.domain.review import ReviewOutcome
from accessdesk_gui.letters.model import (
    LetterData,
    LetterIncomplete,
    LetterInvalid,
    LetterKind,
    ReleaseItem,
)


@dataclass(frozen=True)
class Element:
    key: str
    label: str  # plain words, used in LetterIncomplete messages
    rule: str = ""  # the same element as the domain states it, with its citation

    @property
    def sentence(self) -> str:
        """The element as the rule states it where the domain does, else its label."""
        return self.rule or self.label


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


def _rule(element: LetterElement) -> str:
    return LETTER_ELEMENT_RULES[element]


# The 164.524(d)(2)-(3) elements, under the names the letter engine's fields have.
_GROUNDS = Element("denial_grounds", "the basis for the denial", _rule(LetterElement.GROUNDS))
_REVIEW_HOW = Element("review_how", "how to ask for a review", _rule(LetterElement.REVIEW_HOW))
_OTHER_HOLDER = Element(
    "other_holder",
    "who holds the information and where to send the request",
    _rule(LetterElement.OTHER_HOLDER),
)
_RELEASED = Element("released_description", "what is being released", _rule(LetterElement.RELEASED))
_CONTACT = Element(
    "complaint_contact",
    "the name or title of the person who takes complaints",
    _rule(LetterElement.COMPLAINT_CONTACT),
)
_PHONE = Element(
    "complaint_phone", "the phone number for complaints", _rule(LetterElement.COMPLAINT_PHONE)
)
_HHS = Element("hhs", "how to complain to HHS, within 180 days", _rule(LetterElement.HHS_COMPLAINT))
# 164.524(d)(2)(iii): how to complain to the practice, with the name or title and phone
# number of the contact person or office (164.530(d)(1)); the Secretary part (160.306,
# with its 180-day limit, 160.306(b)(3)) is fixed text in texts.py.
_COMPLAINT = (_CONTACT, _PHONE)

_DENIAL_ELEMENTS: Mapping[LetterElement, Element] = {
    LetterElement.GROUNDS: _GROUNDS,
    # The plain-language basis is the text of each ground (texts.py): present with them.
    LetterElement.BASIS: Element(
        "denial_grounds", "the basis for the denial", _rule(LetterElement.BASIS)
    ),
    LetterElement.REVIEW_HOW: _REVIEW_HOW,
    LetterElement.COMPLAINT_CONTACT: _CONTACT,
    LetterElement.COMPLAINT_PHONE: _PHONE,
    LetterElement.HHS_COMPLAINT: _HHS,
    LetterElement.HHS_180_DAYS: _HHS,
    LetterElement.OTHER_HOLDER: _OTHER_HOLDER,
    LetterElement.RELEASED: _RELEASED,
}

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
    # 164.524(d)(2)(i), (iii): the basis for the denial and how to complain. Denial kinds are
    # checked through the domain's catalogue (_denial_missing); these are the ones always due.
    LetterKind.DENIAL: (_GROUNDS, *_COMPLAINT),
    LetterKind.PARTIAL_DENIAL: (
        _GROUNDS,
        # 164.524(d)(1): everything else requested is given (access-rules 4.5).
        _RELEASED,
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


def _ground_codes(value: object) -> tuple[list[GroundCode], list[str]]:
    """The grounds given, as the domain's codes, and any value that is not one."""
    codes: list[GroundCode] = []
    wrong: list[str] = []
    if isinstance(value, Iterable) and not isinstance(value, str):
        for g in value:
            try:
                codes.append(GroundCode(g))
            except ValueError:
                wrong.append(str(g))
    return list(dict.fromkeys(codes)), wrong


def _text(fields: Mapping[str, object], key: str) -> str:
    value = fields.get(key)
    return value if isinstance(value, str) else ""


def _denial_missing(data: LetterData) -> list[Element]:
    """The 164.524(d)(2)-(3) elements this denial letter lacks, by the domain's rule."""
    fields = data.fields
    codes, _ = _ground_codes(fields.get("denial_grounds"))
    facts = DenialLetterFacts(
        basis=" ".join(GROUNDS[c].explanation for c in codes),
        grounds=tuple(codes),
        review_instructions=_text(fields, "review_how"),
        practice_contact=_text(fields, "complaint_contact"),
        practice_phone=_text(fields, "complaint_phone"),
        # Fixed text of every denial letter (texts.py "hhs", 160.306(b)(3)).
        hhs_complaint_included=True,
        hhs_180_day_limit_included=True,
        # 164.524(d)(3): only when the practice knows where the information is kept.
        not_held_but_holder_known=fields.get("knows_other_holder") is True,
        holder_directions=_text(fields, "other_holder"),
        partial=data.kind is LetterKind.PARTIAL_DENIAL,
        released_description=_text(fields, "released_description"),
    )
    found: list[Element] = []
    for element in missing_letter_elements(facts):
        mapped = _DENIAL_ELEMENTS[element]
        if all(e.key != mapped.key for e in found):
            found.append(mapped)
    return found


def _determination_conditional(fields: Mapping[str, object]) -> list[Element]:
    outcome = fields.get("outcome")
    out: list[Element] = []
    if outcome in (ReviewOutcome.UPHOLD, ReviewOutcome.PARTLY_REVERSE):
        out.extend(_COMPLAINT)  # what is still withheld keeps the 164.524(d)(2)(iii) content
    if outcome == ReviewOutcome.PARTLY_REVERSE:
        out.append(_RELEASED)
    return out


_CONDITIONAL: Mapping[LetterKind, Callable[[Mapping[str, object]], list[Element]]] = {
    LetterKind.REVIEW_DETERMINATION: _determination_conditional,
}
_DENIAL_KINDS = (LetterKind.DENIAL, LetterKind.PARTIAL_DENIAL)


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
    if data.kind in _DENIAL_KINDS:
        codes, _ = _ground_codes(data.fields.get("denial_grounds"))
        if any(GROUNDS[c].reviewable for c in codes):
            elements.append(_REVIEW_HOW)  # 164.524(d)(2)(ii)
        if data.fields.get("knows_other_holder") is True:
            elements.append(_OTHER_HOLDER)  # 164.524(d)(3)
    conditional = _CONDITIONAL.get(data.kind)
    if conditional is not None:
        elements.extend(e for e in conditional(data.fields) if e not in elements)
    return elements


def unmet_elements(data: LetterData) -> list[Element]:
    """Every element the letter lacks, each once: the one check of a letter's content."""
    found = [e for e in COMMON_ELEMENTS if _empty(_attr(data, e.key))]
    if data.kind in _DENIAL_KINDS:
        found += _denial_missing(data)
        for g in _ground_codes(data.fields.get("denial_grounds"))[1]:
            found.append(
                Element(
                    "denial_grounds",
                    f"a lawful ground in place of '{g}' (45 CFR 164.524(a)(1)-(3))",
                )
            )
    else:
        found += [e for e in required_elements(data) if _empty(data.fields.get(e.key))]
    for problem in _release_item_problems(data.fields.get("release_items")):
        found.append(Element("release_items", problem))
    return found


def missing_elements(data: LetterData) -> list[str]:
    """Plain-word names of every required element that is absent or empty."""
    return [e.label for e in unmet_elements(data)]


def check(data: LetterData) -> None:
    """Raise LetterIncomplete (all missing elements at once) or LetterInvalid."""
    unmet = unmet_elements(data)
    if unmet:
        raise LetterIncomplete(data.kind, [e.label for e in unmet], [e.key for e in unmet])
    if data.kind is LetterKind.EXTENSION:
        received = data.fields["received_date"]
        act_by = data.fields["act_by_date"]
        assert isinstance(received, dt.date) and isinstance(act_by, dt.date)
        reasons = data.fields["reasons"]
        text = reasons if isinstance(reasons, str) else "\n".join(map(str, _seq(reasons)))
        # 164.524(b)(2)(ii): one extension of at most 30 days, notice sent within the first 30.
        try:
            deadlines.check_extension(received, data.letter_date, text, act_by, False)
        except RuleViolation as exc:
            raise LetterInvalid(exc.message) from None


def _seq(value: object) -> list[object]:
    return list(value) if isinstance(value, Iterable) and not isinstance(value, str) else [value]
