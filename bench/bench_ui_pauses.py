"""The longest UI-thread pause while the user logs in, issues a letter, signs a denial and
backs up (target: at most 50 ms; ops run them on the worker, ui/operations.py).

Run from the repository root (offscreen is fine):
    QT_QPA_PLATFORM=offscreen PYTHONPATH=. python bench/bench_ui_pauses.py [--runs 5] [--sync]

A QTimer ticks every 5 ms on the UI thread; the longest gap between ticks while the action
runs is the longest time the window could not repaint or take a key. Each run is a fresh
process (cold imports, as at a real start) on one store made once with fictional people.
"baseline" is the same timer with nothing running. ``--sync`` runs every op on the UI
thread instead, as the app did before ops (what the numbers were).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ACTIONS = ("baseline", "log-in", "issue letter", "sign denial", "backup")
PASSWORD = "bench-password-only"


def prepare(folder: Path, runs: int) -> dict[str, object]:
    """A store with a practice, a desk, a physician, a request to write to, and one denial
    awaiting the physician's signature per run."""
    from accessdesk_gui.domain.denials import GroundCode
    from accessdesk_gui.domain.roles import Role
    from accessdesk_gui.services import auth, backups, denials, practice
    from accessdesk_gui.store.db import Store
    from tests.denialflow_support import FACTS, log, two_parts

    store = Store.open(folder / "bench.sqlite", create=True)
    admin = practice.set_up(
        store,
        practice.PracticeInfo("Bench Clinic", "1 Bench St\nTown, OR 97000", "555-010-0100", "OR"),
        "admin",
        "Bea Bench",
        PASSWORD,
    )
    desk = auth.add_user(store, admin, "desk", "Dee Desk", PASSWORD, {Role.FRONT_DESK})
    doc = auth.add_user(
        store, admin, "drbench", "Dr. Ben Bench", PASSWORD, {Role.LICENSED_PROFESSIONAL}, "MD", "1"
    )
    denials.set_complaint_contact(store, admin, "the Privacy Officer", "555-010-0199")
    backups.set_backup_folder(store, admin, folder / "usb")
    rid = log(store, desk)
    to_sign = []
    for _ in range(runs):
        r = log(store, desk)
        draft = two_parts(
            GroundCode.ENDANGERMENT, FACTS[GroundCode.ENDANGERMENT], determiner_id=doc.user_id
        )
        to_sign.append(denials.draft_denial(store, desk, r, draft))
    store.close()
    return {"store": str(folder / "bench.sqlite"), "request": rid, "denials": to_sign}


