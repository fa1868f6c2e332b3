"""Text search of cases (`q=`): a case matches when its summary or note contains the text,
ignoring case, on both databases and from an index on each (migration
0006_case_text_search): pg_trgm GIN indexes on PostgreSQL, an FTS5 trigram table on SQLite.
"""

from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, or_, select, table
from sqlmodel import Session

from service.tables import Case

#: SQLite: the FTS5 table that indexes the cases' texts (external content: cases).
SQLITE_TEXT_TABLE = "cases_text"
#: What the migration builds outside the models, which schema comparisons leave alone.
SQLITE_TABLES = (
    SQLITE_TEXT_TABLE,
    "cases_text_data",
    "cases_text_idx",
    "cases_text_docsize",
    "cases_text_config",
)
POSTGRES_INDEXES = ("ix_cases_live_summary_trigrams", "ix_cases_live_note_trigrams")
#: SQLite: the trigger that adds each inserted case to `cases_text` (a large load drops it
#: and adds its cases at once: service/seed/load.py's _CaseIndexes).
SQLITE_INSERT_TRIGGER = "cases_text_insert"

#: A trigram index finds texts of at least this many characters; shorter ones are scanned.
SHORTEST = 3


def case_text(session: Session, q: str) -> ColumnElement[bool]:
    """Cases whose summary or note contains `q`, ignoring case."""
    columns = (Case.summary, Case.note)
    if session.get_bind().dialect.name != "sqlite" or len(q) < SHORTEST:
        return or_(*(func.lower(c).contains(q.lower(), autoescape=True) for c in columns))
    # FTS5's trigram tokenizer: a phrase of q's trigrams is q as a substring, any case.
    phrase = '{summary note} : "' + q.replace('"', '""') + '"'
    fts = table(SQLITE_TEXT_TABLE)
    matching: Any = (
        select(literal_column("rowid"))
        .select_from(fts)
        .where(literal_column(SQLITE_TEXT_TABLE).op("MATCH")(phrase))
    )
    return literal_column("cases.rowid").in_(matching)


def not_text_search(name: str | None, *_: Any) -> bool:
    """For Alembic's include_name: False for what the text search migration built."""
    return name not in (*SQLITE_TABLES, *POSTGRES_INDEXES)
