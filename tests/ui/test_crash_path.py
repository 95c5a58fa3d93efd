"""One crash path: a bug anywhere shows one dialog with a reference and is logged without
PHI; user errors go to the field or message line; ops run one at a time, off the UI thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.ui import errors, operations
from accessdesk_gui.ui.forms import FormDialog, line
from accessdesk_gui.ui.operations import Op

PATIENT = "Zoë Fictionalpatient"  # invented; must never reach the log


def _log_text() -> str:
    assert errors._handler is not None
    errors._handler.flush()
    return Path(errors._handler.baseFilename).read_text(encoding="utf-8")  # type: ignore[attr-defined]


@pytest.fixture
def hooks():
    errors.install()
    yield
    errors.uninstall()


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_buttons_slot_shows_one_dialog_and_logs_no_phi(qtbot, crashes, hooks) -> None:
    button = QPushButton("Save")
    qtbot.addWidget(button)

    def submit() -> None:
        raise ValueError(f"cannot save {PATIENT}, born 1961-04-05, MRN 99-1234")

    button.clicked.connect(submit)
    button.click()
    [(reference, details)] = crashes
    crashes.clear()
    assert reference.startswith("AD-") and len(reference) == 9
    assert "ValueError" in details and "in submit" in details and "AccessDesk " in details
    log = _log_text()
    assert reference in log and "ValueError" in log and "in submit" in log
    for phi in (PATIENT, "1961-04-05", "99-1234"):
        assert phi not in log and phi not in details


def test_a_bug_on_another_thread_reaches_the_ui_thread(qtbot, crashes, hooks) -> None:
    def work() -> None:
        raise KeyError(PATIENT)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: len(crashes) == 1)
    [(reference, details)] = crashes
    crashes.clear()
    assert "KeyError" in details and PATIENT not in details
    assert reference in _log_text() and PATIENT not in _log_text()


def test_the_cause_of_a_bug_is_kept_without_its_message(crashes) -> None:
    def fn() -> None:
        try:
            raise OSError(f"/home/{PATIENT}/scan.pdf")
        except OSError as exc:
            raise RuntimeError("wrapped") from exc

    Op(None, fn).run()
    [(_ref, details)] = crashes
    crashes.clear()
    assert "OSError" in details and "RuntimeError" in details
    assert PATIENT not in details and "wrapped" not in details


class _Dialog(FormDialog):
    def __init__(self, fn) -> None:
        super().__init__("Test")
        self.form.add("mrn", "MRN:", line())
        self.fn = fn
        self.result = None

    def submit(self) -> None:
        self.run_op(self.fn, lambda r: setattr(self, "result", r))


def test_user_errors_go_to_the_field_or_the_message_line_never_the_crash_path(
    qtbot, crashes
) -> None:
    def bad_field() -> None:
        raise InvalidInput("mrn", "is not a medical record number.")

    dlg = _Dialog(bad_field)
    qtbot.addWidget(dlg)
    dlg._on_ok()
    assert dlg.form.error_text("mrn") == "MRN is not a medical record number."
    assert dlg.result is None and dlg.buttons.buttons()[0].isEnabled()

    def refused() -> None:
        raise RuleViolation(f"{PATIENT} has a denial in review.")

    dlg.fn = refused
    dlg._on_ok()
    assert dlg.form.error_text("") == f"{PATIENT} has a denial in review."
    assert crashes == [] and dlg.result is None

    dlg.fn = lambda: 42
    dlg._on_ok()
    assert dlg.result == 42


def test_ok_waits_while_the_op_runs(qtbot, held_ops) -> None:
    dlg = _Dialog(lambda: 7)
    qtbot.addWidget(dlg)
    dlg._on_ok()
    ok = dlg.buttons.buttons()[0]
    assert not ok.isEnabled() and dlg.result is None  # a second click cannot submit twice
    held_ops.run_next()
    assert dlg.result == 7 and ok.isEnabled()


def test_ops_run_on_one_worker_in_order_and_report_on_the_ui_thread(qtbot) -> None:
    old = operations.use_pool(None)  # the real worker
    try:
        running, overlap, order, delivered_on = [0], [], [], []
        lock = threading.Lock()

        def job(n: int):
            def fn() -> int:
                with lock:
                    running[0] += 1
                    overlap.append(running[0])
                total = sum(range(200_000))  # some work, so overlapping would show
                with lock:
                    running[0] -= 1
                return n + total * 0

            return fn

        def done(n: int) -> None:
            order.append(n)
            delivered_on.append(threading.current_thread() is threading.main_thread())

        for n in range(5):
            Op(None, job(n)).success(done).run()
        qtbot.waitUntil(lambda: len(order) == 5, timeout=10_000)
        assert order == [0, 1, 2, 3, 4] and max(overlap) == 1 and all(delivered_on)
    finally:
        operations.wait_idle()
        operations.use_pool(old)


def test_emitting_many_times_does_not_free_true(qtbot) -> None:
    """PySide6 6.12's emit() drops a reference to True each time (ui/qtcompat.py): a long
    day's ops would free it and abort the app. Every emit in ui/ goes through emit()."""
    import sys

    from PySide6.QtCore import QObject, Signal

    from accessdesk_gui.ui.qtcompat import emit

    class Source(QObject):
        said = Signal(object)

    source, heard = Source(), []
    source.said.connect(heard.append)
    before = sys.getrefcount(True)
    for n in range(20_000):  # more than the references a loaded app holds
        emit(source.said, n)
    assert len(heard) == 20_000
    assert sys.getrefcount(True) >= before
