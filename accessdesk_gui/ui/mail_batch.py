"""Print today's mail: every letter issued and not yet sent, as one print job.

The PDFs are joined off the UI thread (a QRunnable on a thread pool) while a cancellable
progress dialog shows how far it got; failures and cancelling are reported, and only a
finished job goes to the printer. The letters stay "not sent" until each mailing is
recorded: printing is not mailing.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from accessdesk_gui.services import letters
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import USER_ERRORS
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.printing import PrintUnavailable, Spooler, choose_printer


class BatchSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(bytes)
    failed = Signal(str)
    cancelled = Signal()


class BatchWorker(QRunnable):
    """Joins the letters' PDFs; reports progress, the result, a failure or cancelling."""

    def __init__(self, store: Store, actor: Actor, letter_ids: list[int]) -> None:
        super().__init__()
        self.store = store
        self.actor = actor
        self.letter_ids = letter_ids
        self.signals = BatchSignals()
        self._cancel = False
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel = True

    def run(self) -> None:
        from accessdesk_gui.letters.pdftools import Cancelled  # pypdf: on first use

        try:
            pdf = letters.batch_pdf(
                self.store,
                self.actor,
                self.letter_ids,
                progress=self.signals.progress.emit,
                cancelled=lambda: self._cancel,
            )
        except Cancelled:
            self.signals.cancelled.emit()
        except USER_ERRORS as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # every failure reaches the user, never a silent thread
            self.signals.failed.emit(f"The letters could not be put together: {exc}")
        else:
            self.signals.finished.emit(pdf)


class MailBatch(QObject):
    """One run of "Print today's mail" from a window."""

    done = Signal(str)  # the outcome in words, once the run is over

    def __init__(
        self,
        parent: QWidget,
        store: Store,
        actor: Actor,
        spooler: Spooler | None = None,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.store = store
        self.actor = actor
        self.spooler = spooler or Spooler()
        self.pool = pool or QThreadPool.globalInstance()
        self.queue: list[letters.IssuedLetter] = []
        self.worker: BatchWorker | None = None
        self.progress: QProgressDialog | None = None
        self.outcome = ""

    def start(self) -> bool:
        """Gather the letters and start joining them; False if there is nothing to print."""
        try:
            self.queue = letters.mail_queue(self.store, self.actor)
        except USER_ERRORS as exc:
            self._finish(str(exc), warn=True)
            return False
        if not self.queue:
            self._finish("No letters are waiting to be sent.")
            return False
        n = len(self.queue)
        self.progress = QProgressDialog(
            f"Putting {n} letter{'s' if n != 1 else ''} together for printing…",
            "Cancel",
            0,
            n,
            self.parent_widget,
        )
        self.progress.setObjectName("mail_progress")
        self.progress.setWindowTitle("Print today's mail")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setValue(0)
        self.worker = BatchWorker(self.store, self.actor, [x.id for x in self.queue])
        self.worker.signals.progress.connect(self._on_progress)
        self.worker.signals.finished.connect(self._on_finished)
        self.worker.signals.failed.connect(self._on_failed)
        self.worker.signals.cancelled.connect(self._on_cancelled)
        self.progress.canceled.connect(self.worker.cancel)
        self.progress.show()
        self.pool.start(self.worker)
        return True

    def _on_progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setValue(done)
            self.progress.setLabelText(f"Letter {done} of {total}…")

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect()
            self.progress.close()

    def _on_cancelled(self) -> None:
        self._close_progress()
        self._finish("Cancelled; nothing was printed.")

    def _on_failed(self, message: str) -> None:
        self._close_progress()
        self._finish(message, warn=True)

    def _on_finished(self, pdf: bytes) -> None:
        self._close_progress()
        ids = [x.id for x in self.queue]
        pages = sum(x.pages for x in self.queue)
        try:
            printer = choose_printer(self.parent_widget, self.spooler)
            if printer is None:
                self._finish("Not printed.")
                return
            self.spooler.submit(pdf, printer)
        except PrintUnavailable as exc:
            self._finish(str(exc), warn=True)
            return
        try:
            letters.log_batch_printed(self.store, self.actor, ids)
        except USER_ERRORS as exc:
            self._finish(f"Printed, but the print could not be logged: {exc}", warn=True)
            return
        self._finish(
            f"Sent {len(ids)} letter{'s' if len(ids) != 1 else ''} ({pages} pages) to "
            f"{printer} as one job, in mailing order. Record each mailing when it goes out."
        )

    def _finish(self, message: str, warn: bool = False) -> None:
        self.outcome = message
        show = QMessageBox.warning if warn else QMessageBox.information
        notify(show, self.parent_widget, message)
        self.done.emit(message)


def notify(show: object, parent: QWidget, message: str) -> None:
    """Show a message box (tests replace this to keep runs non-blocking)."""
    assert callable(show)
    show(parent, "Print today's mail", message)
