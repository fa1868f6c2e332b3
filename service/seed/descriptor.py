"""A seed package's descriptor (datapackage.json): its keys, the disclosure it describes,
its sources and the files it names, each checked before any table is read.
"""

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from service import urls
from service.forces import BY_ID, BY_NAME, REGIONS, in_region
from service.seed.reader import (
    PackageInvalid,
    Reader,
    decode,
    excerpt,
    file_problem,
    id_problem,
)
from service.seed.schema import (
    DESCRIPTOR_BYTES,
    DISCLOSURE_KEYS_OPTIONAL,
    DISCLOSURE_KEYS_REQUIRED,
    FILE_NAME_PATTERN,
    JSON_DEPTH_LIMIT,
    NAME_PATTERN,
    NAMES_PEOPLE,
    PACKAGE_KEYS,
    PACKAGE_PROFILE,
    RESOURCE_KEYS,
    RESOURCE_READING,
    SOURCE_KEYS,
    SOURCE_KINDS,
    TABLES,
    URL_SCHEMES,
)
from service.tables import Disclosure, Source

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A JSON string (skipped whole) or a bracket that opens or closes an array or object.
JSON_NESTING = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


def read_descriptor(root: Path, where: str) -> dict[str, Any]:
    """The parsed datapackage.json; without it, or its name, nothing else can be checked."""
    problem = file_problem(root, "datapackage.json", DESCRIPTOR_BYTES)
    if problem is not None:
        raise PackageInvalid([f"{where}: {problem}"])
    text, problem = decode(where, (root / "datapackage.json").read_bytes(), "line")
    if text is None:
        raise PackageInvalid([str(problem)])
    line = nested_too_deep(text)
    if line is not None:
        raise PackageInvalid(
            [
                f"{where} line {line}: arrays and objects nest more than {JSON_DEPTH_LIMIT} "
                "deep, over the limit"
            ]
        )
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageInvalid([f"{where}: not valid JSON ({exc})"]) from None
    if not isinstance(descriptor, dict):
        raise PackageInvalid([f"{where}: must be a JSON object"])
    disclosure_id = descriptor.get("name")
    if not isinstance(disclosure_id, str) or not disclosure_id:
        raise PackageInvalid([f"{where}: 'name' (the disclosure id) is required"])
    if not re.fullmatch(NAME_PATTERN, disclosure_id):
        # Every id in the package starts with it, so nothing else is worth checking.
        raise PackageInvalid(
            [
                f"{where}: 'name' {disclosure_id!r} must be lower-case letters, digits, '.', "
                "'-' and '_', starting with a letter or digit"
            ]
        )
    return descriptor


def nested_too_deep(text: str) -> int | None:
    """The line where the JSON text's arrays and objects first nest deeper than the limit
    (json.loads would recurse once per level, and fail with a traceback at about 1,000)."""
    depth = 0
    for token in JSON_NESTING.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > JSON_DEPTH_LIMIT:
                return text.count("\n", 0, token.start()) + 1
        elif bracket in ("]", "}"):
            depth -= 1
    return None


def _link_problem(root: Path, path: str) -> str | None:
    """Why a source's or the licence's `path` may not be printed as a link: it must be an
    http or https URL, or a file in the package folder."""
    if re.fullmatch(FILE_NAME_PATTERN, path):
        problem = file_problem(root, path)
        return None if problem is None else f"path {path!r}: {problem}"
    try:
        parts = urlsplit(path)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = urlsplit("")
    if parts.scheme in URL_SCHEMES and parts.hostname and path.isprintable() and " " not in path:
        return None
    return f"path {excerpt(path)} must be an http or https URL, or a file in the package folder"


def _text_problem(value: Any) -> str | None:
    if not value:
        return "is required"
    if not isinstance(value, str):
        return "must be a string"
    return None


def _check_package_keys(reader: Reader, where: str, descriptor: dict[str, Any]) -> None:
    for key in descriptor:
        if key not in PACKAGE_KEYS:
            reader.error(where, f"unknown key '{key}'; expected keys: {', '.join(PACKAGE_KEYS)}")
    if descriptor.get("profile", PACKAGE_PROFILE) != PACKAGE_PROFILE:
        reader.error(where, f"'profile' must be '{PACKAGE_PROFILE}'")
    for key in ("version", "title", "last_updated"):
        problem = _text_problem(descriptor.get(key))
        if problem:
            reader.error(where, f"'{key}' {problem}")


