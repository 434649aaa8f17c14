from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from organisations.demo import MINIMAL_PDF
from organisations.models import AnnualDocument, DocumentVersion
from portal.files import MAX_UPLOAD_BYTES
from portal.models import User
from tests.helpers import object_storage
from tests.helpers.clients import logged_in
from tests.helpers.queries import count_queries
from tests.organisations.conftest import World
from tests.organisations.factories import pdf_upload

pytestmark = pytest.mark.django_db
ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def stored_files() -> list[str]:
    return object_storage.stored_names()


def upload(world: World, file: SimpleUploadedFile, kind: str = "verksamhetsberattelse"):  # type: ignore[no-untyped-def]
    return logged_in(world.editor).post(
        reverse("organisations:documents", args=[world.organisation.pk]),
        {"kind": kind, "year": timezone.localdate().year, "file": file},
    )


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_an_editor_uploads_and_replaces_a_document_keeping_earlier_versions(world: World) -> None:
    response = upload(world, pdf_upload("../../Verksamhetsberättelse 2026!.pdf"))
    assert response.status_code == 302
    document = AnnualDocument.objects.get(
        organisation=world.organisation, kind="verksamhetsberattelse"
    )
    first = document.current_version
    assert first is not None and first.number == 1
    assert "/" not in first.original_name and first.original_name.endswith(".pdf")
    assert first.sha256 and first.size == len(MINIMAL_PDF)
    # stored with the private files (outside the public media root on disk), under a name of
    # the portal's own
    assert first.file.name in object_storage.stored_names()
    assert "Verksamhet" not in first.file.name
    if isinstance(storages["private"], FileSystemStorage):
        path = Path(first.file.path)
        assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
        assert not path.is_relative_to(Path(settings.MEDIA_ROOT))

    response = upload(world, SimpleUploadedFile("ny-version.docx", docx_bytes()))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_version.number == 2
    assert document.current_version.content_type.endswith("wordprocessingml.document")
    assert document.status == "submitted"
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    assert first.file.storage.exists(first.file.name)  # the earlier file is kept
    page = (
        logged_in(world.viewer)
        .get(reverse("organisations:documents", args=[world.organisation.pk]))
        .content.decode()
    )
    assert (
        reverse("organisations:document_download", args=[world.organisation.pk, first.pk]) in page
    )


def test_the_officer_sees_earlier_versions_read_only_when_there_are_some(
    world: World, officer: User
) -> None:
    """Earlier files are listed under the current one; while every document was sent in once
    they are not even looked for (one query less on the organisation's page)."""
    client = logged_in(officer)
    url = reverse("organisations:officer_detail", args=[world.organisation.pk])
    client.get(url)
    with count_queries(person_kept=True) as once:
        page = client.get(url).content.decode()
    assert "Tidigare versioner" not in page
    first = world.version
    kind = first.document.kind
    assert upload(world, SimpleUploadedFile("ny.docx", docx_bytes()), kind).status_code == 302
    assert upload(world, pdf_upload("tredje.pdf"), kind).status_code == 302
    client.get(url)
    with count_queries(person_kept=True) as replaced:
        page = client.get(url).content.decode()
    assert len(replaced) == len(once) + 1
    earlier = page[page.index("Tidigare versioner") : page.index("</details>")]
    second = DocumentVersion.objects.get(document=first.document, number=2)
    links = [
        reverse("organisations:document_download", args=[world.organisation.pk, v.pk])
        for v in (second, first)
    ]
    assert earlier.index(links[0]) < earlier.index(links[1])  # newest first
    assert "version 3" not in earlier  # the current file is not an earlier one


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("program.pdf", ELF_HEADER), "inte någon av de tillåtna filtyperna"),
        (SimpleUploadedFile("tom.pdf", b""), "tom"),
        (
            SimpleUploadedFile(
                "stor.pdf", MINIMAL_PDF + b"0" * (MAX_UPLOAD_BYTES + 1 - len(MINIMAL_PDF))
            ),
            "20",
        ),
        (
            SimpleUploadedFile("bild.gif", b"GIF89a" + b"\x00" * 100),
            "inte någon av de tillåtna filtyperna",
        ),
    ],
    ids=["executable-renamed-pdf", "empty", "over-20-mb", "gif"],
)
def test_refused_files_get_a_swedish_message_and_nothing_is_stored(
    world: World, file: SimpleUploadedFile, message: str
) -> None:
    versions, files = DocumentVersion.objects.count(), stored_files()
    response = upload(world, file)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert message in errors, errors
    assert DocumentVersion.objects.count() == versions
    assert stored_files() == files


def test_the_year_at_a_glance(world: World, officer) -> None:  # type: ignore[no-untyped-def]
    from organisations import selectors, services

    upload(world, pdf_upload(), kind="revisionsberattelse")
    audit = AnnualDocument.objects.get(kind="revisionsberattelse")
    services.document_review(
        document=audit,
        actor=officer,
        approve=False,
        comment="Underskrift saknas.",
        seen_version=selectors.document_seen_version(audit),
    )
    services.document_review(
        document=world.document,
        actor=officer,
        approve=True,
        seen_version=selectors.document_seen_version(world.document),
    )
    page = (
        logged_in(world.viewer)
        .get(reverse("organisations:detail", args=[world.organisation.pk]))
        .content.decode()
    )
    assert page.count("Saknas") == 4  # four kinds not sent in
    assert "Godkänd" in page
    assert "Återsänd" in page and "Underskrift saknas." in page


def test_the_officer_is_shown_last_years_report_waiting_for_review(
    world: World, officer: User
) -> None:
    """A yearly report is sent in the spring after its year: the officer's page opens on the
    newest year with documents waiting, names every such year, and shows any year asked for."""
    this_year = timezone.localdate().year
    AnnualDocument.objects.filter(organisation=world.organisation).update(status="approved")
    response = logged_in(world.editor).post(
        reverse("organisations:documents", args=[world.organisation.pk]),
        {"kind": "revisionsberattelse", "year": this_year - 1, "file": pdf_upload("rb.pdf")},
    )
    assert response.status_code == 302
    waiting = AnnualDocument.objects.get(organisation=world.organisation, year=this_year - 1)
    review = reverse(
        "organisations:officer_document_review", args=[world.organisation.pk, waiting.pk]
    )
    url = reverse("organisations:officer_detail", args=[world.organisation.pk])
    client = logged_in(officer)

    page = client.get(url).content.decode()
    assert f"Dokument för {this_year - 1}" in page
    assert review in page
    assert "Dokument som väntar på granskning, per år:" in page

    page = client.get(url, {"ar": this_year}).content.decode()
    assert f"Dokument för {this_year}" in page and review not in page
    # a year that is no choice, or no year at all, is the default, not an error
    for wrong in ("1850", "abc"):
        page = client.get(url, {"ar": wrong}).content.decode()
        assert f"Dokument för {this_year - 1}" in page
