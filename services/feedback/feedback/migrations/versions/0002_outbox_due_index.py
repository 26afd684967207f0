"""The outbox's due index also orders the rows it finds.

The sync takes the rows due the longest first, by (next_attempt_at, id). With the index on
(state, next_attempt_at) alone, PostgreSQL sorted every due row for each batch of 200 (33 ms a
batch for a backlog of 20,000 ratings, growing with the backlog); with id at its end, it reads
the first 200 entries of the index and stops.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_outbox_due", "outbox", ["state", "next_attempt_at", "id"])
    op.drop_index("ix_outbox_state_next_attempt_at", table_name="outbox")


def downgrade():
    op.create_index("ix_outbox_state_next_attempt_at", "outbox", ["state", "next_attempt_at"])
    op.drop_index("ix_outbox_due", table_name="outbox")