def _licence(reader: Reader, where: str, descriptor: dict[str, Any]) -> dict[str, Any]:
    """The first licence, its keys checked; {} when there is none to read."""
    licences = descriptor.get("licenses") or [{}]
    if not isinstance(licences, list) or not all(isinstance(item, dict) for item in licences):
        reader.error(where, "'licenses' must be a list of objects")
        return {}
    licence: dict[str, Any] = licences[0]
    for key in ("name", "title", "path"):
        problem = _text_problem(licence.get(key))
        if problem:
            reader.error(where, f"licenses[0].{key} {problem}")
    link = licence.get("path")
    problem = _link_problem(reader.root, link) if isinstance(link, str) and link else None
    if problem is not None:
        reader.error(where, f"licenses[0] {problem}")
    return licence


def read_disclosure(reader: Reader, where: str, descriptor: dict[str, Any]) -> Disclosure:
    _check_package_keys(reader, where, descriptor)
    info = _disclosure_info(reader, where, descriptor)
    licence = _licence(reader, where, descriptor)
    comparability = info.get("comparability") or []
    if not isinstance(comparability, list) or not all(isinstance(c, str) for c in comparability):
        reader.error(where, "disclosure.comparability must be a list of sentences")
        comparability = []
    defaults = descriptor.get("aggregates") or []
    if not isinstance(defaults, list):
        reader.error(where, "'aggregates' must be a list")
        defaults = []
    return Disclosure(
        changes=_read_changes(reader, where, descriptor.get("changes")),
        id=descriptor["name"],
        title=descriptor.get("title", ""),
        force=info.get("force", ""),
        forces=_read_forces(reader, where, info),
        requester=info.get("requester", ""),
        requester_note=info.get("requester_note"),
        foi_reference=info.get("foi_reference"),
        answer_date=info.get("answer_date"),
        first_coverage=info.get("first_coverage"),
        date_precision=info.get("date_precision"),
        period_start=info.get("period_start"),
        period_end=info.get("period_end"),
        period_description=info.get("period_description", ""),
        request_subject=info.get("request_subject", ""),
        counts=info.get("counts", ""),
        comparability=comparability,
        aggregate_defaults=defaults,
        licence_id=licence.get("name", ""),
        licence_title=licence.get("title", ""),
        licence_url=licence.get("path", ""),
        version=str(descriptor.get("version", "")),
        revision="",
        last_updated=str(descriptor.get("last_updated", "")),
    )


def _read_forces(reader: Reader, where: str, info: dict[str, Any]) -> list[str]:
    """The ids of the forces a disclosure is about: a survey's `forces` (a region of
    service/forces.py, or a list of ids), else the one force its `force` names."""
    if "forces" not in info:
        force = BY_NAME.get(info.get("force", ""))
        if force is None:
            reader.error(
                where,
                f"disclosure.force {info.get('force', '')!r} is not the name of a force of "
                f"{urls.api('forces')} (e.g. 'Kent Police'); a survey of several forces lists "
                "them in disclosure.forces",
            )
            return []
        return [force.id]
    given = info["forces"]
    if isinstance(given, str) and given in REGIONS:
        return list(in_region(given))
    if (
        isinstance(given, list)
        and given
        and all(isinstance(g, str) and g in BY_ID for g in given)
        and len(set(given)) == len(given)
    ):
        return list(given)
    reader.error(
        where,
        f"disclosure.forces must be a region ({', '.join(REGIONS)}) or a list of distinct "
        f"force ids (see {urls.api('forces')})",
    )
    return []


def _read_changes(reader: Reader, where: str, changes: Any) -> list[dict[str, str]]:
    """The package's own record of its corrections, oldest first: [{"date", "note"}]. The
    entries a load finds new become the note of the revision it publishes."""
    if changes is None:
        return []
    if not isinstance(changes, list):
        reader.error(where, '\'changes\' must be a list of {"date", "note"} objects')
        return []
    found: list[dict[str, str]] = []
    for index, item in enumerate(changes):
        at = f"{where} changes[{index}]"
        note = item.get("note") if isinstance(item, dict) else None
        date = item.get("date", "") if isinstance(item, dict) else None
        if not isinstance(note, str) or not note.strip():
            reader.error(at, "'note' must be a sentence saying what changed")
        elif not isinstance(date, str) or (date and not ISO_DATE.match(date)):
            reader.error(at, "'date' must be a date as YYYY-MM-DD")
        elif set(item) - {"date", "note"}:
            reader.error(at, f"unknown keys: {', '.join(sorted(set(item) - {'date', 'note'}))}")
        else:
            found.append({"date": date, "note": note.strip()})
    return found


def _disclosure_info(reader: Reader, where: str, descriptor: dict[str, Any]) -> dict[str, Any]:
    """The descriptor's 'disclosure' object, its keys checked; {} when it is not an object."""
    info = descriptor.get("disclosure")
    if not isinstance(info, dict):
        reader.error(where, "'disclosure' object is required")
        info = {}
    for key in DISCLOSURE_KEYS_REQUIRED:
        if not info.get(key):
            reader.error(where, f"disclosure.{key} is required")
    unknown = set(info) - set(DISCLOSURE_KEYS_REQUIRED) - set(DISCLOSURE_KEYS_OPTIONAL)
    for key in sorted(unknown):
        reader.error(where, f"unknown key disclosure.{key}")
    return info


