"""The Dockerfile, compose.yaml and docs/deploy.md agree with the code."""

import importlib.util
import re
import tomllib
from types import ModuleType
from typing import Any

import yaml  # type: ignore[import-untyped]

from service.config import PROJECT_ROOT, Settings


def smoke_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "docker_smoke", PROJECT_ROOT / "scripts" / "docker_smoke.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SETTING_VARIABLES = {f"APP_{name.upper()}" for name in Settings.model_fields}


def runtime_env() -> dict[str, str]:
    smoke = smoke_script()
    runtime = smoke.parse_dockerfile((PROJECT_ROOT / "Dockerfile").read_text())[-1]
    env: dict[str, str] = {}
    for args in runtime.all("ENV"):
        env.update(smoke.parse_env(args, env))
    return env


def test_dockerfile_sets_only_real_settings() -> None:
    app_variables = {k for k in runtime_env() if k.startswith("APP_")}
    assert app_variables == {
        "APP_DATABASE_URL",
        "APP_HOST",
        "APP_PORT",
        "APP_WORKERS",
        "APP_LOG_LEVEL",
        "APP_LOG_FORMAT",
        "APP_SEED_ON_START",
    }
    assert app_variables <= SETTING_VARIABLES


def test_dockerfile_runtime_is_non_root_exec_form_and_checks_healthz() -> None:
    smoke = smoke_script()
    stages = smoke.parse_dockerfile((PROJECT_ROOT / "Dockerfile").read_text())
    assert [(s.name, s.image) for s in stages] == [
        ("build", "python:3.11-slim"),
        ("runtime", "python:3.11-slim"),
    ]
    runtime = stages[-1]
    assert runtime.last("USER") == "10001:10001"
    assert smoke.exec_form(runtime.last("CMD"), "CMD") == ["met-foi", "start"]
    assert runtime.last("EXPOSE") == "8000"
    health = runtime.last("HEALTHCHECK")
    command = smoke.exec_form(health.split(" CMD ", 1)[1], "HEALTHCHECK")
    assert command[:2] == ["python", "-c"]
    assert "urllib.request.urlopen" in command[2]
    assert "/healthz" in command[2]


def test_compose_waits_for_a_healthy_postgres_with_a_named_volume() -> None:
    compose: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    api, postgres = compose["services"]["api"], compose["services"]["postgres"]
    assert api["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert postgres["image"] == "postgres:15"
    assert postgres["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready -U foi -d foi"]
    assert postgres["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert compose["volumes"] == {"pgdata": None}
    assert set(api["environment"]) <= SETTING_VARIABLES
    assert api["environment"]["APP_DATABASE_URL"].startswith("postgresql://foi:")
    assert api["environment"]["APP_DATABASE_URL"].endswith("@postgres:5432/foi")


def test_dockerignore_keeps_local_state_out_but_not_what_the_build_copies() -> None:
    smoke = smoke_script()
    patterns = smoke.dockerignore()
    for path in (".git", ".venv", "var/app.db", "service/__pycache__/main.cpython-311.pyc"):
        assert smoke.ignored(path, patterns), path
    for path in ("service/main.py", "migrations/env.py", "seed/met-2013/figures.csv"):
        assert not smoke.ignored(path, patterns), path


def deploy_section(heading: str) -> str:
    """The text under a `## heading` of docs/deploy.md, up to the next `## `."""
    page = (PROJECT_ROOT / "docs" / "deploy.md").read_text()
    assert f"\n## {heading}\n" in page, f"docs/deploy.md has no '## {heading}' section"
    return page.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_deploy_page_documents_every_environment_variable() -> None:
    docker = deploy_section("Deploy with Docker")
    assert "docker compose up" in docker
    configuration = deploy_section("Configuration")
    rows = [line for line in configuration.splitlines() if line.startswith("| `APP_")]
    documented = {re.match(r"\| `(APP_\w+)`", row).group(1) for row in rows}  # type: ignore[union-attr]
    assert documented == SETTING_VARIABLES


def test_compose_requires_its_secrets_and_urls_and_starts_the_proxy_on_a_healthy_api() -> None:
    """Issue 25: the password defaulted to change-me, APP_PUBLIC_BASE_URL was unset, and
    the proxy had no healthcheck and waited for no healthy api."""
    text = (PROJECT_ROOT / "compose.yaml").read_text()
    assert "change-me" not in text
    assert ":-" not in text  # no variable has a silent default
    compose: dict[str, Any] = yaml.safe_load(text)
    api, proxy = compose["services"]["api"], compose["services"]["proxy"]
    postgres = compose["services"]["postgres"]
    assert "${POSTGRES_PASSWORD:?" in api["environment"]["APP_DATABASE_URL"]
    assert postgres["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert api["environment"]["APP_PUBLIC_BASE_URL"].startswith("${APP_PUBLIC_BASE_URL:?")
    assert proxy["depends_on"] == {"api": {"condition": "service_healthy"}}
    assert proxy["healthcheck"]["test"] == [
        "CMD",
        "wget",
        "-q",
        "-O",
        "/dev/null",
        "http://127.0.0.1/healthz",
    ]


def test_nginx_re_resolves_the_api_service() -> None:
    """Issue 25: nginx resolved `api` once at start, so a scaled or restarted api needed a
    reload."""
    conf = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    directives = [line.strip() for line in conf.splitlines() if not line.strip().startswith("#")]
    assert "resolver 127.0.0.11 valid=10s ipv6=off;" in directives
    assert "server api:8000 resolve;" in directives
    assert "zone api 64k;" in directives  # `resolve` needs the shared zone
    compose: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    image = compose["services"]["proxy"]["image"]
    assert image == "nginx:1.27-alpine"  # `resolve` in open-source nginx: 1.27.3 and later


def test_the_wheel_lists_every_package_of_the_service() -> None:
    """setuptools' `packages` is a list: a new subpackage left out of it is missing from the
    wheel, so the image cannot import it (service.reads was, and docker-smoke timed out)."""
    listed = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(init.parent.relative_to(PROJECT_ROOT).parts)
        for init in (PROJECT_ROOT / "service").rglob("__init__.py")
    }
    assert found <= set(listed["packages"])
