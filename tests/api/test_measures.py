"""/v1/measures, and the declared measure list kept in step with the seed packages."""

import csv
import io

from fastapi.testclient import TestClient

from service.measures import MEASURE_IDS
from tests.conftest import SEED_DIR


def test_declared_measures_are_exactly_those_the_seed_packages_use() -> None:
    used = set()
    for path in SEED_DIR.glob("*/figures.csv"):
        with path.open(encoding="utf-8") as f:
            used |= {row["measure"] for row in csv.DictReader(f)}
    assert list(MEASURE_IDS) == sorted(used)


def test_measures_list_each_measure_with_its_disclosures_and_dimensions(
    client: TestClient,
) -> None:
    response = client.get("/v1/measures?limit=100")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(MEASURE_IDS) == 34
    assert [m["id"] for m in body["data"]] == list(MEASURE_IDS)
    investigated = next(m for m in body["data"] if m["id"] == "investigated")
    assert investigated == {
        "id": "investigated",
        "label": "Investigated",
        "meaning": "People investigated over their use of social media: the total the others part.",
        "units": ["PCSOs", "officers", "people", "staff"],
        "disclosures": [
            "met-2013",
            "met-2014",
            "met-2022-guardian",
            "met-2022-londonworld",
            "pa-2014",
        ],
        "dimensions": ["staff_type", "year", "rank"],
        "figure_count": investigated["figure_count"],
    }
    assert investigated["figure_count"] > 4


def test_measures_filter_by_disclosure_page_and_answer_csv(client: TestClient) -> None:
    body = client.get("/v1/measures?disclosure=met-2010").json()
    assert [m["id"] for m in body["data"]] == [
        "charged_with_misconduct",
        "disciplined",
        "people_by_outcome",
        "proceedings_brought",
    ]
    page = client.get("/v1/measures?limit=2&offset=2")
    assert [m["id"] for m in page.json()["data"]] == list(MEASURE_IDS[2:4])
    assert 'rel="next"' in page.headers["link"]
    assert page.headers["etag"].startswith('"')
    again = client.get(
        "/v1/measures?limit=2&offset=2", headers={"If-None-Match": page.headers["etag"]}
    )
    assert again.status_code == 304
    response = client.get("/v1/measures?disclosure=met-2010&format=csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[1] == {
        "id": "disciplined",
        "label": "Disciplined",
        "meaning": "People disciplined over social networking, whatever the sanction.",
        "units": "officers;staff",
        "disclosures": "met-2010",
        "dimensions": "staff_type",
        "figure_count": "2",
    }
    assert client.get("/v1/measures?disclosure=met-1999").status_code == 422
