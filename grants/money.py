"""Moved to `portal.money`; kept only until `grants.services` imports it from there."""

from portal.money import format_sek

__all__ = ["format_sek"]
