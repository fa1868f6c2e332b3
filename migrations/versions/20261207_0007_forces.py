"""figures and disclosures: the force a figure is about, the forces a disclosure covers

Surveys of every force (issue 27) put figures about many forces into one disclosure, so a
figure names its force (`figures.force`, an id of service/forces.py; NULL for a survey's
figure about every force it asked) and a disclosure the forces it covers
(`disclosures.forces`, a JSON list of ids). A partial index over the live rows serves
`/v1/figures?force=` in page order, as the other filters are served (0005).

Every disclosure stored before this migration is about the Metropolitan Police Service,
the only force its loader knew: its rows, in every revision, get that force, as a fresh
load of the same packages gives them. Nothing else changes, so every stored revision reads
as it did, with the force added.

Revision ID: 0007_forces
Revises: 0006_case_text_search
Create Date: 2026-12-07 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_forces"
down_revision: str | None = "0006_case_text_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_figures_live_force"
MET_NAME = "Metropolitan Police Service"
MET_ID = "metropolitan-police-service"


def upgrade() -> None:
    op.add_column("figures", sa.Column("force", sa.String(length=100), nullable=True))
    op.add_column(
        "disclosures", sa.Column("forces", sa.JSON(), nullable=False, server_default="[]")
    )
    met = sa.bindparam("met", MET_NAME)
    op.get_bind().execute(
        sa.text(
            "UPDATE figures SET force = :force WHERE disclosure_id IN "
            "(SELECT id FROM disclosures WHERE force = :met)"
        ).bindparams(met, force=MET_ID)
    )
    forces = sa.bindparam("forces", [MET_ID], type_=sa.JSON())
    op.get_bind().execute(
        sa.text("UPDATE disclosures SET forces = :forces WHERE force = :met").bindparams(
            met, forces
        )
    )
    live = sa.text("rev_to IS NULL")
    op.create_index(
        INDEX,
        "figures",
        ["force", "disclosure_id", "position", "id"],
        unique=False,
        sqlite_where=live,
        postgresql_where=live,
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="figures")
    with op.batch_alter_table("disclosures") as batch:
        batch.drop_column("forces")
    with op.batch_alter_table("figures") as batch:
        batch.drop_column("force")
