"""The main window shows the queue before the ORM and services load, then finishes loading.

A fresh process is needed: in the test process SQLAlchemy is long imported. The figures
(how fast) are in bench/bench_queue.py; this checks what is done before the first paint.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from accessdesk_gui.services import queue, requests
from tests.conftest import make_intake

CHILD = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from accessdesk_gui.store.db import Store
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.ui.main_window import MainWindow
store = Store.open(sys.argv[1])
w = MainWindow(store, Actor(2, "desk", "Dee Desk", frozenset({Role.FRONT_DESK})))
seen = {}

def painted():
    seen["orm_at_first_paint"] = "sqlalchemy.orm" in sys.modules
    m = w.model
    seen["rows_at_first_paint"] = [m.data(m.index(r, 1)) for r in range(m.rowCount())]
    seen["ready_at_first_paint"] = w.ready

def check():
    if w.ready and "(" in w.view_combo.itemText(0):
        seen["ready"] = True
        seen["open_label"] = w.view_combo.itemText(0)
        seen["reminder"] = w.reminder.text()
        seen["panel"] = type(w.detail).__name__
        app.quit()

w.table.first_painted.connect(painted)
t = QTimer(); t.timeout.connect(check); t.start(20)
QTimer.singleShot(20000, app.quit)
w.show()
app.exec()
print(json.dumps(seen, ensure_ascii=False))
"""


def test_queue_paints_before_the_orm_loads_then_the_window_completes(store, admin, desk) -> None:
    for name in ("Zoë Example", "Nguyễn Thị Lan"):
        requests.log_request(
            store, desk, make_intake(patient_name=name, received=dt.date(2026, 2, 20))
        )
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(store.path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    # The first page is on screen, read without SQLAlchemy.
    assert seen["orm_at_first_paint"] is False
    assert sorted(seen["rows_at_first_paint"]) == ["Nguyễn Thị Lan", "Zoë Example"]
    assert seen["ready_at_first_paint"] is False
    # Then, without anyone asking, the counts, the reminder and the request panels arrive.
    assert seen.get("ready") is True, seen
    assert seen["open_label"] == "Open (2)"
    assert seen["reminder"] == queue.reminders(store, desk, dt.date.today()).text()
    assert seen["panel"] == "RequestDetailPanel"
