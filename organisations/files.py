"""Moved to `portal.files`; kept only until `grants.services` imports it from there."""

from portal.files import check_upload, store_upload

__all__ = ["check_upload", "store_upload"]
