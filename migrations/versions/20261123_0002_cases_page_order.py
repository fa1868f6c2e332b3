"""cases: an index in page order

/v1/cases pages by (disclosure_id, position, id). Without an index in that order every
uncached page sorts the whole table (about 2 s at a million cases on SQLite, mostly for
deep offsets); with it, a page is read in index order.

Revision ID: 0002_cases_page_order
Revises: 0001
Create Date: 2026-11-23 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_cases_page_order"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_page_order", ["disclosure_id", "position", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_page_order")
