"""Who may not: every private page of the compacts from the side of the person refused, and
what the public pages never show."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from dialogue import services
from dialogue.models import Compact, SignOn, VersionComment
from organisations.models import OrganisationRole, OrganisationStatus
from portal.models import PublicBodyRole
from tests.dialogue.conftest import Kommun, write
from tests.helpers.clients import logged_in
from tests.helpers.mfa import signing_code
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import (
    CommitteeFactory,
    MembershipFactory,
    PublicBodyFactory,
    give_totp,
)


def _officer_urls(compact: Compact) -> list[str]:
    key = compact.versions.get().sections[0]["key"] if compact.versions.count() == 1 else "s1"
    pk = compact.pk
    return [
        reverse("dialogue:officer_compact", args=[pk]),
        reverse("dialogue:section_edit", args=[pk, key]),
        reverse("dialogue:follow_up_edit", args=[pk, 1, 2026]),
    ]


def _posts(compact: Compact) -> list[str]:
    pk = compact.pk
    return [
        reverse("dialogue:section_add", args=[pk]),
        reverse("dialogue:open_for_comments", args=[pk]),
        reverse("dialogue:adopt", args=[pk]),
        reverse("dialogue:version_start", args=[pk]),
        reverse("dialogue:plan_add", args=[pk]),
        reverse("dialogue:commitment_add", args=[pk]),
    ]


@pytest.mark.parametrize("who", ["anonymous", "member", "other_officer", "decision_maker"])
def test_only_the_compacts_officers_open_its_case_handling(kommun: Kommun, who: str) -> None:
    compact = write(kommun)
    if who == "anonymous":
        client = Client()
    elif who == "member":
        client = logged_in(kommun.rep)
    else:
        other = (
            MembershipFactory(
                public_body=CommitteeFactory(parent=PublicBodyFactory(name="Grannkommun"))
            )
            if who == "other_officer"
            else MembershipFactory(public_body=kommun.committee, role=PublicBodyRole.DECISION_MAKER)
        )
        give_totp(other.user)
        client = logged_in(other.user)
    for url in _officer_urls(compact):
        response = client.get(url)
        assert response.status_code in {302, 403, 404}, url
        if who == "anonymous":
            assert "/konto/" in response["Location"]
    for url in _posts(compact):
        assert client.post(url, {"title": "x"}).status_code in {302, 403, 404}, url
    compact.refresh_from_db()
    assert compact.versions.get().sections[0]["title"] == "Dialog"  # nothing changed
    assert compact.plans.count() == 0 and compact.versions.count() == 1
    # their own list of compacts is refused or empty
    listed = client.get(reverse("dialogue:officer_list"))
    assert listed.status_code in {302, 403} or compact.title not in listed.content.decode()


def test_a_draft_is_not_public(kommun: Kommun) -> None:
    compact = write(kommun)
    assert Client().get(reverse("dialogue:compact", args=[compact.pk])).status_code == 404
    assert compact.title not in Client().get(reverse("dialogue:compacts")).content.decode()
    assert (
        logged_in(kommun.rep).get(reverse("dialogue:compact", args=[compact.pk])).status_code == 404
    )


def _attempt_sign_on(kommun: Kommun, compact: Compact, user: object, organisation: object) -> None:
    version = compact.versions.get()
    services.compact_sign_on(
        actor=user,  # type: ignore[arg-type]
        compact=compact,
        organisation=organisation,  # type: ignore[arg-type]
        code=signing_code(user),  # type: ignore[arg-type]
        seen_version=services.sign_on_version(version),
    )


def test_only_a_representative_of_a_verified_organisation_signs_it_on(
    kommun: Kommun, adopted: Compact
) -> None:
    give_totp(kommun.editor)
    with pytest.raises(PermissionDenied):
        _attempt_sign_on(kommun, adopted, kommun.editor, kommun.organisation)
    pending = OrganisationFactory(status=OrganisationStatus.PENDING)
    OrganisationMembershipFactory(organisation=pending, user=kommun.rep)
    with pytest.raises(PermissionDenied):
        _attempt_sign_on(kommun, adopted, kommun.rep, pending)
    stranger = OrganisationFactory(status=OrganisationStatus.VERIFIED)
    # the organisation named in the form is one the person does not represent
    response = logged_in(kommun.rep).post(
        reverse("dialogue:sign_on", args=[adopted.pk]),
        {
            "organisation": stranger.pk,
            "seen_version": services.sign_on_version(adopted.versions.get()),
            "code": signing_code(kommun.rep),
        },
    )
    assert response.status_code == 400
    assert not SignOn.objects.exists()


def test_a_representative_who_lost_the_role_can_no_longer_sign_or_withdraw(
    kommun: Kommun, adopted: Compact
) -> None:
    _attempt_sign_on(kommun, adopted, kommun.rep, kommun.organisation)
    membership = kommun.organisation.memberships.get(user=kommun.rep)
    membership.role = OrganisationRole.VIEWER
    membership.save()
    with pytest.raises(PermissionDenied):
        services.compact_withdraw(
            actor=kommun.rep, compact=adopted, organisation=kommun.organisation, reason=""
        )
    assert SignOn.objects.filter(withdrawn_at=None).count() == 1


def test_comments_only_from_members_who_write_for_a_verified_organisation(
    kommun: Kommun,
) -> None:
    compact = write(kommun)
    version = compact.versions.get()
    from django.utils import timezone

    services.version_open_for_comments(
        actor=kommun.officer,
        version=version,
        closes=timezone.localdate().replace(year=timezone.localdate().year + 1),
        seen_state=None,
    )
    viewer = OrganisationMembershipFactory(
        organisation=kommun.organisation, role=OrganisationRole.VIEWER
    ).user
    for person in (viewer,):
        with pytest.raises(PermissionDenied):
            services.version_comment_add(
                actor=person,
                version=version,
                organisation=kommun.organisation,
                section=version.sections[0]["key"],
                text="Hej",
            )
    response = logged_in(viewer).post(
        reverse("dialogue:comment", args=[compact.pk]),
        {
            "organisation": kommun.organisation.pk,
            "section": version.sections[0]["key"],
            "text": "Hej",
        },
    )
    assert response.status_code == 400
    assert not VersionComment.objects.exists()


def test_an_adopted_version_is_never_changed(kommun: Kommun, adopted: Compact) -> None:
    version = adopted.versions.get()
    with pytest.raises(ValidationError):
        services.version_section_save(
            actor=kommun.officer,
            version=version,
            key=version.sections[0]["key"],
            title="Nytt",
            text="Nytt",
            seen_state=None,
        )
    with pytest.raises(ValidationError):
        services.version_section_add(actor=kommun.officer, version=version, title="Nytt")


def test_a_stale_page_adopts_nothing(kommun: Kommun) -> None:
    compact = write(kommun)
    version = compact.versions.get()
    from portal import transitions

    seen = transitions.state_token(version)
    services.version_section_save(
        actor=kommun.officer,
        version=version,
        key=version.sections[0]["key"],
        title="Dialog",
        text="Ändrat efter att sidan ritades.",
        seen_state=None,
    )
    client = logged_in(kommun.officer)
    response = client.post(
        reverse("dialogue:adopt", args=[compact.pk]),
        {
            "adopted_on": "2026-03-14",
            "adopted_by": "Kommunfullmäktige",
            "paragraph": "§ 1",
            "seen_state": seen,
            "confirmed": "1",
        },
    )
    assert response.status_code == 400
    version.refresh_from_db()
    assert version.status == "draft"


def test_the_public_page_plants_no_markup(kommun: Kommun) -> None:
    """Texts the officers and organisations write are text wherever they are shown."""
    compact = write(kommun, ("<script>alert(1)</script>", '<a href="javascript:x">klicka</a>'))
    from tests.dialogue.conftest import adopt

    adopt(kommun, compact.versions.get())
    page = Client().get(reverse("dialogue:compact", args=[compact.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:x"' not in page
