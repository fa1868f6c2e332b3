"""embed.js: turns `<span data-figure="...">` on any page into the live figure.

The script is a real file beside this module, shipped as package data and read once; what
is filled in is the API's public address, per deployment, and the words it credits a
derived figure with (service.reading), so the script writes no sentence about a count of
its own.
"""

import functools
import json
from importlib import resources

from service import reading

JS_TYPE = "text/javascript; charset=utf-8"
BASE_PLACEHOLDER = "__BASE__"
#: Credited when no outlet printed the figure (it is derived): reading.DERIVED_SHORT.
DERIVED_PLACEHOLDER = "__DERIVED__"


@functools.cache
def script_source() -> str:
    text = resources.files("service.embed").joinpath("embed.js").read_text(encoding="utf-8")
    return text.replace(DERIVED_PLACEHOLDER, _literal(reading.DERIVED_SHORT))


def _literal(text: str) -> str:
    """A JavaScript string literal that cannot close the script element it may sit in."""
    return json.dumps(text).replace("</", "<\\/")


def embed_script(base: str | None) -> bytes:
    """embed.js; the API's address is the configured public URL, else where it was loaded."""
    return script_source().replace(BASE_PLACEHOLDER, _literal(base or "")).encode()
