"""A keyring backend for tests only: in memory, or shared through a JSON file.

Tests never touch the developer's real keyring. Subprocesses (the command line tests) get
``PYTHON_KEYRING_BACKEND=tests.keyring_backend.MemoryKeyring`` and, to share keys with the
test, ``ACCESSDESK_TEST_KEYRING_FILE`` naming a file in the test's temporary folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

FILE_ENV = "ACCESSDESK_TEST_KEYRING_FILE"


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self, shared: bool = True) -> None:
        super().__init__()
        self.shared = shared  # False: another PC's keyring, empty and private
        self.memory: dict[str, str] = {}

    def _file(self) -> Path | None:
        name = os.environ.get(FILE_ENV) if self.shared else None
        return Path(name) if name else None

    def _load(self) -> dict[str, str]:
        f = self._file()
        if f is None:
            return self.memory
        return json.loads(f.read_text()) if f.exists() else {}

    def _save(self, data: dict[str, str]) -> None:
        f = self._file()
        if f is None:
            self.memory = data
        else:
            f.write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\n{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self._save(data)
