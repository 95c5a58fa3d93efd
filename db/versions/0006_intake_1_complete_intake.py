"""complete intake: requester kinds, verification, scope, format, fees, attachments

Adds the intake columns to ``requests`` (each with a server default, so requests logged
before this revision upgrade in place), the indexes the queue's filters and sorts use,
and ``request_attachments`` (scanned requests and other files kept in the store).

The columns are added with plain ADD COLUMN, never by rebuilding ``requests`` (batch
mode): with foreign keys on, dropping the old table fails (or would cascade) as soon as a
timeline event, letter or denial refers to a request, so a store holding requests could
not be upgraded (found by tests/store/test_fixture_stores.py on the security_1 store).

Revision ID: intake_1
Revises: security_1
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_1"
down_revision = "security_1"
branch_labels = None
depends_on = None

_FALSE = sa.text("0")
_TRUE = sa.text("1")

COLUMNS = [
    sa.Column("authority", sa.String(40), nullable=False, server_default=""),
    sa.Column("authority_document", sa.Text(), nullable=False, server_default=""),
    sa.Column("directive_recipient", sa.String(200), nullable=False, server_default=""),
    sa.Column("directive_destination", sa.Text(), nullable=False, server_default=""),
    sa.Column("directive_signed", sa.Boolean(), nullable=False, server_default=_FALSE),
    sa.Column("whole_drs", sa.Boolean(), nullable=False, server_default=_FALSE),
    sa.Column("categories", sa.Text(), nullable=False, server_default=""),
    sa.Column("date_from", sa.Date(), nullable=True),
    sa.Column("date_to", sa.Date(), nullable=True),
    sa.Column("summary", sa.Boolean(), nullable=False, server_default=_FALSE),
    sa.Column("summary_agreed", sa.Boolean(), nullable=False, server_default=_FALSE),
    sa.Column("summary_fee_agreed", sa.Boolean(), nullable=False, server_default=_FALSE),
    sa.Column("electronic_format", sa.String(20), nullable=False, server_default=""),
    sa.Column("phi_electronic", sa.Boolean(), nullable=False, server_default=_TRUE),
    sa.Column("agreed_format", sa.String(40), nullable=False, server_default=""),
    sa.Column("declined_electronic", sa.Boolean(), nullable=False, server_default=_FALSE),
    sa.Column("email_risk_accepted", sa.Boolean(), nullable=False, server_default=_FALSE),
    sa.Column("channel", sa.String(20), nullable=False, server_default=""),
    sa.Column("preferred_language", sa.String(5), nullable=False, server_default="en"),
    sa.Column("verified_method", sa.String(40), nullable=False, server_default=""),
    sa.Column("verified_on", sa.Date(), nullable=True),
    sa.Column("verified_by_id", sa.Integer(), nullable=True),
    sa.Column("verification_note", sa.Text(), nullable=False, server_default=""),
    sa.Column("incomplete", sa.Boolean(), nullable=False, server_default=_FALSE),
    sa.Column("clarifications", sa.Text(), nullable=False, server_default=""),
    sa.Column("possible_duplicate_of", sa.Integer(), nullable=True),
    sa.Column("fee_method", sa.String(20), nullable=False, server_default=""),
    sa.Column("fee_total", sa.String(20), nullable=False, server_default=""),
    sa.Column("fee_lines", sa.Text(), nullable=False, server_default=""),
    sa.Column("fee_given_on", sa.Date(), nullable=True),
]

INDEXES = [
    ("ix_requests_requester", ["requester_name"]),
    ("ix_requests_kind_status", ["requester_kind", "status"]),
    ("ix_requests_incomplete_status", ["incomplete", "status"]),
    ("ix_requests_patient_dob", ["patient_fold", "patient_dob"]),
]


FK_VERIFIED_BY = "fk_requests_verified_by_id_users"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column in COLUMNS:
        if column.name == "verified_by_id" and sqlite:
            # SQLite adds a column's reference in ADD COLUMN itself (its default is NULL).
            op.execute(
                "ALTER TABLE requests ADD COLUMN verified_by_id INTEGER "
                f"CONSTRAINT {FK_VERIFIED_BY} REFERENCES users (id)"
            )
        else:
            op.add_column("requests", column._copy())  # a Column joins one table only
    if not sqlite:
        op.create_foreign_key(FK_VERIFIED_BY, "requests", "users", ["verified_by_id"], ["id"])
    for name, cols in INDEXES:
        op.create_index(name, "requests", cols, unique=False)

    op.create_table(
        "request_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_request_attachments_request_id", "request_attachments", ["request_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_request_attachments_request_id", table_name="request_attachments")
    op.drop_table("request_attachments")
    for name, _cols in INDEXES:
        op.drop_index(name, table_name="requests")
    named = {fk["name"] for fk in sa.inspect(op.get_bind()).get_foreign_keys("requests")}
    with op.batch_alter_table("requests", schema=None) as batch_op:
        if FK_VERIFIED_BY in named:  # stores made before the upgrade was plain ADD COLUMN
            batch_op.drop_constraint(FK_VERIFIED_BY, type_="foreignkey")
        for column in reversed(COLUMNS):
            batch_op.drop_column(column.name)
