"""figure_reports: what kind of report a source gave, and the parts it printed

A source may print a number, a range, only words, only the parts of a figure ("three
officers and four staff", never "seven"), or name a category without a count. Existing
rows are classified from their columns: a value is a number, a min or max a range, the
rest words; the next `met-foi seed` reloads the packages with their declared kinds.

Revision ID: 0003_report_kinds
Revises: 0002_cases_page_order
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_report_kinds"
down_revision: str | None = "0002_cases_page_order"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("figure_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="number",
            )
        )
        batch_op.add_column(sa.Column("parts", sa.JSON(), nullable=False, server_default="[]"))
    op.execute(
        "UPDATE figure_reports SET kind = CASE"
        " WHEN value IS NOT NULL THEN 'number'"
        " WHEN min IS NOT NULL OR max IS NOT NULL THEN 'range'"
        " ELSE 'words' END"
    )
    with op.batch_alter_table("figure_reports", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.alter_column("parts", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("figure_reports", schema=None) as batch_op:
        batch_op.drop_column("parts")
        batch_op.drop_column("kind")
