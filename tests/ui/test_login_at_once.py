"""Logging in the moment the log-in window shows works, every time.

It used to fail 4 times in 5: the log-in ran on the UI thread while a preload thread was
still importing the models, and the ORM configured its mappers with a related class not
yet imported (InvalidRequestError ... 'DenialPart.position'), then refused every later
log-in silently. Each run is a fresh process, so the imports are cold as at a real start.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import PASSWORD

CHILD = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
app.setQuitOnLastWindowClosed(False)  # the dialog closes on success; then we report
from accessdesk_gui.ui import errors
crashes = []
errors.CrashDialog.ask = classmethod(lambda cls, p, ref, text: crashes.append(text))
errors.install()
from accessdesk_gui.store.db import Store
from accessdesk_gui.ui.app import start_login
store = Store.open(sys.argv[1])
dialog = start_login(store)
seen = {}

def type_and_log_in():  # queued right behind the preload, as a quick typist would be
    dialog.form.fields["username"].setText("admin")
    dialog.form.fields["password"].setText(sys.argv[2])
    dialog._on_ok()

def check():
    error = dialog.form.error_text("password")
    if dialog.actor is not None or error or crashes:
        seen.update(user=dialog.actor and dialog.actor.username, error=error, crashes=crashes)
        app.quit()

QTimer.singleShot(0, type_and_log_in)
t = QTimer(); t.timeout.connect(check); t.start(10)
QTimer.singleShot(30000, app.quit)
dialog.show()
app.exec()
print(json.dumps(seen))
"""


def _log_in_at_once(store_path, password: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(store_path), password],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_logging_in_as_soon_as_the_window_shows_succeeds_every_time(store, admin) -> None:
    for _ in range(5):
        assert _log_in_at_once(store.path, PASSWORD) == {
            "user": "admin",
            "error": "",
            "crashes": [],
        }


def test_a_refused_log_in_at_once_says_why(store, admin) -> None:
    seen = _log_in_at_once(store.path, "not the password at all")
    assert seen["user"] is None and seen["crashes"] == []
    assert seen["error"]  # a message at the password, never nothing
