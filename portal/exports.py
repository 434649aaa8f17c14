"""CSV and XLSX exports: the one helper every spreadsheet of the portal goes through.

Text typed by users (an organisation's name, a city, a reference) may start with a character a
spreadsheet program reads as the start of a formula: `=HYPERLINK(...)`, `+1+cmd|...`, `@SUM()`,
`-2+3`. Opened in Excel or LibreOffice such a cell runs, links or leaks data (OWASP "CSV
injection"). `neutralise` puts a single quote before such text, which spreadsheet programs show
as plain text. Only strings are touched: numbers, Decimals and dates stay typed values, so an
amount of -500 is still a number to sum. In XLSX every text cell is written as a string cell
(data type "s"), never as a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.encoding import force_str
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# What a spreadsheet program may read as the start of a formula (OWASP CSV injection), with the
# full-width forms some programs treat the same way.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

TYPED = (int, float, Decimal, datetime.date, datetime.datetime, datetime.time)


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet program runs as a formula.

    Strings (and lazy translations) starting with a formula character get a leading `'`;
    numbers, Decimals, dates and None pass through unchanged, as typed values. Anything else
    becomes its text, neutralised the same way."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, TYPED):
        return value
    text = (
        value
        if isinstance(value, str)
        else force_str(value)
        if isinstance(value, Promise)
        else str(value)
    )
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(value) for value in row]


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    value = neutralise(value)
    if isinstance(value, str):
        # Control characters are not allowed in the XML of a workbook (openpyxl would refuse
        # the whole file); the text is set as a string cell, never inferred.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never "f" (formula) nor "e" (error), whatever the text
        return cell
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: the local wall time
    return value


# A separator or line break followed (after spaces or a quote) by a formula character; a sign
# that ends its cell ("500,-" as amounts are written) starts no formula and is left as it is.
_SPLIT_FORMULA = re.compile(
    r"""([,;\t\r\n]["\s]*)(?=[=@\uff1d\uff20]|[+\-\uff0b\uff0d][^,;\t\r\n])"""
)


def neutralise_for_csv(value: Any) -> Any:
    """As `neutralise`, and for the inside of a text too: a spreadsheet program opens a CSV
    file with its own list separator (`;` in Swedish Excel, `,` elsewhere), whichever the file
    was written with, and quotes do not hold across the two, so `Stad;=2+3` in a comma file
    gives a cell `=2+3`. A quote is put before a formula character that follows a separator or
    a line break: `Stad;'=2+3`."""
    value = neutralise(value)
    if isinstance(value, str):
        return _SPLIT_FORMULA.sub(r"\1'", value)
    return value


def csv_writer(buffer: io.StringIO, *, delimiter: str = ";") -> Any:
    """A csv writer whose rows are neutralised, inside their texts too (for streams that write
    row by row)."""
    writer = csv.writer(buffer, delimiter=delimiter)

    class Neutralising:
        def writerow(self, row: Iterable[Any]) -> Any:
            return writer.writerow([neutralise_for_csv(value) for value in row])

    return Neutralising()


def export_response(
    *, rows: Iterable[Sequence[Any]], header: Sequence[str], filename: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """`fmt` "csv" streams; "xlsx" builds a write-only workbook. Every cell is neutralised."""
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append([_xlsx_cell(sheet, value) for value in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        # ";" is what Swedish spreadsheet programs expect
        writer = csv_writer(buffer, delimiter=";")
        buffer.write("\ufeff")  # so that Excel reads UTF-8
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    streaming = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    streaming["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return streaming
