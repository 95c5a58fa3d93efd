"""The layers hold (.importlinter, also run by .ci/run): ui and cli reach the store only
through services, no layer imports one above it, no import cycles inside services or store."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

CONFIG = Path(__file__).resolve().parents[1] / ".importlinter"


def test_every_import_contract_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    code = lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "3 kept, 0 broken" in report
