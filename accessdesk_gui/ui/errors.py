"""The one crash path: anything unexpected is logged and shown, never silent.

``install()`` (at app start) routes ``sys.excepthook`` (an exception in a Qt slot or on the
UI thread) and ``threading.excepthook`` (any other thread) here; ops send the bugs from the
worker here too (ui/operations.py). Each crash gets a short reference number, one line in
a rotating log in the platform's log folder, and ONE dialog with copyable details, so a
windowed build with no console still says what went wrong and support can find the line.

No PHI in the log or the details: the exception's message is left out on purpose. Messages
carry values (a RuleViolation names the patient, SQLAlchemy errors quote the row's
parameters, a path may hold a patient's name), and scrubbing free text cannot be made
safe, so only the exception types and the traceback's frames (file, line number,
function) are written: not even the source line, which can hold a literal. Locals are
never captured.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import secrets
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from accessdesk_gui.about import version
from accessdesk_gui.ui.qtcompat import emit

LOG_NAME = "accessdesk.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5

log = logging.getLogger("accessdesk.crash")
_handler: logging.Handler | None = None

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def log_dir() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir("AccessDesk", appauthor=False))


def configure_log(folder: Path | None = None) -> Path:
    """Write crash lines to a rotating file in ``folder`` (default: the platform's log
    folder); returns the file's path. Called again, it moves the log (tests do).
    """
    global _handler
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    close_log()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    _handler = handler
    return path


def close_log() -> None:
    global _handler
    if _handler is not None:
        log.removeHandler(_handler)
        _handler.close()
        _handler = None


def details(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    """The traceback without any exception message (see the module docstring), with the
    causes and contexts, and the app version.
    """
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    frames: TracebackType | None = tb
    kind: type[BaseException] = exc_type
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        stack = "".join(
            f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
            for f in traceback.extract_tb(frames)
        )
        parts.append(f"Traceback (most recent call last):\n{stack}{_qualname(kind)}")
        nxt = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
        if nxt is None:
            break
        current, frames, kind = nxt, nxt.__traceback__, type(nxt)
    body = "\n\nwhich was raised while handling, or caused by:\n\n".join(reversed(parts))
    return f"AccessDesk {version()}, Python {sys.version.split()[0]}\n\n{body}"


def _qualname(kind: type[BaseException]) -> str:
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def new_reference() -> str:
    return f"AD-{secrets.token_hex(3).upper()}"


class CrashDialog:
    """The dialog a user sees; ``ask`` is the one place it is shown (tests replace it)."""

    @classmethod
    def ask(cls, parent: QWidget | None, reference: str, text: str) -> None:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("AccessDesk: something went wrong")
        box.setText(
            "Something went wrong inside AccessDesk; what you were doing may not have been "
            f"saved.\n\nReference: {reference}\n\nPlease tell your administrator or support "
            "this reference. The details (no patient data) can be copied with Show Details."
        )
        box.setDetailedText(text)
        box.exec()


def report_exception(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> str:
    """Log the crash and show it once; returns its reference. Call on the UI thread."""
    reference = new_reference()
    text = details(exc_type, exc, tb)
    if _handler is None:
        with contextlib.suppress(OSError):  # no log folder: the dialog still tells the user
            configure_log()
    # A library calling logging.config (disable_existing_loggers) must not silence this log.
    log.disabled = False
    log.error("crash %s\n%s", reference, text)
    if QApplication.instance() is not None:
        CrashDialog.ask(QApplication.activeWindow(), reference, text)
    return reference


class _ToUiThread(QObject):
    """Carries a crash from another thread to the UI thread, where the dialog can show."""

    crashed = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.crashed.connect(self._show)

    @Slot(object)
    def _show(self, info: ExcInfo) -> None:
        report_exception(*info)


_bridge: _ToUiThread | None = None
_previous: tuple[Callable[..., object], Callable[..., object]] | None = None


def install() -> None:
    """Route unexpected exceptions here; call once on the UI thread, after QApplication."""
    global _bridge, _previous
    if _previous is None:
        _previous = (sys.excepthook, threading.excepthook)
    _bridge = _ToUiThread()
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def uninstall() -> None:
    global _previous
    if _previous is not None:
        sys.excepthook, threading.excepthook = _previous
        _previous = None


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if (
        _bridge is not None
        and shiboken6.isValid(_bridge)
        and threading.current_thread() is not threading.main_thread()
    ):
        emit(_bridge.crashed, (exc_type, exc, tb))
        return
    report_exception(exc_type, exc, tb)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    if _bridge is not None:
        emit(_bridge.crashed, (args.exc_type, args.exc_value, args.exc_traceback))
    else:  # not installed from the UI thread: at least the default report
        threading.__excepthook__(args)
