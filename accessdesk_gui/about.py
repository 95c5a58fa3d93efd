"""The installed version, the same from a checkout, a wheel or the frozen bundle."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version


def version() -> str:
    # The bundle ships the accessdesk dist-info (see installer/accessdesk.spec), so this
    # reads the version from pyproject.toml everywhere.
    try:
        return _dist_version("accessdesk")
    except PackageNotFoundError:
        return "unknown"
