"""letters: issued letters frozen as sent, outputs, mailing records, letterhead settings

Revision ID: letterflow_1
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "letterflow_1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letterhead_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("logo_path", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_address", sa.Text(), nullable=False),
        sa.Column("postal", sa.Boolean(), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_letters_request", "letters", ["request_id", "id"], unique=False)
    op.create_table(
        "letter_mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("tracking", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_letter_mailings_letter_id", "letter_mailings", ["letter_id"], unique=False)
    op.create_table(
        "letter_outputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("is_copy", sa.Boolean(), nullable=False),
        sa.Column("how", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_letter_outputs_letter_id", "letter_outputs", ["letter_id"], unique=False)

    # An issued letter is kept exactly as sent, and its mailing record as recorded
    # (164.530(j): keep notices for 6 years): the store refuses to change or remove them.
    if op.get_bind().dialect.name == "sqlite":
        for table in ("letters", "letter_mailings"):
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'issued letters and their mailing records "
                    f"cannot be changed'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in ("letters", "letter_mailings"):
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_index("ix_letter_outputs_letter_id", table_name="letter_outputs")
    op.drop_table("letter_outputs")
    op.drop_index("ix_letter_mailings_letter_id", table_name="letter_mailings")
    op.drop_table("letter_mailings")
    op.drop_index("ix_letters_request", table_name="letters")
    op.drop_table("letters")
    op.drop_table("letterhead_settings")
