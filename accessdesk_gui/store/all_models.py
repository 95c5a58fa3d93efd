"""Imports every model module so Base.metadata is complete (Alembic and tests use it).

Each feature keeps its models in a module of its own and adds one import here.
"""

from accessdesk_gui.store import models  # noqa: F401, I001
from accessdesk_gui.store import intake_models  # noqa: F401
from accessdesk_gui.store.models import Base

__all__ = ["Base"]
