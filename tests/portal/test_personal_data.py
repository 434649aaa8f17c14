"""A person's own data (GDPR): the copy they download and the erasure that keeps public records.

The world is the demo's, with one more person, Petra Persson, put into every row kind the apps
say they hold about a person (each model's every user field), so that the copy and the erasure
are tried on data in every app."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import personal_data, registry
from portal.models import AuditEvent, Notification, User
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NAME = "Petra Persson"
EMAIL = "petra.persson@exempel.se"
PHONE = "070-123 45 67"
FILE_BYTES = b"%PDF-1.4 Petras bilaga\n"


def _user_fields(model: type) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if f.is_relation and f.concrete and f.related_model is User
    ]


def test_every_foreign_key_to_a_person_is_covered_by_an_app() -> None:
    named = {
        (held.model._meta.label, field)
        for source in registry.personal_data_sources()
        for held in source.held
        for field in held.fields
    }
    missing = [
        f"{model._meta.label}.{field}"
        for model in apps.get_models()
        for field in _user_fields(model)
        if (model._meta.label, field) not in named
    ]
    assert missing == []
    # and the person's own row
    assert (User._meta.label, "id") in named


def _create_missing_rows(petra: User) -> None:
    """The row kinds the demo has none of, made for Petra."""
    from agreements.models import Agreement, FollowUp, SectionComment
    from dialogue.models import Consultation, ConsultationDocument, Response, ResponseAttachment
    from grants.models import FollowUpReport, ReportAttachment
    from insights.models import YearlyReport
    from organisations.models import ConflictOfInterest, Invitation, JoinRequest, Organisation
    from portal.models import PublicBody

    organisation = Organisation.objects.order_by("pk").last()
    assert organisation is not None
    agreement = Agreement.objects.order_by("pk").first()
    assert agreement is not None
    stored = {
        "original_name": "petras-bilaga.pdf",
        "content_type": "application/pdf",
        "size": len(FILE_BYTES),
        "sha256": "0" * 64,
        "uploaded_by": petra,
    }
    from tests.throwaway.models import Errand

    Errand.objects.create(title=f"Ring {NAME}", due=timezone.localdate(), person=petra)
    from portal.models import ArchiveBatch

    ArchiveBatch.objects.create(source="grants", year=2025, requested_by=petra)
    from portal.models import LegalHold

    LegalHold.objects.create(
        kind="grants.application",
        object_id=1,
        public_body=PublicBody.objects.order_by("pk").first(),
        number="KFN 2026/1",
        reason=f"Begärd av {NAME}",
        set_by=petra,
    )
    SocialAccount.objects.create(
        user=petra, provider="sweden-connect", uid="pnr-abc", extra_data={"name": NAME}
    )
    LogEntry.objects.create(
        user=petra,
        object_repr=f"Ändrad av {NAME}",
        action_flag=2,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(petra.pk),
    )
    JoinRequest.objects.create(organisation=organisation, user=petra, message="Får jag vara med?")
    from organisations.models import AidDeclaration, AidEntry, Undertaking, UndertakingMember

    declaration = AidDeclaration.objects.create(
        organisation=organisation,
        number=99,
        period_start=timezone.localdate() - timedelta(days=3 * 365),
        none_received=True,
        declared_by=petra,
        declared_by_name=NAME,
        text_sha256="0" * 64,
    )
    AidEntry.objects.create(
        organisation=organisation,
        origin="declared",
        regulation="2023/2831",
        decided_on=timezone.localdate(),
        granting_body="Region Exempel",
        instrument="grant",
        amount_sek=1000,
        gross_grant_equivalent_sek=1000,
        sek_per_eur=11,
        rate_source="InforEuro",
        amount_eur="90.91",
        source_kind="organisations.declaration",
        source_id=declaration.pk,
        declaration=declaration,
        superseded_at=timezone.now(),
        recorded_by=petra,
    )
    if not UndertakingMember.objects.filter(organisation=organisation).exists():
        UndertakingMember.objects.create(
            undertaking=Undertaking.objects.create(),
            organisation=organisation,
            reason=f"Länkad av {NAME}",
            added_by=petra,
        )
    Invitation.objects.create(
        organisation=organisation,
        email=EMAIL,
        role="editor",
        token="t" * 64,
        invited_by=petra,
        expires_at=timezone.now() + timedelta(days=7),
    )
    ConflictOfInterest.objects.create(
        user=petra,
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id=str(organisation.pk),
        object_repr=str(organisation),
        reason="Jag är medlem själv",
    )
    SectionComment.objects.create(
        agreement=agreement, section="purpose", text=f"Fråga {NAME} om det här", author=petra
    )
    FollowUp.objects.create(
        agreement=agreement, due_date=timezone.localdate(), plan="Uppföljning", recorded_by=petra
    )
    report = FollowUpReport.objects.order_by("pk").first()
    assert report is not None
    ReportAttachment.objects.create(
        report=report, file=ContentFile(FILE_BYTES, name="petra.pdf"), **stored
    )
    YearlyReport.objects.create(
        root=PublicBody.objects.order_by("pk").first(), year=2025, requested_by=petra
    )
    consultation = Consultation.objects.order_by("pk").first()
    assert consultation is not None
    ConsultationDocument.objects.create(
        consultation=consultation, file=ContentFile(FILE_BYTES, name="petra.pdf"), **stored
    )
    response = Response.objects.order_by("pk").first()
    assert response is not None
    ResponseAttachment.objects.create(
        response=response, file=ContentFile(FILE_BYTES, name="petra.pdf"), **stored
    )


@pytest.fixture
def world(settings, django_capture_on_commit_callbacks) -> User:  # type: ignore[no-untyped-def]
    """The demo, and Petra in every row kind of every app: the first existing row of each kind
    is made hers in every user field (the way a long-serving volunteer and officer would be)."""
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    settings.DEBUG = False
    petra = UserFactory(email=EMAIL, name=NAME)
    Authenticator.objects.create(user=petra, type="totp", data={"secret": "HEMLIGT"})
    Notification.objects.create(
        kind="digest",
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(petra.pk),
        due_date=timezone.localdate(),
        recipient=petra,
        subject=f"Hej {NAME}",
    )
    AuditEvent.objects.create(
        actor=petra,
        actor_label=f"{NAME} <{EMAIL}>",
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(petra.pk),
        object_repr=NAME,
        action="member_invited",
        comment=f"{EMAIL} bjöd in handlaggare@exempel.se",
    )
    _create_missing_rows(petra)
    for source in registry.personal_data_sources():
        for held in source.held:
            if (
                held.model is User
                or held.model._default_manager.filter(personal_data._naming(held, petra)).exists()
            ):
                continue
            first = held.model._default_manager.order_by("pk").first()
            assert first is not None, held.model
            held.model._default_manager.filter(pk=first.pk).update(
                **dict.fromkeys(held.fields, petra)
            )
    # the organisation she is in is one with another representative
    from organisations.models import Organisation, OrganisationMembership, OrganisationRole

    organisation = Organisation.objects.get(name="Exempelstadens Idrottsförening")
    OrganisationMembership.objects.filter(user=petra).delete()
    OrganisationMembership.objects.create(
        organisation=organisation, user=petra, role=OrganisationRole.REPRESENTATIVE
    )
    # and she is its contact, with her phone number
    Organisation.objects.filter(pk=organisation.pk).update(contact_email=EMAIL, contact_phone=PHONE)
    return petra


def _volunteer(petra: User) -> User:
    """Petra as an association's volunteer only: her officer role (which the world gave her)
    ended, so that she may erase her account herself."""
    from portal.models import PublicBodyMembership

    PublicBodyMembership.objects.filter(user=petra).delete()
    return petra


def _copy(user: User) -> zipfile.ZipFile:
    return zipfile.ZipFile(personal_data.export_zip(user, actor=user))


def _others(petra: User) -> list[str]:
    """Every other person's email address and full name, as text."""
    found = []
    for email, name in User.objects.exclude(pk=petra.pk).values_list("email", "name"):
        found.append(email)
        if len(name.split()) >= 2:
            found.append(name)
    return found


