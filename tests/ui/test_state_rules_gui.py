"""State rules on the practice's screens: "verify before relying" beside a rule marked S,
marking it verified from Settings, and the benefit-claim question at intake."""

from __future__ import annotations

import datetime as dt

from accessdesk_gui.domain.fees import BENEFIT_CLAIM_QUESTION, FeeMethod
from accessdesk_gui.domain.intake import Delivery, Format
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import auth, practice, requests, state_rules
from accessdesk_gui.ui.request_detail import RequestDetailPanel
from accessdesk_gui.ui.request_form import NewRequestDialog
from accessdesk_gui.ui.settings_dialog import SettingsDialog
from accessdesk_gui.ui.state_rules_tab import VerifyRuleDialog
from tests.conftest import PASSWORD, make_intake
from tests.ui.test_gui import _fill, _ok

TODAY = dt.date(2026, 3, 3)
AGAINST = "La. R.S. 46:18(B) at legis.la.gov, read 2026-12-02"


def office(store, state: str):
    officer = practice.set_up(
        store, practice.PracticeInfo("Clinic", "1 Main St", "555-010-0199", state), "admin",
        "Ada Admin", PASSWORD,
    )  # fmt: skip
    desk = auth.add_user(store, officer, "desk", "Dee Desk", PASSWORD, {Role.FRONT_DESK})
    return officer, desk


def _detail(qtbot, store, actor, rid: int) -> RequestDetailPanel:
    panel = RequestDetailPanel(store, actor)
    qtbot.addWidget(panel)
    panel.today = TODAY
    panel.show_request(rid)
    return panel


def test_request_detail_says_verify_before_relying_until_the_rule_is_verified(
    qtbot, store, monkeypatch
) -> None:
    officer, desk = office(store, "LA")
    rid = requests.log_request(store, desk, make_intake(received=dt.date(2026, 3, 2)))
    panel = _detail(qtbot, store, desk, rid)
    text = panel.deadline.text()
    assert "La. R.S. 40:1165.1" in text and "Mark S" in text
    assert "Verify before relying" in text

    dlg = SettingsDialog(store, officer)
    qtbot.addWidget(dlg)
    tab = dlg.state_rules
    assert tab is not None
    codes = [tab.table.item(i, 0).text() for i in range(tab.table.rowCount())]
    assert codes == ["LA-ANY", "LA-FEE"]
    assert "Verify before relying" in tab.table.item(0, 5).text()
    monkeypatch.setattr(VerifyRuleDialog, "ask", classmethod(lambda cls, rule, parent: AGAINST))
    tab.table.selectRow(0)
    assert tab.verify_selected()
    assert "Verified by Ada Admin" in tab.table.item(0, 5).text()
    assert state_rules.rule_status(store, desk, "LA-ANY").verification is not None

    panel.show_request(rid)
    assert "Verify before relying" not in panel.deadline.text()
    assert "Verified by Ada Admin" in panel.deadline.text()


def test_a_refused_check_is_shown_and_nothing_recorded(qtbot, store, monkeypatch) -> None:
    officer, desk = office(store, "LA")
    dlg = SettingsDialog(store, officer)
    qtbot.addWidget(dlg)
    tab = dlg.state_rules
    assert tab is not None
    monkeypatch.setattr(VerifyRuleDialog, "ask", classmethod(lambda cls, rule, parent: "x"))
    tab.table.selectRow(0)
    assert not tab.verify_selected()
    assert "name the text checked" in tab.status.text()
    assert state_rules.rule_status(store, desk, "LA-ANY").verify_before_relying


def test_a_verified_rule_marked_v_shows_its_mark_without_the_warning(qtbot, store) -> None:
    _, desk = office(store, "TX")
    rid = requests.log_request(
        store,
        desk,
        make_intake(received=dt.date(2026, 3, 2), format=Format.PAPER, delivery=Delivery.PICKUP),
    )
    text = _detail(qtbot, store, desk, rid).deadline.text()
    assert "Tex. Occ. Code 159.006(d)" in text and "Mark V" in text
    assert "Verify before relying" not in text


def test_intake_asks_about_a_benefit_claim_where_the_state_makes_it_free(qtbot, store) -> None:
    _, desk = office(store, "NY")
    dialog = NewRequestDialog(store, desk, today=TODAY)
    qtbot.addWidget(dialog)
    box = dialog.form.fields["benefit_claim"]
    assert box.text() == BENEFIT_CLAIM_QUESTION  # type: ignore[attr-defined]
    _fill(dialog, patient_name="Ana Diaz", patient_dob="1980-01-01", received="2026-03-02",
          scope="All")  # fmt: skip
    box.setChecked(True)  # type: ignore[attr-defined]
    assert dialog.intake().benefit_claim
    fee = dialog.form.fields["fee_method"]
    fee.setCurrentIndex(fee.findData(FeeMethod.FLAT_FEE.value))  # type: ignore[attr-defined]
    dialog.fee_edits[next(iter(dialog.fee_edits))].setText("6.50")
    _ok(dialog)
    assert "benefit claim" in dialog.form.error_text("fee_method")
    assert dialog.request_id is None


def test_intake_does_not_ask_where_the_state_has_no_such_rule(qtbot, store, desk) -> None:
    dialog = NewRequestDialog(store, desk, today=TODAY)  # the fixture's practice is in OR
    qtbot.addWidget(dialog)
    assert "benefit_claim" not in dialog.form.fields
    assert "earlier_copy" not in dialog.form.fields
