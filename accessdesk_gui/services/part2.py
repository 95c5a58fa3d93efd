"""42 CFR Part 2 records in a request (access-rules 11.5; final rule 89 FR 12472, compliance
date 2026-02-16, enforced by OCR).

A third-party directive is never fulfilled for Part 2 records without the consent Part 2
requires (42 CFR 2.31, 2.33): this records that consent on the request, with its audit entry
and a timeline event, in one transaction. requests.fulfil refuses a directive whose scope
includes Part 2 records until it is recorded (domain/drs.check_part2_release).
"""

from __future__ import annotations

import datetime as dt

from accessdesk_gui.domain.intake import check_text
from accessdesk_gui.domain.requesters import RequesterKind
from accessdesk_gui.services._common import load_request, record_event, snapshot
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.services.errors import InvalidInput, RuleViolation
from accessdesk_gui.store.db import Store


def record_part2_consent(
    store: Store, actor: Actor, request_id: int, on: dt.date, note: str
) -> None:
    """The patient's written Part 2 consent to this directive's recipient (42 CFR 2.31)."""
    actor.require_staff()
    text = check_text("part2_consent_note", note, required=True, limit=1000)
    with store.write() as s:
        r = load_request(s, request_id)
        if r.requester_kind != RequesterKind.THIRD_PARTY_DIRECTIVE.value:
            raise RuleViolation(
                "Part 2 consent is recorded for a directive to a third party; the patient's "
                "own access to Part 2 records needs none."
            )
        if on < r.received - dt.timedelta(days=365) or on > dt.date.today():
            raise InvalidInput("part2_consent_on", "is not a plausible date for this consent.")
        before = snapshot(r)
        r.part2_consent_on = on
        r.part2_consent_note = text
        record_event(
            s,
            actor,
            r,
            "part2_consent",
            f"Part 2 consent recorded (42 CFR 2.31), dated {on.isoformat()}: {text}",
            on,
            before,
        )
