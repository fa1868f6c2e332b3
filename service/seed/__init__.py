"""Seed packages: Frictionless data packages under seed/, validated and loaded idempotently.

schema (the Table Schemas) <- reader (CSV cells to typed rows) <- descriptor
(datapackage.json) and rows (the tables' rows and the rules across them) <- package (a
package read whole) <- load (one transaction, unchanged packages skipped); each imports
only those before it.
"""

from service.seed.load import find_packages, load_packages
from service.seed.package import read_package
from service.seed.reader import PackageInvalid
from service.seed.schema import TABLES, write_schemas

__all__ = [
    "TABLES",
    "PackageInvalid",
    "find_packages",
    "load_packages",
    "read_package",
    "write_schemas",
]
