"""Child processes for the damage tests: run with ``python -m tests.security.child MODE ...``.

Modes:
  fsize-backup STORE FOLDER LIMIT   back up under a file-size limit (disk full)
  fsize-write STORE LIMIT           log requests under a file-size limit until refused
"""

from __future__ import annotations

import datetime as dt
import resource
import signal
import sys
from pathlib import Path


def _limit(nbytes: int) -> None:
    # Past the limit write() fails with EFBIG instead of killing us (as a full disk would).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))


def _intake(i: int):  # type: ignore[no-untyped-def]
    from tests.conftest import make_intake

    return make_intake(patient_name=f"Crashtest Patient {i}", received=dt.date(2026, 1, 31))


def main(argv: list[str]) -> int:
    from accessdesk_gui.services import auth, backups, requests
    from accessdesk_gui.services.errors import USER_ERRORS
    from accessdesk_gui.store.db import Store
    from tests.conftest import PASSWORD

    mode, store_path = argv[0], Path(argv[1])
    store = Store.open(store_path)
    actor = auth.login(store, "admin", PASSWORD)
    today = dt.date(2026, 2, 1)
    if mode == "fsize-backup":
        _limit(int(argv[3]))
        try:
            backups.backup_now(store, actor.username, Path(argv[2]))
        except USER_ERRORS as exc:
            print(f"REFUSED {exc}", flush=True)
            return 2
        print("DONE", flush=True)
        return 0
    if mode == "fsize-write":
        _limit(int(argv[2]))
        for i in range(100000):
            try:
                rid = requests.log_request(store, actor, _intake(i), today=today)
            except USER_ERRORS as exc:
                print(f"REFUSED {exc}", flush=True)
                return 2
            print(f"COMMITTED {rid}", flush=True)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
