"""The reference for `make bench`: a bare Starlette route returning pre-encoded bytes.

It does no work per request beyond what Starlette and uvicorn do, so it is the practical
limit of this stack on this machine. BENCH_REFERENCE_BYTES sets the body size (the bench
passes the size of our /v1/aggregates?by=platform body).
"""

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = b"x" * int(os.environ.get("BENCH_REFERENCE_BYTES", "2048"))


async def reference(_: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/reference", reference)])