CHILD = r"""
import json, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
app.setQuitOnLastWindowClosed(False)
action, plan, index, sync = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
from accessdesk_gui.ui import errors, operations
crashes = []
errors.CrashDialog.ask = classmethod(lambda cls, p, ref, text: crashes.append(text))
errors.install()
if sync == "1":
    operations.use_pool(operations.RunAtOnce())
from accessdesk_gui.store.db import Store
store = Store.open(plan["store"])
ticks = []
timer = QTimer()
timer.setInterval(5)
timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
state = {}

def start():
    from accessdesk_gui.services.actor import Actor
    from accessdesk_gui.domain.roles import Role
    if action == "baseline":
        state["until"] = time.perf_counter() + 0.5
        state["done"] = lambda: time.perf_counter() >= state["until"]
    elif action == "log-in":
        from accessdesk_gui.ui.app import start_login
        dlg = start_login(store); dlg.show(); state["keep"] = dlg
        def type_in():
            dlg.form.fields["username"].setText("admin")
            dlg.form.fields["password"].setText(plan["password"])
            dlg._on_ok()
        QTimer.singleShot(0, type_in)
        state["done"] = lambda: dlg.actor is not None or bool(dlg.form.error_text("password"))
    elif action == "issue letter":
        from accessdesk_gui.services import auth
        from accessdesk_gui.letters import LetterKind
        from accessdesk_gui.ui.request_detail import RequestDetailPanel
        from accessdesk_gui.ui.login import preload
        from accessdesk_gui.ui.main_window import LETTER_IMPORTS
        admin = auth.login(store, "admin", plan["password"])  # before the timing starts
        preload(LETTER_IMPORTS)  # as the main window does on the worker once it shows
        panel = RequestDetailPanel(store, admin); panel.show(); state["keep"] = panel
        panel.show_request(plan["request"])
        operations.wait_idle()
        app.processEvents()
        panel.repaint()  # its first paint (~70 ms offscreen) is not the letter's doing
        app.processEvents()
        dlg = panel.letters.issue_dialog(LetterKind.ACKNOWLEDGEMENT, "en")
        before = panel.letters.last_issued if hasattr(panel.letters, "last_issued") else None
        QTimer.singleShot(0, dlg._on_ok)
        state["done"] = lambda: (
            getattr(panel.letters, "last_issued", None) is not before
            or bool(dlg.form.error_text(""))
        )
    elif action == "sign denial":
        from accessdesk_gui.services import auth
        from accessdesk_gui.ui.denial_dialogs import SignOffDialog
        doc = auth.login(store, "drbench", plan["password"])
        dlg = SignOffDialog(store, doc, plan["denials"][index]); dlg.show(); state["keep"] = dlg
        dlg.form.fields["password"].setText(plan["password"])
        QTimer.singleShot(0, dlg._on_ok)
        state["done"] = lambda: dlg.result() == 1 or bool(
            dlg.form.error_text("") or dlg.form.error_text("password")
        )
    elif action == "backup":
        from accessdesk_gui.services import auth
        from accessdesk_gui.ui.settings_dialog import BackupTab
        admin = auth.login(store, "admin", plan["password"])
        tab = BackupTab(store, admin); tab.show(); state["keep"] = tab
        tab.notify = lambda text, warn: state.setdefault("told", (text, warn))
        QTimer.singleShot(0, tab.back_up_now)
        state["done"] = lambda: "told" in state
    state["t0"] = time.perf_counter()
    ticks.append(state["t0"])
    timer.start()
    poll.start()

def check():
    if state.get("done") and state["done"]():
        end = time.perf_counter()
        poll.stop(); timer.stop()
        gaps = [b - a for a, b in zip(ticks, ticks[1:] + [end])]
        print(json.dumps({"max_gap_ms": max(gaps) * 1000, "took_ms": (end - state["t0"]) * 1000,
                          "told": state.get("told"), "crashes": crashes}))
        operations.wait_idle()
        app.quit()

poll = QTimer(); poll.setInterval(1); poll.timeout.connect(check)
QTimer.singleShot(0, start)
QTimer.singleShot(60000, app.quit)
app.exec()
"""


def run_child(action: str, plan: dict[str, object], index: int, sync: bool) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, action, json.dumps(plan), str(index), "1" if sync else "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"{action} failed:\n{out.stderr[-2000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    if result["crashes"]:
        raise SystemExit(f"{action} crashed:\n{result['crashes']}")
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sync", action="store_true", help="every op on the UI thread (the old way)")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="accessdesk-bench-") as tmp:
        # Keys in a throwaway file keyring, never the developer's own (as the tests do).
        os.environ["PYTHON_KEYRING_BACKEND"] = "tests.keyring_backend.MemoryKeyring"
        os.environ["ACCESSDESK_TEST_KEYRING_FILE"] = str(Path(tmp) / "keyring.json")
        import keyring

        from tests.keyring_backend import MemoryKeyring

        keyring.set_keyring(MemoryKeyring())
        plan = prepare(Path(tmp), args.runs)
        plan["password"] = PASSWORD
        mode = "on the UI thread (--sync)" if args.sync else "as ops on the worker"
        print(f"Longest UI-thread pause, ms, median of {args.runs} fresh processes, {mode}:")
        print(f"{'action':<14} {'pause median':>12} {'pause max':>10} {'action took':>12}")
        for action in ACTIONS:
            results = [run_child(action, plan, i, args.sync) for i in range(args.runs)]
            pauses = [float(r["max_gap_ms"]) for r in results]  # type: ignore[arg-type]
            took = [float(r["took_ms"]) for r in results]  # type: ignore[arg-type]
            print(
                f"{action:<14} {statistics.median(pauses):>12.0f} {max(pauses):>10.0f} "
                f"{statistics.median(took):>12.0f}"
            )


if __name__ == "__main__":
    main()
