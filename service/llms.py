"""/llms.txt and /llms-full.txt: a plain-text guide for language models, built from the
committed OpenAPI document (operations, summaries, descriptions, parameters), the reading
conventions (their examples are service.reading's own words) and the MCP server's
instructions (service.mcp), so the guide says what the API and the docs say.

It follows the llms.txt convention (https://llmstxt.org): an H1 title, a blockquote
summary, then sections whose links are markdown lists.
"""

from typing import Any

from service import reading
from service.mcp import INSTRUCTIONS, NEVER_ADD

#: The reading conventions: how a count is published and how to quote it.
CONVENTIONS = (
    f"An exact count is a number (`value`, with `min` = `max` = `value`): "
    f"`{reading.words(7, None, None, None)}`.",
    f"A range is quoted whole, never one end: `{reading.words(None, 17, 18, None)}` "
    "(`value` null, `min` 17, `max` 18).",
    f'A floor is "at least n" (`max` null): `{reading.words(None, 2, None, None)}`; with the '
    f"source's words beside it: `{reading.words(None, 2, None, 'a number of')}`.",
    "Words only (`value`, `min` and `max` all null, `qualifier` set) are quoted as words and "
    f"never turned into a number or a percentage: "
    f"`{reading.words(None, None, None, 'the vast majority')}`.",
    "`reading` is the count to print; each of `reports` says what one source printed.",
    "`disputed: true`: sources disagree. The figure is the range they span, and you say who "
    "reported what: `"
    + reading.reported(
        [("The Guardian", 18, None, None, None), ("The Independent", 17, None, None, None)]
    )
    + "`. Never pick one source's number as the fact.",
    f"`derived: true`: the number is {reading.DERIVED}. Say so.",
    "`citation`: print it with the figure (or with the aggregate).",
    f"Never add across disclosures. {NEVER_ADD} `/v1/series` and the MCP tool `compare` give "
    "such points with their `comparability` notes, in `groups` that say why each stands "
    "apart; a point with `part_of` is already counted in that total.",
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def _schema_words(schema: dict[str, Any], components: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    if ref:
        schema = components[ref.rsplit("/", 1)[1]]
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    words = str(schema.get("type", ""))
    if "default" in schema:
        words += f", default `{schema['default']}`"
    return words


def _parameter(parameter: dict[str, Any], components: dict[str, Any]) -> str:
    where = parameter["in"] + (", required" if parameter.get("required") else "")
    kind = _schema_words(parameter.get("schema", {}), components)
    description = _one_line(parameter.get("description", ""))
    line = f"- `{parameter['name']}` ({where}; {kind})"
    return f"{line}: {description}" if description else line


def _head(document: dict[str, Any]) -> list[str]:
    info = document["info"]
    return [
        f"# {info['title']}",
        "",
        f"> {_one_line(info['description'])}",
        "",
        f"Version {info['version']}. Every answer is also at `/v1` as JSON (CSV for lists); "
        "the machine-readable contract is `/openapi.json`. The same figures are served to "
        "AI assistants over MCP at `/mcp`.",
        "",
        "## Reading a count",
        "",
        *(f"- {line}" for line in CONVENTIONS),
        "",
        "## MCP endpoint",
        "",
        "- [/mcp](/mcp): Model Context Protocol, Streamable HTTP, stateless, JSON responses, "
        "read-only; tools list_disclosures, list_measures, find_figures, get_figure, "
        "aggregate and compare. Its instructions to the model:",
        "",
        *(f"  {line}".rstrip() for line in INSTRUCTIONS.strip().splitlines()),
        "",
    ]


def llms_txt(document: dict[str, Any]) -> str:
    """/llms.txt: the conventions, the MCP endpoint, and each operation with its summary."""
    lines = [*_head(document), "## API", ""]
    for method, path, operation in _operations(document):
        lines.append(f"- [{method} {path}]({path}): {operation.get('summary', '')}")
    lines += [
        "",
        "## Optional",
        "",
        "- [/llms-full.txt](/llms-full.txt): this guide with every operation's description "
        "and parameters.",
        "- [/openapi.json](/openapi.json): the OpenAPI document, with real examples.",
        "",
    ]
    return "\n".join(lines)


def llms_full_txt(document: dict[str, Any]) -> str:
    """/llms-full.txt: /llms.txt's guide with each operation's description and parameters."""
    components = document.get("components", {}).get("schemas", {})
    lines = [*_head(document), "## API", ""]
    for method, path, operation in _operations(document):
        lines += [f"### {method} {path}", "", f"{operation.get('summary', '')}.", ""]
        if operation.get("description"):
            lines += [operation["description"].strip(), ""]
        parameters = operation.get("parameters", [])
        if parameters:
            lines += ["Parameters:", ""]
            lines += [_parameter(p, components) for p in parameters]
            lines.append("")
        lines += [f"- [{method} {path}]({path}) (operationId `{operation.get('operationId')}`)", ""]
    lines += [
        "## Optional",
        "",
        "- [/openapi.json](/openapi.json): the OpenAPI document, with real examples.",
        "",
    ]
    return "\n".join(lines)
