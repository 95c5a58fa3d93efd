"""Imports every model module so Base.metadata is complete (Alembic and tests use it).

Each feature keeps its models in a module of its own and adds one import here.
"""

from accessdesk_gui.store import (  # noqa: F401
    denial_models,
    drs_models,
    intake_models,
    letter_models,
    models,
    security_models,
    state_rule_models,
)
from accessdesk_gui.store.models import Base

__all__ = ["Base"]
