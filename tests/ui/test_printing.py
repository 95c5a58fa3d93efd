"""Choosing a printer: the platform's print dialog only when there is a choice to make."""

from __future__ import annotations

import pytest

from accessdesk_gui.ui import printing


class FakeSpooler(printing.Spooler):
    def __init__(self, names: list[str], default: str = "") -> None:
        self.names = names
        self.default = default

    def printers(self) -> list[str]:
        return self.names

    def default_printer(self) -> str:
        return self.default


def test_no_printer_says_what_to_do(qtbot) -> None:
    with pytest.raises(printing.PrintUnavailable, match="Save as PDF"):
        printing.choose_printer(None, FakeSpooler([]))


def test_a_single_printer_needs_no_dialog(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(printing, "ask_printer", lambda *a: pytest.fail("no dialog expected"))
    assert printing.choose_printer(None, FakeSpooler(["Front desk"])) == "Front desk"


def test_several_printers_go_through_the_print_dialog_with_the_default_first(
    qtbot, monkeypatch
) -> None:
    asked = []

    def fake_dialog(parent, names, default):
        asked.append((names, default))
        return "Back office"

    monkeypatch.setattr(printing, "ask_printer", fake_dialog)
    spooler = FakeSpooler(["Back office", "Front desk"], default="Front desk")
    assert printing.choose_printer(None, spooler) == "Back office"
    assert asked == [(["Back office", "Front desk"], "Front desk")]
    monkeypatch.setattr(printing, "ask_printer", lambda *a: None)
    assert printing.choose_printer(None, spooler) is None  # cancelled: nothing printed
