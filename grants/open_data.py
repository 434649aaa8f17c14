"""Granted money as open data: a 360Giving 1.4.3 data package (JSON) and the same rows as CSV.

Both are streamed: grants are read from the database in chunks and written as they come, so a
hundred thousand grants never sit in memory at once. Nothing about persons is published: the
recipient is the organisation (name, organisationsnummer, city, as they were when the grant was
decided), the funder the public body.

An empty portal publishes no package (the 360Giving schema requires at least one grant): the JSON
address answers 404 with an explanation, and the CSV has its header row only."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from grants.models import Application, ProgrammeKind
from portal.exports import csv_writer

CHUNK = 2_000


def _prefix() -> str:
    return settings.OPEN_DATA_PREFIX


def _number(value: Decimal | None) -> float | int:
    value = value or Decimal(0)
    return int(value) if value == value.to_integral_value() else float(value)


def _org_id(application: Application) -> str:
    # The recipient as fixed at the decision: a later change of organisationsnummer or name
    # does not rewrite who was granted the money.
    number = application.recipient_org_number
    if number:
        return f"SE-BLV-{number.replace('-', '')}"
    return f"{_prefix()}-ORG-{application.organisation_id}"


def _funder(application: Application) -> dict[str, str]:
    body = application.public_body
    top = body.parent or body
    funder = {"id": f"{_prefix()}-{top.registry_prefix}", "name": top.name}
    if body.parent is not None:
        funder["department"] = body.name
    return funder


def kind_labels() -> dict[str, str]:
    """The programme kinds' labels, translated once per file rather than once per grant."""
    return {value: str(label) for value, label in ProgrammeKind.choices}


def grant_record(application: Application, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """One grant in the 360Giving standard's terms."""
    programme = application.call.programme
    kind = (labels or kind_labels())[programme.kind]
    record: dict[str, Any] = {
        "id": f"{_prefix()}-{(application.registry_number or str(application.pk)).replace(' ', '-').replace('/', '-')}",
        "title": (application.title or application.call.title)[:140],
        "description": f"{kind}: {application.call.title}",
        "currency": "SEK",
        "amountAppliedFor": _number(application.amount_requested),
        "amountAwarded": _number(application.decided_amount),
        "amountDisbursed": _number(getattr(application, "paid", None)),
        "awardDate": timezone.localdate(application.decided_at).isoformat()
        if application.decided_at
        else "",
        "recipientOrganization": [
            {
                "id": _org_id(application),
                "name": application.recipient_name,
                **(
                    {"addressLocality": application.recipient_city}
                    if application.recipient_city
                    else {}
                ),
                "addressCountry": "SE",
            }
        ],
        "fundingOrganization": [_funder(application)],
        "grantProgramme": [
            {"code": f"{_prefix()}-PROGRAMME-{programme.pk}", "title": programme.name}
        ],
        "fromOpenCall": "Yes",
        "dateModified": application.updated_at.isoformat(),
    }
    if application.planned_start and application.planned_end:
        record["plannedDates"] = [
            {
                "startDate": application.planned_start.isoformat(),
                "endDate": application.planned_end.isoformat(),
            }
        ]
    return record


def package_stream(
    grants: QuerySet[Application],
    *,
    download_url: str,
    dates: Callable[[], tuple[str, str]] | None = None,
) -> Iterator[str]:
    """The 360Giving data package, written piece by piece. `dates` gives the package's issued
    date and modified time once every grant is written (default: today and now)."""
    yield '{"grants": ['
    first = True
    labels = kind_labels()
    for application in grants.iterator(chunk_size=CHUNK):
        yield ("" if first else ",") + json.dumps(
            grant_record(application, labels), ensure_ascii=False
        )
        first = False
    issued, modified = (
        dates() if dates else (timezone.localdate().isoformat(), timezone.now().isoformat())
    )
    metadata = {
        "version": "1.4",
        "title": f"{settings.OPEN_DATA_PUBLISHER}: beviljade bidrag",
        "description": "Beviljade bidrag till civilsamhällets organisationer, från Samverkansportalen.",
        "issued": issued,
        "modified": modified,
        "identifier": f"{_prefix()}-grants",
        "publisher": {"identifier": _prefix(), "name": settings.OPEN_DATA_PUBLISHER},
        "downloadURL": download_url,
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
    }
    yield "]," + json.dumps(metadata, ensure_ascii=False)[1:]


CSV_HEADER = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Applied For",
    "Amount Awarded",
    "Amount Disbursed",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:City",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Funding Org:Department",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "From An Open Call?",
]


def csv_stream(grants: QuerySet[Application]) -> Iterator[str]:
    buffer = io.StringIO()
    # The shared writer neutralises text a spreadsheet program would run as a formula.
    writer = csv_writer(buffer, delimiter=",")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield flush()
    labels = kind_labels()
    for application in grants.iterator(chunk_size=CHUNK):
        g = grant_record(application, labels)
        planned = g.get("plannedDates", [{}])[0]
        recipient, funder, programme = (
            g["recipientOrganization"][0],
            g["fundingOrganization"][0],
            g["grantProgramme"][0],
        )
        writer.writerow(
            [
                g["id"],
                g["title"],
                g["description"],
                g["currency"],
                g["amountAppliedFor"],
                g["amountAwarded"],
                g["amountDisbursed"],
                g["awardDate"],
                planned.get("startDate", ""),
                planned.get("endDate", ""),
                recipient["id"],
                recipient["name"],
                recipient.get("addressLocality", ""),
                funder["id"],
                funder["name"],
                funder.get("department", ""),
                programme["code"],
                programme["title"],
                g["fromOpenCall"],
            ]
        )
        yield flush()
