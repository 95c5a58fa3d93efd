"""Print today's mail: every letter issued and not yet sent, as one print job.

The letters are gathered and their PDFs joined on the worker (ui/operations.py) while a
cancellable progress dialog shows how far it got; failures and cancelling are reported,
and only a finished job goes to the printer. The letters stay "not sent" until each mailing is
recorded: printing is not mailing.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from accessdesk_gui.services import letters
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.operations import Op, user_message
from accessdesk_gui.ui.printing import PrintUnavailable, Spooler, choose_printer
from accessdesk_gui.ui.qtcompat import emit


class MailBatch(QObject):
    """One run of "Print today's mail" from a window."""

    done = Signal(str)  # the outcome in words, once the run is over

    def __init__(
        self, parent: QWidget, store: Store, actor: Actor, spooler: Spooler | None = None
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.store = store
        self.actor = actor
        self.spooler = spooler or Spooler()
        self.queue: list[letters.IssuedLetter] = []
        self.letter_ids: list[int] = []
        self.op: Op[bytes] | None = None
        self.outcome = ""

    def start(self) -> None:
        """Gather the letters, then join them; ``done`` says how it ended."""
        store, actor = self.store, self.actor
        Op(self.parent_widget, lambda: letters.mail_queue(store, actor)).success(
            self._gathered
        ).failure(self._failed).run()

    def _gathered(self, queue: list[letters.IssuedLetter]) -> None:
        self.queue = queue
        if not queue:
            self._finish("No letters are waiting to be sent.")
            return
        n = len(queue)
        self.letter_ids = [x.id for x in queue]
        self.op = Op(self.parent_widget, self._join).with_progress(
            f"Putting {n} letter{'s' if n != 1 else ''} together for printing…",
            cancellable=True,
            total=n,
        )
        self.op.success(self._joined).failure(self._failed, expected=(_cancelled_type(),))
        self.op.run()

    def _join(self) -> bytes:
        assert self.op is not None
        op = self.op
        return letters.batch_pdf(
            self.store, self.actor, self.letter_ids, progress=op.report, cancelled=op.cancelled
        )

    @property
    def progress(self) -> QProgressDialog | None:
        return self.op.progress if self.op is not None else None

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, _cancelled_type()):
            self._finish("Cancelled; nothing was printed.")
        else:
            self._finish(user_message(exc), warn=True)

    def _joined(self, pdf: bytes) -> None:
        ids = self.letter_ids
        pages = sum(x.pages for x in self.queue if x.id in ids)
        try:
            printer = choose_printer(self.parent_widget, self.spooler)
            if printer is None:
                self._finish("Not printed.")
                return
            self.spooler.submit(pdf, printer)
        except PrintUnavailable as exc:
            self._finish(str(exc), warn=True)
            return
        store, actor = self.store, self.actor
        Op(self.parent_widget, lambda: letters.log_batch_printed(store, actor, ids)).success(
            lambda _: self._finish(
                f"Sent {len(ids)} letter{'s' if len(ids) != 1 else ''} ({pages} pages) to "
                f"{printer} as one job, in mailing order. Record each mailing when it goes out."
            )
        ).failure(
            lambda exc: self._finish(
                f"Printed, but the print could not be logged: {user_message(exc)}", warn=True
            )
        ).run()

    def _finish(self, message: str, warn: bool = False) -> None:
        self.outcome = message
        show = QMessageBox.warning if warn else QMessageBox.information
        notify(show, self.parent_widget, message)
        emit(self.done, message)


def _cancelled_type() -> type[BaseException]:
    from accessdesk_gui.letters.pdftools import Cancelled  # pypdf: on first use

    return Cancelled


def notify(show: object, parent: QWidget, message: str) -> None:
    """Show a message box (tests replace this to keep runs non-blocking)."""
    assert callable(show)
    show(parent, "Print today's mail", message)
