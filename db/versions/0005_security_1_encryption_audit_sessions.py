"""security: settings, login throttling, audit anchors, ASTM E2147 audit fields

Revision ID: security_1
Revises: denialflow_1
"""

import sqlalchemy as sa
from alembic import op

revision = "security_1"
down_revision = "denialflow_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "security_settings",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "login_state",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # ASTM E2147: the patient concerned and when the event happened (recorded_at is when
    # it was written). Old entries keep '' and hash as before; new ones hash these too.
    # Plain ADD COLUMN (no table rebuild) so the append-only triggers stay in place.
    op.add_column(
        "audit_log",
        sa.Column("patient_ref", sa.String(length=40), nullable=False, server_default=""),
    )
    op.add_column(
        "audit_log",
        sa.Column("event_at", sa.String(length=40), nullable=False, server_default=""),
    )
    op.create_index("ix_audit_log_patient_ref", "audit_log", ["patient_ref"])
    op.create_index("ix_audit_log_username", "audit_log", ["username"])
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_anchors_no_{verb.lower()} BEFORE {verb} ON audit_anchors "
                "BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_anchors_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_anchors_no_delete")
    op.drop_index("ix_audit_log_username", "audit_log")
    op.drop_index("ix_audit_log_patient_ref", "audit_log")
    with op.batch_alter_table("audit_log") as b:
        b.drop_column("event_at")
        b.drop_column("patient_ref")
    op.drop_table("audit_anchors")
    op.drop_table("login_state")
    op.drop_table("security_settings")
