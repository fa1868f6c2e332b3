"""One settings class; every setting can be given as an APP_-prefixed environment variable."""

from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# alembic.ini, migrations/ and seed/: the checkout's in the repo, the wheel's copy when
# installed (pyproject.toml maps them into service/bundle).
BUNDLE_ROOT = (
    PROJECT_ROOT
    if (PROJECT_ROOT / "alembic.ini").is_file()
    else Path(__file__).resolve().parent / "bundle"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'app.db'}",
        validation_alias=AliasChoices("APP_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; postgres:// and postgresql:// use the psycopg driver.",
    )
    seed_dir: Path = Field(
        default=BUNDLE_ROOT / "seed", description="Folder of data packages to load."
    )
    flagship_disclosure: str = Field(
        default="met-2013", description="Disclosure used when a request names none."
    )
    revision_check_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often a process re-reads the dataset revision from the database.",
    )
    cache_max_age: int = Field(
        default=300, ge=0, description="Cache-Control max-age of read responses, seconds."
    )
    cache_max_entries: int = Field(
        default=4096, ge=1, description="Responses kept in memory per process."
    )
    cache_max_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=64 * 1024,
        description="Bytes of responses (bodies, headers, keys and a fixed per-entry "
        "overhead) kept in memory per process; the least recently used go first. The "
        "default, 64 MiB, leaves a 512 MB container with two workers room for each "
        "worker's ~180 MB baseline plus its cache.",
    )
    cache_warm_keys: int = Field(
        default=64,
        ge=0,
        description="When a new dataset revision appears, this many of the most recently "
        "used responses are rebuilt for it before it is served (the previous revision's "
        "answers are served meanwhile, at most revision_check_seconds longer); 0 switches "
        "at once.",
    )
    db_connect_timeout: int = Field(
        default=3, ge=1, description="Seconds to wait for a database connection."
    )
    db_statement_timeout: float = Field(
        default=5.0,
        gt=0,
        description="Longest one query may take, seconds: PostgreSQL's statement_timeout, "
        "a client-side watchdog that closes the connection of a query still waiting after "
        "it plus one second (a frozen server answers nothing, not even its own timeout), "
        "and SQLite's busy_timeout. Such a request gets a 503.",
    )
    db_pool_size: int = Field(
        default=5, ge=1, description="Database connections each process keeps open."
    )
    db_max_overflow: int = Field(
        default=10, ge=0, description="Extra connections a process may open under load."
    )
    db_pool_timeout: float = Field(
        default=2.0,
        gt=0,
        description="Seconds a request waits for a free database connection before it gets "
        "a 503 overloaded problem with Retry-After.",
    )
    max_url_bytes: int = Field(
        default=2048,
        ge=64,
        description="Longest path plus query string accepted, in bytes; longer gets 414.",
    )
    max_header_bytes: int = Field(
        default=8192,
        ge=512,
        description="Largest total size of the request headers, in bytes; larger gets 431.",
    )
    max_body_bytes: int = Field(
        default=0,
        ge=0,
        description="Largest request body tolerated, in bytes (the API reads none); a larger "
        "Content-Length, or any chunked body, gets 413.",
    )
    rate_limit_per_minute: int = Field(
        default=0,
        ge=0,
        description="Requests a minute each client (an IPv4 address, or an IPv6 /64) may "
        "make, counted in a moving window by the `limits` library; 0 turns the rate limit off.",
    )
    rate_limit_burst: int = Field(
        default=0,
        ge=0,
        description="Requests a client may make at once: the window holds this many requests "
        "and lasts burst*60/rate_limit_per_minute seconds (rounded up); 0 means the same as "
        "rate_limit_per_minute (a one-minute window).",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where the rate-limit windows are kept: memory:// (each process its "
        "own) or redis://host:6379 (one budget shared by every process and replica). If "
        "Redis cannot be reached, requests are let through and a warning is logged.",
    )
    rate_limit_key_prefix: str = Field(
        default="met-foi",
        max_length=100,
        description="Prefix of the rate-limit keys in the shared storage, so that several "
        "services (or tests) can use one Redis.",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="Addresses or CIDR blocks of reverse proxies whose X-Forwarded-For is "
        "believed when telling clients apart for the rate limit, comma-separated "
        "(e.g. 10.0.0.0/8,127.0.0.1); empty trusts none, so the peer address is used.",
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default=["127.0.0.1", "localhost", "::1", "testserver"],
        description="Host names the service answers for, comma-separated (the Host header "
        "without its port); any other Host gets a 400 bad-host problem, so no link is built "
        "from a forged one. `*` allows any. The default is the loopback names (and "
        "`testserver`, Starlette's test client); a deployment must list its public names.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    public_base_url: str | None = Field(
        default=None,
        description="Public URL the service is reached at (e.g. https://data.example.org), "
        "used for the absolute links in oEmbed answers and embeds; by default they are "
        "taken from each request.",
    )
    log_format: Literal["text", "json", "off"] = Field(
        default="text",
        description='The one line per request on stdout: text (`127.0.0.1:51234 - "GET '
        '/v1/meta HTTP/1.1" 200 0.412ms <request id>`) or json (time, method, path, status, '
        "duration_ms, request_id). Written by a background thread, off the request path. off: "
        "none (the metrics still count requests).",
    )
    metrics: bool = Field(
        default=False,
        description="Serve Prometheus metrics on /metrics (requests by route and status, "
        "latency, cache, database pool and errors, revision). With several workers, set "
        "PROMETHEUS_MULTIPROC_DIR to an empty directory so every worker is counted.",
    )
    metrics_allow: Annotated[list[str], NoDecode] = Field(
        default=["127.0.0.1/32", "::1/128"],
        description="Networks (addresses or CIDR blocks, comma-separated) whose peers may "
        "read /metrics; anyone else gets a 404. Behind a proxy the peer is the proxy.",
    )
    host: str = Field(default="127.0.0.1", description="Interface `met-foi start` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `met-foi start` uses.")
    workers: int = Field(default=1, ge=1, description="Uvicorn worker processes.")
    seed_on_start: bool = Field(
        default=True, description="Load the packages in seed_dir during `met-foi start`."
    )
    db_wait_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long `met-foi start` waits for the database before giving up.",
    )
    shutdown_grace_seconds: int = Field(
        default=8,
        ge=1,
        description="On SIGTERM, how long in-flight requests get to finish.",
    )

    @field_validator("database_url")
    @classmethod
    def use_psycopg_driver(cls, url: str) -> str:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("public_base_url")
    @classmethod
    def strip_trailing_slash(cls, url: str | None) -> str | None:
        if url is None or not url.strip():
            return None
        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return url

    @field_validator("trusted_proxies", "allowed_hosts", "metrics_allow", mode="before")
    @classmethod
    def split_comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def lower_case_hosts(cls, value: list[str]) -> list[str]:
        return [host.lower() for host in value]

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def proxies_are_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ip_network(entry, strict=False)  # raises ValueError, naming the bad entry
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
