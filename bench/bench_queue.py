"""The queue at scale: 100,000 requests with their timelines, measured beside bare baselines.

Run from the repository root (offscreen by default; --platform xcb under Xvfb):
    PYTHONPATH=. .venv/bin/python bench/bench_queue.py [--store /tmp/q100k.sqlite] [--runs 7]

1. Builds (or reuses) a store of N requests (default 100,000) spread over six years, with
   their timeline events, by bulk inserts (one executemany per batch), through the real
   schema (Alembic migrations) so every index is the shipped one.
2. Start to an interactive queue: a fresh process until the queue's table has painted its
   first page of rows, vs. a bare PySide6 process showing an empty QTableView.
   Log-in is skipped (an Actor is given): it waits on the user anyway. Also: the time
   until the window has loaded everything (request panels, counts, reminder) and the
   longest pause the UI thread makes meanwhile (how long a keystroke could wait).
   And the app's real path: start to the log-in dialog (store opened as ui/app.py does,
   integrity check in the background), how long that check runs on, and, after TYPING_S
   of typing, from pressing Log in to the queue painted.
3. A search keystroke to updated rows (the moment the 150 ms typing pause ends, to the
   visible rows fetched and painted), for prefixes of names, accents, MRN and number;
   baseline: the same two SQL statements through bare sqlcipher3 (same key, no ORM).
4. Sorting by each column, both directions, to the visible rows painted; baseline: the
   same ORDER BY ... LIMIT through bare sqlcipher3.
5. Peak memory (max RSS) of a GUI session that starts, searches, sorts and scrolls, vs. the
   bare PySide6 process.
Figures are medians. Results go to stdout as a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-only"
# How long the bench's user takes to type a user name and password at the log-in (a
# quick typist: about 25 keystrokes); the app loads the rest meanwhile.
TYPING_S = 2.0


def use_bench_keyring(store: Path) -> None:
    """The store is encrypted like a real one; its key goes to the tests' file keyring.

    The bench and its child processes open the store through the real Store.open with the
    default key provider (the keyring), so `import keyring` and the key lookup are in the
    figures; the key file sits next to the bench store, never in the developer's keyring.
    """
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.keyring_backend.MemoryKeyring"
    os.environ["ACCESSDESK_TEST_KEYRING_FILE"] = str(store) + ".bench-keyring.json"


FIRST = [
    "Zoë",
    "Nguyễn",
    "Liam",
    "Amara",
    "José",
    "Greta",
    "Samir",
    "Priya",
    "Marek",
    "Chloé",
    "Tomás",
    "Hannah",
    "Kwame",
    "Olivia",
    "Björn",
    "Ana",
    "Mía",
    "Şule",
    "Dvořák",
    "Łucja",
    "李",
    "王",
    "דוד",
    "מרים",
    "محمد",
    "فاطمة",
    "Иван",
    "Ольга",
    "Sean",
    "Aoife",
    "Kenji",
]
LAST = [
    "Marchetti",
    "Thị",
    "O'Brien",
    "Okonkwo",
    "Álvarez",
    "Fakesdottir",
    "Haddad",
    "Patel",
    "Nowak",
    "Dupont",
    "Ríos",
    "Lindqvist",
    "Asante",
    "Notreal",
    "Testberg",
    "García",
    "Müller",
    "Kowalski",
    "小龍",
    "明",
    "כהן",
    "לוי",
    "الأحمد",
    "حسن",
    "Петров",
    "Сидорова",
    "Murphy",
    "Ní Bhriain",
    "Tanaka",
    "Smith",
    "Johnson",
    "Nguyen",
    "Sample",
    "Example",
]


# -- 1. the store ------------------------------------------------------------------------


def build_store(path: Path, n: int, seed: int = 11) -> None:
    from sqlalchemy import insert, select

    from accessdesk_gui.domain import deadlines
    from accessdesk_gui.domain.intake import fold_for_search
    from accessdesk_gui.domain.roles import Role
    from accessdesk_gui.services import auth, practice
    from accessdesk_gui.store.db import Store
    from accessdesk_gui.store.models import AccessRequest, TimelineEvent, User

    rng = random.Random(seed)
    store = Store.open(path, create=True)
    admin = practice.set_up(
        store,
        practice.PracticeInfo("Bench Clinic (FICTIONAL)", "1 Bench St", "555-010-0000", "OR"),
        "bench",
        "Bea Bench",
        PASSWORD,
    )
    for i in range(4):
        auth.add_user(store, admin, f"staff{i}", f"Staff Member {i}", PASSWORD, {Role.FRONT_DESK})
    with store.read() as s:
        user_ids = list(s.scalars(select(User.id)))
    today = dt.date.today()
    start = today - dt.timedelta(days=6 * 365)
    span = (today - start).days
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    kinds = ["individual"] * 8 + ["personal_representative", "third_party_directive"]
    t0 = time.perf_counter()
    batch = 10_000
    next_id = 1
    with store.write(unaudited="benchmark seed data, not a user action") as s:
        for lo in range(0, n, batch):
            reqs = []
            events = []
            for i in range(lo, min(n, lo + batch)):
                # Denser towards today, as a growing practice's log would be.
                received = start + dt.timedelta(days=int(span * (rng.random() ** 0.7)))
                due = deadlines.federal_due(received)
                age = (today - received).days
                if age > 45 or (age > 10 and rng.random() < 0.6):
                    status = rng.choice(["fulfilled"] * 18 + ["withdrawn", "denied"])
                elif age > 2:
                    status = rng.choice(["in_progress", "in_progress", "extended"])
                else:
                    status = "received"
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}-{i % 997}"
                kind = rng.choice(kinds)
                rid = next_id
                next_id += 1
                closed = status in ("fulfilled", "withdrawn", "denied")
                verified = closed or rng.random() < 0.7
                reqs.append(
                    {
                        "id": rid,
                        "patient_name": name,
                        "patient_fold": fold_for_search(name),
                        "patient_dob": dt.date(1930 + rng.randrange(90), 1 + rng.randrange(12), 1),
                        "mrn": f"M{100000 + i}",
                        "received": received,
                        "requester_kind": kind,
                        "requester_name": name if kind == "individual" else f"Rep {i % 5003}",
                        "requester_relationship": "",
                        "scope": "All records",
                        "access": "copy",
                        "format": "electronic",
                        "delivery": "portal" if kind != "third_party_directive" else "third_party",
                        "mail_address": "",
                        "email": "",
                        "state": "OR",
                        "status": status,
                        "original_due": due,
                        "effective_due": due,
                        "due_source": "45 CFR 164.524(b)(2)(i)",
                        "extension_reasons": "",
                        "close_note": "",
                        "closed_on": received + dt.timedelta(days=rng.randrange(1, 29))
                        if closed
                        else None,
                        "assigned_to_id": rng.choice([None, *user_ids]),
                        "created_by_id": user_ids[0],
                        "created_at": now,
                        "verified_method": "photo_id" if verified else "",
                        "verified_on": received if verified else None,
                        "verified_by_id": user_ids[0] if verified else None,
                        "incomplete": (not closed) and rng.random() < 0.1,
                        "channel": rng.choice(["in_person", "mail", "fax", "email", "portal"]),
                        "preferred_language": "es" if rng.random() < 0.15 else "en",
                    }
                )
                events.append(_event(rid, received, now, "received", "Request received.", 1))
                if status != "received":
                    events.append(_event(rid, received, now, "start", "Work started.", 1))
                if closed:
                    events.append(_event(rid, received, now, status, "Closed.", 1))
            s.execute(insert(AccessRequest), reqs)
            s.execute(insert(TimelineEvent), events)
    store.close()
    print(f"built {n:,} requests in {time.perf_counter() - t0:.1f} s -> {path}", file=sys.stderr)


def _event(rid: int, day: dt.date, now: dt.datetime, kind: str, text: str, uid: int) -> dict:
    return {
        "request_id": rid,
        "event_date": day,
        "recorded_at": now,
        "kind": kind,
        "summary": text,
        "user_id": uid,
    }


# -- 2. child processes ------------------------------------------------------------------

CHILD_BARE = """
import sys, resource
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QTableView()); w.resize(1280, 760); w.show()
app.processEvents()
print("READY", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""

CHILD_QUEUE = """
import sys, time, resource
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from accessdesk_gui.store.db import Store
from accessdesk_gui.services.actor import Actor
from accessdesk_gui.domain.roles import Role
from accessdesk_gui.ui.main_window import MainWindow
# The app (ui/app.py) runs the full integrity check in the background while the log-in is
# typed; log-in is skipped here, so the check is taken as done (CHILD_LOGIN times it).
store = Store.open(sys.argv[1], check=False)
actor = Actor(1, "bench", "Bea Bench", frozenset({Role.FRONT_DESK, Role.PRIVACY_OFFICER}))
w = MainWindow(store, actor)
state = {}

def tick():
    # Every 5 ms while the rest loads: the longest gap is how long a keystroke would wait.
    now = time.perf_counter()
    state["stall"] = max(state["stall"], now - state["last"])
    state["last"] = now
    if w.ready and "full" not in state:
        state["full"] = now
    if "full" in state and now - state["full"] > 0.3:
        timer.stop()
        print("FULL", round((state["full"] - state["t0"]) * 1000), flush=True)
        print("STALL", round(state["stall"] * 1000), flush=True)
        if len(sys.argv) > 2:
            import bench.bench_queue as b
            b.session(w, app)
            print("PEAK", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
        app.quit()

timer = QTimer()
timer.setInterval(5)
timer.timeout.connect(tick)

def painted():
    # The table has painted its first page: the queue can be read, searched and sorted.
    assert w.model.rowCount() > 0
    print("READY", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
    state.update(t0=time.perf_counter(), last=time.perf_counter(), stall=0.0)
    timer.start()

w.table.first_painted.connect(painted)
w.show()
app.exec()
"""

CHILD_LOGIN = """
import sys, time, resource
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from accessdesk_gui.store.db import Store
from accessdesk_gui.ui.login import LoginDialog, preload
from accessdesk_gui.ui.operations import Op
from accessdesk_gui.ui.main_window import MainWindow
# As ui/app.py does: integrity check in the background, the log-in shown, then the rest
# of the app imported while the user types.
store = Store.open(sys.argv[1], check="background")
d = LoginDialog(store)
d.show()
app.processEvents()
print("READY", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
shown = time.perf_counter()
Op(None, preload).run()  # on the worker, as ui/app.py does

def check_done():
    if store.check_pending():
        return
    poll.stop()
    print("CHECK", round((time.perf_counter() - shown) * 1000), flush=True)

poll = QTimer()
poll.timeout.connect(check_done)
poll.start(10)

def log_in():
    # The user has typed a user name and password (TYPING_S after the dialog showed).
    d.form.fields["username"].setText("bench")
    d.form.fields["password"].setText(sys.argv[2])
    pressed = time.perf_counter()
    d.accepted.connect(lambda: open_window(pressed))  # the log-in op runs on the worker
    d._on_ok()

def open_window(pressed):
    assert d.actor is not None, "log-in failed"
    w = globals()["window"] = MainWindow(store, d.actor)  # kept: no parent holds it

    def painted():
        print("LOGIN", round((time.perf_counter() - pressed) * 1000), flush=True)
        QTimer.singleShot(0, app.quit)

    w.table.first_painted.connect(painted)
    w.show()

QTimer.singleShot(int(float(sys.argv[3]) * 1000), log_in)
app.exec()
"""


def time_child(code: str, *args: str, platform: str) -> dict[str, float]:
    """Runs a child; "ready" is ms from the start until it printed READY, the rest as sent."""
    env = {**os.environ, "QT_QPA_PLATFORM": platform, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    p = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert p.stdout is not None
    ready = p.stdout.readline()
    elapsed = (time.perf_counter() - t0) * 1000
    if not ready.startswith("READY"):
        p.wait()
        raise SystemExit(f"child failed: {ready} {p.stderr.read() if p.stderr else ''}")
    out = {"ready": elapsed, "rss": float(ready.split()[1])}
    for line in p.stdout:
        word, _, value = line.partition(" ")
        if word in ("FULL", "STALL", "PEAK", "CHECK", "LOGIN"):
            out[word.lower()] = float(value)
    p.wait()
    out.setdefault("peak", out["rss"])
    return out


# -- 3./4. in-process interaction ---------------------------------------------------------

SEARCHES = [
    "n", "ng", "ngu", "nguy", "nguye", "nguyen", "z", "zo", "zoe", "zoë",
    "o'b", "o'brien", "李", "כהן", "M1234", "M123456", "#4242", "50000", "xyzzy", "",
]  # fmt: skip


def visible_rows(w: object, app: object) -> None:
    """Let Qt lay out and paint the table: it fetches exactly the rows a user sees."""
    app.processEvents()  # type: ignore[attr-defined]
    model = w.model  # type: ignore[attr-defined]
    assert model.rowCount() == 0 or model._pages, "the visible rows were not fetched"


def measure_search(w: object, app: object, runs: int) -> dict[str, float]:
    out = {}
    for text in SEARCHES:
        times = []
        for _ in range(runs):
            w.search.blockSignals(True)  # type: ignore[attr-defined]
            w.search.setText(text)  # type: ignore[attr-defined]
            w.search.blockSignals(False)  # type: ignore[attr-defined]
            t0 = time.perf_counter()
            w.apply_filters()  # type: ignore[attr-defined]  # what the typing pause triggers
            visible_rows(w, app)
            times.append((time.perf_counter() - t0) * 1000)
        out[text or "(cleared)"] = statistics.median(times)
    return out


def measure_sort(w: object, app: object, runs: int) -> dict[str, float]:
    from PySide6.QtCore import Qt

    from accessdesk_gui.ui.queue_model import COLUMNS

    out = {}
    for col, (label, _key) in enumerate(COLUMNS):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                w.table.sortByColumn(col, order)  # type: ignore[attr-defined]
                visible_rows(w, app)
                times.append((time.perf_counter() - t0) * 1000)
            out[f"{label} {'asc' if order == Qt.SortOrder.AscendingOrder else 'desc'}"] = (
                statistics.median(times)
            )
    return out


def session(w: object, app: object) -> None:
    """A working session for the peak-memory figure: search, sort, scroll to the end."""
    from PySide6.QtCore import Qt

    from accessdesk_gui.services.queue import View

    measure_search(w, app, 1)
    measure_sort(w, app, 1)
    combo = w.view_combo  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData(View.ALL.value))
    for _ in range(30):
        w.table.verticalScrollBar().setValue(  # type: ignore[attr-defined]
            w.table.verticalScrollBar().maximum()  # type: ignore[attr-defined]
        )
        visible_rows(w, app)
        w.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # type: ignore[attr-defined]
        visible_rows(w, app)


def sql_baseline(path: Path, runs: int) -> tuple[float, float]:
    """The very statements the queue issues (count, then the page's plan), through bare
    sqlcipher3 with no model, no Qt and no row objects."""
    from accessdesk_gui.services import queue as r
    from accessdesk_gui.store.db import connect_raw
    from accessdesk_gui.ui.queue_model import PAGE

    con = connect_raw(path)
    con.execute("PRAGMA cache_size = -32000")  # as Store.raw_read's connections
    total = con.execute("SELECT max(id) FROM requests").fetchone()[0]

    def page(q: object) -> None:
        n = con.execute(*r.count_sql(q)).fetchone()[0]  # type: ignore[arg-type]
        if n == 0:
            return
        plan = r.page_plan(q, 0, PAGE, n, total, lambda s, p: con.execute(s, p).fetchall())  # type: ignore[arg-type]
        for sql, params in plan:
            con.execute(sql, params).fetchall()

    search_times, sort_times = [], []
    today = dt.date.today()
    for text, view in [(t, v) for t in SEARCHES for v in (r.View.OPEN, r.View.ALL)]:
        q = r.Query(view=view, search=text, today=today)
        for _ in range(runs):
            t0 = time.perf_counter()
            page(q)
            search_times.append((time.perf_counter() - t0) * 1000)
    for key, view in [(k, v) for k in r.SortKey for v in (r.View.OPEN, r.View.ALL)]:
        for desc in (False, True):
            q = r.Query(view=view, sort=key, descending=desc, today=today)
            for _ in range(runs):
                t0 = time.perf_counter()
                page(q)
                sort_times.append((time.perf_counter() - t0) * 1000)
    con.close()
    return max(search_times), max(sort_times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=Path("/tmp/accessdesk-bench-100k.sqlite"))
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--platform", default="offscreen")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    os.environ["QT_QPA_PLATFORM"] = args.platform
    use_bench_keyring(args.store)
    if args.rebuild and args.store.exists():
        for p in args.store.parent.glob(args.store.name + "*"):
            p.unlink()
    if not args.store.exists():
        build_store(args.store, args.n)

    # Start-up, alternating bare and queue so machine noise hits both alike.
    bare, queue, login = [], [], []
    for _ in range(args.runs):
        bare.append(time_child(CHILD_BARE, platform=args.platform))
        queue.append(time_child(CHILD_QUEUE, str(args.store), platform=args.platform))
        login.append(
            time_child(
                CHILD_LOGIN, str(args.store), PASSWORD, str(TYPING_S), platform=args.platform
            )
        )
    bare_ms = statistics.median(b["ready"] for b in bare)
    queue_ms = statistics.median(q["ready"] for q in queue)
    bare_rss = statistics.median(b["rss"] for b in bare) / 1024
    peak = time_child(CHILD_QUEUE, str(args.store), "session", platform=args.platform)["peak"]
    peak_mb = peak / 1024

    # Interaction, in this process.
    from PySide6.QtWidgets import QApplication

    from accessdesk_gui.domain.roles import Role
    from accessdesk_gui.services.actor import Actor
    from accessdesk_gui.store.db import Store
    from accessdesk_gui.ui.main_window import MainWindow

    app = QApplication(sys.argv)
    store = Store.open(args.store)
    actor = Actor(1, "bench", "Bea Bench", frozenset({Role.FRONT_DESK, Role.PRIVACY_OFFICER}))
    w = MainWindow(store, actor)
    w.show()
    # Searching and sorting are measured once the window has finished loading (the start
    # figures above cover the loading, and the longest pause a keystroke meets during it).
    while not w.ready:
        app.processEvents()
        time.sleep(0.005)
    app.processEvents()
    searches = measure_search(w, app, args.runs)
    sorts = measure_sort(w, app, args.runs)
    # The same over every request of six years ("All"), as when looking up an old one.
    from PySide6.QtCore import Qt

    from accessdesk_gui.services.queue import View

    w.view_combo.setCurrentIndex(w.view_combo.findData(View.ALL.value))
    w.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)  # by due date, as the app opens
    searches_all = measure_search(w, app, args.runs)
    sorts_all = measure_sort(w, app, args.runs)
    base_search, base_sort = sql_baseline(args.store, args.runs)
    store.close()

    result = {
        "requests": args.n,
        "start_queue_ms": round(queue_ms),
        "start_bare_ms": round(bare_ms),
        "start_ratio": round(queue_ms / bare_ms, 2),
        "start_everything_loaded_ms": round(
            statistics.median(q["ready"] + q["full"] for q in queue)
        ),
        "longest_ui_pause_while_loading_ms": round(statistics.median(q["stall"] for q in queue)),
        "start_login_dialog_ms": round(statistics.median(x["ready"] for x in login)),
        "start_login_dialog_ratio": round(
            statistics.median(x["ready"] for x in login) / bare_ms, 2
        ),
        "integrity_check_after_login_shown_ms": round(statistics.median(x["check"] for x in login)),
        "login_pressed_to_queue_painted_ms": round(statistics.median(x["login"] for x in login)),
        "search_worst_ms": round(max(searches.values()), 1),
        "search_all_view_worst_ms": round(max(searches_all.values()), 1),
        "search_all_view_median_ms": round(statistics.median(searches_all.values()), 1),
        "sort_all_view_worst_ms": round(max(sorts_all.values()), 1),
        "search_median_ms": round(statistics.median(searches.values()), 1),
        "search_sql_only_worst_ms": round(base_search, 1),
        "sort_worst_ms": round(max(sorts.values()), 1),
        "sort_median_ms": round(statistics.median(sorts.values()), 1),
        "sort_sql_only_worst_ms": round(base_sort, 1),
        "peak_rss_mb": round(peak_mb),
        "bare_rss_mb": round(bare_rss),
        "searches": {k: round(v, 1) for k, v in searches.items()},
        "searches_all_view": {k: round(v, 1) for k, v in searches_all.items()},
        "sorts_all_view": {k: round(v, 1) for k, v in sorts_all.items()},
        "sorts": {k: round(v, 1) for k, v in sorts.items()},
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
