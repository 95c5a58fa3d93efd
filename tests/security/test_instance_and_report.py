"""One instance per store; the audit report by user, patient and dates."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys

import pytest

from accessdesk_gui.services import audit_service, requests
from accessdesk_gui.services.errors import PermissionDenied
from accessdesk_gui.store.lock import InstanceLock, StoreInUse
from tests.conftest import make_intake


def test_a_second_instance_is_told_who_has_the_store_open(tmp_path) -> None:
    store = tmp_path / "office.sqlite"
    first = InstanceLock.take(store, "mia")
    # Another process (as a second AccessDesk would be) is refused with the holder's name.
    code = (
        "import sys; from pathlib import Path; from accessdesk_gui.store.lock import "
        "InstanceLock, StoreInUse\n"
        "try:\n    InstanceLock.take(Path(sys.argv[1]), 'dee')\n"
        "except StoreInUse as e:\n    print(e); sys.exit(2)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(store)], capture_output=True, text=True, check=False
    )
    assert r.returncode == 2 and "open in AccessDesk by mia on" in r.stdout
    with pytest.raises(StoreInUse, match="by mia"):
        InstanceLock.take(store, "dee")
    first.release()
    InstanceLock.take(store, "dee").release()  # free again once closed


def test_audit_report_by_user_patient_and_dates_to_csv(store, admin, desk, tmp_path) -> None:
    day = dt.date(2026, 2, 1)
    zoe = requests.log_request(store, desk, make_intake(patient_name="Zoë Reportée"), day)
    other = requests.log_request(store, admin, make_intake(patient_name="Li Other"), day)
    requests.get_request(store, admin, zoe)
    with pytest.raises(PermissionDenied):
        audit_service.report(store, desk)
    rep = audit_service.report(store, admin, patient="zoe reportee")
    assert {(r.username, r.action) for r in rep.rows} == {
        ("desk", "request_received"),
        ("admin", "request_viewed"),
    }
    assert all(r.patient_ref == f"request:{zoe}" for r in rep.rows)
    assert all(r.patient_name == "Zoë Reportée" for r in rep.rows)
    by_admin = audit_service.report(store, admin, username="admin")
    assert f"request:{other}" in {r.patient_ref for r in by_admin.rows}
    assert "desk" not in {r.username for r in by_admin.rows}
    today = dt.datetime.now(dt.UTC).date()
    assert audit_service.report(store, admin, start=today + dt.timedelta(days=1)).rows == []
    out = audit_service.write_csv(rep, tmp_path / "report.csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows[0][:2] == ["# audit entries", str(rep.entries)] and rows[0][3] == rep.head_hash
    assert rows[1][0] == "seq" and len(rows) == 2 + len(rep.rows)
    # The report's figures are an anchor too: cutting entries off is found by verify.
    assert audit_service.verify(store, admin).ok
