"""One settings class; every setting can be given as an APP_-prefixed environment variable."""

from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'app.db'}",
        validation_alias=AliasChoices("APP_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; postgres:// and postgresql:// use the psycopg driver.",
    )
    seed_dir: Path = Field(
        default=PROJECT_ROOT / "seed", description="Folder of data packages to load."
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
    db_connect_timeout: int = Field(
        default=3, ge=1, description="Seconds to wait for a database connection."
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
        description="Requests a minute each client may make (token bucket); 0 turns the rate "
        "limit off.",
    )
    rate_limit_burst: int = Field(
        default=0,
        ge=0,
        description="Requests a client may make at once before the per-minute rate applies "
        "(the bucket size); 0 means the same as rate_limit_per_minute.",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="Addresses or CIDR blocks of reverse proxies whose X-Forwarded-For is "
        "believed when telling clients apart for the rate limit, comma-separated "
        "(e.g. 10.0.0.0/8,127.0.0.1); empty trusts none, so the peer address is used.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("database_url")
    @classmethod
    def use_psycopg_driver(cls, url: str) -> str:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def split_proxy_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
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
