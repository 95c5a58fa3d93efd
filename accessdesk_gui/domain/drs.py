"""The practice's designated record set (DRS): a map of what is in it, where it lives, who
retrieves it, and the gaps a practice should close before relying on it.

Rules followed (access-rules sections 2.1, 6 and 10):

* 45 CFR 164.501, "designated record set": a provider's medical records and billing records
  about individuals, plus other records used, in whole or in part, to make decisions about
  individuals, maintained by or for the practice. "For" means business associates (BAs) are
  included, wherever the records are stored and whatever their origin. Linking a system to a
  health information exchange does not change DRS status (OCR FAQ 550).
* 164.524(a)(1): psychotherapy notes and information compiled for legal proceedings are
  excepted from the right of access even though they are in the DRS. Psychotherapy notes are
  only those kept separate from the rest of the record (164.501); therapy notes kept in the
  chart are accessible (access-rules 10.3).
* 164.524(c)(1): the same PHI kept in more than one DRS or location is produced once.
* 164.524(e) and 164.526(f): document the DRSs subject to access and the titles of the persons
  or offices that receive and process access and amendment requests.
* 164.530(j): keep that documentation for six years from when it was last in effect.
* 42 CFR Part 2 (final rule 89 FR 12472, compliance date 2026-02-16; access-rules 11.5): a
  category or a whole system can be marked as Part 2 records (substance use disorder
  treatment records of a Part 2 program). The checklist flags and keeps those items apart,
  and a third-party directive is never fulfilled for them without the consent Part 2
  requires (42 CFR 2.31, 2.33) recorded. "SUD counseling notes" are a category of their own,
  kept separately like psychotherapy notes, but NOT an access exception: whether they may be
  withheld from the patient is unverified (digest 11.5), so they are produced to the patient
  and never offered as a denial ground.

Structural mistakes (an unknown system, a repeated code) raise ``InvalidInput`` at
construction. Policy gaps (a category nobody can retrieve) are allowed while the wizard is
being filled in and are reported by ``review``.

The catalogue of record categories and a demonstration map are in ``drs_catalogue``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from accessdesk_gui.domain.deadlines import FEDERAL_DAYS, federal_due
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation

RETENTION_YEARS = 6  # 164.530(j)(2)
MIN_RATIONALE_CHARS = 40  # shorter than this cannot explain an exclusion [INTERPRETATION]
MIN_PHONE_DIGITS = 7
SCHEMA_VERSION = 1

_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def _check_code(field_name: str, value: str) -> None:
    if not _CODE.match(value):
        raise InvalidInput(
            field_name,
            f"{value!r} is not a valid code (lower-case letters, digits, '.', '_' or '-').",
        )


def _blank(text: str) -> bool:
    return not text.strip()


# ---------------------------------------------------------------------------------------------
# Responsibilities: 164.524(e)(2), 164.526(f), 164.530(a)(1)(ii) and (d)


@dataclass(frozen=True)
class Contact:
    """A person or office: a denial letter must give its name or title and phone number
    (164.524(d)(2)(iii), 164.530(a)(1)(ii)).
    """

    name_or_title: str = ""
    phone: str = ""

    @property
    def complete(self) -> bool:
        digits = sum(ch.isdigit() for ch in self.phone)
        return not _blank(self.name_or_title) and digits >= MIN_PHONE_DIGITS


@dataclass(frozen=True)
class Responsibilities:
    # 164.524(e)(2): titles of the persons or offices responsible for receiving and processing
    # requests for access.
    access_titles: tuple[str, ...] = ()
    # 164.530(a)(1)(ii), (d): who takes complaints; named in every denial letter.
    complaint_contact: Contact = Contact()
    # 164.526(f): titles responsible for receiving and processing amendment requests.
    amendment_contact: Contact = Contact()


# ---------------------------------------------------------------------------------------------
# Systems inventory


class SystemKind(StrEnum):
    EHR = "ehr"
    PRACTICE_MANAGEMENT = "practice_management"  # practice management / billing
    CLEARINGHOUSE = "clearinghouse"
    PATIENT_PORTAL = "patient_portal"
    DOCUMENT_MANAGEMENT = "document_management"  # document management / scanning
    SECURE_MESSAGING = "secure_messaging"
    IMAGING = "imaging"
    LAB_INTERFACE = "lab_interface"
    PAPER_ARCHIVE = "paper_archive"
    OTHER = "other"


SYSTEM_KIND_LABELS = {
    SystemKind.EHR: "Electronic health record",
    SystemKind.PRACTICE_MANAGEMENT: "Practice management / billing",
    SystemKind.CLEARINGHOUSE: "Claims clearinghouse",
    SystemKind.PATIENT_PORTAL: "Patient portal",
    SystemKind.DOCUMENT_MANAGEMENT: "Document management / scanning",
    SystemKind.SECURE_MESSAGING: "Secure messaging",
    SystemKind.IMAGING: "Imaging",
    SystemKind.LAB_INTERFACE: "Lab interface",
    SystemKind.PAPER_ARCHIVE: "Paper archive",
    SystemKind.OTHER: "Other",
}


@dataclass(frozen=True)
class BusinessAssociate:
    """A vendor that maintains records *for* the practice. Its records are in the DRS like
    the practice's own (164.501 "maintained by or for"), so the practice needs a way to get
    them and to know how long that takes: the 30 days run while the vendor works
    (access-rules 1.8).
    """

    name: str
    contact: str = ""
    how_to_get_records: str = ""
    turnaround_days: int | None = None  # calendar days from the practice's ask to the records

    def __post_init__(self) -> None:
        if _blank(self.name):
            raise InvalidInput("business_associate.name", "is required.")
        if self.turnaround_days is not None and self.turnaround_days < 0:
            raise InvalidInput("business_associate.turnaround_days", "cannot be negative.")

    @property
    def has_retrieval_path(self) -> bool:
        return not _blank(self.how_to_get_records) and self.turnaround_days is not None


@dataclass(frozen=True)
class RecordSystem:
    """Where records are stored. ``business_associate`` is None when the practice maintains
    the system itself. ``exchange_linked`` is recorded for the policy text only: linking to a
    health information exchange does not take anything out of the DRS (OCR FAQ 550), so no
    rule here treats linked systems differently. ``holds_from``/``holds_until`` bound the
    dates of service the system holds (a paper archive closed in 2014, say).
    """

    id: str
    name: str
    kind: SystemKind
    business_associate: BusinessAssociate | None = None
    exchange_linked: bool = False
    holds_from: dt.date | None = None
    holds_until: dt.date | None = None
    notes: str = ""
    part2: bool = False  # everything in it is a Part 2 program's SUD records (42 CFR 2.11)

    def __post_init__(self) -> None:
        _check_code("system.id", self.id)
        if _blank(self.name):
            raise InvalidInput("system.name", "is required.")
        if self.holds_from and self.holds_until and self.holds_from > self.holds_until:
            raise InvalidInput("system.holds_until", "is before holds_from.")

    @property
    def by_business_associate(self) -> bool:
        return self.business_associate is not None

    def overlaps(self, start: dt.date | None, end: dt.date | None) -> bool:
        """Could this system hold records dated between start and end (inclusive)?"""
        if start is not None and self.holds_until is not None and self.holds_until < start:
            return False
        return not (end is not None and self.holds_from is not None and self.holds_from > end)


# ---------------------------------------------------------------------------------------------
# Record categories


class CategoryGroup(StrEnum):
    """Which part of the 164.501 definition a category falls under."""

    MEDICAL = "medical"  # (1)(i) medical records
    BILLING = "billing"  # (1)(i) billing records
    DECISIONS = "decisions"  # (1)(iii) other records used to make decisions about individuals
    INTERNAL = "internal"  # operations records: candidates for exclusion, with a rationale


class AccessException(StrEnum):
    """164.524(a)(1): in the DRS but excepted from the right of access.

    Deliberately no "SUD counseling notes" member: 42 CFR Part 2 asks that they be kept
    separate like psychotherapy notes, but whether they may be withheld from the patient is
    unverified (access-rules 11.5), so they are not offered as a denial ground. See
    ``RecordCategory.sud_counseling_notes``.
    """

    NONE = "none"
    PSYCHOTHERAPY_NOTES = "psychotherapy_notes"  # 164.524(a)(1)(i), as defined in 164.501
    LEGAL_PROCEEDINGS = "legal_proceedings"  # 164.524(a)(1)(ii)


@dataclass(frozen=True)
class RecordCategory:
    """A kind of record, placed in or out of the DRS by how it is used, not where it is kept.

    Excepted categories (``exception`` set) stay in the DRS: the practice must still know
    where they are to segregate them and give the rest (164.524(d)(1)). ``kept_separate``
    matters for psychotherapy notes only: notes kept in the chart are not psychotherapy notes
    (164.501; access-rules 10.2-10.3) and the exception does not hold.
    """

    code: str
    title: str
    group: CategoryGroup
    in_drs: bool
    rationale: str = ""
    exception: AccessException = AccessException.NONE
    kept_separate: bool = False
    examples: str = ""
    # 42 CFR Part 2 (access-rules 11.5): SUD records of a Part 2 program.
    part2: bool = False
    # SUD counseling notes (42 CFR 2.11): Part 2 records kept separately, like psychotherapy
    # notes; produced to the patient, never a denial ground (11.5 unverified).
    sud_counseling_notes: bool = False

    def __post_init__(self) -> None:
        _check_code("category.code", self.code)
        if self.sud_counseling_notes and not self.part2:
            raise InvalidInput(
                "category.part2", "SUD counseling notes are Part 2 records (42 CFR 2.11)."
            )
        if self.sud_counseling_notes and self.exception is not AccessException.NONE:
            raise InvalidInput(
                "category.exception",
                "SUD counseling notes are not an access exception: whether they may be "
                "withheld is unverified (access-rules 11.5).",
            )
        if _blank(self.title):
            raise InvalidInput("category.title", "is required.")
        if self.exception is not AccessException.NONE and not self.in_drs:
            raise InvalidInput(
                "category.exception",
                "an access exception only applies to records in the designated record set "
                "(164.524(a)(1)); records outside it need no exception.",
            )

    @property
    def exception_holds(self) -> bool:
        """True when the 164.524(a)(1) exception can actually be relied on."""
        if self.exception is AccessException.PSYCHOTHERAPY_NOTES:
            return self.kept_separate
        return self.exception is not AccessException.NONE


# ---------------------------------------------------------------------------------------------
# Mapping: which categories live in which systems


@dataclass(frozen=True)
class Retrieval:
    """Who pulls the records and how (the vendor comes from the system)."""

    who: str = ""
    how: str = ""

    @property
    def complete(self) -> bool:
        return not _blank(self.who) and not _blank(self.how)


@dataclass(frozen=True)
class Holding:
    """Category ``category`` is kept in system ``system``.

    ``duplicate_of`` names another system holding *the same information* for this category
    (the portal's copy of a message already filed in the EHR). 164.524(c)(1) lets the practice
    produce it once; the checklist shows the duplicate as a check-only item rather than
    dropping it, because completeness still requires confirming that nothing held only here
    is missed. Mark a duplicate only where the copy really is the same information.
    """

    category: str
    system: str
    retrieval: Retrieval = Retrieval()
    duplicate_of: str | None = None

    def __post_init__(self) -> None:
        if self.duplicate_of == self.system:
            raise InvalidInput("holding.duplicate_of", "a system cannot duplicate itself.")


# ---------------------------------------------------------------------------------------------
# The map


@dataclass(frozen=True)
class DrsMap:
    """One version of the practice's documented DRS (164.524(e))."""

    practice: str
    version: int
    effective: dt.date
    responsibilities: Responsibilities
    systems: tuple[RecordSystem, ...] = ()
    categories: tuple[RecordCategory, ...] = ()
    holdings: tuple[Holding, ...] = ()

    def __post_init__(self) -> None:
        if self.version < 1:
            raise InvalidInput("version", "starts at 1.")
        system_ids = [s.id for s in self.systems]
        codes = [c.code for c in self.categories]
        for label, values in (("systems", system_ids), ("categories", codes)):
            seen: set[str] = set()
            for value in values:
                if value in seen:
                    raise InvalidInput(label, f"{value!r} appears twice.")
                seen.add(value)
        pairs: set[tuple[str, str]] = set()
        for h in self.holdings:
            if h.category not in codes:
                raise InvalidInput("holdings", f"unknown category {h.category!r}.")
            if h.system not in system_ids:
                raise InvalidInput("holdings", f"unknown system {h.system!r}.")
            if h.duplicate_of is not None and h.duplicate_of not in system_ids:
                raise InvalidInput("holdings", f"unknown system {h.duplicate_of!r}.")
            if (h.category, h.system) in pairs:
                raise InvalidInput("holdings", f"{h.category!r} in {h.system!r} appears twice.")
            pairs.add((h.category, h.system))

    def system(self, system_id: str) -> RecordSystem:
        for s in self.systems:
            if s.id == system_id:
                return s
        raise KeyError(system_id)

    def category(self, code: str) -> RecordCategory:
        for c in self.categories:
            if c.code == code:
                return c
        raise KeyError(code)

    def holdings_of(self, code: str) -> tuple[Holding, ...]:
        return tuple(h for h in self.holdings if h.category == code)

    def is_part2(self, code: str, system_id: str) -> bool:
        """Category ``code`` as kept in ``system_id`` is a Part 2 record (42 CFR 2.11)."""
        return self.category(code).part2 or self.system(system_id).part2


# ---------------------------------------------------------------------------------------------
# Review


class GapCode(StrEnum):
    NO_ACCESS_TITLES = "no_access_titles"
    NO_COMPLAINT_CONTACT = "no_complaint_contact"
    NO_AMENDMENT_CONTACT = "no_amendment_contact"
    BILLING_NOT_MAPPED = "billing_not_mapped"
    CORE_RECORDS_EXCLUDED = "core_records_excluded"
    CATEGORY_UNMAPPED = "category_unmapped"
    EXCLUSION_WITHOUT_RATIONALE = "exclusion_without_rationale"
    EXCLUSION_NOT_TIED_TO_DEFINITION = "exclusion_not_tied_to_definition"
    BA_WITHOUT_RETRIEVAL_PATH = "ba_without_retrieval_path"
    BA_TURNAROUND_TOO_LONG = "ba_turnaround_too_long"
    PSYCHOTHERAPY_NOTES_IN_CHART = "psychotherapy_notes_in_chart"
    SUD_COUNSELING_NOTES_IN_CHART = "sud_counseling_notes_in_chart"
    HOLDING_WITHOUT_RETRIEVAL = "holding_without_retrieval"
    DUPLICATE_WITHOUT_SOURCE = "duplicate_without_source"
    SYSTEM_UNMAPPED = "system_unmapped"


@dataclass(frozen=True)
class Gap:
    """A problem to fix. ``refers_to`` is ``responsibilities``, ``category:<code>``,
    ``system:<id>`` or ``holding:<code>@<system id>``.
    """

    code: GapCode
    message: str
    refers_to: str


# Words that show a rationale speaks to the 164.501 test (use for decisions about
# individuals) rather than to convenience. [INTERPRETATION: a prompt, not a legal test]
_DEFINITION_WORDS = ("decision", "decide", "individual", "164.501")


def _rationale_gap(c: RecordCategory) -> Gap | None:
    text = " ".join(c.rationale.split())
    ref = f"category:{c.code}"
    if len(text) < MIN_RATIONALE_CHARS:
        return Gap(
            GapCode.EXCLUSION_WITHOUT_RATIONALE,
            f"“{c.title}” is placed outside the designated record set without a written "
            "reason. Say why these records are not medical or billing records and are not "
            "used to make decisions about individuals (45 CFR 164.501).",
            ref,
        )
    lowered = text.lower()
    if not any(word in lowered for word in _DEFINITION_WORDS):
        return Gap(
            GapCode.EXCLUSION_NOT_TIED_TO_DEFINITION,
            f"The reason for leaving “{c.title}” out does not refer to the definition: it "
            "should say the records are not used to make decisions about individuals "
            "(45 CFR 164.501), not that they are hard to reach or kept elsewhere.",
            ref,
        )
    return None


def _responsibility_gaps(r: Responsibilities) -> list[Gap]:
    gaps: list[Gap] = []
    if not any(not _blank(t) for t in r.access_titles):
        gaps.append(
            Gap(
                GapCode.NO_ACCESS_TITLES,
                "Name the titles of the persons or offices that receive and process access "
                "requests (45 CFR 164.524(e)(2)).",
                "responsibilities",
            )
        )
    if not r.complaint_contact.complete:
        gaps.append(
            Gap(
                GapCode.NO_COMPLAINT_CONTACT,
                "Give the complaint contact's name or title and a full phone number; every "
                "denial letter must include them (45 CFR 164.524(d)(2)(iii), 164.530(d)).",
                "responsibilities",
            )
        )
    if not r.amendment_contact.complete:
        gaps.append(
            Gap(
                GapCode.NO_AMENDMENT_CONTACT,
                "Give the title and phone number of whoever receives amendment requests "
                "(45 CFR 164.526(f)).",
                "responsibilities",
            )
        )
    return gaps


def review(drs_map: DrsMap) -> list[Gap]:
    """Everything that stops this map from being a complete, retrievable DRS."""
    gaps = _responsibility_gaps(drs_map.responsibilities)
    mapped = {h.category for h in drs_map.holdings}

    billing = [c for c in drs_map.categories if c.group is CategoryGroup.BILLING and c.in_drs]
    if not any(c.code in mapped for c in billing):
        gaps.append(
            Gap(
                GapCode.BILLING_NOT_MAPPED,
                "No billing records are mapped to any system. Billing records are part of "
                "the designated record set (45 CFR 164.501) and are often held by a billing "
                "company or clearinghouse.",
                "group:billing",
            )
        )

    for c in drs_map.categories:
        ref = f"category:{c.code}"
        if not c.in_drs:
            if c.group in (CategoryGroup.MEDICAL, CategoryGroup.BILLING):
                gaps.append(
                    Gap(
                        GapCode.CORE_RECORDS_EXCLUDED,
                        f"“{c.title}” are {c.group.value} records, which the definition "
                        "places in the designated record set (45 CFR 164.501); they cannot "
                        "be excluded.",
                        ref,
                    )
                )
            else:
                gap = _rationale_gap(c)
                if gap is not None:
                    gaps.append(gap)
            continue
        if c.code not in mapped:
            gaps.append(
                Gap(
                    GapCode.CATEGORY_UNMAPPED,
                    f"“{c.title}” is in the designated record set but no system is named "
                    "for it, so nobody knows where to collect it.",
                    ref,
                )
            )
        if c.sud_counseling_notes and not c.kept_separate:
            gaps.append(
                Gap(
                    GapCode.SUD_COUNSELING_NOTES_IN_CHART,
                    f"“{c.title}” are SUD counseling notes but kept in the chart. 42 CFR Part 2 "
                    "asks that they be kept separate from the rest of the record, like "
                    "psychotherapy notes (access-rules 11.5).",
                    ref,
                )
            )
        if c.exception is AccessException.PSYCHOTHERAPY_NOTES and not c.kept_separate:
            gaps.append(
                Gap(
                    GapCode.PSYCHOTHERAPY_NOTES_IN_CHART,
                    f"“{c.title}” is treated as psychotherapy notes but kept in the chart. "
                    "Only notes kept separate from the rest of the record are psychotherapy "
                    "notes (45 CFR 164.501); these must be given on request.",
                    ref,
                )
            )

    used_systems = {h.system for h in drs_map.holdings}
    for s in drs_map.systems:
        ref = f"system:{s.id}"
        ba = s.business_associate
        if ba is not None and not ba.has_retrieval_path:
            gaps.append(
                Gap(
                    GapCode.BA_WITHOUT_RETRIEVAL_PATH,
                    f"{s.name} is kept by {ba.name} for the practice, but there is no "
                    "recorded way to get records from them and how long it takes. Records a "
                    "business associate keeps for you are in the designated record set.",
                    ref,
                )
            )
        elif ba is not None and (ba.turnaround_days or 0) >= FEDERAL_DAYS:
            gaps.append(
                Gap(
                    GapCode.BA_TURNAROUND_TOO_LONG,
                    f"{ba.name} takes {ba.turnaround_days} days, which leaves no time in "
                    f"the {FEDERAL_DAYS} days the practice has (45 CFR 164.524(b)(2)); "
                    "agree a shorter turnaround.",
                    ref,
                )
            )
        if s.id not in used_systems:
            gaps.append(
                Gap(
                    GapCode.SYSTEM_UNMAPPED,
                    f"{s.name} holds no record category. If it stores patient information, "
                    "map what it holds; being linked to an exchange network does not take "
                    "records out of the designated record set (OCR FAQ 550).",
                    ref,
                )
            )

    for h in drs_map.holdings:
        ref = f"holding:{h.category}@{h.system}"
        if drs_map.category(h.category).in_drs and not h.retrieval.complete:
            gaps.append(
                Gap(
                    GapCode.HOLDING_WITHOUT_RETRIEVAL,
                    f"Say who retrieves “{drs_map.category(h.category).title}” from "
                    f"{drs_map.system(h.system).name} and how.",
                    ref,
                )
            )
        if h.duplicate_of is not None:
            source = next(
                (
                    o
                    for o in drs_map.holdings_of(h.category)
                    if o.system == h.duplicate_of and o.duplicate_of is None
                ),
                None,
            )
            if source is None:
                gaps.append(
                    Gap(
                        GapCode.DUPLICATE_WITHOUT_SOURCE,
                        f"“{drs_map.category(h.category).title}” in "
                        f"{drs_map.system(h.system).name} is marked as the same information as "
                        f"{drs_map.system(h.duplicate_of).name}, which is not mapped as its "
                        "source; it would never be produced.",
                        ref,
                    )
                )
    return gaps


# ---------------------------------------------------------------------------------------------
# Versions and retention: 164.524(e), 164.530(j)


def new_version(old: DrsMap, effective: dt.date, **changes: Any) -> DrsMap:
    """A copy of ``old`` with the given fields changed, the next version number, in effect from
    ``effective``. Earlier versions are kept unchanged, as 164.530(j) requires.
    """
    if "version" in changes:
        raise InvalidInput("version", "is assigned automatically.")
    if effective <= old.effective:
        raise RuleViolation(
            f"Version {old.version + 1} must take effect after version {old.version} "
            f"({old.effective.isoformat()})."
        )
    return dataclasses.replace(old, version=old.version + 1, effective=effective, **changes)


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day, ``years`` later; 29 February becomes 1 March in a common year, so
    the period is never shorter than the full number of years.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def retain_until(last_day: dt.date) -> dt.date:
    """164.530(j)(2): keep documentation six years from the date it was last in effect."""
    return add_years(last_day, RETENTION_YEARS)


def last_in_effect(history: Sequence[DrsMap], version: int) -> dt.date | None:
    """The last day ``version`` was in effect: the day before its successor took effect, or
    None while it is still the current version.
    """
    ordered = sorted(history, key=lambda m: m.version)
    for index, m in enumerate(ordered):
        if m.version == version:
            if index + 1 < len(ordered):
                return ordered[index + 1].effective - dt.timedelta(days=1)
            return None
    raise KeyError(version)


def retention_date(history: Sequence[DrsMap], version: int) -> dt.date | None:
    """The date until which ``version`` must be kept; None while it is in effect (keep)."""
    last = last_in_effect(history, version)
    return None if last is None else retain_until(last)


# ---------------------------------------------------------------------------------------------
# Per-request collection checklist


@dataclass(frozen=True)
class Scope:
    """What the request covers: ``categories`` None means the whole DRS. ``start``/``end``
    narrow the dates of service (164.524(c)(3)(i) lets the practice agree scope with the
    requester; the right itself covers the whole DRS).
    """

    categories: frozenset[str] | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InvalidInput("scope.end", "is before the start date.")

    @classmethod
    def whole(cls) -> Scope:
        return cls()

    @classmethod
    def of(
        cls, codes: Iterable[str], start: dt.date | None = None, end: dt.date | None = None
    ) -> Scope:
        return cls(frozenset(codes), start, end)


class ItemAction(StrEnum):
    PRODUCE = "produce"
    # 164.524(c)(1): same information as another system's copy; produce once.
    SAME_AS_SOURCE = "same_as_source"
    # 164.524(a)(1) exceptions: see build_checklist.
    REVIEW_FOR_DENIAL = "review_for_denial"


@dataclass(frozen=True)
class ChecklistItem:
    category: str
    category_title: str
    system: str
    system_name: str
    action: ItemAction
    who: str
    how: str
    business_associate: str | None = None  # the vendor to ask, for BA-held records
    ba_contact: str = ""
    ba_how: str = ""
    turnaround_days: int | None = None
    due_by: dt.date | None = None  # received + turnaround, when the received date is given
    after_request_due: bool = False  # the vendor's turnaround ends after the 30-day due date
    same_as: str | None = None  # system name holding the copy that is produced
    start: dt.date | None = None
    end: dt.date | None = None
    note: str = ""
    part2: bool = False  # a Part 2 record (42 CFR Part 2): kept apart, never to a third party
    # without the patient's Part 2 consent recorded

    @property
    def ba_request(self) -> bool:
        return self.business_associate is not None


def build_checklist(
    drs_map: DrsMap, scope: Scope, received: dt.date | None = None
) -> list[ChecklistItem]:
    """One item per place a requested DRS category must be collected from.

    * Categories outside the DRS are never items.
    * The same information in several systems (``Holding.duplicate_of``) gives one PRODUCE
      item at the source and SAME_AS_SOURCE items elsewhere: "same information as X, produce
      once" (164.524(c)(1)), still listed so staff confirm nothing there is missing from X.
      If X is not collected for this request (outside its dates, or not mapped as the
      source), the copy is produced instead: completeness comes before avoiding repeats.
    * Excepted categories (164.524(a)(1)) appear as REVIEW_FOR_DENIAL, never PRODUCE. They are
      listed rather than left out because the exception is permissive ("may deny"), because
      withholding them needs a written denial stating the basis (164.524(d)(2)), and because
      staff must find and segregate them to give everything else (164.524(d)(1)).
    * "Psychotherapy notes" kept in the chart are not psychotherapy notes (164.501,
      access-rules 10.3): they are produced, with a note, rather than withheld.
    * Systems whose dates cannot overlap the requested range are skipped.
    * Part 2 records (a Part 2 category, or any category in a Part 2 system) are flagged and
      listed after everything else, so they are collected and kept apart (42 CFR Part 2;
      access-rules 11.5). They are produced to the patient like the rest: SUD counseling
      notes are never REVIEW_FOR_DENIAL (11.5: not verified as a denial ground).
    """
    known = {c.code for c in drs_map.categories}
    if scope.categories is not None:
        unknown = sorted(scope.categories - known)
        if unknown:
            raise InvalidInput("scope.categories", f"unknown categories: {', '.join(unknown)}.")
    items: list[ChecklistItem] = []
    for c in drs_map.categories:
        if not c.in_drs:
            continue
        if scope.categories is not None and c.code not in scope.categories:
            continue
        holdings = [
            h
            for h in drs_map.holdings_of(c.code)
            if drs_map.system(h.system).overlaps(scope.start, scope.end)
        ]
        # A copy counts as a duplicate only if its source is itself collected here;
        # otherwise (source outside the dates, or mis-mapped) the copy is produced.
        sources = {h.system for h in holdings if h.duplicate_of is None}
        duplicate = {h.system: h.duplicate_of in sources for h in holdings}
        # Sources before duplicates; otherwise the order the practice entered them.
        holdings.sort(key=lambda h: duplicate[h.system])
        for h in holdings:
            items.append(_item(drs_map, c, h, duplicate[h.system], scope, received))
    # Stable: Part 2 items keep their order, after the rest.
    return sorted(items, key=lambda it: it.part2)


PART2_NOTE = (
    "Part 2 record (42 CFR Part 2): keep apart from the rest; release to a third party only "
    "with the patient's Part 2 consent recorded (42 CFR 2.31, 2.33)."
)


def scope_has_part2(drs_map: DrsMap, scope: Scope) -> bool:
    """Whether what a request covers includes Part 2 records (its checklist has any)."""
    return any(it.part2 for it in build_checklist(drs_map, scope))


def check_part2_release(directive: bool, has_part2: bool, consent_recorded: bool) -> None:
    """42 CFR 2.31, 2.33 (access-rules 11.5): a third-party directive is never fulfilled for
    Part 2 records without the consent Part 2 requires, recorded. The patient's own access is
    not limited by this check.
    """
    if directive and has_part2 and not consent_recorded:
        raise RuleViolation(
            "This directive covers Part 2 records (substance use disorder treatment records): "
            "they may go to the third party only with the patient's written consent as 42 CFR "
            "2.31 requires. Record the consent, or send the rest without the Part 2 records."
        )


def _item(
    drs_map: DrsMap,
    c: RecordCategory,
    h: Holding,
    is_duplicate: bool,
    scope: Scope,
    received: dt.date | None,
) -> ChecklistItem:
    system = drs_map.system(h.system)
    note = ""
    same_as: str | None = None
    if c.exception_holds:
        action = ItemAction.REVIEW_FOR_DENIAL
        note = (
            "Excepted from access (45 CFR 164.524(a)(1)). Collect separately; if withheld, "
            "send a written denial and give the rest of the request."
        )
    elif is_duplicate and h.duplicate_of is not None:
        action = ItemAction.SAME_AS_SOURCE
        same_as = drs_map.system(h.duplicate_of).name
        note = (
            f"Same information as {same_as}: produce once (45 CFR 164.524(c)(1)). Check only "
            "for anything here that is missing there."
        )
    else:
        action = ItemAction.PRODUCE
        if c.exception is AccessException.PSYCHOTHERAPY_NOTES:
            note = "Kept in the chart, so not psychotherapy notes (45 CFR 164.501): produce."
    # SUD counseling notes stay PRODUCE: not offered as a denial ground (11.5 unverified).
    part2 = drs_map.is_part2(c.code, h.system)
    if part2:
        note = f"{PART2_NOTE} {note}".strip()
    ba = system.business_associate
    due_by: dt.date | None = None
    late = False
    if ba is not None and ba.turnaround_days is not None and received is not None:
        due_by = received + dt.timedelta(days=ba.turnaround_days)
        late = due_by > federal_due(received)
    return ChecklistItem(
        category=c.code,
        category_title=c.title,
        system=system.id,
        system_name=system.name,
        action=action,
        who=h.retrieval.who,
        how=h.retrieval.how,
        business_associate=ba.name if ba else None,
        ba_contact=ba.contact if ba else "",
        ba_how=ba.how_to_get_records if ba else "",
        turnaround_days=ba.turnaround_days if ba else None,
        due_by=due_by,
        after_request_due=late,
        same_as=same_as,
        start=scope.start,
        end=scope.end,
        note=note,
        part2=part2,
    )


# ---------------------------------------------------------------------------------------------
# Serialisation: JSON-safe dicts, one per stored version


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _contact_dict(c: Contact) -> dict[str, Any]:
    return {"name_or_title": c.name_or_title, "phone": c.phone}


def to_dict(drs_map: DrsMap) -> dict[str, Any]:
    """A JSON-safe dict: strings, numbers, booleans, None, lists, dicts and ISO dates."""
    r = drs_map.responsibilities
    return {
        "schema": SCHEMA_VERSION,
        "practice": drs_map.practice,
        "version": drs_map.version,
        "effective": drs_map.effective.isoformat(),
        "responsibilities": {
            "access_titles": list(r.access_titles),
            "complaint_contact": _contact_dict(r.complaint_contact),
            "amendment_contact": _contact_dict(r.amendment_contact),
        },
        "systems": [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind.value,
                "business_associate": None
                if s.business_associate is None
                else {
                    "name": s.business_associate.name,
                    "contact": s.business_associate.contact,
                    "how_to_get_records": s.business_associate.how_to_get_records,
                    "turnaround_days": s.business_associate.turnaround_days,
                },
                "exchange_linked": s.exchange_linked,
                "holds_from": _date(s.holds_from),
                "holds_until": _date(s.holds_until),
                "notes": s.notes,
                # Written only when set: maps without Part 2 records keep their stored form.
                **({"part2": True} if s.part2 else {}),
            }
            for s in drs_map.systems
        ],
        "categories": [
            {
                "code": c.code,
                "title": c.title,
                "group": c.group.value,
                "in_drs": c.in_drs,
                "rationale": c.rationale,
                "exception": c.exception.value,
                "kept_separate": c.kept_separate,
                "examples": c.examples,
                **({"part2": True} if c.part2 else {}),
                **({"sud_counseling_notes": True} if c.sud_counseling_notes else {}),
            }
            for c in drs_map.categories
        ],
        "holdings": [
            {
                "category": h.category,
                "system": h.system,
                "who": h.retrieval.who,
                "how": h.retrieval.how,
                "duplicate_of": h.duplicate_of,
            }
            for h in drs_map.holdings
        ],
    }