def test_the_copy_holds_every_field_of_every_row_about_the_person(world: User) -> None:
    petra = world
    archive = _copy(petra)
    documents = {
        name: json.loads(archive.read(name))
        for name in archive.namelist()
        if name.endswith(".json")
    }
    assert set(documents) == {f"{s.name}.json" for s in registry.personal_data_sources()}
    checked = 0
    for source in registry.personal_data_sources():
        document = documents[f"{source.name}.json"]
        for held in source.held:
            label = str(held.model._meta.verbose_name_plural)
            exported = {
                row["id"]: row for row in document["data"][personal_data.section_key(held)]["rows"]
            }
            condition = personal_data._naming(held, petra)
            rows = list(
                held.model._default_manager.filter(condition).exclude(
                    **({"action": "personal_data_exported"} if held.model is AuditEvent else {})
                )
            )
            assert rows, f"Petra has no {label}"
            assert set(exported) == {row.pk for row in rows}
            people = set(_user_fields(held.model))
            for row in rows:
                copy = exported[row.pk]
                for field in held.model._meta.concrete_fields:
                    key = (
                        field.name
                        if field.name in people or isinstance(field, models.FileField)
                        else field.attname
                    )
                    if field.name in held.exclude or (
                        held.only
                        and not field.primary_key
                        and field.name not in people
                        and field.name not in held.only
                    ):
                        assert field.name not in copy and field.attname not in copy
                        continue
                    assert key in copy, f"{label}.{key}"
                    value = getattr(row, field.attname)
                    if field.name in people:
                        assert copy[key] == ("du" if value == petra.pk else None)
                    elif isinstance(value, bool | int) and value is not None:
                        assert copy[key] == value, f"{label}.{key}"
                    checked += 1
    assert checked > 300
    # her uploaded files are in it, byte for byte
    files = [name for name in archive.namelist() if name.startswith("filer/")]
    assert sum(archive.read(name) == FILE_BYTES for name in files) == 3
    # the summary reads in Swedish and names her
    summary = archive.read("sammanfattning.html").decode()
    assert "Dina uppgifter i Samverkansportalen" in summary
    assert NAME in summary and EMAIL in summary
    # codes read as the portal writes them: the audit action and yes/no, not member_invited/True
    assert "Person inbjuden" in summary and "member_invited" not in summary
    assert ">Ja<" in summary and ">True<" not in summary
    # no secrets
    text = "\n".join(
        archive.read(n).decode() for n in archive.namelist() if not n.startswith("filer/")
    )
    assert "HEMLIGT" not in text and "t" * 64 not in text and "pbkdf2" not in text


