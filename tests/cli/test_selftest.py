"""The hidden `selftest` command the installer's smoke test runs in the frozen bundle."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from accessdesk_gui.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def test_selftest_renders_a_letter_with_both_bundled_fonts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sample.pdf"
    assert main(["selftest", "--out", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert out.read_bytes().startswith(b"%PDF-")
    # The CJK name needs Droid Sans Fallback; everything else DejaVu Sans.
    assert {"DejaVuSans", "DroidSansFallback"} <= set(report["fonts"])
    assert {"SecretService", "Windows", "macOS"} <= set(report["keyring_backends"])


def test_selftest_refuses_when_a_bundled_font_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "resources"
    (empty / "fonts").mkdir(parents=True)
    monkeypatch.setattr("accessdesk_gui.resources_path.resource_dir", lambda: empty)
    assert main(["selftest", "--out", str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err
    assert "DejaVuSans.ttf" in err
    assert not (tmp_path / "x.pdf").exists()


def test_version_is_the_one_in_pyproject_and_selftest_is_not_advertised(
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"AccessDesk {expected}"
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "selftest" not in capsys.readouterr().out
