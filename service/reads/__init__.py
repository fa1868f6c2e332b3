"""Reads, one module per resource (the rest still live in service.queries)."""
