"""What is not delivered: a case that is not closed (with a clear reason in the portal's
language), a stored file that is missing or changed, and a package the checks find wrong."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from grants.models import Application, Attachment, FollowUpReport
from portal import registry
from portal.earchive import validation
from portal.earchive.package import NotArchivable
from portal.earchive.services import case_package
from tests.grants.conftest import decided, pay, proposed, submitted
from tests.grants.factories import RecoveryFactory
from tests.portal.earchive.conftest import Grants, closed_grant

pytestmark = pytest.mark.django_db


def refusal(application: Application) -> NotArchivable:
    with pytest.raises(NotArchivable) as refused:
        registry.archive_source("grants").describe(application.pk)
    return refused.value


def sv(message: str) -> str:
    """A message as the portal gives it: in its own language, Swedish (once translated)."""
    with translation.override("sv"):
        return translation.gettext(message)


def test_a_case_that_is_not_closed_is_refused_with_the_reason(grants: Grants) -> None:
    g = grants
    in_review = proposed(g)
    refused = refusal(in_review)
    assert refused.code == "not_closed"
    # in the portal's language whatever the language of the person asking: the status too
    with translation.override("en"):
        assert refusal(in_review).messages == [
            sv("The case is not closed: the application is “%(status)s” and has not been decided.")
            % {"status": "Beslutsförslag lämnat"}
        ]

    granted = decided(g)  # approved, not paid, report not sent in
    assert refusal(granted).messages == [
        sv("The case is not closed: the follow-up report has not been approved yet.")
    ]
    report = FollowUpReport.objects.get(application=granted)
    FollowUpReport.objects.filter(pk=report.pk).update(status="approved")
    assert refusal(granted).messages == [
        sv("The case is not closed: the grant has not been paid out in full.")
    ]
    pay(g, granted)
    RecoveryFactory(application=granted, amount=Decimal(100))
    assert refusal(granted).messages == [
        sv("The case is not closed: a recovery of grant money is still open.")
    ]
    assert granted.pk not in registry.archive_source("grants").candidates(
        [g.body.pk], timezone.localdate().year, None
    )


def test_only_closed_cases_are_candidates_for_a_batch(grants: Grants) -> None:
    g = grants
    closed = closed_grant(g)
    open_case = submitted(g)
    rejected = proposed(g, outcome="reject")
    from tests.grants.conftest import decide_proposal

    decide_proposal(rejected, g.decision_maker)
    withdrawn_draft = Application.objects.create(
        call=g.call,
        organisation=g.organisation,
        public_body=g.body,
        status="withdrawn",
        created_by=g.editor,
    )
    year = timezone.localdate().year
    source = registry.archive_source("grants")
    found = source.candidates([g.body.pk], year, None)
    assert set(found) == {closed.pk, rejected.pk}
    assert open_case.pk not in found and withdrawn_draft.pk not in found
    assert source.candidates([g.body.pk], year - 1, None) == []
    assert source.candidates([g.body.pk], year, g.programme.pk) == found
    assert source.candidates([g.body.pk], year, g.programme.pk + 1000) == []
    assert refusal(withdrawn_draft).messages == [
        sv("The application was withdrawn before it was sent in: it is not a case.")
    ]
    # a rejection is closed at once, and is delivered
    assert case_package("grants", rejected.pk)


def test_a_stored_file_that_changed_is_never_delivered(grants: Grants) -> None:
    application = closed_grant(grants)
    attachment = Attachment.objects.get(application=application)
    with attachment.file.open("wb") as stored:
        stored.write(b"%PDF-1.4 changed afterwards\n")
    with pytest.raises(NotArchivable) as changed:
        case_package("grants", application.pk)
    assert changed.value.code == "checksum"
    attachment.file.storage.delete(attachment.file.name)
    with pytest.raises(NotArchivable) as missing:
        case_package("grants", application.pk)
    assert missing.value.code == "missing_file"


def _rewritten(package: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = change(name.split("/", 1)[1], source.read(name))
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


def test_the_checks_find_a_package_that_is_wrong(grants: Grants) -> None:
    """The portal's own check of a package can fail: each fault below is found."""
    package = case_package("grants", closed_grant(grants).pk)
    assert validation.problems(package) == []
    faults = {
        "a document changed": lambda name, c: c + b"x" if name.endswith("beslut.pdf") else c,
        "a document missing": lambda name, c: None if name.endswith("plan.pdf") else c,
        "an unlisted file": lambda name, c: c,
        "no SIP profile": lambda name, c: (
            c.replace(b' PROFILE="https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"', b"")
            if name == "METS.xml"
            else c
        ),
        "no Metadata division": lambda name, c: (
            c.replace(b'LABEL="Metadata"', b'LABEL="Metadatum"') if name == "METS.xml" else c
        ),
        "EAD not EAD3": lambda name, c: (
            c.replace(b"<scopecontent>", b"<scopecontent><summary/>")
            if name.endswith("ead.xml")
            else c
        ),
        "PREMIS not PREMIS 3": lambda name, c: (
            c.replace(b"<eventType>", b"<eventKind>").replace(b"</eventType>", b"</eventKind>")
            if name.endswith("premis.xml")
            else c
        ),
    }
    for fault, change in faults.items():
        broken = _rewritten(package, change)
        if fault == "an unlisted file":
            broken = _append(broken)
        assert validation.problems(broken), fault


def _append(package: bytes) -> bytes:
    buffer = io.BytesIO(package)
    with zipfile.ZipFile(buffer, "a") as archive:
        root = archive.namelist()[0].split("/")[0]
        archive.writestr(f"{root}/representations/rep1/data/extra.txt", b"x")
    return buffer.getvalue()
