"""/llms.txt and /llms-full.txt: built from the committed OpenAPI document, served as plain
text through the per-revision cache, and saying the words the API says."""

import re

from fastapi.testclient import TestClient

from service.apidocs import committed_document
from service.llms import llms_full_txt, llms_txt
from service.mcp import INSTRUCTIONS


def test_llms_txt_is_what_the_generator_builds_from_the_committed_document(
    client: TestClient,
) -> None:
    document = committed_document()
    for path, build in (("/llms.txt", llms_txt), ("/llms-full.txt", llms_full_txt)):
        answer = client.get(path, headers={"accept": "text/plain"})
        assert answer.status_code == 200, path
        assert answer.headers["content-type"] == "text/plain; charset=utf-8"
        assert answer.text == build(document)
        assert answer.text.startswith(f"# {document['info']['title']}\n\n> Figures from")


def test_llms_txt_is_cached_with_an_etag_and_answers_304(client: TestClient) -> None:
    first = client.get("/llms.txt")
    etag = first.headers["etag"]
    again = client.get("/llms.txt", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/llms-full.txt").headers["etag"] != etag
    assert client.get("/llms.txt?nope=1").status_code == 400


def test_llms_full_txt_lists_every_operation_with_its_parameters() -> None:
    document = committed_document()
    full = llms_full_txt(document)
    short = llms_txt(document)
    for path, item in document["paths"].items():
        for operation in item.values():
            assert f"### GET {path}\n" in full, path
            assert f"- [GET {path}]({path}): {operation['summary']}\n" in short, path
            for parameter in operation.get("parameters", []):
                assert f"- `{parameter['name']}` ({parameter['in']}" in full, (path, parameter)
    assert "- `platform` (query; one of `facebook`, `twitter`" in full
    assert sum(path.startswith("/v1/") for path in document["paths"]) > 15


def test_llms_txt_conventions_use_the_apis_reading_words() -> None:
    text = llms_txt(committed_document())
    conventions = text.split("## Reading a count\n", 1)[1].split("\n## ", 1)[0]
    for words in (
        "`17 to 18`",
        "`at least 2`",
        "`at least 2 (“a number of”)`",
        "`“the vast majority” (no number given)`",
        "`the Guardian reported 18; the Independent reported 17`",
        "`disputed: true`",
        "`derived: true`",
        "`citation`",
        "Never add across disclosures.",
    ):
        assert words in conventions, words
    # The MCP server's instructions are quoted whole, from their one home.
    quoted = [f"  {line}".rstrip() for line in INSTRUCTIONS.strip().splitlines()]
    assert "Its instructions to the model:\n\n" + "\n".join(quoted) + "\n\n## API" in text


def test_llms_txt_follows_the_llms_txt_convention() -> None:
    lines = llms_txt(committed_document()).splitlines()
    assert lines[0].startswith("# ")
    assert lines[2].startswith("> ")
    assert [line for line in lines if line.startswith("#")] == [
        lines[0],
        "## Reading a count",
        "## MCP endpoint",
        "## API",
        "## Optional",
    ]
    links = [line for line in lines if line.startswith("- [")]
    assert all(re.match(r"- \[[^\]]+\]\(/[^)\s]*\)", line) for line in links)
