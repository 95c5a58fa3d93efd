"""DRS map versions, the wizard's draft, and per-request collection checklists

Revision ID: drswiz_1
Revises: letterflow_1
"""

import sqlalchemy as sa
from alembic import op

revision = "drswiz_1"
down_revision = "letterflow_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drs_map_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("map_json", sa.Text(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("last_in_effect", sa.Date(), nullable=True),
        sa.Column("retain_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["saved_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    op.create_index("ix_drs_map_versions_effective", "drs_map_versions", ["effective"])
    op.create_table(
        "drs_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_json", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "request_drs",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("map_version", sa.Integer(), nullable=False),
        sa.Column("scope_json", sa.Text(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["map_version"], ["drs_map_versions.version"]),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_table(
        "request_checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("category_title", sa.String(length=200), nullable=False),
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("system_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("how", sa.Text(), nullable=False),
        sa.Column("business_associate", sa.String(length=200), nullable=True),
        sa.Column("ba_contact", sa.Text(), nullable=False),
        sa.Column("ba_how", sa.Text(), nullable=False),
        sa.Column("turnaround_days", sa.Integer(), nullable=True),
        sa.Column("due_by", sa.Date(), nullable=True),
        sa.Column("after_request_due", sa.Boolean(), nullable=False),
        sa.Column("same_as", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["done_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_checklist_request_open", "request_checklist_items", ["request_id", "done_on"]
    )
    # 164.530(j): a saved version is documentation; it is never deleted and its content never
    # changes (only the dates it stopped being in effect and must be kept until are filled in).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER drs_map_versions_no_delete BEFORE DELETE ON drs_map_versions "
            "BEGIN SELECT RAISE(ABORT, 'DRS map versions are kept, never deleted'); END"
        )
        op.execute(
            "CREATE TRIGGER drs_map_versions_no_rewrite "
            "BEFORE UPDATE OF version, effective, map_json, saved_by_id, saved_at "
            "ON drs_map_versions "
            "BEGIN SELECT RAISE(ABORT, 'a saved DRS map version cannot be changed'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS drs_map_versions_no_delete")
        op.execute("DROP TRIGGER IF EXISTS drs_map_versions_no_rewrite")
    op.drop_index("ix_checklist_request_open", table_name="request_checklist_items")
    op.drop_table("request_checklist_items")
    op.drop_table("request_drs")
    op.drop_table("drs_drafts")
    op.drop_index("ix_drs_map_versions_effective", table_name="drs_map_versions")
    op.drop_table("drs_map_versions")
