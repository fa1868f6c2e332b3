"""revisions: append-only versions of every row, the revisions table and package files

Every data table gains the revision range of each row (rev_from, rev_to); primary keys
become (id, rev_from) and the foreign keys go, since an id now names every version of a
row (the loader checks each package's references). figure_reports and check_terms carry
their disclosure, so a package's rows are found without a join. The rows already stored
become revision 1, recorded in `revisions` with the note that history starts there; the
packages' files are stored by the next `met-foi seed` (which finds them unchanged).

Each table is rebuilt (created anew, filled from the old one, the old one dropped, the new
one renamed) so that SQLite and PostgreSQL take the same steps. Downgrading keeps the
newest revision only.

Revision ID: 0004_revisions
Revises: 0003_report_kinds
Create Date: 2026-12-05 09:00:00
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_revisions"
down_revision: str | None = "0003_report_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Text = sqlmodel.sql.sqltypes.AutoString
Columns = Callable[[], list[sa.Column]]  # type: ignore[type-arg]


def _disclosure_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", Text(length=100), nullable=False),
        sa.Column("title", Text(), nullable=False),
        sa.Column("force", Text(), nullable=False),
        sa.Column("requester", Text(), nullable=False),
        sa.Column("requester_note", Text(), nullable=True),
        sa.Column("foi_reference", Text(), nullable=True),
        sa.Column("answer_date", Text(), nullable=True),
        sa.Column("first_coverage", Text(), nullable=True),
        sa.Column("date_precision", Text(), nullable=True),
        sa.Column("period_start", Text(), nullable=True),
        sa.Column("period_end", Text(), nullable=True),
        sa.Column("period_description", Text(), nullable=False),
        sa.Column("request_subject", Text(), nullable=False),
        sa.Column("counts", Text(), nullable=False),
        sa.Column("comparability", sa.JSON(), nullable=False),
        sa.Column("aggregate_defaults", sa.JSON(), nullable=False),
        sa.Column("licence_id", Text(), nullable=False),
        sa.Column("licence_title", Text(), nullable=False),
        sa.Column("licence_url", Text(), nullable=False),
        sa.Column("version", Text(), nullable=False),
        sa.Column("revision", Text(length=64), nullable=False),
        sa.Column("last_updated", Text(), nullable=False),
    ]


def _source_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("publisher", Text(), nullable=False),
        sa.Column("title", Text(), nullable=False),
        sa.Column("url", Text(), nullable=False),
        sa.Column("date", Text(), nullable=False),
        sa.Column("kind", Text(), nullable=False),
        sa.Column("note", Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
    ]


def _figure_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("measure", Text(length=100), nullable=False),
        sa.Column("label", Text(), nullable=False),
        sa.Column("staff_type", Text(), nullable=True),
        sa.Column("outcome", Text(), nullable=True),
        sa.Column("platform", Text(), nullable=True),
        sa.Column("allegation", Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("rank", Text(), nullable=True),
        sa.Column("period", Text(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("min", sa.Integer(), nullable=True),
        sa.Column("max", sa.Integer(), nullable=True),
        sa.Column("qualifier", Text(), nullable=True),
        sa.Column("unit", Text(), nullable=False),
        sa.Column("derived", sa.Boolean(), nullable=False),
        sa.Column("note", Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
    ]


def _report_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("min", sa.Integer(), nullable=True),
        sa.Column("max", sa.Integer(), nullable=True),
        sa.Column("qualifier", Text(), nullable=True),
        sa.Column("kind", Text(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("note", Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
    ]


def _case_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("staff_type", Text(), nullable=True),
        sa.Column("rank", Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("platform", Text(), nullable=True),
        sa.Column("allegation", Text(), nullable=True),
        sa.Column("outcome", Text(), nullable=True),
        sa.Column("summary", Text(), nullable=False),
        sa.Column("in_foi_answer", Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("note", Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
    ]


def _check_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("title", Text(), nullable=False),
        sa.Column("note", Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
    ]


def _term_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("role", Text(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    ]


def _note_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("kind", Text(), nullable=False),
        sa.Column("topic", Text(), nullable=False),
        sa.Column("text", Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    ]


#: The rows a disclosure counts when it is loaded: its figures, cases, checks and sources.
COUNTED = ("figure", "case", "check", "source")


def _names(columns: Columns) -> list[str]:
    return [c.name for c in columns()]


# ---------------------------------------------------------------- rebuilding a table


class Rebuild:
    """A table created anew beside the old one as `columns` and `constraints`, filled by
    `fill` (a SELECT reading the old table as {old}); swap() then drops the old table,
    renames the new one, keeps the names PostgreSQL would have given it, and indexes it."""

    def __init__(
        self,
        name: str,
        columns: list[sa.Column],  # type: ignore[type-arg]
        constraints: list[sa.Constraint],
        fill: str,
        indexes: dict[str, list[str]],
    ) -> None:
        self.name, self.new = name, f"{name}__new"
        self.columns, self.constraints, self.indexes = columns, constraints, indexes
        op.create_table(self.new, *columns, *constraints)
        targets = ", ".join(f'"{c.name}"' for c in columns)
        op.execute(f'INSERT INTO "{self.new}" ({targets}) {fill.format(old=name)}')

    def swap(self) -> None:
        name, new = self.name, self.new
        op.drop_table(name)
        op.rename_table(new, name)
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f'ALTER TABLE "{name}" RENAME CONSTRAINT "{new}_pkey" TO "{name}_pkey"')
            if any(c.name == "id" and isinstance(c.type, sa.Integer) for c in self.columns):
                op.execute(f'ALTER SEQUENCE "{new}_id_seq" RENAME TO "{name}_id_seq"')
                op.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{name}"), 0) + 1, false)'
                )
            for constraint in self.constraints:
                if isinstance(constraint, sa.UniqueConstraint):
                    cols = "_".join(c.name for c in constraint.columns)
                    op.execute(
                        f'ALTER TABLE "{name}" RENAME CONSTRAINT "{new}_{cols}_key" '
                        f'TO "{name}_{cols}_key"'
                    )
        for index, on in self.indexes.items():
            op.create_index(index, name, on, unique=False)


def _versioned(*columns: sa.Column) -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("rev_from", sa.Integer(), nullable=False),
        sa.Column("rev_to", sa.Integer(), nullable=True),
        *columns,
    ]


def _id(length: int) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", Text(length=length), nullable=False)


def _owner() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("disclosure_id", Text(length=100), nullable=False)


def _copy(columns: Columns, *, join: str = "", select: str = "") -> str:
    """A SELECT of the old table's rows as revision 1; `select` adds leading columns."""
    names = ", ".join(f'{{old}}."{n}"' for n in _names(columns))
    return f"SELECT 1, NULL, {select}{names} FROM {{old}} {join}"