def test_what_the_person_handled_is_in_the_copy_as_what_they_did_not_the_whole_record(
    world: User,
) -> None:
    """An organisation Petra registered, and a case she decided, are theirs: her copy names
    them and what she did, not their accounts, answers or addresses as they are today."""
    from grants.models import Application
    from organisations.models import Organisation

    petra = world
    organisation = Organisation.objects.filter(created_by=petra).get()
    Organisation.objects.filter(pk=organisation.pk).update(payment_account="5050-1055")
    decided = Application.objects.filter(decided_by=petra).get()
    Application.objects.filter(pk=decided.pk).update(answers={"1": "Föreningens eget svar"})
    text = "\n".join(
        _copy(petra).read(name).decode()
        for name in ("foreningar.json", "bidrag.json", "sammanfattning.html")
    )
    assert organisation.name in text
    assert "5050-1055" not in text
    assert decided.title in text
    assert "Föreningens eget svar" not in text


def test_the_copy_holds_nothing_of_anyone_else(world: User) -> None:
    petra = world
    archive = _copy(petra)
    text = "\n".join(
        archive.read(name).decode() for name in archive.namelist() if not name.startswith("filer/")
    )
    leaks = [other for other in _others(petra) if other.lower() in text.lower()]
    assert leaks == []
    assert "[annan person]" in text  # the audit comments that named others are masked


