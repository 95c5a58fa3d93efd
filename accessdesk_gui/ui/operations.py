"""The one way the UI runs work: ``Op(parent, fn).success(cb).failure(cb).run()``.

Modelled on Anki's ``aqt/operations`` CollectionOp and ``aqt/taskman.py`` (ideas only):

- ``fn`` runs on ONE worker thread shared by every op, so store work never overlaps and
  ops run in the order they were started (the log-in queues behind the preload of the ORM).
- Its result or error comes back on the UI thread through a queued signal.
- A user error (``USER_ERRORS``: a broken rule, bad input, a busy store...) goes to the
  failure callback, by default to the field that caused it or to the message line of the
  dialog the op was started from (``show_user_error``).
- Anything else is a bug and goes to the crash path (ui/errors.py): one dialog with a
  reference number, and the log.

Tests swap the pool for one that runs each task at once (``use_pool(RunAtOnce())``, the
idea of Picard's FakeThreadPool), so GUI tests need no waits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from accessdesk_gui.domain.errors import InvalidInput
from accessdesk_gui.services.errors import USER_ERRORS
from accessdesk_gui.ui.qtcompat import emit

T = TypeVar("T")


class Pool(Protocol):
    def start(self, runnable: QRunnable) -> None: ...


class RunAtOnce:
    """A pool that runs each task on the calling thread, at once (for tests)."""

    def start(self, runnable: QRunnable) -> None:
        runnable.run()


_pool: Pool | None = None


def pool() -> Pool:
    """The single worker every op runs on (created on first use)."""
    global _pool
    if _pool is None:
        worker = QThreadPool()
        worker.setObjectName("accessdesk-ops")
        worker.setMaxThreadCount(1)  # one at a time: store work never overlaps
        worker.setExpiryTimeout(-1)  # keep the thread: no start-up cost per op
        _pool = worker
    return _pool


def use_pool(replacement: Pool | None) -> Pool | None:
    """Run ops on ``replacement`` from now on (None: the real worker); returns the old one."""
    global _pool
    old, _pool = _pool, replacement
    return old


def wait_idle(timeout_ms: int = 30_000) -> bool:
    """Wait for the op running now and those queued (at exit, before the store closes)."""
    if isinstance(_pool, QThreadPool):
        return _pool.waitForDone(timeout_ms)
    return True


# -- user errors: one way to show them --------------------------------------------------


def user_message(exc: BaseException) -> str:
    """The one line a user error shows (services write them for the user)."""
    if isinstance(exc, InvalidInput):
        return exc.message
    return str(exc)


def show_user_error(widget: QWidget | None, exc: BaseException) -> None:
    """Show a user error where it belongs: the field that caused it, else the message line
    of the nearest form (a FormDialog's or a widget's own ``form``), else a message box.
    """
    from accessdesk_gui.ui.forms import ErrorForm  # forms imports this module

    field = exc.field if isinstance(exc, InvalidInput) else ""
    w = widget
    while w is not None:
        form = w if isinstance(w, ErrorForm) else getattr(w, "form", None)
        if isinstance(form, ErrorForm):
            form.show_error(field, user_message(exc))
            return
        say = getattr(w, "say_error", None)
        if callable(say):
            say(user_message(exc))
            return
        w = w.parentWidget()
    warn(widget, user_message(exc))


def warn(parent: QWidget | None, message: str) -> None:
    """A message box for a user error with nowhere else to go (tests replace this)."""
    QMessageBox.warning(parent, "AccessDesk", message)


# -- the op ----------------------------------------------------------------------------


class _Relay(QObject):
    """Made on the UI thread: the worker's signals reach its own slots queued, so the op's
    callbacks run on the UI thread (a plain callable as receiver would not guarantee it).
    """

    finished = Signal(object, object)  # result, exception or None
    progressed = Signal(int, int)

    def __init__(self, op: Op[Any]) -> None:
        super().__init__()
        self.op = op
        self.finished.connect(self._finished)
        self.progressed.connect(self._progressed)

    @Slot(object, object)
    def _finished(self, result: object, exc: BaseException | None) -> None:
        self.op._deliver(result, exc)

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        self.op._on_progress(done, total)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # every outcome is delivered: nothing dies silently
            self._deliver(None, exc)
        else:
            self._deliver(result, None)

    def _deliver(self, result: Any, exc: BaseException | None) -> None:
        if not shiboken6.isValid(self.relay):
            return  # the app quit while this op ran: no window is left to tell
        try:
            emit(self.relay.finished, result, exc)
        except RuntimeError:
            if shiboken6.isValid(self.relay):
                raise  # deleted between the check and the emit: the same quitting case


# Ops under way, kept alive until their result is delivered.
_running: set[Op[Any]] = set()


class Op(Generic[T]):
    """One piece of work started from a widget; see the module docstring."""

    def __init__(self, parent: QWidget | None, fn: Callable[[], T]) -> None:
        self.parent = parent
        self.fn = fn
        self._success: Callable[[T], object] | None = None
        self._failure: Callable[[BaseException], object] | None = None
        self._expected: tuple[type[BaseException], ...] = USER_ERRORS
        self._finally: Callable[[], object] | None = None
        self._label = ""
        self._cancellable = False
        self._total = 0
        self._cancel = threading.Event()
        self.progress: QProgressDialog | None = None
        self._relay: _Relay | None = None

    def success(self, cb: Callable[[T], object]) -> Op[T]:
        self._success = cb
        return self

    def failure(
        self,
        cb: Callable[[BaseException], object],
        expected: tuple[type[BaseException], ...] = (),
    ) -> Op[T]:
        """``cb`` gets user errors, and also the ``expected`` types (e.g. a cancelled job or
        a printer that is gone); any other exception is a bug and takes the crash path.
        """
        self._failure = cb
        self._expected = (*USER_ERRORS, *expected)
        return self

    def finally_(self, cb: Callable[[], object]) -> Op[T]:
        """Called on the UI thread after any outcome, a bug included (re-enable buttons)."""
        self._finally = cb
        return self

    def with_progress(self, label: str, cancellable: bool = False, total: int = 0) -> Op[T]:
        """A window-modal progress dialog while it runs (``total`` steps, reported by
        ``report``; 0: a busy bar); Cancel sets ``cancelled()``.
        """
        self._label = label
        self._cancellable = cancellable
        self._total = total
        return self

    # Called from ``fn`` on the worker thread.
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int) -> None:
        if self._relay is not None:
            emit(self._relay.progressed, done, total)

    def run(self) -> Op[T]:
        relay = _Relay(self)
        self._relay = relay
        if self._label:
            self._show_progress()
        _running.add(self)
        pool().start(_Task(self.fn, relay))
        return self

    def _show_progress(self) -> None:
        dlg = QProgressDialog(self._label, "Cancel", 0, self._total, self.parent)
        dlg.setObjectName("op_progress")
        dlg.setWindowTitle("AccessDesk")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.setValue(0)
        if not self._cancellable:
            dlg.setCancelButton(None)
        dlg.canceled.connect(self._cancel.set)
        dlg.show()
        self.progress = dlg

    def _on_progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)

    def _deliver(self, result: object, exc: BaseException | None) -> None:
        _running.discard(self)
        if self.progress is not None:
            self.progress.canceled.disconnect()
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        try:
            if exc is not None and not isinstance(exc, self._expected):
                from accessdesk_gui.ui.errors import report_exception

                report_exception(type(exc), exc, exc.__traceback__)
                return
            if self.parent is not None and not shiboken6.isValid(self.parent):
                return  # the window closed meanwhile: nobody to tell
            if exc is not None:
                if self._failure is not None:
                    self._failure(exc)
                else:
                    show_user_error(self.parent, exc)
            elif self._success is not None:
                self._success(result)  # type: ignore[arg-type]
        finally:
            if self._finally is not None and (
                self.parent is None or shiboken6.isValid(self.parent)
            ):
                self._finally()