def upgrade() -> None:
    key = sa.PrimaryKeyConstraint
    # Every new table is filled before any old one is dropped: on SQLite, dropping a parent
    # deletes its children's rows through the old ON DELETE CASCADE.
    built = [
        Rebuild(
            "disclosures",
            _versioned(
                *_disclosure_columns(),
                sa.Column("changes", sa.JSON(), nullable=False),
                *(sa.Column(f"{c}_count", sa.Integer(), nullable=False) for c in COUNTED),
            ),
            [key("id", "rev_from")],
            f"SELECT 1, NULL, {', '.join(_names(_disclosure_columns))}, '[]', "
            + ", ".join(
                f"(SELECT COUNT(*) FROM {c}s WHERE {c}s.disclosure_id = {{old}}.id)"
                for c in COUNTED
            )
            + " FROM {old}",
            {},
        ),
        Rebuild(
            "sources",
            _versioned(_id(100), _owner(), *_source_columns()),
            [key("id", "rev_from")],
            _copy(_source_columns, select="{old}.id, {old}.disclosure_id, "),
            {"ix_sources_disclosure_id": ["disclosure_id"]},
        ),
        Rebuild(
            "figures",
            _versioned(_id(200), _owner(), *_figure_columns()),
            [key("id", "rev_from")],
            _copy(_figure_columns, select="{old}.id, {old}.disclosure_id, "),
            {"ix_figures_disclosure_id": ["disclosure_id"], "ix_figures_measure": ["measure"]},
        ),
        Rebuild(
            "figure_reports",
            _versioned(
                sa.Column("id", sa.Integer(), nullable=False),
                _owner(),
                sa.Column("figure_id", Text(length=200), nullable=False),
                sa.Column("source_id", Text(length=100), nullable=False),
                *_report_columns(),
            ),
            [key("id"), sa.UniqueConstraint("figure_id", "source_id", "rev_from")],
            _copy(
                _report_columns,
                select="{old}.id, figures.disclosure_id, {old}.figure_id, {old}.source_id, ",
                join="JOIN figures ON figures.id = {old}.figure_id",
            ),
            {
                "ix_figure_reports_disclosure_id": ["disclosure_id"],
                "ix_figure_reports_figure_id": ["figure_id"],
            },
        ),
        Rebuild(
            "cases",
            _versioned(_id(200), _owner(), *_case_columns()),
            [key("id", "rev_from")],
            _copy(_case_columns, select="{old}.id, {old}.disclosure_id, "),
            {
                "ix_cases_disclosure_id": ["disclosure_id"],
                "ix_cases_position": ["position"],
                "ix_cases_page_order": ["rev_to", "disclosure_id", "position", "id"],
            },
        ),
        Rebuild(
            "checks",
            _versioned(_id(200), _owner(), *_check_columns()),
            [key("id", "rev_from")],
            _copy(_check_columns, select="{old}.id, {old}.disclosure_id, "),
            {"ix_checks_disclosure_id": ["disclosure_id"]},
        ),
        Rebuild(
            "check_terms",
            _versioned(
                sa.Column("id", sa.Integer(), nullable=False),
                _owner(),
                sa.Column("check_id", Text(length=200), nullable=False),
                sa.Column("role", Text(length=10), nullable=False),
                sa.Column("figure_id", Text(length=200), nullable=False),
                sa.Column("source_id", Text(length=100), nullable=True),
                sa.Column("position", sa.Integer(), nullable=False),
            ),
            [key("id")],
            "SELECT 1, NULL, {old}.id, checks.disclosure_id, {old}.check_id, {old}.role, "
            "{old}.figure_id, {old}.source_id, {old}.position FROM {old} "
            "JOIN checks ON checks.id = {old}.check_id",
            {
                "ix_check_terms_check_id": ["check_id"],
                "ix_check_terms_disclosure_id": ["disclosure_id"],
            },
        ),
        Rebuild(
            "notes",
            _versioned(_id(200), _owner(), *_note_columns()),
            [key("id", "rev_from")],
            _copy(_note_columns, select="{old}.id, {old}.disclosure_id, "),
            {"ix_notes_disclosure_id": ["disclosure_id"]},
        ),
    ]
    for rebuilt in reversed(built):
        rebuilt.swap()
    op.create_table(
        "revisions",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("id", Text(length=16), nullable=False),
        sa.Column("published", Text(), nullable=False),
        sa.Column("note", Text(), nullable=False),
        sa.Column("packages", sa.JSON(), nullable=False),
        sa.Column("figures_added", sa.Integer(), nullable=False),
        sa.Column("figures_changed", sa.Integer(), nullable=False),
        sa.Column("figures_removed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
    )
    op.create_table(
        "package_files",
        sa.Column("digest", Text(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_table(
        "package_manifests",
        sa.Column("disclosure_id", Text(length=100), nullable=False),
        sa.Column("package_revision", Text(length=64), nullable=False),
        sa.Column("path", Text(length=200), nullable=False),
        sa.Column("digest", Text(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("disclosure_id", "package_revision", "path"),
    )
    _first_revision()


#: The note of the revision a database migrated from before history was kept starts at.
FIRST_NOTE = "revision history starts here: the data as it stood when revisions began"


def _first_revision() -> None:
    """Record what is stored as revision 1, with the id service.revisions.revision_id gives
    a first revision of these package revisions."""
    bind = op.get_bind()
    stored = bind.execute(sa.text("SELECT id, revision FROM disclosures ORDER BY id")).all()
    if not stored:
        return
    digest = hashlib.sha256(b"")
    for disclosure_id, package_revision in stored:
        digest.update(f"\0{disclosure_id}:{package_revision}".encode())
    figures = bind.execute(sa.text("SELECT COUNT(*) FROM figures")).scalar_one()
    packages = [
        {"disclosure": d, "revision": r, "change": "added", "notes": [FIRST_NOTE], "rows": {}}
        for d, r in stored
    ]
    revisions = sa.table(
        "revisions",
        sa.column("seq"),
        sa.column("id"),
        sa.column("published"),
        sa.column("note"),
        sa.column("packages", sa.JSON()),
        sa.column("figures_added"),
        sa.column("figures_changed"),
        sa.column("figures_removed"),
    )
    op.bulk_insert(
        revisions,
        [
            {
                "seq": 1,
                "id": digest.hexdigest()[:16],
                "published": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                "note": FIRST_NOTE,
                "packages": json.loads(json.dumps(packages)),
                "figures_added": figures,
                "figures_changed": 0,
                "figures_removed": 0,
            }
        ],
    )


# ---------------------------------------------------------------- downgrade


def _cascade(column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{parent}.id"], ondelete="CASCADE")


def _newest(columns: Columns, lead: str = "id, disclosure_id, ") -> str:
    names = ", ".join(_names(columns))
    return f"SELECT {lead}{names} FROM {{old}} WHERE rev_to IS NULL"


def _unversioned(
    name: str,
    columns: list[sa.Column],  # type: ignore[type-arg]
    constraints: list[sa.Constraint],
    fill: str,
    indexes: dict[str, list[str]],
) -> None:
    """Rebuild one table at once: downgrading goes parents first, so each new table's
    foreign keys point at a parent already rebuilt."""
    Rebuild(name, columns, constraints, fill, indexes).swap()


def downgrade() -> None:
    op.drop_table("package_manifests")
    op.drop_table("package_files")
    op.drop_table("revisions")
    key = sa.PrimaryKeyConstraint
    _unversioned(
        "disclosures",
        _disclosure_columns(),
        [key("id")],
        f"SELECT {', '.join(_names(_disclosure_columns))} FROM {{old}} WHERE rev_to IS NULL",
        {},
    )
    for name, columns, indexes in (
        ("sources", _source_columns, {"ix_sources_disclosure_id": ["disclosure_id"]}),
        (
            "figures",
            _figure_columns,
            {"ix_figures_disclosure_id": ["disclosure_id"], "ix_figures_measure": ["measure"]},
        ),
        (
            "cases",
            _case_columns,
            {
                "ix_cases_disclosure_id": ["disclosure_id"],
                "ix_cases_position": ["position"],
                "ix_cases_page_order": ["disclosure_id", "position", "id"],
            },
        ),
        ("checks", _check_columns, {"ix_checks_disclosure_id": ["disclosure_id"]}),
        ("notes", _note_columns, {"ix_notes_disclosure_id": ["disclosure_id"]}),
    ):
        length = 100 if name == "sources" else 200
        _unversioned(
            name,
            [_id(length), sa.Column("disclosure_id", Text(), nullable=False), *columns()],
            [key("id"), _cascade("disclosure_id", "disclosures")],
            _newest(columns),
            indexes,
        )
    _unversioned(
        "figure_reports",
        [
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("figure_id", Text(), nullable=False),
            sa.Column("source_id", Text(), nullable=False),
            *_report_columns(),
        ],
        [
            key("id"),
            _cascade("figure_id", "figures"),
            _cascade("source_id", "sources"),
            sa.UniqueConstraint("figure_id", "source_id"),
        ],
        _newest(_report_columns, "id, figure_id, source_id, "),
        {"ix_figure_reports_figure_id": ["figure_id"]},
    )
    _unversioned(
        "check_terms",
        [
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("check_id", Text(), nullable=False),
            sa.Column("role", Text(length=10), nullable=False),
            sa.Column("figure_id", Text(), nullable=False),
            sa.Column("source_id", Text(), nullable=True),
            sa.Column("position", sa.Integer(), nullable=False),
        ],
        [
            key("id"),
            _cascade("check_id", "checks"),
            _cascade("figure_id", "figures"),
            _cascade("source_id", "sources"),
        ],
        "SELECT id, check_id, role, figure_id, source_id, position FROM {old} WHERE rev_to IS NULL",
        {"ix_check_terms_check_id": ["check_id"]},
    )
