"""cases: text search (`q=`) from an index, on both databases

`q` finds cases whose summary or note contains the text, ignoring case. As a LIKE
'%text%' it read every live case, twice (the count and the page). PostgreSQL now answers
it from pg_trgm GIN indexes on lower(summary) and lower(note) of the live rows; SQLite
from an FTS5 table with the trigram tokenizer (`cases_text`, external content: it holds
only the index), which triggers keep in step with every insert, delete and change of a
summary or note, so loading needs no step of its own. Texts under three characters have
no trigram and are still matched by LIKE.

Revision ID: 0006_case_text_search
Revises: 0005_live_indexes
Create Date: 2026-12-07 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_case_text_search"
down_revision: str | None = "0005_live_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("summary", "note")
#: SQLite: the FTS5 table and the triggers that keep it in step with `cases`.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE cases_text USING fts5(summary, note, content='cases', "
    "content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER cases_text_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO cases_text(rowid, summary, note) VALUES (new.rowid, new.summary, new.note); "
    "END",
    "CREATE TRIGGER cases_text_delete AFTER DELETE ON cases BEGIN "
    "INSERT INTO cases_text(cases_text, rowid, summary, note) "
    "VALUES ('delete', old.rowid, old.summary, old.note); END",
    "CREATE TRIGGER cases_text_update AFTER UPDATE OF summary, note ON cases BEGIN "
    "INSERT INTO cases_text(cases_text, rowid, summary, note) "
    "VALUES ('delete', old.rowid, old.summary, old.note); "
    "INSERT INTO cases_text(rowid, summary, note) VALUES (new.rowid, new.summary, new.note); "
    "END",
    "INSERT INTO cases_text(cases_text) VALUES ('rebuild')",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        op.execute(
            f"CREATE INDEX ix_cases_live_{column}_trigrams ON cases "
            f"USING gin (lower({column}) gin_trgm_ops) WHERE rev_to IS NULL"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER cases_text_{trigger}")
        op.execute("DROP TABLE cases_text")
        return
    for column in COLUMNS:
        op.execute(f"DROP INDEX ix_cases_live_{column}_trigrams")
