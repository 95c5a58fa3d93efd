"""state law: benefit-claim and earlier-copy facts on requests; the practice's rule checks

``requests.benefit_claim`` answers "is this copy for a benefit claim or appeal?" (NY, CT, WA,
VA and LA limit or waive the fee), ``requests.earlier_copy`` whether the patient already had
a copy (KY first copy free; WA, VA one free copy). Both default to false, so requests logged
before this revision upgrade in place. ``rule_verifications`` records who checked a state
rule, when, and against what text (access-rules 11.1).

Revision ID: state_1
Revises: queue_4
"""

import sqlalchemy as sa
from alembic import op

revision = "state_1"
down_revision = "queue_4"
branch_labels = None
depends_on = None

_FALSE = sa.text("0")


def upgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("benefit_claim", sa.Boolean(), nullable=False, server_default=_FALSE)
        )
        batch_op.add_column(
            sa.Column("earlier_copy", sa.Boolean(), nullable=False, server_default=_FALSE)
        )
    op.create_table(
        "rule_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_code", sa.String(length=40), nullable=False),
        sa.Column("rule_source", sa.String(length=200), nullable=False),
        sa.Column("against", sa.Text(), nullable=False),
        sa.Column("verified_by_id", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["verified_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_rule_verifications_code", "rule_verifications", ["rule_code", "verified_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_rule_verifications_code", "rule_verifications")
    op.drop_table("rule_verifications")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("earlier_copy")
        batch_op.drop_column("benefit_claim")
