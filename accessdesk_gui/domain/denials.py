"""Denying access, in whole or in part, on the lawful grounds only.

Everything a denial may rest on is in :data:`GROUNDS`: the unreviewable grounds
of 45 CFR 164.524(a)(1)-(2) and the reviewable grounds of 164.524(a)(3)
(access-rules 4.1-4.2). Nothing else is a ground; :func:`explain_invalid_reason`
recognises the reasons people commonly reach for that are not (access-rules 4.3).

The module also models a partial denial (164.524(d)(1)), checks that a denial
letter carries the elements of 164.524(d)(2)-(3), and that it issues by the
request's effective due date (access-rules 4.6).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.domain.intake import RequesterKind
from accessdesk_gui.domain.roles import Role

# ---------------------------------------------------------------------------
# People who determine (and later review) denials
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """A user as the denial rules see them: who they are and whether they are licensed."""

    id: str
    name: str
    roles: frozenset[Role] = frozenset()
    licence_type: str = ""
    licence_number: str = ""
    active: bool = True

    @property
    def is_licensed_professional(self) -> bool:
        """Holds the licensed-professional role and has a licence type and number on file."""
        return (
            Role.LICENSED_PROFESSIONAL in self.roles
            and bool(self.licence_type.strip())
            and bool(self.licence_number.strip())
        )


def licence_problem(person: Staff) -> str | None:
    """Why ``person`` cannot act as a licensed health care professional, or None."""
    if Role.LICENSED_PROFESSIONAL not in person.roles:
        return f"{person.name} is not licensed (no licensed-professional role)"
    if not person.licence_type.strip() or not person.licence_number.strip():
        return f"{person.name} has no licence type and number on file"
    return None


# ---------------------------------------------------------------------------
# The catalogue of lawful grounds
# ---------------------------------------------------------------------------


class GroundCode(StrEnum):
    # Unreviewable, 164.524(a)(1)-(2)
    PSYCHOTHERAPY_NOTES = "psychotherapy_notes"
    LEGAL_PROCEEDING = "legal_proceeding"
    INMATE_COPY = "inmate_copy"
    RESEARCH_IN_PROGRESS = "research_in_progress"
    PRIVACY_ACT = "privacy_act"
    CONFIDENTIAL_SOURCE = "confidential_source"
    # Reviewable, 164.524(a)(3)
    ENDANGERMENT = "endangerment"
    HARM_TO_OTHER_PERSON = "harm_to_other_person"
    PERSONAL_REPRESENTATIVE_HARM = "personal_representative_harm"


class FactKind(StrEnum):
    TEXT = "text"  # must be filled in
    CONFIRM = "confirm"  # a statement the user must confirm as true


@dataclass(frozen=True)
class FactSpec:
    """One fact the user records when choosing a ground."""

    name: str
    label: str
    kind: FactKind = FactKind.TEXT
    # Internal facts are kept in the file but never printed in the letter
    # (e.g. who the confidential source is).
    internal: bool = False


@dataclass(frozen=True)
class DenialGround:
    code: GroundCode
    title: str
    citation: str
    reviewable: bool
    scope: str  # what the regulation covers, close to its words
    explanation: str  # plain language, for the letter
    facts: tuple[FactSpec, ...]
    # Grounds that may withhold a copy but never inspection (164.524(a)(2)(ii)).
    copy_only: bool = False
    # Grounds open only when a personal representative asked (164.524(a)(3)(iii)).
    personal_representative_only: bool = False


def _text(name: str, label: str, *, internal: bool = False) -> FactSpec:
    return FactSpec(name, label, FactKind.TEXT, internal)


def _confirm(name: str, label: str) -> FactSpec:
    return FactSpec(name, label, FactKind.CONFIRM, internal=True)


_LICENSED_JUDGMENT = _confirm(
    "professional_judgment",
    "A licensed health care professional made this determination in the exercise of "
    "professional judgment",
)

GROUNDS: dict[GroundCode, DenialGround] = {
    g.code: g
    for g in (
        DenialGround(
            code=GroundCode.PSYCHOTHERAPY_NOTES,
            title="Psychotherapy notes",
            citation="45 CFR 164.524(a)(1)(i), (a)(2)(i); 164.501",
            reviewable=False,
            scope=(
                "Psychotherapy notes: notes recorded by a mental health professional documenting "
                "or analyzing the contents of conversation during a counseling session, kept "
                "separate from the rest of the individual's medical record. Excludes medication "
                "prescription and monitoring, session start and stop times, modalities and "
                "frequencies of treatment, results of clinical tests, and any summary of "
                "diagnosis, functional status, treatment plan, symptoms, prognosis and progress."
            ),
            explanation=(
                "Part of what you asked for is your therapist's psychotherapy notes. These are "
                "the therapist's own notes about counseling sessions, kept apart from your "
                "medical record. Federal law does not give a right to see or copy them. Your "
                "medical record itself, including medications, test results, diagnoses, "
                "treatment plan and progress, is not withheld on this ground."
            ),
            facts=(
                _confirm(
                    "kept_separately",
                    "The notes are kept separate from the rest of the medical record",
                ),
                _confirm(
                    "session_notes_only",
                    "Only notes documenting or analyzing counseling sessions are withheld "
                    "(no medications, session times, test results or summaries)",
                ),
                _text("kept_by", "Kept by (name of the mental health professional)"),
            ),
        ),
        DenialGround(
            code=GroundCode.LEGAL_PROCEEDING,
            title="Compiled for a legal proceeding",
            citation="45 CFR 164.524(a)(1)(ii), (a)(2)(i)",
            reviewable=False,
            scope=(
                "Information compiled in reasonable anticipation of, or for use in, a civil, "
                "criminal, or administrative action or proceeding."
            ),
            explanation=(
                "Part of what you asked for was prepared for a legal proceeding, or because "
                "one was reasonably expected. Federal law does not give a right to see or copy "
                "information prepared for that purpose. Your ordinary medical and billing "
                "records are not withheld on this ground."
            ),
            facts=(
                _text("proceeding", "The proceeding (civil, criminal or administrative; name)"),
                _confirm(
                    "compiled_for_proceeding",
                    "The information was compiled for, or in reasonable anticipation of, this "
                    "proceeding (it is not the ordinary record of care)",
                ),
            ),
        ),
        DenialGround(
            code=GroundCode.INMATE_COPY,
            title="Inmate's copy (correctional setting)",
            citation="45 CFR 164.524(a)(2)(ii)",
            reviewable=False,
            scope=(
                "A covered entity that is a correctional institution, or a covered health care "
                "provider acting under its direction, may deny an inmate's request to obtain a "
                "copy, if obtaining the copy would jeopardize the health, safety, security, "
                "custody or rehabilitation of the individual or of other inmates, or the safety "
                "of any officer, employee or other person at the institution or responsible "
                "for transporting the inmate. Inspection is not affected."
            ),
            explanation=(
                "We cannot give you a copy of part of your records while you are in a "
                "correctional facility, because having the copy could put the health, safety, "
                "security, custody or rehabilitation of you or others at risk. You may still "
                "inspect (look at) these records."
            ),
            facts=(
                _text("institution", "Correctional institution"),
                _confirm(
                    "acting_for_institution",
                    "The practice is, or acts under the direction of, this correctional "
                    "institution",
                ),
                _text(
                    "jeopardy",
                    "How a copy would jeopardize health, safety, security, custody or "
                    "rehabilitation",
                    internal=True,
                ),
            ),
            copy_only=True,
        ),
        DenialGround(
            code=GroundCode.RESEARCH_IN_PROGRESS,
            title="Research that includes treatment, in progress",
            citation="45 CFR 164.524(a)(2)(iii)",
            reviewable=False,
            scope=(
                "Protected health information created or obtained in the course of research "
                "that includes treatment, for as long as the research is in progress, provided "
                "the individual agreed to the denial when consenting to participate and was "
                "told that the right of access will be reinstated when the research is complete."
            ),
            explanation=(
                "Part of what you asked for comes from a research study that includes "
                "treatment and is still in progress. When you agreed to take part, you agreed "
                "that you would not have access to this information until the study ends. Your "
                "right to see and copy it returns when the study is complete."
            ),
            facts=(
                _text("study", "Research study (name or protocol number)"),
                _confirm("includes_treatment", "The research includes treatment"),
                _confirm("in_progress", "The research is still in progress"),
                _confirm(
                    "agreed_at_consent",
                    "The patient agreed to the suspension of access when consenting to take part",
                ),
                _confirm(
                    "told_access_resumes",
                    "The patient was told access will be reinstated when the research ends",
                ),
            ),
        ),
        DenialGround(
            code=GroundCode.PRIVACY_ACT,
            title="Privacy Act records",
            citation="45 CFR 164.524(a)(2)(iv); 5 U.S.C. 552a",
            reviewable=False,
            scope=(
                "Protected health information contained in records subject to the Privacy "
                "Act, 5 U.S.C. 552a, where the denial of access under the Privacy Act would "
                "meet the requirements of that law."
            ),
            explanation=(
                "Part of what you asked for is held in federal records covered by the Privacy "
                "Act, and that Act permits us to deny access to it."
            ),
            facts=(
                _text("system_of_records", "Privacy Act system of records"),
                _text("privacy_act_basis", "Privacy Act provision that permits the denial"),
            ),
        ),
        DenialGround(
            code=GroundCode.CONFIDENTIAL_SOURCE,
            title="Confidential source",
            citation="45 CFR 164.524(a)(2)(v)",
            reviewable=False,
            scope=(
                "The protected health information was obtained from someone other than a health "
                "care provider under a promise of confidentiality, and the access requested "
                "would be reasonably likely to reveal the source of the information."
            ),
            explanation=(
                "Part of what you asked for was given to us in confidence by someone who is not "
                "a health care provider, and letting you see it would be likely to reveal who "
                "that person is."
            ),
            facts=(
                _text("source", "Source of the information (kept internal)", internal=True),
                _confirm("source_not_provider", "The source is not a health care provider"),
                _confirm(
                    "promise_of_confidentiality",
                    "It was obtained under a promise of confidentiality",
                ),
                _confirm(
                    "would_reveal_source", "Access would be reasonably likely to reveal the source"
                ),
            ),
        ),
        DenialGround(
            code=GroundCode.ENDANGERMENT,
            title="Danger to life or physical safety",
            citation="45 CFR 164.524(a)(3)(i)",
            reviewable=True,
            scope=(
                "A licensed health care professional has determined, in the exercise of "
                "professional judgment, that the access requested is reasonably likely to "
                "endanger the life or physical safety of the individual or another person."
            ),
            explanation=(
                "A licensed health care professional has decided that giving you access to "
                "part of your records is reasonably likely to put your life or physical safety, "
                "or someone else's, in danger. You have the right to have this decision reviewed "
                "by another licensed health care professional who was not involved in it."
            ),
            facts=(
                _text(
                    "endangered", "Whose life or physical safety (the patient or another person)"
                ),
                _text(
                    "danger",
                    "How access is reasonably likely to endanger life or physical safety",
                    internal=True,
                ),
                _confirm(
                    "physical_not_emotional",
                    "The danger is to life or physical safety, not emotional distress or a mere "
                    "possibility of harm",
                ),
                _LICENSED_JUDGMENT,
            ),
        ),
        DenialGround(
            code=GroundCode.HARM_TO_OTHER_PERSON,
            title="Substantial harm to a person referred to",
            citation="45 CFR 164.524(a)(3)(ii)",
            reviewable=True,
            scope=(
                "The protected health information makes reference to another person (unless "
                "such other person is a health care provider) and a licensed health care "
                "professional has determined, in the exercise of professional judgment, that "
                "the access requested is reasonably likely to cause substantial harm to such "
                "other person."
            ),
            explanation=(
                "Part of your records refers to another person, and a licensed health care "
                "professional has decided that giving you access to it is reasonably likely to "
                "cause that person substantial harm. You have the right to have this decision "
                "reviewed by another licensed health care professional who was not involved in "
                "it."
            ),
            facts=(
                _text("other_person", "The person referred to", internal=True),
                _confirm("other_not_provider", "That person is not a health care provider"),
                _text(
                    "harm",
                    "The substantial harm access is reasonably likely to cause",
                    internal=True,
                ),
                _LICENSED_JUDGMENT,
            ),
        ),
        DenialGround(
            code=GroundCode.PERSONAL_REPRESENTATIVE_HARM,
            title="Personal representative: substantial harm",
            citation="45 CFR 164.524(a)(3)(iii)",
            reviewable=True,
            scope=(
                "The request for access is made by the individual's personal representative "
                "and a licensed health care professional has determined, in the exercise of "
                "professional judgment, that the provision of access to such personal "
                "representative is reasonably likely to cause substantial harm to the "
                "individual or another person."
            ),
            explanation=(
                "You asked for these records as the patient's personal representative. A "
                "licensed health care professional has decided that giving you access to part "
                "of them is reasonably likely to cause substantial harm to the patient or to "
                "another person. You have the right to have this decision reviewed by another "
                "licensed health care professional who was not involved in it."
            ),
            facts=(
                _text("representative_name", "Personal representative's name"),
                _text(
                    "harmed_person",
                    "Who would be harmed (the patient or another person)",
                    internal=True,
                ),
                _text(
                    "harm",
                    "The substantial harm access is reasonably likely to cause",
                    internal=True,
                ),
                _LICENSED_JUDGMENT,
            ),
            personal_representative_only=True,
        ),
    )
}

UNREVIEWABLE: tuple[GroundCode, ...] = tuple(c for c, g in GROUNDS.items() if not g.reviewable)
REVIEWABLE: tuple[GroundCode, ...] = tuple(c for c, g in GROUNDS.items() if g.reviewable)


# Spanish letter text, kept apart so a translator can review it on its own.
EXPLANATIONS_ES: dict[GroundCode, str] = {
    GroundCode.PSYCHOTHERAPY_NOTES: (
        "Parte de lo que solicitó son las notas de psicoterapia de su terapeuta. Son notas "
        "propias del terapeuta sobre las sesiones de consejería, guardadas aparte de su "
        "expediente médico. La ley federal no da derecho a verlas ni a copiarlas. Su expediente "
        "médico, incluidos medicamentos, resultados de pruebas, diagnósticos, plan de "
        "tratamiento y progreso, no se retiene por este motivo."
    ),
    GroundCode.LEGAL_PROCEEDING: (
        "Parte de lo que solicitó se preparó para un procedimiento legal, o porque se esperaba "
        "razonablemente uno. La ley federal no da derecho a ver ni copiar información preparada "
        "con ese fin. Sus expedientes médicos y de facturación ordinarios no se retienen por "
        "este motivo."
    ),
    GroundCode.INMATE_COPY: (
        "No podemos darle una copia de parte de sus expedientes mientras esté en un centro "
        "correccional, porque tener la copia podría poner en riesgo la salud, la seguridad, la "
        "custodia o la rehabilitación de usted o de otras personas. Usted todavía puede "
        "inspeccionar (ver) estos expedientes."
    ),
    GroundCode.RESEARCH_IN_PROGRESS: (
        "Parte de lo que solicitó proviene de un estudio de investigación que incluye "
        "tratamiento y que sigue en curso. Cuando aceptó participar, aceptó no tener acceso a "
        "esta información hasta que termine el estudio. Su derecho a verla y copiarla vuelve "
        "cuando el estudio termine."
    ),
    GroundCode.PRIVACY_ACT: (
        "Parte de lo que solicitó está en expedientes federales cubiertos por la Ley de "
        "Privacidad (Privacy Act), y esa ley nos permite negar el acceso."
    ),
    GroundCode.CONFIDENTIAL_SOURCE: (
        "Parte de lo que solicitó nos fue dada en confianza por alguien que no es un proveedor "
        "de atención médica, y permitirle verla probablemente revelaría quién es esa persona."
    ),
    GroundCode.ENDANGERMENT: (
        "Un profesional de la salud con licencia decidió que darle acceso a parte de sus "
        "expedientes probablemente pondría en peligro su vida o su seguridad física, o la de "
        "otra persona. Usted tiene derecho a que otro profesional de la salud con licencia, que "
        "no participó en la decisión, la revise."
    ),
    GroundCode.HARM_TO_OTHER_PERSON: (
        "Parte de sus expedientes se refiere a otra persona, y un profesional de la salud con "
        "licencia decidió que darle acceso probablemente causaría un daño sustancial a esa "
        "persona. Usted tiene derecho a que otro profesional de la salud con licencia, que no "
        "participó en la decisión, la revise."
    ),
    GroundCode.PERSONAL_REPRESENTATIVE_HARM: (
        "Usted solicitó estos expedientes como representante personal del paciente. Un "
        "profesional de la salud con licencia decidió que darle acceso a parte de ellos "
        "probablemente causaría un daño sustancial al paciente o a otra persona. Usted tiene "
        "derecho a que otro profesional de la salud con licencia, que no participó en la "
        "decisión, la revise."
    ),
}


def ground(code: GroundCode | str) -> DenialGround:
    """The catalogue entry for ``code``; anything not in the catalogue is not a ground."""
    try:
        return GROUNDS[GroundCode(code)]
    except ValueError:
        raise RuleViolation(
            f"'{code}' is not a lawful ground for denying access; the only grounds are those of "
            "45 CFR 164.524(a)(1)-(3)."
        ) from None


def is_reviewable(code: GroundCode) -> bool:
    return GROUNDS[code].reviewable


# ---------------------------------------------------------------------------
# Validating a ground with its facts
# ---------------------------------------------------------------------------

FactValue = str | bool


@dataclass(frozen=True)
class GroundSelection:
    """A ground chosen for (part of) a request, with the facts recorded for it."""

    code: GroundCode
    facts: Mapping[str, FactValue] = field(default_factory=dict)
    # What the denial withholds: inspection, a copy, or both.
    withholds: AccessKind = AccessKind.BOTH
    # The licensed professional who made the determination (reviewable grounds).
    determined_by: Staff | None = None


@dataclass(frozen=True)
class ValidatedGround:
    ground: DenialGround
    facts: Mapping[str, FactValue]
    withholds: AccessKind
    determined_by: Staff | None

    @property
    def letter_facts(self) -> dict[str, FactValue]:
        """Facts that may be printed in the letter (internal ones left out)."""
        return {
            spec.name: self.facts[spec.name]
            for spec in self.ground.facts
            if not spec.internal and spec.name in self.facts
        }


def validate_ground(
    selection: GroundSelection,
    *,
    requester_kind: RequesterKind,
    psychotherapy_notes_kept_separately: bool | None = None,
) -> ValidatedGround:
    """Accept a ground with its facts, or raise RuleViolation saying what is missing or wrong.

    ``psychotherapy_notes_kept_separately`` is what the practice's designated record set
    map says about where therapy notes are kept (access-rules 10.3); it is required for
    the psychotherapy-notes ground.
    """
    g = ground(selection.code)
    known = {spec.name for spec in g.facts}
    for name in selection.facts:
        if name not in known:
            raise InvalidInput(name, f"not a fact of the ground '{g.title}'")

    cleaned: dict[str, FactValue] = {}
    for spec in g.facts:
        value = selection.facts.get(spec.name)
        if spec.kind is FactKind.CONFIRM:
            if value is not True:
                raise RuleViolation(
                    f"The ground '{g.title}' ({g.citation}) applies only if this is true and "
                    f"confirmed: {spec.label}."
                )
            cleaned[spec.name] = True
        else:
            text = value.strip() if isinstance(value, str) else ""
            if not text:
                raise RuleViolation(
                    f"The ground '{g.title}' ({g.citation}) needs this recorded: {spec.label}."
                )
            cleaned[spec.name] = text

    code = g.code
    if code is GroundCode.PSYCHOTHERAPY_NOTES:
        if psychotherapy_notes_kept_separately is None:
            raise RuleViolation(
                "Record in the designated record set map whether psychotherapy notes are kept "
                "separately before denying on this ground (45 CFR 164.524(e), 164.501)."
            )
        if not psychotherapy_notes_kept_separately:
            raise RuleViolation(
                "The designated record set map says therapy notes are kept in the regular "
                "chart. Notes kept in the chart are not psychotherapy notes and must be "
                "provided (45 CFR 164.501; access-rules 10.3)."
            )
    if g.copy_only and selection.withholds is not AccessKind.COPY:
        raise RuleViolation(
            f"The ground '{g.title}' ({g.citation}) may deny a copy only; inspection must stay "
            "open. Withhold the copy and offer inspection."
        )
    if (
        g.personal_representative_only
        and requester_kind is not RequesterKind.PERSONAL_REPRESENTATIVE
    ):
        raise RuleViolation(
            f"The ground '{g.title}' ({g.citation}) applies only when a personal representative "
            "makes the request; here the patient asked for their own records."
        )
    if g.reviewable:
        if selection.determined_by is None:
            raise RuleViolation(
                f"The ground '{g.title}' ({g.citation}) needs a determination by a licensed "
                "health care professional; record who made it."
            )
        problem = licence_problem(selection.determined_by)
        if problem is not None:
            raise RuleViolation(
                f"The ground '{g.title}' ({g.citation}) needs a determination by a licensed "
                f"health care professional: {problem}."
            )
    return ValidatedGround(
        ground=g,
        facts=cleaned,
        withholds=selection.withholds,
        determined_by=selection.determined_by if g.reviewable else None,
    )


# ---------------------------------------------------------------------------
# Reasons that are NOT grounds (access-rules 4.3)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InvalidReason:
    code: str
    title: str
    explanation: str
    patterns: tuple[re.Pattern[str], ...]


def _rx(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


# Words that say "not" in the forms people type them.
_NEG = (
    r"(?:not|never|unable to|cannot|can't|won't|wouldn't|couldn't|doesn't|does not|did not|didn't)"
)

INVALID_REASONS: tuple[InvalidReason, ...] = (
    InvalidReason(
        code="emotional_harm",
        title="Emotional or psychological harm in general",
        explanation=(
            "Emotional or psychological distress or harm in general is not a ground for denying "
            "access. The only harm-based ground for the patient's own request is a licensed "
            "health care professional's determination that access is reasonably likely to "
            "endanger someone's life or physical safety (45 CFR 164.524(a)(3)(i); HHS FAQ 2046; "
            "access-rules 4.3)."
        ),
        patterns=_rx(
            r"\b(?:emotional(?:ly)?|psycholog\w*|mental(?:ly)?)\s+(?:distress\w*|harm\w*|"
            r"damage\w*|trauma\w*|upset\w*|injur\w*|pain|suffering|anguish|well[- ]?being)",
            # "respiratory distress" and the like are clinical, not emotional.
            r"(?<!respiratory )(?<!fetal )(?<!cardiac )(?<!acute )\bdistress(?:ed|ing)?\b",
            r"\btraumati[sz](?:e|ed|ing)\b",
            r"\bre-?traumati[sz]\w*",
        ),
    ),
    InvalidReason(
        code="may_not_understand",
        title="The patient may not understand or may be upset",
        explanation=(
            "That the patient may not understand the records, may misread them or may be upset "
            "by them is not a ground for denying access. Offer to explain the records or to "
            "prepare an agreed summary instead (45 CFR 164.524(c)(2)(iii); HHS FAQ 2046; "
            "access-rules 4.3)."
        ),
        patterns=_rx(
            rf"\b{_NEG}\s+(?:\w+\s+){{0,3}}(?:understand|comprehend|interpret|make sense)",
            r"\bmisunderst\w*|\bmisinterpret\w*|\bmisread\w*",
            r"\bconfus(?:e|ed|es|ing|ion)\b",
            r"\b(?:upset|upsetting|overwhelm\w*|alarm(?:ed|ing)|frighten\w*|scare[ds]?|"
            r"worr(?:y|ied|ies))\b",
            r"\btoo\s+(?:complex|complicated|technical|sensitive)\b",
        ),
    ),
    InvalidReason(
        code="mere_possibility_of_harm",
        title="A mere possibility of harm",
        explanation=(
            "A mere possibility of harm is not enough. A harm-based denial needs a licensed "
            "health care professional's determination that access is reasonably likely to "
            "endanger life or physical safety, or to cause substantial harm under "
            "45 CFR 164.524(a)(3)(ii)-(iii) (HHS FAQ 2046; access-rules 4.3)."
        ),
        patterns=_rx(
            r"\b(?:might|could|may)\s+(?:possibly\s+|potentially\s+|conceivably\s+)?"
            r"(?:cause|lead to|result in|do)\s+(?:\w+\s+)?harm",
            r"\b(?:might|could|may)\s+(?:possibly\s+|potentially\s+)?be\s+harmful",
            r"\bpossib(?:le|ility|ly)\s+(?:of\s+)?(?:\w+\s+)?harm",
            r"\bpotential(?:ly)?\s+(?:for\s+)?(?:\w+\s+)?harm",
            r"\bjust in case\b",
            r"\bto be (?:on the )?safe side\b",
            r"\bcan't rule out\b|\bcannot rule out\b",
        ),
    ),
    InvalidReason(
        code="unpaid_bill",
        title="Unpaid bill or outstanding balance",
        explanation=(
            "Access may never be denied or held back because the patient has not paid a bill "
            "for care. A fee may be charged only for the copy itself, within the limits of "
            "45 CFR 164.524(c)(4) (HHS guidance 2016; access-rules 3.7)."
        ),
        patterns=_rx(
            r"\b(?:unpaid|outstanding|overdue|past[- ]?due|delinquent)\s+(?:medical\s+)?"
            r"(?:bill|balance|invoice|account|charge|amount|fee|debt)s?\b",
            r"\bbalance\s+(?:due|owed|owing|outstanding)\b",
            r"\b(?:has|have|hasn't|haven't|has not|have not|did not|didn't|never)\s+"
            r"(?:yet\s+)?paid\b",
            r"\bnot\s+(?:been\s+)?paid\b",
            r"\bnon-?payment\b",
            r"\bowe[sd]?\b|\bowing\b",
            r"\bin collections?\b|\bsent to collections?\b",
        ),
    ),
    InvalidReason(
        code="other_provider_records",
        title="Records that came from another provider",
        explanation=(
            "Records the practice received from another provider are part of its designated "
            "record set when they are kept and used here, whatever their origin, and must be "
            "provided (45 CFR 164.501; access-rules 10.1 and 4.3)."
        ),
        patterns=_rx(
            r"\b(?:from|by|of)\s+(?:an?\s+|the\s+)?(?:another|a different|different|other|"
            r"outside|previous|prior|former|referring|external)\s+(?:\w+\s+)?"
            r"(?:provider|doctor|physician|practice|hospital|clinic|facility|specialist|office)s?",
            r"\b(?:outside|external|third[- ]party)\s+records?\b",
            r"\bnot\s+our\s+(?:own\s+)?records?\b",
            r"\b(?:we|practice)\s+(?:did not|didn't|does not|doesn't)\s+(?:create|author|"
            r"write|generate)\b",
            r"\bnot\s+(?:created|authored|written|generated)\s+(?:by|here|at)\b",
        ),
    ),
    InvalidReason(
        code="clia_lab",
        title="The old CLIA laboratory exception",
        explanation=(
            "Laboratory results are not excepted from access. The former CLIA exception was "
            "removed from 45 CFR 164.524(a)(1) in 2014 (79 FR 7290); lab results in the "
            "designated record set must be provided (access-rules 4.3)."
        ),
        patterns=_rx(
            r"\bclia\b",
            r"\blab(?:oratory)?\s+(?:test\s+)?(?:results?|reports?|exception|exemption|"
            r"findings|values|work)\b",
            r"\b(?:blood|test|pathology)\s+results?\b",
        ),
    ),
)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("’", "'").replace("‘", "'").replace("‐", "-").replace("–", "-")
    return re.sub(r"\s+", " ", text)


def find_invalid_reasons(text: str) -> list[InvalidReason]:
    """Every rejected reason that ``text`` appears to give, in catalogue order."""
    norm = _normalise(text)
    return [r for r in INVALID_REASONS if any(p.search(norm) for p in r.patterns)]


def explain_invalid_reason(text: str) -> str | None:
    """Why the reason in ``text`` is not a ground for denial, or None if nothing matches."""
    found = find_invalid_reasons(text)
    if not found:
        return None
    return " ".join(f"{r.title}: {r.explanation}" for r in found)


# ---------------------------------------------------------------------------
# Partial and full denials (164.524(d)(1))
# ---------------------------------------------------------------------------


class PartKind(StrEnum):
    CATEGORY = "category"  # e.g. "therapy notes", "billing records"
    DATE_RANGE = "date_range"
    DOCUMENT = "document"


@dataclass(frozen=True)
class RequestPart:
    """A named part of what was requested."""

    id: str
    kind: PartKind
    description: str
    start: dt.date | None = None  # date ranges only
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise InvalidInput("part", "a part needs an identifier")
        if not self.description.strip():
            raise InvalidInput("description", "describe the part of the request")
        if self.kind is PartKind.DATE_RANGE:
            if self.start is None or self.end is None:
                raise InvalidInput("dates", "a date range needs a start and an end date")
            if self.start > self.end:
                raise InvalidInput("dates", "the start date is after the end date")


@dataclass(frozen=True)
class DeniedPart:
    part_id: str
    selection: GroundSelection


class Extent(StrEnum):
    FULL = "full"
    PARTIAL = "partial"


def _covers(withheld: AccessKind, requested: AccessKind) -> bool:
    return withheld is AccessKind.BOTH or withheld is requested


def check_denied_parts(
    request_parts: Iterable[RequestPart], denied: Iterable[DeniedPart]
) -> tuple[DeniedPart, ...]:
    """The denied parts, checked against the request: known, each once, at least one."""
    known = {p.id for p in request_parts}
    seen: set[str] = set()
    result = tuple(denied)
    if not result:
        raise RuleViolation("A denial must name at least one part of the request it withholds.")
    for d in result:
        if d.part_id not in known:
            raise RuleViolation(f"The denial names a part that is not in the request: {d.part_id}.")
        if d.part_id in seen:
            raise RuleViolation(f"The denial names the part {d.part_id} twice; give it one ground.")
        seen.add(d.part_id)
    return result


def fully_withheld_ids(
    request_parts: Iterable[RequestPart], denied: Iterable[DeniedPart], access: AccessKind
) -> set[str]:
    """Parts for which nothing of what was asked (inspection and/or copy) is given."""
    parts = tuple(request_parts)
    return {
        d.part_id
        for d in check_denied_parts(parts, denied)
        if _covers(d.selection.withholds, access)
    }


def denial_extent(
    request_parts: Iterable[RequestPart], denied: Iterable[DeniedPart], access: AccessKind
) -> Extent:
    """FULL when every part is withheld for all access asked; otherwise PARTIAL.

    A part denied only as a copy (the inmate ground) still leaves inspection open
    when inspection was asked for, so it does not make a denial full.
    """
    parts = tuple(request_parts)
    withheld = fully_withheld_ids(parts, denied, access)
    return Extent.FULL if withheld >= {p.id for p in parts} else Extent.PARTIAL


def released_parts(
    request_parts: Iterable[RequestPart], denied: Iterable[DeniedPart], access: AccessKind
) -> list[RequestPart]:
    """Parts that still proceed, wholly or in part (524(d)(1)): the letter lists these."""
    parts = tuple(request_parts)
    withheld = fully_withheld_ids(parts, denied, access)
    return [p for p in parts if p.id not in withheld]


# ---------------------------------------------------------------------------
# The denial letter (164.524(d)(2)-(3))
# ---------------------------------------------------------------------------

HHS_COMPLAINT_DAYS = 180  # 45 CFR 160.306(b)(3)


@dataclass(frozen=True)
class DenialLetterFacts:
    """What a denial letter says, as plain facts the letter composer fills in."""

    basis: str
    grounds: tuple[GroundCode, ...]
    # How to ask for review (reviewable grounds only): to whom and how.
    review_instructions: str = ""
    practice_contact: str = ""  # name or title
    practice_phone: str = ""
    hhs_complaint_included: bool = False
    hhs_180_day_limit_included: bool = False
    # 524(d)(3): the practice does not hold the information but knows who does.
    not_held_but_holder_known: bool = False
    holder_directions: str = ""
    partial: bool = False
    released_description: str = ""


_PHONE_DIGITS = 7


class LetterElement(StrEnum):
    """The elements of 164.524(d)(2)-(3) a denial letter must carry.

    Where the letter engine holds the element in a field, the value is that field's name
    (letters/requirements.py checks denial letters through this catalogue).
    """

    GROUNDS = "denial_grounds"
    BASIS = "basis"
    REVIEW_HOW = "review_how"
    COMPLAINT_CONTACT = "complaint_contact"
    COMPLAINT_PHONE = "complaint_phone"
    HHS_COMPLAINT = "hhs_complaint"
    HHS_180_DAYS = "hhs_180_days"
    OTHER_HOLDER = "other_holder"
    RELEASED = "released_description"


# Each element as a sentence a user can act on, with the rule that requires it.
LETTER_ELEMENT_RULES: dict[LetterElement, str] = {
    LetterElement.GROUNDS: "The ground for the denial (45 CFR 164.524(a)).",
    LetterElement.BASIS: ("The basis for the denial, in plain language (45 CFR 164.524(d)(2)(i))."),
    LetterElement.REVIEW_HOW: (
        "The right to have the denial reviewed and how to ask for it (45 CFR 164.524(d)(2)(ii))."
    ),
    LetterElement.COMPLAINT_CONTACT: (
        "The name or title of the person to complain to at the practice "
        "(45 CFR 164.524(d)(2)(iii), 164.530(d))."
    ),
    LetterElement.COMPLAINT_PHONE: (
        "The telephone number of the practice's complaint contact "
        "(45 CFR 164.524(d)(2)(iii), 164.530(d))."
    ),
    LetterElement.HHS_COMPLAINT: (
        "How to complain to the Secretary of HHS (45 CFR 164.524(d)(2)(iii), 160.306)."
    ),
    LetterElement.HHS_180_DAYS: (
        f"That a complaint to HHS must be filed within {HHS_COMPLAINT_DAYS} days "
        "(45 CFR 160.306(b)(3))."
    ),
    LetterElement.OTHER_HOLDER: (
        "Where to direct the request, since the practice knows who holds the information "
        "(45 CFR 164.524(d)(3))."
    ),
    LetterElement.RELEASED: (
        "What is being provided, since the denial is partial (45 CFR 164.524(d)(1))."
    ),
}


def missing_letter_elements(letter: DenialLetterFacts) -> list[LetterElement]:
    """The 164.524(d)(2)-(3) elements the letter lacks, in the order of the rule; empty when
    complete. ``LETTER_ELEMENT_RULES`` says each as a sentence a user can act on.
    """
    missing: list[LetterElement] = []
    if not letter.grounds:
        missing.append(LetterElement.GROUNDS)
    if not letter.basis.strip():
        missing.append(LetterElement.BASIS)
    if any(is_reviewable(c) for c in letter.grounds) and not letter.review_instructions.strip():
        missing.append(LetterElement.REVIEW_HOW)
    if not letter.practice_contact.strip():
        missing.append(LetterElement.COMPLAINT_CONTACT)
    if sum(ch.isdigit() for ch in letter.practice_phone) < _PHONE_DIGITS:
        missing.append(LetterElement.COMPLAINT_PHONE)
    if not letter.hhs_complaint_included:
        missing.append(LetterElement.HHS_COMPLAINT)
    if not letter.hhs_180_day_limit_included:
        missing.append(LetterElement.HHS_180_DAYS)
    if letter.not_held_but_holder_known and not letter.holder_directions.strip():
        missing.append(LetterElement.OTHER_HOLDER)
    if letter.partial and not letter.released_description.strip():
        missing.append(LetterElement.RELEASED)
    return missing


# ---------------------------------------------------------------------------
# When the denial must issue (access-rules 4.6)
# ---------------------------------------------------------------------------


def check_denial_issue_date(issued: dt.date, effective_due: dt.date) -> int:
    """A written denial is due by the request's effective (possibly extended) due date.

    Returns the days to spare (0 when issued on the due date); refuses a late denial.
    """
    if issued > effective_due:
        raise RuleViolation(
            f"A denial issued on {issued.isoformat()} is late: it had to be issued by "
            f"{effective_due.isoformat()}, the request's due date (45 CFR 164.524(b)(2))."
        )
    return (effective_due - issued).days


def reviewable_denied_parts(denied: Collection[DeniedPart]) -> tuple[DeniedPart, ...]:
    """The denied parts that rest on a reviewable ground (only these may be reviewed)."""
    return tuple(d for d in denied if is_reviewable(d.selection.code))


# ---------------------------------------------------------------------------
# A denial's own lifecycle
# ---------------------------------------------------------------------------


class DenialStatus(StrEnum):
    DRAFT = "draft"  # unreviewable grounds only: ready to issue
    AWAITING_SIGNATURE = "awaiting_signature"  # routed to a licensed professional
    SIGNED = "signed"
    ISSUED = "issued"
    DISCARDED = "discarded"


class DenialAction(StrEnum):
    ROUTE = "route"  # to the licensed professional who determines (164.524(a)(3))
    SIGN = "sign"  # that professional's signed determination
    ISSUE = "issue"  # the written denial goes out (164.524(d))
    DISCARD = "discard"


DENIAL_STATUS_LABELS: dict[DenialStatus, str] = {
    DenialStatus.DRAFT: "Draft (ready to issue)",
    DenialStatus.AWAITING_SIGNATURE: "Awaiting the professional's sign-off",
    DenialStatus.SIGNED: "Signed (ready to issue)",
    DenialStatus.ISSUED: "Issued",
    DenialStatus.DISCARDED: "Discarded",
}

# Denials not yet issued or discarded: a request has at most one of these at a time.
DENIAL_IN_PREPARATION: frozenset[DenialStatus] = frozenset(
    {DenialStatus.DRAFT, DenialStatus.AWAITING_SIGNATURE, DenialStatus.SIGNED}
)

# (from, action) -> to. Issued and discarded are final: an issued letter is frozen, and a
# review changes the request, not the denial (164.524(d)(4)).
DENIAL_TRANSITIONS: dict[tuple[DenialStatus, DenialAction], DenialStatus] = {
    # Routing (or re-routing to another professional) a draft that has a reviewable ground.
    (DenialStatus.DRAFT, DenialAction.ROUTE): DenialStatus.AWAITING_SIGNATURE,
    (DenialStatus.AWAITING_SIGNATURE, DenialAction.ROUTE): DenialStatus.AWAITING_SIGNATURE,
    (DenialStatus.AWAITING_SIGNATURE, DenialAction.SIGN): DenialStatus.SIGNED,
    # Issuable once no determination is outstanding (164.524(a)(3)).
    (DenialStatus.DRAFT, DenialAction.ISSUE): DenialStatus.ISSUED,
    (DenialStatus.SIGNED, DenialAction.ISSUE): DenialStatus.ISSUED,
    **{(s, DenialAction.DISCARD): DenialStatus.DISCARDED for s in DENIAL_IN_PREPARATION},
}


def initial_denial_status(reviewable: bool) -> DenialStatus:
    """A draft resting on a reviewable ground waits for a professional's determination."""
    return DenialStatus.AWAITING_SIGNATURE if reviewable else DenialStatus.DRAFT


