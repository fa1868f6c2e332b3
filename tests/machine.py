"""What some tests need that a fresh machine with only Python and make lacks.

Such a test skips with a one-line reason on a developer's machine, and fails in CI (where
CI is set and .ci/run installs the Debian packages), so CI can never skip it silently.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def require(path: Path, package: str) -> None:
    _require(
        path,
        f"CI is set but {path} is missing; .ci/run installs Debian's {package}",
        f"{path} is not installed (apt-get install {package}); CI runs this test",
    )


def _require(path: Path, in_ci: str, elsewhere: str) -> None:
    if path.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(in_ci)
    pytest.skip(elsewhere)


def require_chromium() -> None:
    require(CHROMIUM, "chromium")


def require_postgres_server() -> None:
    require(PG_BIN / "initdb", "postgresql-15")


def require_service(port: int, package: str) -> None:
    """A service this machine runs on 127.0.0.1 (Redis): skip or, in CI, fail without it."""
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return
    except OSError:
        pass
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but nothing listens on 127.0.0.1:{port}; .ci/run starts {package}")
    pytest.skip(f"nothing listens on 127.0.0.1:{port} (apt-get install {package}); CI runs this")


NGINX = Path("/usr/sbin/nginx")


def require_redis() -> None:
    require_service(6379, "redis-server")


def require_nginx() -> None:
    require(NGINX, "nginx-light")


def require_built(path: Path, how: str) -> None:
    """Something `make install` builds (not a Debian package): skip without it, fail in CI."""
    _require(
        path,
        f"CI is set but {path} is missing; {how} builds it",
        f"{path} is missing ({how} builds it); CI runs this test",
    )