def _str(d: Mapping[str, Any], key: str) -> str:
    value = d[key]
    if not isinstance(value, str):
        raise InvalidInput(key, f"must be text, not {type(value).__name__}.")
    return value


def _opt_str(d: Mapping[str, Any], key: str) -> str | None:
    return None if d[key] is None else _str(d, key)


def _bool(d: Mapping[str, Any], key: str) -> bool:
    value = d[key]
    if not isinstance(value, bool):
        raise InvalidInput(key, "must be true or false.")
    return value


def _flag(d: Mapping[str, Any], key: str) -> bool:
    """A boolean added after the first maps were stored: absent means false."""
    return key in d and _bool(d, key)


def _int(d: Mapping[str, Any], key: str) -> int:
    value = d[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(key, "must be a whole number.")
    return value


def _opt_date(d: Mapping[str, Any], key: str) -> dt.date | None:
    text = _opt_str(d, key)
    return None if text is None else dt.date.fromisoformat(text)


def _contact(d: Mapping[str, Any]) -> Contact:
    return Contact(_str(d, "name_or_title"), _str(d, "phone"))


def _system(s: Mapping[str, Any]) -> RecordSystem:
    b = s["business_associate"]
    ba = None
    if b is not None:
        days = None if b["turnaround_days"] is None else _int(b, "turnaround_days")
        ba = BusinessAssociate(
            _str(b, "name"), _str(b, "contact"), _str(b, "how_to_get_records"), days
        )
    return RecordSystem(
        id=_str(s, "id"),
        name=_str(s, "name"),
        kind=SystemKind(s["kind"]),
        business_associate=ba,
        exchange_linked=_bool(s, "exchange_linked"),
        holds_from=_opt_date(s, "holds_from"),
        holds_until=_opt_date(s, "holds_until"),
        notes=_str(s, "notes"),
        part2=_flag(s, "part2"),
    )


def _category(c: Mapping[str, Any]) -> RecordCategory:
    return RecordCategory(
        code=_str(c, "code"),
        title=_str(c, "title"),
        group=CategoryGroup(c["group"]),
        in_drs=_bool(c, "in_drs"),
        rationale=_str(c, "rationale"),
        exception=AccessException(c["exception"]),
        kept_separate=_bool(c, "kept_separate"),
        examples=_str(c, "examples"),
        part2=_flag(c, "part2"),
        sud_counseling_notes=_flag(c, "sud_counseling_notes"),
    )


def _holding(h: Mapping[str, Any]) -> Holding:
    return Holding(
        category=_str(h, "category"),
        system=_str(h, "system"),
        retrieval=Retrieval(_str(h, "who"), _str(h, "how")),
        duplicate_of=_opt_str(h, "duplicate_of"),
    )


def from_dict(d: Mapping[str, Any]) -> DrsMap:
    """Inverse of ``to_dict``. Raises InvalidInput for a missing field or a bad value."""
    try:
        if d.get("schema") != SCHEMA_VERSION:
            raise InvalidInput("schema", f"unsupported version {d.get('schema')!r}.")
        r = d["responsibilities"]
        titles = r["access_titles"]
        if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
            raise InvalidInput("access_titles", "must be a list of text.")
        return DrsMap(
            practice=_str(d, "practice"),
            version=_int(d, "version"),
            effective=dt.date.fromisoformat(_str(d, "effective")),
            responsibilities=Responsibilities(
                access_titles=tuple(titles),
                complaint_contact=_contact(r["complaint_contact"]),
                amendment_contact=_contact(r["amendment_contact"]),
            ),
            systems=tuple(_system(s) for s in d["systems"]),
            categories=tuple(_category(c) for c in d["categories"]),
            holdings=tuple(_holding(h) for h in d["holdings"]),
        )
    except KeyError as exc:
        raise InvalidInput(str(exc.args[0]), "is missing from the stored map.") from exc
    except (TypeError, ValueError) as exc:
        raise InvalidInput("map", f"stored map is malformed: {exc}") from exc
