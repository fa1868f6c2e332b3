"""Reads, one module per resource, mirroring service.api; common.py holds what they share."""
