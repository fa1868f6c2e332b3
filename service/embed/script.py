"""embed.js: turns `<span data-figure="...">` on any page into the live figure.

The script is a real file beside this module, shipped as package data and read once; the
only thing filled in per deployment is the API's public address.
"""

import functools
import json
from importlib import resources

JS_TYPE = "text/javascript; charset=utf-8"
BASE_PLACEHOLDER = "__BASE__"


@functools.cache
def script_source() -> str:
    return resources.files("service.embed").joinpath("embed.js").read_text(encoding="utf-8")


def embed_script(base: str | None) -> bytes:
    """embed.js; the API's address is the configured public URL, else where it was loaded."""
    literal = json.dumps(base or "").replace("</", "<\\/")
    return script_source().replace(BASE_PLACEHOLDER, literal).encode()
