"""drs commands and the request checklist, end to end as a script runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from accessdesk_gui.domain.drs import to_dict
from accessdesk_gui.domain.drs_catalogue import demo_map
from tests.cli.test_cli import add, init_store, run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("drscli") / "store.sqlite"
    init_store(path, practice="Clinic Zoë (fictional)")
    return path


def test_drs_import_show_policy_and_request_checklist(db: Path, tmp_path: Path) -> None:
    r = run(db, "drs", "show", "--json")
    assert r.returncode == 2 and "no record set map" in r.stderr

    src = tmp_path / "map.json"
    src.write_text(json.dumps(to_dict(demo_map())), encoding="utf-8")
    r = run(db, "drs", "import", str(src), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["version"] == 1

    shown = json.loads(run(db, "drs", "show", "--json").stdout)
    assert shown["version"] == 1 and shown["effective"] == "2025-01-01"
    assert {s["id"] for s in shown["systems"]} >= {"ehr", "billing", "paper"}
    inside = {c["code"]: c for c in shown["categories_in"]}
    assert inside["billing.claims"]["systems"] == ["billing"]
    outside = {c["code"]: c for c in shown["categories_out"]}
    assert "not used to make decisions" in outside["internal.peer_review"]["rationale"]
    assert [e["code"] for e in shown["exceptions"]] == ["exceptions.legal_proceedings"]
    assert {"category": "billing.claims", "system": "billing"}.items() <= shown["mapping"][
        [h["category"] for h in shown["mapping"]].index("billing.claims")
    ].items()
    assert shown["gaps"] == []

    # Round trip: what 'show --json' prints, 'import' reads; a new version, old one kept.
    again = tmp_path / "shown.json"
    again.write_text(json.dumps(shown), encoding="utf-8")
    r = run(db, "drs", "import", str(again), "--effective", "2099-01-01")
    assert r.returncode == 0, r.stderr
    versions = json.loads(run(db, "drs", "versions", "--json").stdout)
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["retain_until"] == "2104-12-31"

    pdf = tmp_path / "policy.pdf"
    r = run(db, "drs", "policy", "--out", str(pdf))
    assert r.returncode == 0, r.stderr
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Designated record set policy" in text
    assert "Version 1" in text and "Meadowlark" in text
    assert "Clinic Zoë (fictional)" in text  # the practice's letterhead

    rid = add(db, "--verified-method", "photo_id")
    cl = json.loads(run(db, "request", "checklist", str(rid), "--json").stdout)
    assert cl["map_version"] == 1  # received 2026-01-31: version 1 was in force
    assert cl["open"] == len(cl["items"]) > 10

    r = run(
        db, "request", "checklist", str(rid), "--categories", "medical.immunizations",
        "--from", "2020-01-01", "--json",
    )  # fmt: skip
    narrowed = json.loads(r.stdout)
    assert [i["system"] for i in narrowed["items"]] == ["ehr"]  # paper ends 2014
    item = narrowed["items"][0]["id"]

    r = run(db, "request", "fulfil", str(rid), "--date", "2026-02-10")
    assert r.returncode == 2 and "Immunizations from Brightleaf" in r.stderr
    r = run(db, "request", "check-off", str(rid), "--item", str(item), "--date", "2026-02-05")
    assert r.returncode == 0, r.stderr
    done = json.loads(run(db, "request", "checklist", str(rid), "--json").stdout)["items"][0]
    assert (done["done_on"], done["done_by"]) == ("2026-02-05", "Ada Admin")
    r = run(db, "request", "fulfil", str(rid), "--date", "2026-02-10")
    assert r.returncode == 0, r.stderr


def test_fulfil_with_open_items_needs_the_confirm_flag(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "map.json"
    src.write_text(json.dumps(to_dict(demo_map())), encoding="utf-8")
    run(db, "drs", "import", str(src))  # refused if a map exists already: either way one is
    rid = add(db, "--verified-method", "photo_id")
    r = run(db, "request", "fulfil", str(rid), "--date", "2026-02-10")
    assert r.returncode == 2 and "still open" in r.stderr
    r = run(db, "request", "fulfil", str(rid), "--date", "2026-02-10", "--confirm-open-items")
    assert r.returncode == 0, r.stderr
