"""Work-arounds for the Qt binding, each with its reason and a probe.

PySide6 6.12.0: ``SignalInstance.emit()`` returns True or False without owning a
reference to it, so every emit from Python drops one reference to ``True`` that it never
took. A process holds a few thousand (about 4,500 once the main window is loaded); after
that many emits Python frees ``True`` and aborts ("Fatal Python error: bool_dealloc"),
seen at the end of a full GUI test run. Ops emit for every result and every progress step
(a 1,000-letter print batch is 1,000 emits), so every emit in ui/ goes through ``emit``.
The probe keeps the fix to versions that need it; an extra reference to a bool is
harmless, a missing one is fatal.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance


class _Probe(QObject):
    ping = Signal()


def _emit_drops_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True), sys.getrefcount(False)
    n = 8
    results = [probe.ping.emit() for _ in range(n)]  # held, so only a missing incref shows
    lost = before[0] + results.count(True) - sys.getrefcount(True)
    lost_false = before[1] + results.count(False) - sys.getrefcount(False)
    for value, count in ((True, lost), (False, lost_false)):
        for _ in range(max(0, count)):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(value))  # give back what it took
    del results
    return lost > 0 or lost_false > 0


EMIT_DROPS_A_REFERENCE = _emit_drops_a_reference()


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, giving back the reference the binding's emit drops."""
    result = signal.emit(*args)
    if EMIT_DROPS_A_REFERENCE and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
