"""Path converters of the portal's URLs."""

from __future__ import annotations


class IdConverter:
    """A row id in a URL: digits that fit the database's bigint. A longer number is simply no
    page (404), never an overflow in the database driver (a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)


class SpreadsheetConverter:
    """The format of a downloaded table: `csv` or `xlsx` (portal.exports); anything else is no
    page (404)."""

    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