def read_sources(
    reader: Reader, where: str, descriptor: dict[str, Any], disclosure_id: str
) -> list[Source]:
    sources: list[Source] = []
    seen: set[str] = set()
    for index, item in enumerate(_objects(reader, where, descriptor, "sources")):
        at = f"{where} sources[{index}]"
        if not _source_is_whole(reader, at, item):
            continue
        _check_source(reader, at, item)
        if item["id"] in seen:
            reader.error(at, f"duplicate source id {item['id']!r}")
        seen.add(item["id"])
        sources.append(
            Source(
                id=item["id"],
                disclosure_id=disclosure_id,
                publisher=item["publisher"],
                title=item["title"],
                url=item["path"],
                date=str(item["date"]),
                kind=item["kind"],
                note=item.get("note"),
                position=index,
            )
        )
    if not sources:
        reader.error(where, "at least one source is required")
    return sources


def _source_is_whole(reader: Reader, at: str, item: dict[str, Any]) -> bool:
    """Whether a source has every key, each a string; if not, the error says which."""
    missing = [key for key in SOURCE_KEYS if not item.get(key)]
    if missing:
        reader.error(at, f"missing {', '.join(missing)}")
        return False
    not_text = [key for key in SOURCE_KEYS if not isinstance(item[key], str)]
    if not_text:
        reader.error(at, f"must be strings: {', '.join(not_text)}")
        return False
    return True


def _check_source(reader: Reader, at: str, item: dict[str, Any]) -> None:
    """A whole source's id, link and kind."""
    for problem in (id_problem(item["id"]), _link_problem(reader.root, item["path"])):
        if problem is not None:
            reader.error(at, problem)
    if item["kind"] not in SOURCE_KINDS:
        reader.error(
            at, f"unknown kind {item['kind']!r}; expected one of: {', '.join(SOURCE_KINDS)}"
        )


def sources_naming_people(reader: Reader, where: str, descriptor: dict[str, Any]) -> set[str]:
    sources = descriptor.get("sources")
    found: set[str] = set()
    for index, item in enumerate(sources if isinstance(sources, list) else []):
        if not isinstance(item, dict) or NAMES_PEOPLE not in item:
            continue
        if not isinstance(item[NAMES_PEOPLE], bool):
            reader.error(f"{where} sources[{index}]", f"{NAMES_PEOPLE} must be true or false")
        elif item[NAMES_PEOPLE]:
            found.add(str(item.get("id")))
    return found


def _objects(reader: Reader, where: str, descriptor: dict[str, Any], key: str) -> list[Any]:
    """The descriptor's list under `key` ([] when absent), or [] after saying it is not a
    list of objects."""
    items = descriptor.get(key) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        reader.error(where, f"'{key}' must be a list of objects")
        return []
    return items


def resource_paths(
    reader: Reader, where: str, descriptor: dict[str, Any], specs: dict[str, dict[str, Any]]
) -> dict[str, str]:
    """Each table's file, from resources that declare exactly the service's schema and the
    way the loader reads them."""
    paths: dict[str, str] = {}
    for resource in _objects(reader, where, descriptor, "resources"):
        name = resource.get("name")
        if name not in TABLES:
            reader.error(where, f"unknown resource {name!r}; expected: {', '.join(TABLES)}")
            continue
        if name in paths:
            reader.error(where, f"resource '{name}' is declared twice")
            continue
        paths[name] = resource.get("path", "")
        for problem in _resource_problems(resource, specs[name]):
            reader.error(where, f"resource '{name}' {problem}")
    for name in TABLES:
        if name not in paths:
            reader.error(where, f"resource '{name}' is missing")
    return paths


def _resource_problems(resource: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    path = resource.get("path")
    problems = [
        f"has unknown key '{key}'; expected keys: {', '.join(RESOURCE_KEYS)}"
        for key in resource
        if key not in RESOURCE_KEYS
    ]
    if not isinstance(path, str) or not re.fullmatch(FILE_NAME_PATTERN, path):
        problems.append(f"has path {path!r}; it must be a file name in the package folder")
    problems += [
        f"has {key} {resource[key]!r}; expected '{value}'"
        for key, value in RESOURCE_READING.items()
        if key in resource and resource[key] != value
    ]
    if resource.get("schema") != spec:
        problems.append(
            "declares a schema that differs from the service's; run `met-foi seed --write-schemas`"
        )
    return problems
