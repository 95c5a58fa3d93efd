"""queue: the due, received and requester sort indexes also hold what a search reads

Searching All or Closed walks the chosen sort order and checks each request until a page
is full (services/queue.py). With the folded name, MRN, status, assignee and kind in the
sort index itself, that check needs no row of the table: on 100,000 requests a search
sorted by due date read its first page in 1-2 ms instead of 6.5 ms, and one with no
match in 13 ms instead of 120 ms. The narrower indexes they replace are dropped.

Revision ID: queue_4
Revises: queue_3
"""

from alembic import op

revision = "queue_4"
down_revision = "queue_3"
branch_labels = None
depends_on = None

CHECKED = ["patient_fold", "mrn", "status", "assigned_to_id", "requester_kind"]
# new index: (sort column, the narrow index it replaces)
REPLACED = {
    "ix_requests_due_cover": ("effective_due", "ix_requests_due"),
    "ix_requests_received_cover": ("received", "ix_requests_received"),
    "ix_requests_requester_cover": ("requester_name", "ix_requests_requester"),
}


def upgrade() -> None:
    for name, (column, old) in REPLACED.items():
        op.create_index(name, "requests", [column, *CHECKED])
        op.drop_index(old, "requests")


def downgrade() -> None:
    for name, (column, old) in REPLACED.items():
        op.create_index(old, "requests", [column])
        op.drop_index(name, "requests")
