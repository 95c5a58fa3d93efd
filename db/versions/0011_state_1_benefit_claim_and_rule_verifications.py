"""state law: benefit-claim and earlier-copy facts on requests; the practice's rule checks

``requests.benefit_claim`` answers "is this copy for a benefit claim or appeal?" (NY, CT, WA,
VA and LA limit or waive the fee), ``requests.earlier_copy`` whether the patient already had
a copy (KY first copy free; WA, VA one free copy). Both default to false, so requests logged
before this revision upgrade in place. ``rule_verifications`` records who checked a state
rule, when, and against what text (access-rules 11.1). ``requests.part2_consent_on`` and
``part2_consent_note`` record the patient's consent that 42 CFR 2.31 requires before Part 2
records go to a third party (access-rules 11.5).

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
NEW_COLUMNS = ("benefit_claim", "earlier_copy")


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy of the table: a copy would drop the retention
    # trigger sec2_1 put on requests (SQLite adds a NOT NULL column with a default in place).
    for name in NEW_COLUMNS:
        op.add_column(
            "requests", sa.Column(name, sa.Boolean(), nullable=False, server_default=_FALSE)
        )
    op.add_column("requests", sa.Column("part2_consent_on", sa.Date(), nullable=True))
    op.add_column(
        "requests",
        sa.Column("part2_consent_note", sa.Text(), nullable=False, server_default=""),
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
    if op.get_bind().dialect.name == "sqlite":
        # Kept like the other documentation of the practice's policies (164.530(j)).
        op.execute(
            "CREATE TRIGGER rule_verifications_no_delete BEFORE DELETE ON rule_verifications "
            "BEGIN SELECT RAISE(ABORT, 'rule verifications are kept for six years (45 CFR "
            "164.530(j)) and cannot be deleted; record a newer check instead'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS rule_verifications_no_delete")
    op.drop_index("ix_rule_verifications_code", "rule_verifications")
    op.drop_table("rule_verifications")
    op.drop_column("requests", "part2_consent_note")
    op.drop_column("requests", "part2_consent_on")
    for name in reversed(NEW_COLUMNS):
        op.drop_column("requests", name)  # SQLite 3.35+ drops a column in place
