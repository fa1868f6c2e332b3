"""What "a read changed nothing" means: every table's row count and the dataset revision."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from service import tables  # noqa: F401  (registers every table on SQLModel.metadata)
from service.revisions import latest_id


@dataclass(frozen=True)
class Snapshot:
    row_counts: dict[str, int]
    revision: str

    @classmethod
    def take(cls, engine: Engine) -> "Snapshot":
        with Session(engine) as session:
            counts = {
                name: session.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in sorted(SQLModel.metadata.tables.items())
            }
            return cls(row_counts=counts, revision=latest_id(session))
