"""pmtui: log an outage as it happens, get the postmortem at the end."""

__version__ = "0.1.0"
