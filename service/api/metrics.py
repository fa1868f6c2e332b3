"""GET /metrics: Prometheus metrics (service/metrics.py), for APP_METRICS_ALLOW networks
only, and only when APP_METRICS=true; anyone else gets the 404 any unknown path gets."""

from functools import lru_cache
from ipaddress import ip_address, ip_network

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.api.deps import StateDep
from service.errors import Problem

router = APIRouter()


@lru_cache(maxsize=256)
def allowed(peer: str, networks: tuple[str, ...]) -> bool:
    try:
        address = ip_address(peer)
    except ValueError:
        return False
    return any(address in ip_network(n, strict=False) for n in networks)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, state: StateDep) -> Response:
    settings = state.settings
    peer = request.client.host if request.client else ""
    if state.metrics is None or not allowed(peer, tuple(settings.metrics_allow)):
        raise Problem.of("not-found", f"No endpoint at {request.url.path}; see /openapi.json.")
    body, media_type = state.metrics.render()
    return Response(body, media_type=media_type, headers={"cache-control": "no-store"})
