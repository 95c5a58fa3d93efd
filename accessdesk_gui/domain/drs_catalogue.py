"""The default record categories a small provider practice starts from, and a demonstration
map for a fictional family practice.

The catalogue follows 45 CFR 164.501 (access-rules 10.1): medical and billing records, and
other records used to make decisions about individuals, are in the designated record set. The
internal categories are offered *out* with a rationale tied to the definition (OCR's access
guidance gives peer review files and performance evaluations as examples); none of that is
automatic, and the practice must confirm each rationale is true for it. The two 164.524(a)(1)
exceptions are offered separately: most family practices hold no psychotherapy notes.

All vendor names in ``demo_map`` are fictional.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from accessdesk_gui.domain.drs import (
    AccessException,
    BusinessAssociate,
    CategoryGroup,
    Contact,
    DrsMap,
    Holding,
    RecordCategory,
    RecordSystem,
    Responsibilities,
    Retrieval,
    Scope,
    SystemKind,
)

_MEDICAL_WHY = "Medical records about individuals: in the DRS by definition (164.501)."
_BILLING_WHY = "Billing records about individuals: in the DRS by definition (164.501)."
_DECISIONS_WHY = (
    "Used in whole or in part to make decisions about individuals (164.501, "
    "'other records'), whether or not it was decisive for the requester."
)


def _in(code: str, title: str, group: CategoryGroup, examples: str = "") -> RecordCategory:
    why = {
        CategoryGroup.MEDICAL: _MEDICAL_WHY,
        CategoryGroup.BILLING: _BILLING_WHY,
        CategoryGroup.DECISIONS: _DECISIONS_WHY,
    }[group]
    return RecordCategory(code, title, group, True, why, examples=examples)


def _out(code: str, title: str, rationale: str, examples: str = "") -> RecordCategory:
    return RecordCategory(code, title, CategoryGroup.INTERNAL, False, rationale, examples=examples)


M, B, D = CategoryGroup.MEDICAL, CategoryGroup.BILLING, CategoryGroup.DECISIONS

MEDICAL_CATEGORIES: tuple[RecordCategory, ...] = (
    _in("medical.histories", "Medical histories", M),
    _in("medical.problem_list", "Problem lists", M),
    _in("medical.allergies", "Allergies", M),
    _in("medical.medications", "Medication lists", M),
    _in("medical.immunizations", "Immunizations", M),
    _in("medical.clinical_notes", "Clinical notes", M, "Visit notes, including therapy notes "
        "kept in the chart (not psychotherapy notes, 164.501)"),
    _in("medical.orders", "Orders", M),
    _in("medical.results", "Results", M, "Lab, imaging and other test results and reports"),
    _in("medical.care_plans", "Care plans", M),
    _in("medical.referrals", "Referrals", M, "Referral letters and consult notes received"),
    _in("medical.instructions", "Discharge and follow-up instructions", M),
    _in("medical.outside_records", "Outside records kept and used", M,
        "Records from other providers imported or scanned and used in care; origin does not "
        "matter"),
    _in("medical.patient_submitted", "Patient-submitted data used in care", M,
        "Intake questionnaires, symptom checklists, home readings, portal messages and "
        "attachments used in care"),
)  # fmt: skip

BILLING_CATEGORIES: tuple[RecordCategory, ...] = (
    _in("billing.claims", "Claims", B),
    _in("billing.charges", "Charges", B),
    _in("billing.coding", "Coding", B),
    _in("billing.payments", "Payment history", B),
    _in("billing.statements", "Account statements", B),
    _in("billing.denials_appeals", "Claim denials and appeals", B),
)

DECISION_CATEGORIES: tuple[RecordCategory, ...] = (
    _in("decisions.prior_auth", "Prior authorizations", D),
    _in("decisions.medical_necessity", "Medical-necessity determinations", D),
    _in("decisions.referral_management", "Referral management records", D),
    _in("decisions.case_management", "Case management notes", D),
)

_NOT_INDIVIDUAL = (
    "are not medical or billing records and are not used to make decisions about individual "
    "patients (45 CFR 164.501). Confirm this holds; any part used for a patient's care or "
    "account belongs in the DRS."
)

INTERNAL_CATEGORIES: tuple[RecordCategory, ...] = (
    _out("internal.peer_review", "Peer review files",
         f"Used to evaluate clinicians' practice, not the patient: peer review files "
         f"{_NOT_INDIVIDUAL}"),
    _out("internal.quality_improvement", "Quality improvement work product",
         f"Used to improve the practice's processes as a whole: these records {_NOT_INDIVIDUAL}"),
    _out("internal.performance_evaluations", "Practitioner performance evaluations",
         f"Used for decisions about staff, not about patients: evaluations {_NOT_INDIVIDUAL}"),
    _out("internal.compliance_investigations", "Compliance investigations and incident reviews",
         f"Used to decide on the practice's compliance measures: these files {_NOT_INDIVIDUAL}"),
    _out("internal.business_planning", "Business planning documents",
         f"Used for organisational decisions: planning documents {_NOT_INDIVIDUAL}"),
)  # fmt: skip


def psychotherapy_notes(kept_separate: bool) -> RecordCategory:
    """164.524(a)(1)(i). Only notes kept separate from the rest of the record qualify."""
    return RecordCategory(
        "exceptions.psychotherapy_notes",
        "Psychotherapy notes",
        CategoryGroup.MEDICAL,
        True,
        "In the DRS but excepted from access when kept separate from the medical record "
        "(164.501, 164.524(a)(1)(i)).",
        AccessException.PSYCHOTHERAPY_NOTES,
        kept_separate,
        "A mental health professional's notes analysing counselling sessions. Never: "
        "medication, session times, test results, diagnosis, treatment plan, progress summaries.",
    )


def sud_counseling_notes(kept_separate: bool = True) -> RecordCategory:
    """42 CFR Part 2 (2.11; access-rules 11.5): a Part 2 program's SUD counseling notes, kept
    separately like psychotherapy notes. Not an access exception: whether they may be withheld
    from the patient is unverified (11.5), so they are produced and never a denial ground.
    """
    return RecordCategory(
        "medical.sud_counseling_notes",
        "SUD counseling notes (42 CFR Part 2)",
        CategoryGroup.MEDICAL,
        True,
        "Part 2 records: in the DRS; kept separate from the rest of the record; released to "
        "a third party only with the patient's Part 2 consent (42 CFR 2.31).",
        AccessException.NONE,
        kept_separate,
        "A Part 2 program clinician's notes analysing SUD counseling sessions.",
        part2=True,
        sud_counseling_notes=True,
    )


def legal_proceedings() -> RecordCategory:
    """164.524(a)(1)(ii)."""
    return RecordCategory(
        "exceptions.legal_proceedings",
        "Information compiled for legal proceedings",
        CategoryGroup.DECISIONS,
        True,
        "Compiled in reasonable anticipation of, or for use in, a civil, criminal or "
        "administrative action or proceeding: excepted from access (164.524(a)(1)(ii)). The "
        "underlying chart and bills stay accessible.",
        AccessException.LEGAL_PROCEEDINGS,
    )


def default_categories() -> tuple[RecordCategory, ...]:
    """The starting catalogue: everything in the DRS plus the usual exclusions."""
    return MEDICAL_CATEGORIES + BILLING_CATEGORIES + DECISION_CATEGORIES + INTERNAL_CATEGORIES


# ---------------------------------------------------------------------------------------------
# Demonstration map: Maple Hollow Family Medicine (fictional)

_EHR_VENDOR = BusinessAssociate(
    "Brightleaf Health Software, Inc. (fictional)",
    "Support desk 555-0142, support@brightleaf.example",
    "Live chart: export in the EHR. Archived years and audit exports: support ticket "
    "'Records request - archived data' with patient MRN and date range.",
    5,
)
_BILLING_VENDOR = BusinessAssociate(
    "Meadowlark Billing Services LLC (fictional)",
    "Account manager 555-0167, records@meadowlark.example",
    "Email the account manager the patient's account number and date range; the ledger, "
    "claims, remittances and appeal letters come back as PDF by secure file transfer.",
    7,
)
_STORAGE_VENDOR = BusinessAssociate(
    "Stonebridge Records Storage Co. (fictional)",
    "Retrieval line 555-0190",
    "Look up the box number in the archive index (office manager's binder) and phone a "
    "retrieval request; the box is delivered to the practice.",
    3,
)

_MR_CLERK = "Medical records clerk"
_BILLING_LEAD = "Billing coordinator"
_OFFICE_MANAGER = "Office manager"


def demo_map() -> DrsMap:
    """A realistic map for a small family practice; ``review`` finds nothing to fix."""
    legal = legal_proceedings()
    categories = (*default_categories(), legal)
    systems = (
        RecordSystem(
            "ehr",
            "Brightleaf Chart (hosted EHR)",
            SystemKind.EHR,
            _EHR_VENDOR,
            exchange_linked=True,
            holds_from=dt.date(2015, 1, 1),
            notes="Linked to the regional HIE; this does not change DRS status (OCR FAQ 550).",
        ),
        RecordSystem(
            "portal",
            "Brightleaf Patient Portal",
            SystemKind.PATIENT_PORTAL,
            _EHR_VENDOR,
            holds_from=dt.date(2016, 6, 1),
            notes="Messages used in care are filed to the chart by the nurse who answers them.",
        ),
        RecordSystem(
            "billing",
            "Meadowlark billing platform",
            SystemKind.PRACTICE_MANAGEMENT,
            _BILLING_VENDOR,
        ),
        RecordSystem(
            "lab",
            "Riverbend Reference Laboratory results interface (fictional)",
            SystemKind.LAB_INTERFACE,
            notes="Results post into the EHR; the interface inbox keeps a copy.",
        ),
        RecordSystem(
            "paper",
            "Paper charts before 2015 (off-site boxes)",
            SystemKind.PAPER_ARCHIVE,
            _STORAGE_VENDOR,
            holds_until=dt.date(2014, 12, 31),
        ),
        RecordSystem(
            "office",
            "Office manager's restricted folder",
            SystemKind.DOCUMENT_MANAGEMENT,
            notes="Legal and insurer correspondence; kept apart from the chart.",
        ),
    )
    ehr_pull = Retrieval(_MR_CLERK, "EHR > Patient > Export record (PDF or C-CDA)")
    holdings: list[Holding] = []
    for c in MEDICAL_CATEGORIES + DECISION_CATEGORIES:
        holdings.append(Holding(c.code, "ehr", ehr_pull))
    for c in MEDICAL_CATEGORIES:
        if c.code != "medical.patient_submitted":
            holdings.append(
                Holding(
                    c.code,
                    "paper",
                    Retrieval(_OFFICE_MANAGER, "Order the box; copy the chart sections"),
                )
            )
    holdings.append(
        Holding(
            "medical.patient_submitted",
            "portal",
            Retrieval(_MR_CLERK, "Portal admin > Messages > Export thread for patient"),
            duplicate_of="ehr",
        )
    )
    holdings.append(
        Holding(
            "medical.results",
            "lab",
            Retrieval(_MR_CLERK, "Interface inbox > search by patient"),
            duplicate_of="ehr",
        )
    )
    for c in BILLING_CATEGORIES:
        holdings.append(
            Holding(c.code, "billing", Retrieval(_BILLING_LEAD, "Ask the billing company"))
        )
    holdings.append(
        Holding(
            "decisions.prior_auth",
            "billing",
            Retrieval(_BILLING_LEAD, "Ask the billing company for authorization letters"),
        )
    )
    holdings.append(
        Holding(legal.code, "office", Retrieval(_OFFICE_MANAGER, "Restricted folder by name"))
    )
    return DrsMap(
        practice="Maple Hollow Family Medicine (fictional)",
        version=1,
        effective=dt.date(2025, 1, 1),
        responsibilities=Responsibilities(
            access_titles=("Medical records clerk", "Privacy officer"),
            complaint_contact=Contact("Privacy officer", "(555) 010-0100"),
            amendment_contact=Contact("Privacy officer", "(555) 010-0100"),
        ),
        systems=systems,
        categories=categories,
        holdings=tuple(holdings),
    )


# Intake offers a short default list of categories (domain/intake.py DEFAULT_CATEGORIES);
# each stands for these record-set categories when the request's checklist is built.
INTAKE_TO_DRS: dict[str, frozenset[str]] = {
    "visit_notes": frozenset({"medical.clinical_notes", "medical.histories"}),
    "lab_results": frozenset({"medical.results", "medical.orders"}),
    "imaging": frozenset({"medical.results", "medical.orders"}),
    "medications": frozenset({"medical.medications"}),
    "immunizations": frozenset({"medical.immunizations"}),
    "problems_allergies": frozenset({"medical.problem_list", "medical.allergies"}),
    "referrals": frozenset({"medical.referrals", "medical.outside_records"}),
    "billing": frozenset(c.code for c in BILLING_CATEGORIES),
    "portal_messages": frozenset({"medical.patient_submitted", "medical.clinical_notes"}),
}


def scope_for_intake(
    categories: Iterable[str],
    whole: bool,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Scope:
    """The checklist scope of what a request asks for: the whole DRS, or the record-set
    categories behind the intake categories chosen (record-set codes pass through).
    """
    chosen = tuple(categories)
    if whole or not chosen:
        return Scope(None, start, end)
    codes: set[str] = set()
    for c in chosen:
        codes |= INTAKE_TO_DRS.get(c, frozenset({c}))
    return Scope(frozenset(codes), start, end)
