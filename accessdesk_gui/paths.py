"""Where the store lives by default: the user's data folder (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "AccessDesk"


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_store_path() -> Path:
    override = os.environ.get("ACCESSDESK_DB")
    if override:
        return Path(override)
    return data_dir() / "accessdesk.sqlite"
