"""Every CSV and XLSX the portal writes neutralises text that a spreadsheet program would run
as a formula (OWASP "CSV injection"), and keeps numbers as numbers."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grants import open_data_store, services
from portal.exports import export_response, neutralise
from tests.grants.conftest import Grants, decided, grants  # noqa: F401 - the grants world
from tests.helpers.clients import logged_in

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "-2+3",
    "\t=1",
    "\r=1",
]
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
SPLIT = "Stad;=2+3;x,=4+5,y"


def hostile_world(g: Grants) -> None:
    """An organisation and a case full of text that looks like formulas, as an association
    representative (or anyone typing into the portal) could enter it."""
    g.organisation.name = HOSTILE[0]
    g.organisation.city = HOSTILE[1]
    g.organisation.save()
    # a spreadsheet program splits a file on its own list separator, whichever the file uses
    g.call.title = HOSTILE[4] + SPLIT
    g.call.save()
    application = decided(g)
    application.title = HOSTILE[5]
    application.save()
    services.payment_register(
        application=application,
        actor=g.officer,
        amount=Decimal("1000"),
        paid_on=timezone.localdate(application.decided_at),
        reference=HOSTILE[2],
        seen_version=services.payment_version(application),
    )
    services.recovery_open(
        application=application,
        actor=g.officer,
        amount=Decimal("500"),
        reason=HOSTILE[3],
        due_date=date(2027, 1, 1),
    )


def csv_cells(response: StreamingHttpResponse, delimiter: str) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def assert_no_formula_in_csv(rows: list[list[str]]) -> str:
    flat = [cell for row in rows for cell in row]
    for cell in flat:
        assert not cell.startswith(DANGEROUS_STARTS), repr(cell)
        # as a spreadsheet program with another list separator (or line breaks) splits it,
        # quotes or no quotes
        for piece in re.split(r"[,;\t\r\n]", cell):
            assert not piece.lstrip(' "').startswith(DANGEROUS_STARTS[:4]), repr(cell)
    return "\n".join(flat)


def assert_no_formula_in_xlsx(content: bytes) -> list[object]:
    sheet = load_workbook(io.BytesIO(content)).active
    values = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not cell.value.startswith(DANGEROUS_STARTS), repr(cell.value)
            values.append(cell.value)
    return values


@pytest.mark.parametrize("name", ["payments", "reports", "recoveries"])
def test_officer_exports_carry_no_formula(grants: Grants, name: str) -> None:  # noqa: F811
    hostile_world(grants)
    client = logged_in(grants.officer)

    response = client.get(reverse(f"grants:{name}"), {"export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    response.streaming_content = [content]
    assert_no_formula_in_csv(csv_cells(response, ","))  # read with another list separator
    response.streaming_content = [content]
    text = assert_no_formula_in_csv(csv_cells(response, ";"))
    assert "'" + HOSTILE[0] in text  # the name is still there, shown as text

    response = client.get(reverse(f"grants:{name}"), {"export": "xlsx"})
    assert response.status_code == 200
    values = assert_no_formula_in_xlsx(response.content)
    assert "'" + HOSTILE[0] in values


def test_payment_and_recovery_exports_keep_amounts_as_numbers(grants: Grants) -> None:  # noqa: F811
    hostile_world(grants)
    client = logged_in(grants.officer)
    values = assert_no_formula_in_xlsx(
        client.get(reverse("grants:recoveries"), {"export": "xlsx"}).content
    )
    assert 500 in values  # a number cell, not the text "500.00"
    assert "'" + HOSTILE[3] in values  # the reason "-2+3" is text


def test_the_open_data_csv_carries_no_formula(grants: Grants) -> None:  # noqa: F811
    hostile_world(grants)
    open_data_store.build()
    response = Client().get(reverse("grants:open_data_csv"))
    assert response.status_code == 200
    swedish = Client().get(reverse("grants:open_data_csv"))
    assert_no_formula_in_csv(csv_cells(swedish, ";"))  # as Swedish Excel splits it
    rows = csv_cells(response, ",")
    assert len(rows) == 2
    text = assert_no_formula_in_csv(rows)
    assert "'" + HOSTILE[0] in text and "'" + HOSTILE[1] in text
    assert "'\r'=1" in text  # HOSTILE[5]: quoted at its start and after its line break


def test_the_helper_neutralises_only_text() -> None:
    for value in HOSTILE:
        assert neutralise(value) == "'" + value
    assert neutralise("Idrottsföreningen") == "Idrottsföreningen"
    assert neutralise(Decimal("-500")) == Decimal("-500")
    assert neutralise(-3) == -3
    assert neutralise(date(2026, 11, 29)) == date(2026, 11, 29)
    assert neutralise(None) is None


def test_xlsx_cells_are_strings_or_typed_values() -> None:
    response = export_response(
        rows=[[*HOSTILE, "#N/A", "bad\x01char", Decimal("-500"), date(2026, 11, 29)]],
        header=["a"] * 10,
        filename="x",
        fmt="xlsx",
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = next(iter(sheet.iter_rows(min_row=2)))
    assert [cell.data_type for cell in cells[:8]] == ["s"] * 8
    assert cells[7].value == "badchar"  # a control character never makes the export fail
    assert cells[8].data_type == "n" and cells[8].value == -500
    assert cells[9].is_date


def test_a_formula_after_a_separator_inside_a_text_is_neutralised_too() -> None:
    from portal.exports import neutralise_for_csv

    assert neutralise_for_csv("Exempelstad;=2+3;x") == "Exempelstad;'=2+3;x"
    assert neutralise_for_csv('Ref,="x",slut; @SUM(A1)') == "Ref,'=\"x\",slut; '@SUM(A1)"
    assert neutralise_for_csv("Rad ett\n+cmd") == "Rad ett\n'+cmd"
    assert neutralise_for_csv("Kostnad 2026-2027, 5 %") == "Kostnad 2026-2027, 5 %"
    assert neutralise_for_csv("Hyra 500,-; 300,-") == "Hyra 500,-; 300,-"
    assert neutralise_for_csv("Hyra 500,- cmd|x") == "Hyra 500,'- cmd|x"
    assert neutralise_for_csv("Saldo; -200") == "Saldo; '-200"
    assert neutralise_for_csv(Decimal("-5")) == Decimal("-5")
