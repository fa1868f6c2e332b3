"""Validate Frictionless data packages under seed/ and load them, idempotently."""

from service.seed.package import (
    TABLES,
    PackageInvalid,
    find_packages,
    load_packages,
    read_package,
    write_schemas,
)

__all__ = [
    "TABLES",
    "PackageInvalid",
    "find_packages",
    "load_packages",
    "read_package",
    "write_schemas",
]
