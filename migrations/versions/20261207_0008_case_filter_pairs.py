"""cases: partial indexes for two filters together, in page order

`/v1/cases?platform=twitter&year=2011` was read from one dimension's live-row index
(0005): the page and the capped count walked every live Twitter case until they had
enough that were also of 2011 (at 10^6 cases, 197 ms of CPU on SQLite and 380 ms on
PostgreSQL). An index on the pair, then the page order, over the live rows, gives the
page and the count straight from the matching entries. Two pairs are indexed, the ones
whose dimensions go together in the disclosures and the questions asked of them:
platform and year, staff type and outcome (the pairs of st_cases_dimensions). Any other
pair is still read from one dimension's index; each index costs every load its writes.

Revision ID: 0008_case_filter_pairs
Revises: 0007_forces
Create Date: 2026-12-07 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_case_filter_pairs"
down_revision: str | None = "0007_forces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER = ["disclosure_id", "position", "id"]
PAIRS = (("platform", "year"), ("staff_type", "outcome"))


def upgrade() -> None:
    live = sa.text("rev_to IS NULL")
    for first, second in PAIRS:
        op.create_index(
            f"ix_cases_live_{first}_{second}",
            "cases",
            [first, second, *ORDER],
            unique=False,
            sqlite_where=live,
            postgresql_where=live,
        )


def downgrade() -> None:
    for first, second in reversed(PAIRS):
        op.drop_index(f"ix_cases_live_{first}_{second}", table_name="cases")
