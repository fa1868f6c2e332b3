"""cases and figures: partial indexes over the newest revision's rows, in page order

The lists read the newest revision (`rev_to IS NULL`) in (disclosure_id, position, id)
order. PostgreSQL does not treat `rev_to IS NULL` as an equality, so the index
(rev_to, disclosure_id, position, id) cannot give that order there: at a million cases every
page was a scan and a sort. It goes, with the index on a case's position alone and the one
on a figure's measure alone (the planner took them, then sorted). A partial index WHERE
rev_to IS NULL on the page order serves it on both databases, and one per filter dimension
(the dimension, then the page order) serves a filtered page without walking every live
row. On PostgreSQL, extended statistics tell the planner how the case dimensions go
together (platform and year, staff type and outcome), so a page filtered by two of them
picks the right index.

Revision ID: 0005_live_indexes
Revises: 0004_revisions
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_live_indexes"
down_revision: str | None = "0004_revisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER = ["disclosure_id", "position", "id"]
#: Each table's live-row indexes: the page order, then one per filter in front of it.
LIVE_INDEXES = {
    "cases": {
        "ix_cases_live_order": ORDER,
        **{
            f"ix_cases_live_{dim}": [dim, *ORDER]
            for dim in ("staff_type", "outcome", "platform", "year")
        },
    },
    "figures": {
        "ix_figures_live_order": ORDER,
        **{
            f"ix_figures_live_{dim}": [dim, *ORDER]
            for dim in (
                "measure",
                "staff_type",
                "outcome",
                "platform",
                "allegation",
                "year",
                "rank",
            )
        },
    },
}
STATISTICS = "st_cases_dimensions"


def upgrade() -> None:
    # Superseded by ix_cases_live_order; and a position alone orders nothing (PostgreSQL
    # picked it for year filters, then sorted).
    op.drop_index("ix_cases_page_order", table_name="cases")
    op.drop_index("ix_cases_position", table_name="cases")
    op.drop_index("ix_figures_measure", table_name="figures")  # ix_figures_live_measure
    live = sa.text("rev_to IS NULL")
    for table, indexes in LIVE_INDEXES.items():
        for name, columns in indexes.items():
            op.create_index(
                name, table, columns, unique=False, sqlite_where=live, postgresql_where=live
            )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE STATISTICS {STATISTICS} (dependencies, mcv) "
            "ON staff_type, outcome, platform, year FROM cases"
        )
        op.execute("ANALYZE cases")
        op.execute("ANALYZE figures")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    for table, indexes in LIVE_INDEXES.items():
        for name in reversed(indexes):
            op.drop_index(name, table_name=table)
    op.create_index("ix_figures_measure", "figures", ["measure"], unique=False)
    op.create_index("ix_cases_position", "cases", ["position"], unique=False)
    op.create_index(
        "ix_cases_page_order", "cases", ["rev_to", "disclosure_id", "position", "id"], unique=False
    )
