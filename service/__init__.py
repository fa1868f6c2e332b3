"""Open-data API for Metropolitan Police FOI disclosures on social-media misconduct."""

__version__ = "0.1.0"
API_VERSION = "1"
