"""CSV and XLSX exports of the officers' lists (openpyxl writes the spreadsheet)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook


def export_response(
    *, rows: Iterable[Sequence[Any]], header: Sequence[str], filename: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """`fmt` "csv" streams; "xlsx" builds a write-only workbook."""
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append(
                [
                    str(value)
                    if value is not None and not isinstance(value, (int, float))
                    else value
                    for value in row
                ]
            )
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
        writer = csv.writer(buffer, delimiter=";")  # what Swedish spreadsheet programs expect
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
