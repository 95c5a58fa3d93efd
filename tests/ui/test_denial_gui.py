"""The denial and review loop on screen: a front-desk user drafts, a physician signs, the
desk issues and refers, a second physician reviews (pytest-qt, offscreen, no exec())."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialogButtonBox

from accessdesk_gui.domain.lifecycle import Status
from accessdesk_gui.services import denials, requests
from accessdesk_gui.services.denials import DenialStatus
from accessdesk_gui.ui import denial_dialogs as D
from accessdesk_gui.ui.main_window import MainWindow
from tests.conftest import PASSWORD
from tests.denialflow_support import log, pdf_text, set_up_office

TODAY = dt.date(2026, 2, 10)


def _ok(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _set(dialog, name: str, value: str) -> None:
    w = dialog.form.fields[name]
    if hasattr(w, "setPlainText"):
        w.setPlainText(value)
    elif hasattr(w, "setCurrentIndex"):
        w.setCurrentIndex(w.findData(value))
    else:
        w.setText(value)


def _compose(qtbot, win: MainWindow, rid: int, determiner_id: int) -> D.DenialComposerDialog:
    win.detail.show_request(rid)
    panel = win.detail.denials
    assert "compose" in panel.buttons
    dlg = panel.composer()
    qtbot.addWidget(dlg)
    dlg.set_part(0, "Visit notes 2020-2025")
    i = dlg.add_part()
    dlg.set_part(i, "Therapist's note of 2024-03-05", "endangerment")
    dlg.fact_widgets["endangered"].setText("the patient")
    dlg.fact_widgets["danger"].setText("Documented plan of self-harm")
    dlg.fact_widgets["physical_not_emotional"].setChecked(True)
    _set(dlg, "determiner", str(determiner_id))
    return dlg


def test_the_whole_loop_with_desk_physician_and_reviewer(qtbot, store, admin, desk, monkeypatch):
    o = set_up_office(store, admin, desk)
    rid = log(store, desk)

    # Front desk drafts; a typed non-reason is explained as it is typed and refused.
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    assert win.queue_action is None  # no sign-off queue for the front desk
    dlg = _compose(qtbot, win, rid, o.patel.user_id)
    dlg.reason.setPlainText("The patient may not understand the note")
    assert "Not a ground for denial" in dlg.reason_check.text()
    _ok(dlg)
    assert "not a lawful reason" in dlg.form.error_text("rationale")
    assert denials.denials_for_request(store, desk, rid) == []
    dlg.reason.setPlainText("Documented risk in the chart")
    assert dlg.reason_check.isHidden()

    # The preview renders the letter that would be sent.
    shown: list[bytes] = []
    monkeypatch.setattr(D.DenialComposerDialog, "show_preview", lambda self, pdf: shown.append(pdf))
    dlg.preview()
    assert shown and "Therapist's note of 2024-03-05" in pdf_text(shown[0])
    _ok(dlg)
    assert dlg.result() == dlg.DialogCode.Accepted
    did = dlg.denial_id
    assert denials.get_denial(store, desk, did).status is DenialStatus.AWAITING_SIGNATURE

    # The physician finds it in their queue and signs with the password again.
    doc = MainWindow(store, o.patel, today=TODAY)
    qtbot.addWidget(doc)
    assert doc.queue_action is not None
    q = D.MyQueueDialog(store, o.patel, TODAY)
    qtbot.addWidget(q)
    assert q.table.rowCount() == 1 and "Sign-off" in q.table.item(0, 3).text()
    sign = q.dialog_for(0)
    qtbot.addWidget(sign)
    _set(sign, "password", "wrong password")
    _ok(sign)
    assert "does not match" in sign.form.error_text("")
    _set(sign, "password", PASSWORD)
    _ok(sign)
    assert sign.result() == sign.DialogCode.Accepted
    q.refresh()
    assert q.table.rowCount() == 0

    # The desk issues the letter; the request is partly denied, the rest still to provide.
    win.detail.show_request(rid)
    panel = win.detail.denials
    assert f"issue_{did}" in panel.buttons
    issue = D.IssueDenialDialog(store, desk, did, TODAY)
    qtbot.addWidget(issue)
    assert "All required elements" in issue.missing.text()
    _ok(issue)
    assert issue.letter is not None
    assert requests.get_request(store, desk, rid).status is Status.PARTIALLY_DENIED

    # Review asked for; the determining physician is excluded with the reason shown.
    ask = D.ReviewRequestDialog(store, desk, did, TODAY)
    qtbot.addWidget(ask)
    _set(ask, "date", "2026-02-20")
    _ok(ask)
    refer = D.ReferReviewDialog(store, desk, ask.review_id, TODAY)
    qtbot.addWidget(refer)
    assert "made the original determination" in refer.excluded.text()
    reviewer = refer.form.fields["reviewer"]
    assert reviewer.findData(str(o.patel.user_id)) == -1
    _set(refer, "reviewer", str(o.lee.user_id))
    _ok(refer)  # the default date (today) is before the review was asked for
    assert "before it was asked for" in refer.form.error_text("")
    _set(refer, "date", "2026-02-21")
    _ok(refer)
    assert refer.letter is not None

    # The second physician reverses it; the request reopens for the reversed part.
    q = D.MyQueueDialog(store, o.lee, TODAY)
    qtbot.addWidget(q)
    decide = q.dialog_for(0)
    qtbot.addWidget(decide)
    assert "Documented risk in the chart" in decide.layout().itemAt(0).widget().text()
    _set(decide, "part_p2", "reverse")
    _set(decide, "date", "2026-02-25")
    _set(decide, "password", PASSWORD)
    _ok(decide)
    assert decide.result() == decide.DialogCode.Accepted
    assert "did not agree" in pdf_text(decide.letter.pdf)
    assert requests.get_request(store, desk, rid).status is Status.REVERSED_ON_REVIEW
    win.detail.show_request(rid)
    assert (
        "Mark fulfilled"
        in win.detail.buttons[next(a for a in win.detail.buttons if a.value == "fulfil")].text()
    )


def test_psychotherapy_notes_ground_needs_the_notes_kept_apart(qtbot, store, admin, desk):
    o = set_up_office(store, admin, desk)
    rid = log(store, desk)
    win = MainWindow(store, desk, today=TODAY)
    qtbot.addWidget(win)
    win.detail.show_request(rid)
    dlg = win.detail.denials.composer()
    qtbot.addWidget(dlg)
    dlg.set_part(0, "Session notes, 2024", "psychotherapy_notes")
    dlg.fact_widgets["kept_separately"].setChecked(True)
    dlg.fact_widgets["session_notes_only"].setChecked(True)
    dlg.fact_widgets["kept_by"].setText("Dr. Ana Fictitia")
    _set(dlg, "notes_separate", "no")
    _ok(dlg)
    assert "regular chart" in dlg.form.error_text("")
    _set(dlg, "notes_separate", "yes")
    _ok(dlg)
    assert dlg.result() == dlg.DialogCode.Accepted
    assert o  # office set up: complaint contact and reviewers exist
