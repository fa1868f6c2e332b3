"""/v1/disclosures/{id}/datapackage.zip: a disclosure's package as published, for any
revision, that the standard validator reads and `met-foi seed` loads back unchanged."""

import csv
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.config import Settings
from service.db import migrate
from service.main import create_app
from service.revisions import revision_id
from service.seed import read_package
from tests.conftest import MET_2013, SEED_DIR, seeded_revision
from tests.revisions import Three, publish_three

FILES = [
    "datapackage.json",
    "cases.csv",
    "check_terms.csv",
    "checks.csv",
    "figure_reports.csv",
    "figures.csv",
    "notes.csv",
]
#: The tidy tables in the API's CSV convention, and their descriptor, beside source/.
TABLES = ["datapackage.json", "figures.csv", "reports.csv"]
#: The standard's own validator, the command-line tool of the `frictionless` package.
FRICTIONLESS = str(Path(sys.executable).parent / "frictionless")


def unzip(content: bytes, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        archive.extractall(into)
    return into


def test_the_zip_holds_the_package_files_exactly_a_readme_and_a_licence(
    client: TestClient,
) -> None:
    response = client.get("/v1/disclosures/met-2013/datapackage.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="met-2013.zip"'
    assert response.headers["dataset-revision"] == seeded_revision()
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        assert names == [
            *(f"met-2013/{t}" for t in TABLES),
            *(f"met-2013/source/{f}" for f in FILES),
            "met-2013/README.md",
            "met-2013/LICENSE",
        ]
        for name in FILES:
            assert archive.read(f"met-2013/source/{name}") == (MET_2013 / name).read_bytes()
        # every member a regular file readable by all, as unzip then writes it (issue 26)
        modes = {oct(info.external_attr >> 16) for info in archive.infolist()}
        assert modes == {"0o100644"}
        readme = archive.read("met-2013/README.md").decode()
        licence = archive.read("met-2013/LICENSE").decode()
    citation = client.get("/v1/disclosures/met-2013").json()
    revision = seeded_revision()
    assert (
        f"package revision\n`{citation['revision']}`) as published in revision `{revision}`"
        in readme
    )
    permalink = f"http://testserver/disclosures/met-2013?revision={revision}"
    assert f"Dataset met-2013 v1.2.0, revision {revision}: {permalink}." in readme
    assert "CC BY 4.0: Creative Commons Attribution 4.0" in licence
    assert "https://creativecommons.org/licenses/by/4.0/" in licence


def test_the_zip_is_the_same_bytes_every_time_and_revalidates(client: TestClient) -> None:
    first = client.get("/v1/disclosures/met-2013/datapackage.zip")
    again = client.get("/v1/disclosures/met-2013/datapackage.zip")
    assert first.content == again.content
    assert first.headers["etag"] == again.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    cached = client.get(
        "/v1/disclosures/met-2013/datapackage.zip",
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert cached.status_code == 304
    head = client.head("/v1/disclosures/met-2013/datapackage.zip")
    assert (head.status_code, head.content) == (200, b"")


def test_the_zip_of_an_unknown_disclosure_or_revision_is_a_problem(client: TestClient) -> None:
    missing = client.get("/v1/disclosures/met-1999/datapackage.zip")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No disclosure has the id 'met-1999'."
    assert client.get("/v1/disclosures/met-2013/datapackage.zip?revision=nothex").status_code == 422
    assert (
        client.get("/v1/disclosures/met-2013/datapackage.zip?revision=00000000").status_code == 404
    )


@pytest.fixture
def three_client(
    blank_database_url: str, blank_engine: Engine, package_copy: Callable[..., Path]
) -> Iterator[tuple[TestClient, Three]]:
    three = publish_three(blank_engine, package_copy)
    settings = Settings(
        database_url=blank_database_url, revision_check_seconds=0, seed_dir=SEED_DIR
    )
    with TestClient(create_app(settings, blank_engine)) as client:
        yield client, three


def test_each_revisions_zip_is_its_own_package_and_validates_and_loads_back(
    three_client: tuple[TestClient, Three],
    tmp_path: Path,
) -> None:
    client, three = three_client
    for number, (revision, package) in enumerate(zip(three.ids, three.packages, strict=True)):
        response = client.get(f"/v1/disclosures/met-2013/datapackage.zip?revision={revision}")
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        unzipped = unzip(response.content, tmp_path / str(number)) / "met-2013"
        folder = unzipped / "source"
        for name in FILES:
            assert (folder / name).read_bytes() == (package / name).read_bytes()
        for descriptor in (folder, unzipped):  # the package as published, and the tidy one
            checked = subprocess.run(
                [FRICTIONLESS, "validate", str(descriptor / "datapackage.json")],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert checked.returncode == 0, checked.stdout
        assert read_package(folder).disclosure.revision == read_package(package).disclosure.revision


def test_a_downloaded_package_loads_into_a_fresh_database_with_the_same_revision(
    client: TestClient, tmp_path: Path, blank_database_url: str
) -> None:
    folder = unzip(client.get("/v1/disclosures/met-2013/datapackage.zip").content, tmp_path)
    migrate(blank_database_url)
    seeded = subprocess.run(
        [sys.executable, "-m", "service", "seed", str(folder / "met-2013" / "source")],
        env={"APP_DATABASE_URL": blank_database_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert seeded.returncode == 0, seeded.stderr
    package_revision = read_package(MET_2013).disclosure.revision
    assert seeded.stdout.splitlines()[0].endswith(f"; revision {package_revision}")
    first = revision_id(None, {"met-2013": package_revision})
    assert seeded.stdout.splitlines()[1].startswith(f"published revision {first} (number 1)")


def test_the_zips_figures_csv_is_the_api_csv_and_keeps_readings_whole(
    client: TestClient,
) -> None:
    """Issue 26: one CSV convention. The zip's figures.csv is byte for byte the API's CSV of
    the disclosure at the same revision; reports.csv has each source's report; the
    descriptor names exactly the CSV's columns, typed."""
    revision = seeded_revision()
    response = client.get(f"/v1/disclosures/met-2013/datapackage.zip?revision={revision}")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        figures = archive.read("met-2013/figures.csv")
        reports = archive.read("met-2013/reports.csv").decode()
        descriptor = json.loads(archive.read("met-2013/datapackage.json"))
    api = client.get(f"/v1/figures?format=csv&disclosure=met-2013&revision={revision}")
    assert figures == api.content
    frame = pandas.read_csv(io.BytesIO(figures), dtype_backend="numpy_nullable")
    header = figures.decode().split("\r\n")[0].split(",")
    assert list(frame.columns) == header
    assert not {"reports", "cite", "citation"} & set(header)
    warning = frame.set_index("id").loc["met-2013.officers.written-warning"]
    assert (warning["value"], warning["min"], warning["max"]) == (pandas.NA, 17, 18)
    assert (warning["reading"], warning["disputed"]) == ("17 to 18", True)
    dismissed = frame.set_index("id").loc["met-2013.officers.dismissed"]
    assert (dismissed["value"], dismissed["min"], dismissed["max"]) == (3, 3, 3)
    assert str(frame["min"].dtype) == "Int64"
    assert str(frame["disputed"].dtype) == "boolean"
    written = [
        line.split(",")[:5]
        for line in reports.splitlines()
        if line.startswith("met-2013.officers.written-warning,")
    ]
    assert written == [
        ["met-2013.officers.written-warning", "guardian2013", "The Guardian", "number", "18"],
        ["met-2013.officers.written-warning", "standard2013", "Evening Standard", "number", "17"],
        ["met-2013.officers.written-warning", "independent2013", "The Independent", "number", "17"],
    ]
    # a list in a cell is separated by semicolons, as in the seed packages and the API CSVs
    parts = next(
        r for r in csv.DictReader(io.StringIO(reports)) if r["figure"] == "met-2013.all.dismissed"
    )
    assert (parts["source"], parts["parts"]) == (
        "guardian2013",
        "met-2013.officers.dismissed;met-2013.staff.dismissed",
    )
    resources = {r["name"]: r for r in descriptor["resources"]}
    fields = resources["figures"]["schema"]["fields"]
    assert [f["name"] for f in fields] == header
    types = {f["name"]: f["type"] for f in fields}
    assert (types["year"], types["value"], types["disputed"], types["rank"]) == (
        "integer",
        "integer",
        "boolean",
        "string",
    )
    report_fields = [f["name"] for f in resources["reports"]["schema"]["fields"]]
    assert report_fields == reports.splitlines()[0].split(",")
    # the CSVW metadata of the API CSV names the same columns
    csvw = client.get("/v1/csvw/figures").json()
    assert [c["name"] for c in csvw["tableSchema"]["columns"]] == header
