"""queue: a covering index over the open requests only, in due-date order

The front desk's default views (Open, Overdue, Due within 7 days, Due this week, My
requests, Incomplete) read open requests: a few thousand among six years of closed ones.
Through the (status, effective_due) index SQLite had to fetch every open request and sort
them before showing the first page (about 30 ms from a cold cache on 100,000 requests);
this partial index holds just the open ones, in due order, with every column the queue
shows, filters or searches on, so the first page is a short walk (about 1.5 ms).
services/queue.py names it in its queries; its status list is OPEN_VALUES there
(tests/services/test_queue.py checks they agree).

Revision ID: queue_2
Revises: sec2_1
"""

import sqlalchemy as sa
from alembic import op

revision = "queue_2"
down_revision = "sec2_1"
branch_labels = None
depends_on = None

INDEX = "ix_requests_open_due"
OPEN_STATUSES = ("received", "in_progress", "extended", "partially_denied", "reversed_on_review")
COLUMNS = [
    "effective_due",
    "id",
    "patient_name",
    "patient_fold",
    "mrn",
    "requester_name",
    "requester_kind",
    "received",
    "status",
    "assigned_to_id",
    "incomplete",
    "verified_method",
]


def open_condition() -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")"


def upgrade() -> None:
    op.create_index(INDEX, "requests", COLUMNS, sqlite_where=sa.text(open_condition()))


def downgrade() -> None:
    op.drop_index(INDEX, "requests")
