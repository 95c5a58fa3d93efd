"""The start-up hook the installer's smoke test uses to time the frozen app."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from accessdesk_gui.services import practice
from accessdesk_gui.store.db import Store
from accessdesk_gui.ui.app import SMOKE_QUIT_ENV, run_app, run_demo


@pytest.fixture
def watchdog(qtbot: QtBot) -> Iterator[None]:
    """Without the hook the app would wait for a user forever: close it after 10 s."""
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(QApplication.closeAllWindows)
    timer.start(10_000)
    yield
    timer.stop()


def test_demo_reports_its_window_and_quits_by_itself(
    watchdog: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(SMOKE_QUIT_ENV, "50")
    before = time.time()
    assert run_demo() == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("accessdesk-smoke: MainWindow shown at ")
    assert float(line.rsplit(" ", 1)[1]) >= before


def test_first_start_reports_set_up_and_closing_it_sets_nothing_up(
    watchdog: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv(SMOKE_QUIT_ENV, "20")
    assert run_app(tmp_path / "new.sqlite") == 0  # the set-up dialog was closed unanswered
    assert "accessdesk-smoke: SetupDialog shown at " in capsys.readouterr().out
    store = Store.open(tmp_path / "new.sqlite")
    try:
        assert not practice.is_set_up(store)
    finally:
        store.close()
