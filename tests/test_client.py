"""A typed Python client generated from the committed OpenAPI document works against the app.

openapi-python-client (the generator third-party authors use) builds a client from
openapi/openapi.json once per session; the test fails on any generator warning, on any
operation whose 200 answer is typed Any, and then calls every operation against the app,
reading JSON through the client's own models and CSV, SVG, HTML, JavaScript, oEmbed XML and
/llms.txt as text. Only one configuration is ours: the generator does not know image/svg+xml or
application/csvm+json, so it is told to read them as text (`content_type_overrides`), which
is what SVG is (and the Atom feed as text, JSON Feed as JSON, the zip as bytes); the CSVW
metadata for CSV tools is fetched with the client's own request.

The generated client parses a 200 as the first media type listed (JSON), so for CSV and
XML the test builds the request with the client's own `_get_kwargs` and reads the body.
"""

import importlib
import json
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.apidocs import COMMITTED
from tests.citations import LICENCE_LINE

PACKAGE = "met_foi_client"
CONFIG = f"""\
package_name_override: {PACKAGE}
project_name_override: met-foi-client
post_hooks: []
content_type_overrides:
  image/svg+xml: text/plain
  application/csvm+json: text/plain
  application/atom+xml: text/plain
  application/feed+json: application/json
  application/zip: application/octet-stream
"""


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("client")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    tool = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [str(tool), "generate", "--path", str(COMMITTED), "--output-path",
         str(folder / PACKAGE), "--meta", "none", "--config", str(folder / "config.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _operations(package: ModuleType) -> dict[str, ModuleType]:
    root = Path(package.__file__ or "").parent / "api"
    found = {}
    for path in sorted(root.glob("*/*.py")):
        if path.stem != "__init__":
            found[path.stem] = importlib.import_module(
                f"{PACKAGE}.api.{path.parent.name}.{path.stem}"
            )
    return found


def _module(_package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
def api(generated: ModuleType, client: TestClient) -> Any:
    return (
        _module(generated, "client").Client(base_url="http://testserver").set_httpx_client(client)
    )


def test_every_operation_has_a_typed_answer(generated: ModuleType) -> None:
    operations = _operations(generated)
    assert len(operations) == 37
    for name, module in operations.items():
        answer = typing.get_type_hints(module.sync)["return"]
        members = typing.get_args(answer) or (answer,)
        assert Any not in members, name
        assert members != (type(None),), name


def test_the_generated_client_reads_every_json_operation(generated: ModuleType, api: Any) -> None:
    ops = _operations(generated)
    models = _module(generated, "models")
    meta = ops["get_meta"].sync(client=api)
    assert isinstance(meta, models.MetaPublic)
    assert meta.flagship_disclosure == "met-2013"
    disclosures = ops["list_disclosures"].sync(client=api, limit=10)
    assert [d.id for d in disclosures.data] == [
        "met-2010", "met-2013", "met-2014", "met-2015-cases", "met-2021-daily-mail-277",
        "met-2022-guardian", "met-2022-londonworld", "met-2022-opendemocracy-ico-redacted-cases",
        "met-2023-inkl-507-complaints", "pa-2011",
    ]  # fmt: skip
    force = ops["get_force"].sync("kent-police", client=api)
    assert isinstance(force, models.ForceDetail)
    assert [(f.id, f.value) for f in force.answers[0].context] == [("pa-2014.cases", 828)]
    detail = ops["get_disclosure"].sync("met-2013", client=api)
    assert isinstance(detail.aggregates[0], models.AggregateDefault)
    assert (detail.aggregates[1].by, detail.aggregates[1].total_measure) == (
        "outcome",
        "investigated",
    )
    assert ops["list_sources"].sync(client=api, disclosure=models.DisclosureId("met-2013")).count
    figures = ops["list_figures"].sync(
        client=api, q="WRITTEN warning", sort=models.FigureSort("-value"), limit=2
    )
    assert isinstance(figures.data[0], models.FigurePublic)
    assert figures.data[0].staff_type == models.StaffType.POLICE_OFFICER
    figure = ops["get_figure"].sync("met-2013.officers.written-warning", client=api)
    assert (figure.min_, figure.max_, figure.disputed) == (17, 18, True)
    aggregate = ops["get_aggregates"].sync(client=api, by=models.Grouping("staff_type,outcome"))
    assert aggregate.by == [models.Dimension.STAFF_TYPE, models.Dimension.OUTCOME]
    assert aggregate.rows[0].outcome == models.Outcome.DISMISSED
    assert ops["list_outcomes"].sync(client=api).data[0].code == "dismissed"
    assert ops["list_platforms"].sync(client=api).data[0].code == "facebook"
    cases = ops["list_cases"].sync(client=api, sort=models.CaseSort("-year"), limit=1)
    assert (cases.count, cases.data[0].year) == (19, 2020)
    assert ops["get_case"].sync("met-2013.case-4", client=api).id == "met-2013.case-4"
    checks = ops["list_checks"].sync(client=api, status=models.CheckStatus.GAP)
    assert {c.status for c in checks.data} == {"gap"}
    assert ops["get_check"].sync("met-2013.K1", client=api).id == "met-2013.K1"
    terms = ops["list_check_terms"].sync(
        client=api, disclosure=models.DisclosureId("met-2013"), limit=3
    )
    assert isinstance(terms.data[2], models.CheckTermRow)
    assert (terms.data[2].role, terms.data[2].source, terms.data[2].value) == (
        models.CheckTermRowRole.PART,
        "guardian2013",
        18,
    )
    series = ops["get_series"].sync(client=api, measure=models.Measure.INVESTIGATED)
    assert series.count > 0
    measures = ops["list_measures"].sync(client=api, limit=100)
    assert isinstance(measures.data[0], models.MeasurePublic)
    assert len(measures.data) == 34
    notes = ops["list_notes"].sync(client=api, disclosure=models.DisclosureId("met-2013"))
    assert notes.data[0].id == "met-2013.C1"
    url = "http://testserver/v1/figures/met-2013.all.dismissed"
    assert ops["oembed"].sync(client=api, url_query=url).type_ == "rich"
    assert ops["healthz"].sync(client=api).status == "ok"
    assert ops["readyz"].sync(client=api).status == "ready"
    assert ops["get_problem_type"].sync("not-found", client=api).status == 404
    problem = ops["get_figure"].sync("met-2013.nope", client=api)
    assert isinstance(problem, models.ProblemDetail)
    assert problem.type_ == "/problems/not-found"
    revisions = ops["list_revisions"].sync(client=api)
    assert isinstance(revisions.data[0], models.RevisionPublic)
    revision = ops["get_revision"].sync(revisions.data[0].id[:8], client=api)
    assert (revision.id, revision.figures_added) == (revisions.data[0].id, len(revision.changes))
    pinned = ops["get_figure"].sync("met-2013.officers.dismissed", client=api, revision=revision.id)
    assert pinned.citation.endswith(f"?revision={revision.id}. {LICENCE_LINE}")
    history = ops["get_figure_history"].sync("met-2013.officers.dismissed", client=api)
    assert [(e.revision, e.change) for e in history.data] == [(revision.id, "added")]
    feed = ops["get_changes_json"].sync(client=api)
    assert isinstance(feed, models.JsonFeed)
    assert feed.items[0].field_revision.id == revision.id


def test_the_generated_client_reads_svg_html_and_javascript(
    generated: ModuleType, api: Any
) -> None:
    ops = _operations(generated)
    models = _module(generated, "models")
    svg = ops["embed_figure_svg"].sync("met-2013.all.dismissed", client=api)
    assert svg.startswith("<svg")
    html = ops["embed_figure_card"].sync(
        "met-2013.all.dismissed", client=api, theme=models.Theme.DARK
    )
    assert html.startswith("<!doctype html>")
    chart = ops["embed_aggregates_svg"].sync(client=api, by=models.Grouping.PLATFORM)
    assert chart.startswith("<svg")
    assert "data-figure" in ops["embed_script"].sync(client=api)
    assert ops["get_llms_txt"].sync(client=api).startswith("# Police social-media")
    assert "### GET /v1/figures\n" in ops["get_llms_full_txt"].sync(client=api)
    assert ops["get_changes_atom"].sync(client=api).startswith("<?xml version='1.0'")
    package = ops["get_data_package"].sync("met-2013", client=api)
    assert package[:4] == b"PK\x03\x04"
    # CSVW metadata is JSON-LD for CSV tools: fetched with the client's own request
    request = ops["get_csv_metadata"]._get_kwargs("figures")
    metadata = api.get_httpx_client().request(**request)
    assert metadata.headers["content-type"] == "application/csvm+json"
    assert json.loads(metadata.text)["url"] == "http://testserver/v1/figures?format=csv"


def test_the_generated_client_builds_csv_and_xml_requests(generated: ModuleType, api: Any) -> None:
    ops = _operations(generated)
    models = _module(generated, "models")
    http = api.get_httpx_client()
    for name, arguments in (
        ("get_aggregates", {"by": models.Grouping.PLATFORM}),
        ("list_measures", {}),
        ("list_notes", {}),
        ("list_figures", {"q": "facebook"}),
    ):
        request = ops[name]._get_kwargs(format_=models.ListFormat.CSV, **arguments)
        response = http.request(**request)
        assert response.status_code == 200, name
        assert response.headers["content-type"] == "text/csv; charset=utf-8", name
    url = "http://testserver/v1/figures/met-2013.all.dismissed"
    request = ops["oembed"]._get_kwargs(url_query=url, format_=models.OEmbedFormat.XML)
    response = http.request(**request)
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.text.splitlines()[1].startswith("<oembed><version>1.0</version>")
