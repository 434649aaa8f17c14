"""A closed case as an FGS 2.0 / E-ARK information package: the demo's signed IOP and a closed
grant case validate against the shipped schemas and the CSIP/SIP rules, every checksum in METS
is the file's, and stored PDF/A files are delivered byte for byte."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.models import Agreement, AgreementVersion
from grants.models import Attachment, ReportAttachment
from portal import registry
from portal.earchive import validation
from portal.earchive.services import case_package
from portal.models import AuditEvent
from tests.agreements.conftest import Iop, sign, to_signing
from tests.organisations.factories import pdf_upload
from tests.portal.earchive.conftest import NS, Grants, assert_valid_package, closed_grant

pytestmark = pytest.mark.django_db


def test_the_demos_signed_iop_is_a_valid_package_with_its_pdf_as_stored(
    settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    agreement = Agreement.objects.get(title="Kvällsöppet i Centrum", status="active")
    version = AgreementVersion.objects.get(agreement=agreement)
    stored = version.pdf.open("rb").read()
    assert hashlib.sha256(stored).hexdigest() == version.sha256

    data = case_package("agreements", agreement.pk)

    package = assert_valid_package(data)
    assert validation.problems(data) == []  # the CSIP Schematron rules too
    assert package.root == agreement.registry_number.replace(" ", "-").replace("/", "-")
    delivered = package.files["representations/rep1/data/avtal-version-1.pdf"]
    assert delivered == stored  # never rendered again
    assert delivered.startswith(b"%PDF")
    ead = package.xml("metadata/descriptive/ead.xml")
    assert (
        ead.findtext("ead:archdesc/ead:did/ead:unitid", namespaces=NS) == agreement.registry_number
    )
    assert (
        ead.findtext("ead:archdesc/ead:did/ead:unittitle", namespaces=NS) == "Kvällsöppet i Centrum"
    )
    premis = package.xml("metadata/preservation/premis.xml")
    types = [e.text for e in premis.iterfind(".//premis:event/premis:eventType", NS)]
    assert "signed" in types and types[-1] == "information package creation"
    digests = {
        o.findtext(
            "premis:objectIdentifier/premis:objectIdentifierValue", namespaces=NS
        ): o.findtext(".//premis:messageDigest", namespaces=NS)
        for o in premis.iterfind("premis:object", NS)
    }
    assert digests["representations/rep1/data/avtal-version-1.pdf"] == version.sha256
    header = package.xml("METS.xml").find("mets:metsHdr", NS)
    assert header.findtext("mets:agent[@ROLE='ARCHIVIST']/mets:name", namespaces=NS) == (
        "Socialnämnden, Exempelkommun"
    )
    assert (
        header.findtext("mets:agent[@OTHERROLE='SUBMITTER']/mets:name", namespaces=NS)
        == "Exempelkommun"
    )
    # the other demo agreements are not signed: refused
    for title in ("Familjecentral i Hamnen", "Grannstöd i Norr"):
        pk = Agreement.objects.get(title=title).pk
        with pytest.raises(registry_error()):
            case_package("agreements", pk)
    assert registry.archive_source("agreements").candidates(
        [agreement.public_body_id], timezone.localdate(agreement.created_at).year, None
    ) == [agreement.pk]


def registry_error() -> type[Exception]:
    from portal.earchive.package import NotArchivable

    return NotArchivable


def test_a_closed_grant_case_is_a_valid_package_with_what_was_sent_in(grants: Grants) -> None:
    application = closed_grant(grants)
    created = timezone.make_aware(datetime(2027, 2, 1, 10, 0))

    data = case_package(
        "grants", application.pk, created=created, submission_agreement="KS 2027/12"
    )

    package = assert_valid_package(data)
    assert validation.problems(data) == []
    assert package.root == application.registry_number.replace(" ", "-").replace("/", "-")
    data_files = {p for p in package.files if p.startswith("representations/rep1/data/")}
    attachment = Attachment.objects.get(application=application)
    receipt = ReportAttachment.objects.get(report__application=application)
    assert data_files == {
        "representations/rep1/data/beslut.pdf",
        "representations/rep1/data/handelselogg.pdf",
        "representations/rep1/data/bilagor/01-plan.pdf",
        "representations/rep1/data/aterrapportering/01-kvitton.pdf",
    }
    assert (
        package.files["representations/rep1/data/bilagor/01-plan.pdf"]
        == attachment.file.open("rb").read()
    )
    assert (
        package.files["representations/rep1/data/aterrapportering/01-kvitton.pdf"]
        == receipt.file.open("rb").read()
    )
    for rendered in ("beslut.pdf", "handelselogg.pdf"):
        assert package.files[f"representations/rep1/data/{rendered}"].startswith(b"%PDF")
    mets = package.xml("METS.xml")
    header = mets.find("mets:metsHdr", NS)
    assert header.get("CREATEDATE") == "2027-02-01T10:00:00+01:00"
    assert (
        header.findtext("mets:altRecordID[@TYPE='SUBMISSIONAGREEMENT']", namespaces=NS)
        == "KS 2027/12"
    )
    premis = package.xml("metadata/preservation/premis.xml")
    linked = {
        event.findtext("premis:eventType", namespaces=NS)
        + ":"
        + event.findtext(".//premis:eventDetail", namespaces=NS): [
            value.text
            for value in event.iterfind(
                "premis:linkingObjectIdentifier/premis:linkingObjectIdentifierValue", NS
            )
        ]
        for event in premis.iterfind("premis:event", NS)
    }
    types = [key.split(":", 1)[0] for key in linked]
    assert types[0] == "created" and types[-1] == "information package creation"
    assert {"status_changed", "paid", "attachment_added", "report_status_changed"} <= set(types)
    decision = [key for key in linked if key.startswith("status_changed")][-1]
    assert "representations/rep1/data/beslut.pdf" in linked[decision]
    added = next(key for key in linked if key.startswith("attachment_added"))
    assert linked[added][0] == "representations/rep1/data/bilagor/01-plan.pdf"
    # every audit row of the case is an event, in order
    assert (
        len(types)
        == AuditEvent.objects.filter(
            object_id=str(application.pk), content_type__model="application"
        ).count()
        + 1
    )
    ead = package.xml("metadata/descriptive/ead.xml")
    applicant = ead.find("ead:archdesc/ead:controlaccess/ead:corpname[@relator]", NS)
    assert applicant.get("identifier") == application.organisation.organisation_number
    # user text is data: escaped in the XML, never markup
    text = package.files["documentation/om-paketet.txt"].decode()
    assert application.registry_number in text


def test_the_decision_pdf_escapes_what_people_wrote(grants: Grants, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The print templates get user text as data: a motivation with markup is printed as text."""
    from portal.earchive import package as package_module

    application = closed_grant(grants)
    application.decision_motivation = '<img src="http://example.invalid/x.png"> & <b>fet</b>'
    application.save(update_fields=["decision_motivation"])
    seen: dict[str, str] = {}
    import portal.pdf

    real = portal.pdf.render_to_string

    def capture(template: str, context: dict) -> str:  # type: ignore[type-arg]
        html = real(template, context)
        seen[template] = html
        return html

    monkeypatch.setattr(portal.pdf, "render_to_string", capture)
    case_package("grants", application.pk)
    html = seen["earchive/print_grant_decision.html"]
    assert (
        "&lt;img src=&quot;http://example.invalid/x.png&quot;&gt; &amp; &lt;b&gt;fet&lt;/b&gt;"
        in html
    )
    assert "<img" not in html
    assert "&lt;b&gt;öppet&lt;/b&gt;" in html  # the report's narrative
    assert package_module  # imported for the module's side effects only


