"""Letters kept in the store: issuing (render + store + audit), copies, the print batch.

Run from the repository root:
    PYTHONPATH=. python bench/bench_letterflow.py [--issues 30] [--batch-size 1000]

The batch joins issued (frozen) PDFs with pypdf; it never re-renders. The batch here
repeats one stored letter, which costs the same per letter as distinct ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.intake import Delivery, Format, Intake, RequesterKind
from accessdesk_gui.letters import LetterKind
from accessdesk_gui.services import letters, practice, requests
from accessdesk_gui.store.db import Store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--issues", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.sqlite", create=True)
        actor = practice.set_up(
            store,
            practice.PracticeInfo("Bench Clinic", "1 Bench St\nTown, OR 97000", "555-0100", "OR"),
            "bench",
            "Bea Bench",
            "bench-password-only",
        )
        rid = requests.log_request(
            store,
            actor,
            Intake(
                patient_name="Zoë Nguyễn-O'Brien",
                patient_dob=dt.date(1980, 1, 1),
                received=dt.date(2026, 1, 5),
                requester_kind=RequesterKind.INDIVIDUAL,
                scope="All records",
                access=AccessKind.COPY,
                format=Format.PAPER,
                delivery=Delivery.MAIL,
                mail_address="1 Invented Rd\nTown, OR 97000",
            ),
            today=dt.date(2026, 1, 6),
        )
        times = []
        ids = []
        for _ in range(args.issues):
            start = time.perf_counter()
            ids.append(
                letters.issue_letter(
                    store, actor, rid, LetterKind.ACKNOWLEDGEMENT, on=dt.date(2026, 1, 6)
                ).id
            )
            times.append((time.perf_counter() - start) * 1000)
        print(f"issue one letter (render, store, audit): median {statistics.median(times):.1f} ms")
        times = []
        for letter_id in ids[:10]:
            start = time.perf_counter()
            letters.reprint(store, actor, letter_id)
            times.append((time.perf_counter() - start) * 1000)
        print(f"marked copy (stamp + log): median {statistics.median(times):.1f} ms")
        start = time.perf_counter()
        queue = letters.mail_queue(store, actor)
        print(f"mail queue of {len(queue)}: {(time.perf_counter() - start) * 1000:.1f} ms")
        start = time.perf_counter()
        pdf = letters.batch_pdf(store, actor, [ids[0]] * args.batch_size)
        took = time.perf_counter() - start
        print(f"batch of {args.batch_size} stored letters: {took:.2f} s, {len(pdf) / 1e6:.1f} MB")
        store.close()


if __name__ == "__main__":
    main()
