"""Find files shipped beside the code, installed, editable or frozen alike."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def _package_dir(package: str, repo_folder: str) -> Path:
    try:
        return Path(str(resources.files(package)))
    except ModuleNotFoundError:
        # Running from a checkout without installing: the folders sit at the top level.
        return _REPO / repo_folder


def migrations_dir() -> Path:
    return _package_dir("accessdesk_gui.migrations", "db")


def resource_dir() -> Path:
    return _package_dir("accessdesk_gui.resources", "resources")
