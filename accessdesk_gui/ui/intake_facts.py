"""The intake facts of a request as (label, text) rows for the detail panel."""

from __future__ import annotations

from accessdesk_gui.domain.intake import (
    AUTHORITY_LABELS,
    CHANNEL_LABELS,
    DEFAULT_CATEGORIES,
    ELECTRONIC_FORMAT_LABELS,
    LANGUAGES,
    VERIFICATION_LABELS,
    Authority,
    Channel,
    ElectronicFormat,
    VerificationMethod,
)
from accessdesk_gui.services.requests import RequestDetail


def intake_rows(d: RequestDetail) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if d.authority:
        doc = d.authority_document or "document not yet noted"
        rows.append(("Authority", f"{AUTHORITY_LABELS[Authority(d.authority)]}; {doc}"))
    if d.requester_kind == "third_party_directive":
        signed = "signed" if d.directive_signed else "NOT signed"
        rows.append(
            (
                "Directive",
                f"to {d.directive_recipient or '(recipient missing)'} at "
                f"{d.directive_destination or '(destination missing)'}; {signed}",
            )
        )
    if d.verified_method:
        parts = [VERIFICATION_LABELS[VerificationMethod(d.verified_method)]]
        if d.verified_on:
            parts.append(str(d.verified_on))
        if d.verified_by:
            parts.append(f"by {d.verified_by}")
        rows.append(("Verified", ", ".join(parts)))
    else:
        rows.append(("Verified", "NOT YET — needed before access is provided"))
    what = []
    if d.categories:
        what.append(", ".join(DEFAULT_CATEGORIES.get(c, c) for c in d.categories))
    if d.date_from or d.date_to:
        what.append(f"dates {d.date_from or '…'} to {d.date_to or '…'}")
    if d.summary:
        agreed = "agreed" if d.summary_agreed else "agreement missing"
        fee = "fee agreed" if d.summary_fee_agreed else "fee agreement missing"
        what.append(f"summary instead of records ({agreed}; {fee})")
    if what:
        rows.append(("Scope details", "; ".join(what)))
    if d.electronic_format or d.agreed_format:
        asked = (
            ELECTRONIC_FORMAT_LABELS.get(ElectronicFormat(d.electronic_format), "")
            if (d.electronic_format)
            else "any"
        )
        rows.append(("Electronic form", f"asked: {asked}; agreed: {d.agreed_format or 'as asked'}"))
    if d.delivery == "email":
        rows.append(
            (
                "E-mail risk",
                "warned and accepted" if d.email_risk_accepted else "NOT yet accepted",
            )
        )
    if d.channel:
        rows.append(("Received by", CHANNEL_LABELS[Channel(d.channel)]))
    rows.append(("Letters in", LANGUAGES.get(d.preferred_language, d.preferred_language)))
    if d.fee_method:
        rows.append(
            (
                "Fee estimate",
                f"${d.fee_total} ({d.fee_method.replace('_', ' ')}), given {d.fee_given_on}",
            )
        )
    if d.possible_duplicate_of is not None:
        rows.append(("Possible duplicate", f"of request {d.possible_duplicate_of} (not blocked)"))
    if d.clarifications:
        rows.append(("Needs clarification", "\n".join(f"• {c}" for c in d.clarifications)))
    if d.attachments:
        rows.append(("Attachments", ", ".join(a.filename for a in d.attachments)))
    return rows
