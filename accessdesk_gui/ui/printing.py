"""Printing PDFs by handing them to the system's print spooler.

QPrinter would rasterize every page (about 1 MB and 1 s a page, stack-notes), so the PDF
goes to the spooler as it is: CUPS ``lp`` on Linux and macOS, the shell's "printto" verb
on Windows (the PDF viewer registered for PDFs prints it). The printer is chosen in the
platform's own print dialog (QPrintDialog: native on Windows and macOS). Where there is
no printer or no spooler, the user is told so and can save the PDF instead.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

# Job names are visible in print queues: never patient data.
JOB_TITLE = "AccessDesk letters"


class PrintUnavailable(Exception):
    """No printer or no spooler: the message says what to do instead."""


NO_PRINTER = (
    "No printer is set up on this computer. Add one in the system's printer settings, "
    "or use Save as PDF and print the file elsewhere."
)


class Spooler:
    """The system spooler. Tests replace it with a fake that records jobs."""

    def printers(self) -> list[str]:
        return [str(name) for name in QPrinterInfo.availablePrinterNames()]

    def default_printer(self) -> str:
        return str(QPrinterInfo.defaultPrinterName())

    def submit(self, pdf: bytes, printer: str, title: str = JOB_TITLE) -> None:
        """Hand one PDF to the spooler as one job; raise PrintUnavailable if it cannot."""
        if sys.platform.startswith("win"):
            self._submit_windows(pdf, printer)
            return
        lp = shutil.which("lp")
        if lp is None:
            raise PrintUnavailable(
                "This computer has no print spooler (CUPS 'lp' was not found). Install CUPS, "
                "or use Save as PDF and print the file elsewhere."
            )
        # A private folder: the file holds health information and is removed at once
        # (lp copies it to the spooler before it returns).
        folder = Path(tempfile.mkdtemp(prefix="accessdesk-print-"))
        try:
            path = folder / "letters.pdf"
            path.write_bytes(pdf)
            args = [lp, "-t", title]
            if printer:
                args += ["-d", printer]
            done = subprocess.run(
                [*args, str(path)], capture_output=True, text=True, timeout=120, check=False
            )
            if done.returncode != 0:
                reason = (done.stderr or done.stdout).strip().splitlines()
                raise PrintUnavailable(
                    f"The printer did not take the job: {reason[0] if reason else 'no reason'}."
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _submit_windows(self, pdf: bytes, printer: str) -> None:  # pragma: no cover - Windows
        folder = Path(tempfile.mkdtemp(prefix="accessdesk-print-"))
        # The PDF application reads the file after startfile returns: remove it on exit.
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "letters.pdf"
        path.write_bytes(pdf)
        try:
            if printer:
                os.startfile(path, "printto", f'"{printer}"')  # type: ignore[attr-defined]
            else:
                os.startfile(path, "print")  # type: ignore[attr-defined]
        except OSError as exc:
            raise PrintUnavailable(
                f"Windows could not print the PDF ({exc.strerror}). Install a PDF viewer that "
                "can print, or use Save as PDF."
            ) from None


def ask_printer(parent: QWidget | None, names: list[str], default: str) -> str | None:
    """The platform's own print dialog (native on Windows and macOS), used only to pick
    the printer: the PDF then goes to that printer's spooler unchanged.
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPrinterName(default if default in names else names[0])
    printer.setDocName(JOB_TITLE)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print")
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, False)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintSelection, False)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return str(printer.printerName()) or None


def choose_printer(parent: QWidget | None, spooler: Spooler) -> str | None:
    """The printer to use, the system default offered first; None if the user cancels.

    With a single printer there is nothing to choose, so no dialog is shown.
    """
    names = spooler.printers()
    if not names:
        raise PrintUnavailable(NO_PRINTER)
    default = spooler.default_printer()
    if len(names) == 1:
        return names[0]
    return ask_printer(parent, names, default)