def test_a_terminated_agreement_is_delivered_with_its_signed_pdf_and_the_termination(
    iop: Iop, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from agreements import services
    from portal.earchive.package import NotArchivable

    agreement = to_signing(iop)
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement=agreement, actor=iop.representative, party=iop.org_party)
    with pytest.raises(NotArchivable) as refused:  # half signed: not yet
        case_package("agreements", agreement.pk)
    assert refused.value.code == "not_closed"
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement=agreement, actor=iop.chair, party=iop.body_party)
    services.agreement_end(
        agreement=Agreement.objects.get(pk=agreement.pk),
        actor=iop.officer,
        on=timezone.localdate(),
        reason="Föreningen upphör <med> verksamheten.",
        terminate=True,
    )
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.status == "terminated"

    describe = registry.archive_source("agreements").describe
    describe(agreement.pk)
    with CaptureQueriesContext(connection) as queries:  # parties, versions, events: one each
        describe(agreement.pk)
    assert len(queries) == 4

    data = case_package("agreements", agreement.pk)

    package = assert_valid_package(data)
    assert validation.problems(data) == []
    version = AgreementVersion.objects.get(agreement=agreement)
    assert (
        package.files["representations/rep1/data/avtal-version-1.pdf"]
        == version.pdf.open("rb").read()
    )
    facts = [
        item.text
        for item in package.xml("metadata/descriptive/ead.xml").iterfind(
            ".//ead:defitem/ead:item", NS
        )
    ]
    assert "Föreningen upphör <med> verksamheten." in facts  # as text, escaped in the XML
    assert b"upph\xc3\xb6r &lt;med&gt;" in package.files["metadata/descriptive/ead.xml"] or (
        "upphör &lt;med&gt;".encode() in package.files["metadata/descriptive/ead.xml"]
    )


def test_reading_a_case_takes_the_same_queries_however_much_it_holds(grants: Grants) -> None:
    small = closed_grant(grants)
    big = closed_grant(grants)
    for number in range(3):
        Attachment.objects.create(
            application=big,
            original_name=f"extra-{number}.pdf",
            content_type="application/pdf",
            size=10,
            sha256=hashlib.sha256(b"%PDF-1.4 x\n").hexdigest(),
            uploaded_by=grants.editor,
            file=pdf_upload(f"extra-{number}.pdf", b"%PDF-1.4 x\n"),
        )
        Attachment.objects.filter(original_name=f"extra-{number}.pdf").update(
            uploaded_at=small.submitted_at
        )
    describe = registry.archive_source("grants").describe
    describe(small.pk)  # content types and the like are read once per process
    counts = []
    for application in (small, big):
        with CaptureQueriesContext(connection) as queries:
            package = describe(application.pk)
        counts.append(len(queries))
        assert package.documents
    assert counts[0] == counts[1] == 9
