"""The record set map wizard driven as a privacy officer would, and the request checklist."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWizard

from accessdesk_gui.domain.drs import GapCode
from accessdesk_gui.domain.drs_catalogue import (
    BILLING_CATEGORIES,
    DECISION_CATEGORIES,
    MEDICAL_CATEGORIES,
    demo_map,
)
from accessdesk_gui.domain.lifecycle import Action
from accessdesk_gui.services import drs, requests
from accessdesk_gui.ui.drs_wizard import (
    PAGES,
    CategoriesPage,
    DrsWizard,
    MappingPage,
    ResponsibilitiesPage,
    ReviewPage,
    SystemsPage,
)
from accessdesk_gui.ui.main_window import MainWindow
from tests.conftest import make_intake

TODAY = dt.date(2026, 3, 1)


def _wizard(qtbot, store, actor) -> DrsWizard:
    w = DrsWizard(store, actor, TODAY)
    qtbot.addWidget(w)
    w.show()
    return w


def _finish(w: DrsWizard) -> None:
    w.button(QWizard.WizardButton.FinishButton).click()


def test_pages_are_listed_in_one_tuple_in_order() -> None:
    assert (ResponsibilitiesPage, SystemsPage, CategoriesPage, MappingPage, ReviewPage) == PAGES


def test_wizard_start_to_finish_saves_a_version_and_writes_the_policy(
    qtbot, store, admin, tmp_path: Path
) -> None:
    w = _wizard(qtbot, store, admin)
    r = w.page_of(ResponsibilitiesPage)
    r.titles.setPlainText("Medical records clerk\nPrivacy officer")
    r.complaint_name.setText("Privacy officer Zoë Nguyễn")
    r.complaint_phone.setText("(555) 010-0100")
    r.amendment_name.setText("Privacy officer")
    r.amendment_phone.setText("(555) 010-0100")
    w.next()

    sp = w.page_of(SystemsPage)
    sp.add_system("ehr")
    sp.name.setText("Chart EHR (fictional)")
    sp.add_system("practice_management")
    sp.name.setText("Billing platform (fictional)")
    sp.by_ba.setChecked(True)
    sp.ba_name.setText("O'Brien Billing LLC (fictional)")
    sp.ba_contact.setText("555-0167")
    sp.ba_how.setPlainText("Email the account manager the account number")
    sp.ba_days.setText("7")
    w.next()

    w.next()  # the default catalogue: medical, billing, decisions in; internal out

    mp = w.page_of(MappingPage)
    for c in MEDICAL_CATEGORIES + DECISION_CATEGORIES:
        mp.hold(c.code, "ehr", "Medical records clerk", "EHR > Export record")
    for c in BILLING_CATEGORIES:
        mp.hold(c.code, "practice_management", "Billing coordinator", "Ask the billing company")
    w.next()

    review = w.page_of(ReviewPage)
    assert review.gap_codes() == []
    assert review.isComplete()
    pdf = tmp_path / "policy.pdf"
    review.policy_path.setText(str(pdf))
    _finish(w)

    assert w.result() == 1
    assert w.saved is not None and w.saved.version == 1
    stored = drs.map_in_force(store, admin, TODAY)
    assert stored is not None
    m = stored.map
    assert m.responsibilities.complaint_contact.name_or_title == "Privacy officer Zoë Nguyễn"
    ba = m.system("practice_management").business_associate
    assert ba is not None and ba.turnaround_days == 7
    assert len(m.holdings) == len(MEDICAL_CATEGORIES + DECISION_CATEGORIES + BILLING_CATEGORIES)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert drs.load_draft(store, admin) is None


def test_closing_keeps_what_was_entered(qtbot, store, admin) -> None:
    w = _wizard(qtbot, store, admin)
    w.page_of(ResponsibilitiesPage).titles.setPlainText("Front office (Zoë)")
    w.next()
    sp = w.page_of(SystemsPage)
    sp.add_system("paper_archive")
    sp.name.setText("Old paper charts")
    w.reject()  # closing the window

    again = _wizard(qtbot, store, admin)
    assert again.page_of(ResponsibilitiesPage).titles.toPlainText() == "Front office (Zoë)"
    again.next()
    assert [s["name"] for s in again.page_of(SystemsPage).systems] == ["Old paper charts"]


@pytest.fixture
def demo_wizard(qtbot, store, admin) -> DrsWizard:
    """A wizard opened on a complete map (the demo practice's), to break one thing at a time."""
    drs.save_map(store, admin, demo_map(), dt.date(2025, 1, 1), today=TODAY)
    w = _wizard(qtbot, store, admin)
    w.next()
    return w


def _review(w: DrsWizard) -> ReviewPage:
    while not isinstance(w.currentPage(), ReviewPage):
        w.next()
    return w.page_of(ReviewPage)


def test_review_of_an_unchanged_complete_map_finds_nothing(demo_wizard) -> None:
    assert _review(demo_wizard).gap_codes() == []


def test_review_catches_billing_records_mapped_to_no_system(demo_wizard) -> None:
    w = demo_wizard
    w.next()
    w.next()
    mp = w.page_of(MappingPage)
    col = next(i for i, s in enumerate(mp.systems) if s["id"] == "billing")
    for row, c in enumerate(mp.cats):
        if c["group"] == "billing":
            mp.matrix.item(row, col).setCheckState(Qt.CheckState.Unchecked)
    review = _review(w)
    assert GapCode.BILLING_NOT_MAPPED in review.gap_codes()
    assert not review.isComplete()


def test_review_catches_a_category_excluded_without_rationale(demo_wizard) -> None:
    w = demo_wizard
    w.next()
    w.page_of(CategoriesPage).set_in_drs("decisions.case_management", False, "")
    assert GapCode.EXCLUSION_WITHOUT_RATIONALE in _review(w).gap_codes()


def test_review_catches_a_business_associate_without_retrieval_path(demo_wizard) -> None:
    sp = demo_wizard.page_of(SystemsPage)
    sp.list.setCurrentRow(next(i for i, s in enumerate(sp.systems) if s["id"] == "billing"))
    sp.ba_how.setPlainText("")
    assert GapCode.BA_WITHOUT_RETRIEVAL_PATH in _review(demo_wizard).gap_codes()


def test_review_catches_psychotherapy_notes_excepted_but_kept_in_the_chart(
    demo_wizard,
) -> None:
    w = demo_wizard
    w.next()
    cp = w.page_of(CategoriesPage)
    cp.psy.setChecked(True)
    assert cp.psy_warning.isVisibleTo(cp)  # the page says they cannot be excepted
    cp.psy_separate.setChecked(True)
    assert not cp.psy_warning.isVisibleTo(cp)
    cp.psy_separate.setChecked(False)
    review = _review(w)
    assert GapCode.PSYCHOTHERAPY_NOTES_IN_CHART in review.gap_codes()
    # Saving with gaps needs them acknowledged; then they are saved as a new version.
    assert not w.button(QWizard.WizardButton.FinishButton).isEnabled()
    review.accept_gaps.setChecked(True)
    review.policy_path.setText("")
    _finish(w)
    assert w.saved is not None and w.saved.version == 2


def test_record_set_map_action_is_for_privacy_officers_only(qtbot, store, admin, desk) -> None:
    officer = MainWindow(store, admin, today=TODAY)
    clerk = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(officer)
    qtbot.addWidget(clerk)
    assert officer.drs_action.isVisible()
    assert not clerk.drs_action.isVisible()


def test_request_detail_checks_off_items_and_fulfil_asks_to_confirm_open_ones(
    qtbot, store, admin
) -> None:
    drs.save_map(store, admin, demo_map(), dt.date(2025, 1, 1), today=TODAY)
    rid = requests.log_request(store, admin, make_intake(received=dt.date(2026, 2, 20)), TODAY)
    win = MainWindow(store, admin, today=TODAY)
    qtbot.addWidget(win)
    win.detail.show_request(rid)
    panel = win.detail.checklist
    items = panel.items()
    assert len(items) == len(drs.request_checklist(store, admin, rid).items) > 1
    items[0].setCheckState(0, Qt.CheckState.Checked)
    first = drs.request_checklist(store, admin, rid).items[0]
    assert (first.done_on, first.done_by) == (TODAY, "Ada Admin")
    assert "Ada Admin, 2026-03-01" in panel.items()[0].text(2)

    dlg = win.detail.action_dialog(Action.FULFIL, win.detail.detail)
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert "still open" in dlg.form.error_text("")
    assert requests.get_request(store, admin, rid).status.value == "received"
    dlg.form.fields["confirm_open_items"].setChecked(True)
    ok.click()
    assert requests.get_request(store, admin, rid).status.value == "fulfilled"