def test_the_copy_is_downloaded_from_the_account_after_the_password(world: User) -> None:
    petra = world
    client = Client()
    client.force_login(petra)
    # found from the overview's "Your account"
    assert reverse("portal:my_data") in client.get(reverse("portal:dashboard")).content.decode()
    page = client.get(reverse("portal:my_data"))
    assert page.status_code == 200
    assert reverse("portal:my_data_download") in page.content.decode()
    # a session that did not just type the password is asked for it first
    response = client.get(reverse("portal:my_data_download"))
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    client.post(response["Location"], {"password": PASSWORD})
    response = client.get(reverse("portal:my_data_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert (
        "sammanfattning.html"
        in zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    )
    assert AuditEvent.objects.filter(
        action="personal_data_exported", object_id=str(petra.pk)
    ).exists()


def test_someone_else_cannot_have_the_copy(world: User) -> None:
    stranger = UserFactory()
    client = Client()
    client.force_login(stranger)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("portal:my_data_download"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert EMAIL not in archive.read("konto.json").decode()
    assert Client().get(reverse("portal:my_data_download")).status_code == 302  # to log in


# --- erasure ---------------------------------------------------------------------------------


def _all_text() -> str:
    """Every value of every column of every table, as text."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (table names from the schema)
            for row in cursor.fetchall():
                values.extend(str(value) for value in row if value is not None)
    return "\n".join(values).lower()


def test_erasure_leaves_no_trace_of_name_email_or_phone_and_keeps_the_records(world: User) -> None:
    from agreements.models import Signature
    from grants.models import Application

    petra = world
    application = Application.objects.filter(created_by=petra).get()
    signature = Signature.objects.filter(signed_by=petra).first()
    assert NAME.lower() in _all_text() and EMAIL in _all_text() and PHONE in _all_text()

    personal_data.user_erase(user=_volunteer(petra), actor=petra)

    text = _all_text()
    assert NAME.lower() not in text
    assert EMAIL not in text
    assert PHONE not in text
    petra.refresh_from_db()
    assert petra.erased_at is not None and not petra.is_active
    assert not petra.has_usable_password()
    assert str(petra) == "borttagen användare"
    assert not EmailAddress.objects.filter(user=petra).exists()
    assert not Authenticator.objects.filter(user=petra).exists()
    assert not SocialAccount.objects.filter(user=petra).exists()
    assert not Notification.objects.filter(recipient=petra).exists()
    # the records stand, naming "borttagen användare"
    application.refresh_from_db()
    assert application.created_by_id == petra.pk
    if signature is not None:
        assert Signature.objects.filter(pk=signature.pk, signed_by=petra).exists()
    assert AuditEvent.objects.filter(actor=petra).exists()
    assert set(AuditEvent.objects.filter(actor=petra).values_list("actor_label", flat=True)) == {
        "borttagen användare"
    }
    assert AuditEvent.objects.filter(
        action="personal_data_erased", object_id=str(petra.pk)
    ).exists()
    # login impossible
    assert not Client().login(email=EMAIL, password=PASSWORD)
    response = Client().post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not logged in
    # erasing twice changes nothing
    personal_data.user_erase(user=petra, actor=petra)
    assert AuditEvent.objects.filter(action="personal_data_erased").count() == 1


def test_the_public_records_render_and_the_open_data_stays_valid_after_erasure(
    world: User,
) -> None:
    from grants.models import Application
    from tests.grants.test_open_data import package, validator

    petra = _volunteer(world)
    officer = User.objects.get(email="handlaggare@exempel.se")
    sent_in = Application.objects.exclude(registry_number=None).first()
    assert sent_in is not None
    from portal.models import PublicBodyMembership

    PublicBodyMembership.objects.get_or_create(
        user=officer, public_body_id=sent_in.public_body_id, role="case_officer"
    )
    Application.objects.filter(pk=sent_in.pk).update(created_by=petra, assigned_to=petra)
    personal_data.user_erase(user=petra, actor=petra)
    data, text = package()
    assert list(validator().iter_errors(data)) == []
    assert NAME not in text
    for name in ("agreements:register", "grants:open_data", "dialogue:compacts"):
        assert Client().get(reverse(name)).status_code == 200
    from agreements.models import Signature

    if not Authenticator.objects.filter(user=officer, type="totp").exists():
        Authenticator.objects.create(user=officer, type="totp", data={"secret": "X"})
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("grants:officer_application", args=[sent_in.pk]))
    assert page.status_code == 200
    assert NAME not in page.content.decode()
    # the inbox lists the case, and names nobody erased
    response = client.get(reverse("grants:inbox"), {"q": sent_in.registry_number}, follow=True)
    inbox = response.content.decode()
    assert sent_in.registry_number in inbox
    assert NAME not in inbox
    signature = Signature.objects.filter(signed_by=petra).select_related("agreement").first()
    assert signature is not None
    page = client.get(reverse("agreements:agreement", args=[signature.agreement_id]))
    assert page.status_code == 200
    assert NAME not in page.content.decode()


def test_an_audit_row_cannot_be_changed_outside_an_erasure(world: User) -> None:
    from django.db import DatabaseError, transaction

    event = AuditEvent.objects.filter(actor=world).first()
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(comment="omskrivet")
    from portal.models import AuditRedaction

    # even during an erasure, when and what was done never change
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRedaction.objects.create(user_id=world.pk)
        AuditEvent.objects.filter(pk=event.pk).update(action="något annat")


def test_the_last_representative_is_told_to_hand_over_first(world: User) -> None:
    from organisations.models import OrganisationMembership, OrganisationRole

    petra = _volunteer(world)
    membership = OrganisationMembership.objects.get(user=petra)
    OrganisationMembership.objects.filter(
        organisation=membership.organisation, role=OrganisationRole.REPRESENTATIVE
    ).exclude(user=petra).update(role=OrganisationRole.EDITOR)
    with pytest.raises(ValidationError) as refused:
        personal_data.user_erase(user=petra, actor=petra)
    assert "enda företrädaren" in str(refused.value)
    petra.refresh_from_db()
    assert petra.erased_at is None and petra.name == NAME

    client = Client()
    client.force_login(petra)
    page = client.get(reverse("portal:account_erase")).content.decode()
    assert "enda företrädaren" in page
    assert reverse("organisations:members", args=[membership.organisation_id]) in page
    assert 'name="understood"' not in page  # no button to press while it stands


def test_a_person_erases_their_account_in_the_browser_flow(world: User) -> None:
    petra = _volunteer(world)
    client = Client()
    client.force_login(petra)
    page = client.get(reverse("portal:account_erase")).content.decode()
    assert "Det här sparas, och varför" in page
    # without the password, or with a wrong one, or without the box ticked: each says what to
    # fix, and nothing is erased
    response = client.post(reverse("portal:account_erase"), {"understood": "on"})
    assert response.status_code == 200
    assert "Skriv ditt lösenord." in response.content.decode()
    response = client.post(
        reverse("portal:account_erase"), {"understood": "on", "password": "fel-lösenord"}
    )
    assert "Lösenordet stämmer inte" in response.content.decode()
    response = client.post(reverse("portal:account_erase"), {"password": PASSWORD})
    assert "Kryssa i rutan" in response.content.decode()
    petra.refresh_from_db()
    assert petra.erased_at is None
    response = client.post(
        reverse("portal:account_erase"), {"understood": "on", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal:account_erased")
    petra.refresh_from_db()
    assert petra.erased_at is not None
    # logged out
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_officers_and_administrators_do_not_erase_themselves(world: User) -> None:
    officer = User.objects.get(email="handlaggare@exempel.se")
    with pytest.raises(PermissionDenied):
        personal_data.user_erase(user=officer, actor=officer)
    if not Authenticator.objects.filter(user=officer, type="totp").exists():
        Authenticator.objects.create(user=officer, type="totp", data={"secret": "X"})
    client = Client()
    client.force_login(officer)
    refused = client.get(reverse("portal:account_erase"))
    assert refused.status_code == 403
    assert "Be portalens administratör" in refused.content.decode()
    page = client.get(reverse("portal:my_data")).content.decode()
    assert "administratör" in page


def test_only_an_administrator_erases_someone_else(world: User) -> None:
    officer = User.objects.get(email="handlaggare@exempel.se")
    with pytest.raises(PermissionDenied):
        personal_data.user_erase(user=world, actor=officer)
    admin = User.objects.get(email="admin@exempel.se")
    personal_data.user_erase(user=world, actor=admin)
    event = AuditEvent.objects.get(action="personal_data_erased", object_id=str(world.pk))
    assert event.actor_id == admin.pk


def test_a_forum_seat_goes_to_the_deputy_and_the_sessions_end(world: User) -> None:
    from dialogue.models import ForumMember

    petra = _volunteer(world)
    seat = ForumMember.objects.filter(representative=petra).first()
    assert seat is not None
    deputy = seat.deputy
    client = Client()
    client.force_login(petra)
    personal_data.user_erase(user=petra, actor=petra)
    seat.refresh_from_db()
    if deputy is not None and deputy.pk != petra.pk:
        assert seat.representative_id == deputy.pk and seat.deputy_id is None
    else:
        assert seat.representative_id is None
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_the_administrator_erases_after_a_confirmation_and_only_a_superuser_may(
    world: User,
) -> None:
    petra = world
    admin_user = User.objects.get(email="admin@exempel.se")
    if not Authenticator.objects.filter(user=admin_user, type="totp").exists():
        Authenticator.objects.create(user=admin_user, type="totp", data={"secret": "X"})
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:portal_user_changelist")
    chosen = {"action": "erase_personal_data", "_selected_action": [petra.pk]}
    page = client.post(url, chosen)
    assert page.status_code == 200
    assert "Det här sparas, och varför" in page.content.decode()
    petra.refresh_from_db()
    assert petra.erased_at is None  # nothing until confirmed
    response = client.post(url, {**chosen, "confirmed": "1"})
    assert response.status_code == 302
    petra.refresh_from_db()
    assert petra.erased_at is not None

    # a staff member who is not a superuser gets neither the copy nor the erasure
    other = UserFactory(is_staff=True)
    Authenticator.objects.create(user=other, type="totp", data={"secret": "X"})
    from django.contrib.auth.models import Permission

    other.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    victim = UserFactory()
    client = Client()
    client.force_login(other)
    for action in ("erase_personal_data", "download_personal_data"):
        response = client.post(url, {"action": action, "_selected_action": [victim.pk]})
        assert response.status_code == 302
        assert response.get("Content-Type", "").startswith("text/html")
    victim.refresh_from_db()
    assert victim.erased_at is None


def test_the_administrator_downloads_a_persons_copy(world: User) -> None:
    admin_user = User.objects.get(email="admin@exempel.se")
    if not Authenticator.objects.filter(user=admin_user, type="totp").exists():
        Authenticator.objects.create(user=admin_user, type="totp", data={"secret": "X"})
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "download_personal_data", "_selected_action": [world.pk]},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert EMAIL in archive.read("konto.json").decode()
    event = AuditEvent.objects.get(action="personal_data_exported", object_id=str(world.pk))
    assert event.actor_id == admin_user.pk


def test_the_password_on_the_erase_page_is_not_guessed_faster_than_at_the_login(
    world: User,
) -> None:
    petra = _volunteer(world)
    client = Client()
    client.force_login(petra)
    url = reverse("portal:account_erase")
    for _attempt in range(10):
        client.post(url, {"understood": "on", "password": "gissning"})
    response = client.post(url, {"understood": "on", "password": PASSWORD})
    assert "För många försök" in response.content.decode()
    petra.refresh_from_db()
    assert petra.erased_at is None
