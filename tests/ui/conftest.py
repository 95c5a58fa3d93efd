"""GUI test fixtures: ops run at once, crashes are recorded and fail the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from accessdesk_gui.ui import errors, operations


class HeldPool:
    """Holds each task until the test runs it (``run_next``): what shows while an op is
    under way (a progress dialog, a disabled button) can be looked at first."""

    def __init__(self) -> None:
        self.tasks: list[object] = []

    def start(self, runnable) -> None:
        self.tasks.append(runnable)

    def run_next(self) -> None:
        self.tasks.pop(0).run()


@pytest.fixture(autouse=True)
def sync_ops() -> Iterator[operations.RunAtOnce]:
    """Every op runs on the calling thread as soon as it is started (Picard's
    FakeThreadPool idea): GUI tests need no waits."""
    now = operations.RunAtOnce()
    old = operations.use_pool(now)
    yield now
    operations.use_pool(old)


@pytest.fixture
def held_ops() -> Iterator[HeldPool]:
    held = HeldPool()
    old = operations.use_pool(held)
    yield held
    operations.use_pool(old)


@pytest.fixture(autouse=True)
def crashes(tmp_path: Path, monkeypatch) -> Iterator[list[tuple[str, str]]]:
    """Crash dialogs are recorded, not shown; the log goes to the test's folder. A test
    that expects a crash empties the list; any crash left over fails the test."""
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(
        errors.CrashDialog, "ask", classmethod(lambda cls, _p, ref, text: seen.append((ref, text)))
    )
    errors.configure_log(tmp_path / "log")
    yield seen
    errors.close_log()
    assert not seen, f"unexpected crash: {seen}"
