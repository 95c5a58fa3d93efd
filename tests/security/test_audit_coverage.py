"""Every service entry point leaves an audit entry (ASTM E2147: who, what, when, whose).

The test finds the entry points itself: every public function in accessdesk_gui.services
whose first parameter is the store. A new one fails here until it is added to CALLS (and
writes an entry) or to NO_ENTRY with the reason it needs none.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import accessdesk_gui.services as services_pkg
from accessdesk_gui.domain.denials import GroundCode
from accessdesk_gui.domain.drs import to_dict
from accessdesk_gui.domain.drs_catalogue import demo_map
from accessdesk_gui.domain.fees import FeeMethod
from accessdesk_gui.domain.intake import Delivery, Format, RequesterKind, VerificationMethod
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.letters import LetterKind
from accessdesk_gui.services import practice
from accessdesk_gui.services.denials import DraftInput, PartInput
from accessdesk_gui.services.errors import AuthenticationFailed
from accessdesk_gui.services.letters import MailMethod
from accessdesk_gui.store.models import AuditEntry
from tests.conftest import PASSWORD, make_intake
from tests.denialflow_support import FACTS, TODAY, log, set_up_office, two_parts

D = dt.date(2026, 2, 1)
ISSUE = dt.date(2026, 2, 12)  # the denial's letter date (denialflow_support: received 01-31)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Reads that show no single patient's record, or settings and figures: no entry needed.
NO_ENTRY = {
    "practice.is_set_up": "is the store set up (no patient data)",
    "practice.get_practice": "the practice's own address",
    "queue.count_requests": "a count for the queue",
    "queue.list_requests": "queue rows; opening a record (get_request) is audited",
    "queue.view_counts": "counts beside the queue's views",
    "queue.first_page": "queue rows and their count",
    "actor.list_users": "staff names",
    "backups.get_setting": "a setting",
    "backups.backup_folder": "a setting",
    "backups.latest_anchor": "a head hash",
    "audit_service.anchors": "head hashes",
    "audit_service.check_against_anchors": "part of verify, which is audited",
    "accounts.waiting_until": "a time",
    "session.lock_minutes": "a setting",
    "queue.reminders": "counts of open requests for the day's reminder",
    "denials.get_letter_settings": "the practice's complaint contact (a setting)",
    "denials.determiner_options": "staff names and licences",
    "denials.user_id_by_name": "a staff member's id",
    "drs.map_in_force": "the record-set map describes systems, never a patient",
    "drs.latest_map": "the record-set map describes systems, never a patient",
    "drs.get_version": "the record-set map describes systems, never a patient",
    "drs.list_versions": "the record-set map's versions (systems, never a patient)",
    "drs.load_draft": "the wizard's unfinished map (systems, never a patient)",
    "drs.open_items_count": "a number of unchecked items; the checklist itself is audited",
    "letters.get_logo_path": "the practice's letterhead logo (a setting)",
    "letters.mail_queue": "summary rows of several requests' unsent letters (a queue)",
    "letters.batch_pdf": (
        "joins the queue's PDFs for the printer without showing them (off the UI thread); "
        "the print job is audited letter by letter by log_batch_printed"
    ),
    "review.reviewing_officials": "staff names",
    "review.reviewer_candidates": "staff names, each with why they may or may not review",
    "review.my_queue": "summary rows of several requests awaiting a professional (a queue)",
    "review.open_reviews": "summary rows of several requests' undecided reviews (a queue)",
    "state_rules.list_rules": "the state rules and the practice's checks (no patient data)",
    "state_rules.rule_status": "one state rule and the practice's check (no patient data)",
    "state_rules.rule_for_source": "the state rule behind a citation (no patient data)",
}

# Reads that show one patient's data: each must leave an entry naming that patient's request
# (ASTM E2147: who viewed whose record, what, when). The rest of CALLS change data.
VIEWS = {
    "requests.get_request": "rid",
    "desk.attachment_data": "rid3",
    "drs.build_request_checklist": "rid3",
    "drs.request_checklist": "rid3",
    "drs.open_items": "rid3",
    "letters.list_letters": "lrid",
    "letters.get_letter": "lrid",
    "letters.original_pdf": "lrid",
    "denials.compose_draft": "drid",
    "denials.compose_letter": "drid",
    "denials.preview_letter": "drid",
    "denials.get_denial": "drid",
    "denials.denials_for_request": "drid",
    "denials.letter_pdf": "drid",
    "review.get_review": "drid",
    "review.reviews_for_denial": "drid",
    "review.determination_pdf": "drid",
}


def _entry_points() -> list[str]:
    found = []
    for mod_info in pkgutil.iter_modules(services_pkg.__path__):
        mod = importlib.import_module(f"accessdesk_gui.services.{mod_info.name}")
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != mod.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params and params[0] == "store":
                found.append(f"{mod_info.name}.{name}")
    return sorted(found)


def _calls(tmp: Path) -> dict[str, Callable[[Any, dict[str, Any]], Any]]:
    from accessdesk_gui.services import (
        accounts,
        audit_service,
        auth,
        backups,
        denials,
        desk,
        drs,
        intake,
        keysheet,
        letters,
        part2,
        requests,
        review,
        session,
        state_rules,
    )

    def reviewable_draft(c: dict[str, Any]) -> DraftInput:
        """Part p1 released, p2 denied on a reviewable ground, determined by Dr. Patel."""
        return DraftInput(
            parts=(
                PartInput("p1", "Visit notes 2020-2025"),
                PartInput(
                    "p2",
                    "Note of 2024-03-05",
                    ground="endangerment",
                    facts=FACTS[GroundCode.ENDANGERMENT],
                ),
            ),
            rationale="Documented risk recorded in the chart.",
            determiner_id=c["office"].patel.user_id,
        )

    def build_checklist(st: Any, c: dict[str, Any]) -> None:
        c["item"] = drs.build_request_checklist(st, c["desk"], c["rid3"]).items[0].id

    def wrong_password(st: Any, c: dict[str, Any]) -> None:
        try:
            denials.verify_reentry(st, c["office"].patel, "not the password", "denial")
        except AuthenticationFailed:
            return
        raise AssertionError("a wrong password was accepted")

    return {
        "practice.set_up": lambda st, c: None,  # done by the fixture; checked below
        "auth.login": lambda st, c: auth.login(st, "desk", PASSWORD),
        "auth.add_user": lambda st, c: auth.add_user(
            st, c["admin"], "newbie", "New Bie", PASSWORD, {Role.FRONT_DESK}
        ),
        "intake.log_request": lambda st, c: intake.log_request(
            st,
            c["desk"],
            make_intake(),
            D,
            attachment=intake.NewAttachment("scan.pdf", PDF),
            fee=intake.NewEstimate(FeeMethod.FLAT_FEE),
        ),
        "requests.get_request": lambda st, c: requests.get_request(st, c["desk"], c["rid"]),
        "requests.start": lambda st, c: requests.start(st, c["desk"], c["rid"], D),
        "requests.extend": lambda st, c: requests.extend(
            st, c["desk"], c["rid"], D, "Records off-site", D + dt.timedelta(days=50)
        ),
        "requests.assign": lambda st, c: requests.assign(st, c["desk"], c["rid"], None),
        "requests.fulfil": lambda st, c: requests.fulfil(st, c["desk"], c["rid"], D),
        "requests.withdraw": lambda st, c: requests.withdraw(
            st, c["desk"], c["rid2"], D, "Asked to"
        ),
        "audit_service.verify": lambda st, c: audit_service.verify(st, c["desk"]),
        "audit_service.report": lambda st, c: audit_service.report(st, c["admin"]),
        "accounts.unlock": lambda st, c: accounts.unlock(st, c["admin"], "desk"),
        "accounts.change_password": lambda st, c: accounts.change_password(
            st, c["desk"], PASSWORD, "another long passphrase"
        ),
        "accounts.reset_password": lambda st, c: accounts.reset_password(
            st, c["admin"], "desk", PASSWORD
        ),
        "backups.set_setting": lambda st, c: backups.set_setting(st, c["admin"], "x", "1"),
        "backups.set_backup_folder": lambda st, c: backups.set_backup_folder(
            st, c["admin"], tmp / "b"
        ),
        "backups.backup": lambda st, c: backups.backup(st, c["desk"], tmp / "b"),
        "backups.backup_now": lambda st, c: backups.backup_now(st, "admin", tmp / "b2"),
        "backups.backup_if_due": lambda st, c: backups.backup_if_due(
            st, "admin", dt.datetime(2030, 1, 1)
        ),
        "keysheet.sheet_text": lambda st, c: keysheet.sheet_text(st, c["admin"]),
        "session.record_lock": lambda st, c: session.record_lock(st, c["desk"]),
        "session.unlock": lambda st, c: session.unlock(st, c["desk"], "desk", PASSWORD),
        # -- the desk (intake): a fresh request, still received
        "desk.verify": lambda st, c: desk.verify(
            st, c["desk"], c["rid3"], VerificationMethod.PHOTO_ID, D
        ),
        "desk.clarify": lambda st, c: desk.clarify(st, c["desk"], c["rid3"], directive_signed=True),
        "desk.add_note": lambda st, c: desk.add_note(st, c["desk"], c["rid3"], "Called back."),
        "desk.estimate": lambda st, c: desk.estimate(
            st,
            c["desk"],
            c["rid3"],
            FeeMethod.FLAT_FEE,
            [desk.parse_fee_line("copy_labor:6.50")],
            D,
        ),
        "desk.attach": lambda st, c: c.update(
            att=desk.attach(st, c["desk"], c["rid3"], "request 李.pdf", PDF)
        ),
        "desk.attachment_data": lambda st, c: desk.attachment_data(st, c["desk"], c["att"]),
        # -- the designated record set map and a request's checklist
        "drs.save_map": lambda st, c: drs.save_map(
            st, c["admin"], demo_map(), dt.date(2025, 1, 1), today=D
        ),
        "drs.import_map": lambda st, c: drs.import_map(
            st, c["admin"], to_dict(demo_map()), dt.date(2027, 1, 1), today=D
        ),
        "drs.save_draft": lambda st, c: drs.save_draft(st, c["admin"], {"practice": "Half-done"}),
        "drs.discard_draft": lambda st, c: drs.discard_draft(st, c["admin"]),
        "drs.build_request_checklist": build_checklist,
        "drs.request_checklist": lambda st, c: drs.request_checklist(st, c["desk"], c["rid3"]),
        "drs.open_items": lambda st, c: drs.open_items(st, c["desk"], c["rid3"]),
        "drs.check_off": lambda st, c: drs.check_off(st, c["desk"], c["item"], D),
        "drs.reopen": lambda st, c: drs.reopen(st, c["desk"], c["item"]),
        # -- letters: issued, listed, looked at, output, mailed, copied
        "letters.set_logo_path": lambda st, c: letters.set_logo_path(st, c["admin"], ""),
        "letters.issue_letter": lambda st, c: c.update(
            letter=letters.issue_letter(
                st,
                c["desk"],
                c["lrid"],
                LetterKind.ACKNOWLEDGEMENT,
                extra={"fee_estimate": "6.50"},
                on=D,
            ).id
        ),
        "letters.list_letters": lambda st, c: letters.list_letters(st, c["desk"], c["lrid"]),
        "letters.get_letter": lambda st, c: letters.get_letter(st, c["desk"], c["letter"]),
        "letters.original_pdf": lambda st, c: letters.original_pdf(st, c["desk"], c["letter"]),
        "letters.letter_for_output": lambda st, c: letters.letter_for_output(
            st, c["desk"], c["letter"], "save"
        ),
        "letters.log_batch_printed": lambda st, c: letters.log_batch_printed(
            st, c["desk"], [c["letter"]]
        ),
        "letters.record_mailing": lambda st, c: letters.record_mailing(
            st, c["desk"], c["letter"], MailMethod.FIRST_CLASS, D
        ),
        "letters.reprint": lambda st, c: letters.reprint(st, c["desk"], c["letter"]),
        # -- a denial on a reviewable ground: drafted, routed, signed, issued
        "denials.set_complaint_contact": lambda st, c: denials.set_complaint_contact(
            st, c["admin"], "the Privacy Officer", "555-010-0199"
        ),
        "denials.compose_draft": lambda st, c: denials.compose_draft(
            st, c["desk"], c["drid"], reviewable_draft(c), TODAY
        ),
        "denials.draft_denial": lambda st, c: c.update(
            did=denials.draft_denial(st, c["desk"], c["drid"], reviewable_draft(c))
        ),
        "denials.route_denial": lambda st, c: denials.route_denial(
            st, c["desk"], c["did"], c["office"].patel.user_id
        ),
        "denials.verify_reentry": wrong_password,  # a refused signature is on the trail
        "denials.sign_denial": lambda st, c: denials.sign_denial(
            st, c["office"].patel, c["did"], PASSWORD
        ),
        "denials.compose_letter": lambda st, c: denials.compose_letter(
            st, c["desk"], c["did"], ISSUE
        ),
        "denials.preview_letter": lambda st, c: denials.preview_letter(
            st, c["desk"], c["did"], ISSUE
        ),
        "denials.issue_denial": lambda st, c: denials.issue_denial(st, c["desk"], c["did"], ISSUE),
        "denials.get_denial": lambda st, c: denials.get_denial(st, c["desk"], c["did"]),
        "denials.denials_for_request": lambda st, c: denials.denials_for_request(
            st, c["desk"], c["drid"]
        ),
        "denials.letter_pdf": lambda st, c: denials.letter_pdf(st, c["desk"], c["did"]),
        "denials.discard_denial": lambda st, c: denials.discard_denial(
            st, c["desk"], c["did2"], "Drafted on the wrong request"
        ),
        # -- its review by a designated official
        "review.revoke_reviewer": lambda st, c: review.revoke_reviewer(
            st, c["admin"], c["office"].okafor.user_id
        ),
        "review.designate_reviewer": lambda st, c: review.designate_reviewer(
            st, c["admin"], c["office"].okafor.user_id
        ),
        "review.request_review": lambda st, c: c.update(
            rv=review.request_review(st, c["desk"], c["did"], dt.date(2026, 2, 20))
        ),
        "review.assign_reviewer": lambda st, c: review.assign_reviewer(
            st, c["desk"], c["rv"], c["office"].lee.user_id, dt.date(2026, 2, 21)
        ),
        "review.decide_review": lambda st, c: review.decide_review(
            st, c["office"].lee, c["rv"], {}, ["p2"], dt.date(2026, 3, 1), PASSWORD
        ),
        "review.get_review": lambda st, c: review.get_review(st, c["desk"], c["rv"]),
        "review.reviews_for_denial": lambda st, c: review.reviews_for_denial(
            st, c["desk"], c["did"]
        ),
        "review.determination_pdf": lambda st, c: review.determination_pdf(st, c["desk"], c["rv"]),
        # -- the patient's Part 2 consent for a directive (42 CFR 2.31; access-rules 11.5)
        "part2.record_part2_consent": lambda st, c: part2.record_part2_consent(
            st, c["desk"], c["prid"], D, "Signed Part 2 consent naming Lakeside Law"
        ),
        # -- the practice's check of a state rule (access-rules 11.1)
        "state_rules.verify_rule": lambda st, c: state_rules.verify_rule(
            st, c["admin"], "CA-COPY", "Cal. Health & Safety Code 123110(b), leginfo.ca.gov"
        ),
    }


def _count(store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count(AuditEntry.id))) or 0)


def _newest(store) -> AuditEntry:
    with store.read() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
        s.expunge(entry)
        return entry


def test_every_service_entry_point_writes_an_audit_entry(store, admin, desk, tmp_path) -> None:
    from accessdesk_gui.services import requests

    calls = _calls(tmp_path)
    points = _entry_points()
    unknown = [p for p in points if p not in calls and p not in NO_ENTRY]
    assert not unknown, f"new service entry points: add them to CALLS or NO_ENTRY: {unknown}"
    assert practice.is_set_up(store) and _count(store) > 0  # set_up wrote its entries
    from accessdesk_gui.services import denials

    office = set_up_office(store, admin, desk)
    mail = {"delivery": Delivery.MAIL, "format": Format.PAPER, "mail_address": "1 Invented Way"}
    ctx: dict[str, Any] = {
        "admin": admin,
        "desk": desk,
        "office": office,
        "rid": requests.log_request(store, desk, make_intake(), D),
        "rid2": requests.log_request(store, desk, make_intake(), D),
        "rid3": requests.log_request(store, desk, make_intake(patient_name="Nguyễn Ba"), D),
        "lrid": requests.log_request(store, desk, make_intake(**mail), D),
        "drid": log(store, desk),
        "prid": requests.log_request(
            store,
            desk,
            make_intake(
                requester_kind=RequesterKind.THIRD_PARTY_DIRECTIVE,
                delivery=Delivery.THIRD_PARTY,
                directive_recipient="Lakeside Law",
            ),
            D,
        ),
    }
    ctx["did2"] = denials.draft_denial(
        store, desk, log(store, desk), two_parts(GroundCode.LEGAL_PROCEEDING)
    )
    silent, unnamed = [], []
    for name in calls:  # in CALLS' order: the lifecycle steps follow each other
        if name not in points or name == "practice.set_up":
            continue
        before = _count(store)
        calls[name](store, ctx)
        if _count(store) <= before:
            silent.append(name)
        elif name in VIEWS:
            entry = _newest(store)
            # A view names whose record was shown, and who looked (ASTM E2147).
            if (entry.patient_ref, entry.username) != (f"request:{ctx[VIEWS[name]]}", "desk"):
                unnamed.append(name)
    assert not silent, f"these wrote no audit entry: {silent}"
    assert not unnamed, f"these views do not name the patient's request and the viewer: {unnamed}"
    assert set(VIEWS) <= set(calls) and not set(VIEWS) & set(NO_ENTRY)