def check_denial_transition(
    status: DenialStatus, action: DenialAction, denial: str = "This denial", determiner: str = ""
) -> DenialStatus:
    """Return the denial's new status or refuse with a reason a user can read."""
    target = DENIAL_TRANSITIONS.get((status, action))
    if target is not None:
        return target
    label = DENIAL_STATUS_LABELS[status].lower()
    if status is DenialStatus.AWAITING_SIGNATURE and action is DenialAction.ISSUE:
        who = determiner or "a licensed professional"
        reason = (
            f"{denial} awaits the signed determination of {who} (45 CFR 164.524(a)(3)); it "
            "cannot be issued yet"
        )
    elif action is DenialAction.SIGN:
        reason = f"{denial} is {label}; there is nothing to sign"
    elif status in (DenialStatus.ISSUED, DenialStatus.DISCARDED):
        reason = f"{denial} is already {label}; it cannot be changed any more"
    else:
        reason = f"{denial} is {label}; it cannot be {_PAST[action]}"
    raise RuleViolation(reason[0].upper() + reason[1:] + ".")


_PAST: dict[DenialAction, str] = {
    DenialAction.ROUTE: "routed",
    DenialAction.SIGN: "signed",
    DenialAction.ISSUE: "issued",
    DenialAction.DISCARD: "discarded",
}
