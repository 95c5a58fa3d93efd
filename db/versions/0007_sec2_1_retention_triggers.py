"""retention: the store refuses DELETE on requests, their history, letters and signatures

45 CFR 164.530(j) asks a covered entity to keep the documentation of its access requests
(the request, what was done, letters sent, denials and who signed them) for six years from
when it was made or last in effect. AccessDesk never deletes those records: withdrawing or
cancelling is a state. These triggers make the store itself refuse a DELETE on them, so no
later code path, tool or mistaken click can remove one. (The audit log, issued letters,
mailings, anchors and record set map versions are protected by their own migrations.)

Revision ID: sec2_1
Revises: intake_1
"""

from alembic import op

revision = "sec2_1"
down_revision = "intake_1"
branch_labels = None
depends_on = None

# Tables whose rows are kept for six years (164.530(j)); each gets a no-delete trigger.
RETAINED = (
    "requests",
    "timeline_events",
    "request_attachments",
    "letter_outputs",
    "signatures",
    "denials",
    "denial_parts",
    "denial_participants",
    "review_requests",
    "reviewer_assignments",
    "review_determinations",
    "determination_parts",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in RETAINED:
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} are kept for six years (45 CFR "
            f"164.530(j)) and cannot be deleted; withdraw or close instead'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in RETAINED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
