"""The start-up hook the installer's smoke test uses to time the frozen app."""

from __future__ import annotations

import time

import pytest
from pytestqt.qtbot import QtBot

from accessdesk_gui.ui.app import SMOKE_QUIT_ENV, run_demo


def test_demo_reports_its_window_and_quits_by_itself(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(SMOKE_QUIT_ENV, "50")
    before = time.time()
    assert run_demo() == 0  # returns only because the hook quit the event loop
    line = capsys.readouterr().out.strip()
    assert line.startswith("accessdesk-smoke: window shown at ")
    assert float(line.rsplit(" ", 1)[1]) >= before
