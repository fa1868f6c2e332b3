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
    if path.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {path} is missing; .ci/run installs Debian's {package}")
    pytest.skip(f"{path} is not installed (apt-get install {package}); CI runs this test")


def require_chromium() -> None:
    require(CHROMIUM, "chromium")


def require_postgres_server() -> None:
    require(PG_BIN / "initdb", "postgresql-15")
