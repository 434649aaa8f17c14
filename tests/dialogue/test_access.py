"""Who may not: every private page of the compacts from the side of the person refused, and
what the public pages never show."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

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


def test_every_officer_page_of_the_dialogue_is_refused_to_everyone_else(kommun: Kommun) -> None:
    """Every URL of the dialogue's case handling, read and posted, by an association's
    representative and by a case officer of another municipality: refused or not found, and
    nothing is written. A test fails when a new officer URL is not listed here."""
    from django.urls import get_resolver

    from portal.models import AuditEvent

    compact = write(kommun)
    services.version_open_for_comments(
        actor=kommun.officer,
        version=compact.versions.get(),
        closes=timezone.localdate() + timedelta(days=10),
        seen_state=None,
    )
    forum = services.forum_create(
        actor=kommun.officer, public_body=kommun.committee, title="Rådet", kind="dialogue_forum"
    )
    member = services.forum_member_invite(
        actor=kommun.officer, forum=forum, organisation=kommun.organisation
    )
    start = timezone.localtime() + timedelta(days=20)
    meeting = services.meeting_schedule(
        actor=kommun.officer,
        forum=forum,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Stadshuset",
    )
    item = services.agenda_item_add(actor=kommun.officer, meeting=meeting, title="Punkt")
    plan = services.plan_add(
        actor=kommun.officer,
        compact=compact,
        title="Plan",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=700),
    )
    consultation = services.consultation_create(
        actor=kommun.officer,
        public_body=kommun.committee,
        title="Remiss",
        question="?",
        audience="all",
        deadline=timezone.localdate() + timedelta(days=20),
    )
    key = compact.versions.get().sections[0]["key"]
    urls = {
        "officer_list": [],
        "officer_compact": [compact.pk],
        "section_add": [compact.pk],
        "section_edit": [compact.pk, key],
        "section_remove": [compact.pk, key],
        "open_for_comments": [compact.pk],
        "adopt": [compact.pk],
        "version_start": [compact.pk],
        "plan_add": [compact.pk],
        "commitment_add": [compact.pk],
        "follow_up_edit": [compact.pk, plan.pk, timezone.localdate().year],
        "follow_up_publish": [compact.pk, 1],
        "officer_forums": [],
        "officer_forum": [forum.pk],
        "member_invite": [forum.pk],
        "officer_member_remove": [forum.pk, member.pk],
        "meeting_schedule": [forum.pk],
        "officer_meeting": [meeting.pk],
        "meeting_change": [meeting.pk],
        "meeting_cancel": [meeting.pk],
        "item_add": [meeting.pk],
        "item_decide": [meeting.pk, item.pk],
        "attendance": [meeting.pk],
        "minutes_save": [meeting.pk],
        "minutes_approve": [meeting.pk],
        "minutes_publish": [meeting.pk],
        "officer_consultations": [],
        "officer_consultation": [consultation.pk],
        "consultation_document_add": [consultation.pk],
        "consultation_publish": [consultation.pk],
        "response_assess": [consultation.pk, 1],
        "response_feedback": [consultation.pk, 1],
        "consultation_outcome": [consultation.pk],
    }
    dialogue_urls: Any = get_resolver().namespace_dict["dialogue"][1]
    officer_names = {
        name
        for name, (possibilities, *_rest) in dialogue_urls.reverse_dict.items()
        if isinstance(name, str) and possibilities[0][0].startswith("handlaggning/")
    }
    assert len(officer_names) >= 30
    assert officer_names <= set(urls), officer_names - set(urls)
    other = MembershipFactory(
        public_body=CommitteeFactory(parent=PublicBodyFactory(name="Grannkommun"))
    ).user
    give_totp(other)
    written = AuditEvent.objects.count()
    lists = {"officer_list", "officer_forums", "officer_consultations"}
    for client, officer in ((logged_in(kommun.rep), False), (logged_in(other), True)):
        for name, args in urls.items():
            url = reverse(f"dialogue:{name}", args=args)
            data = {"title": "x", "text": "x", "confirmed": "1", "accept": "1", "outcome": "x"}
            if officer and name in lists:
                # their own lists: empty of this municipality's, and nothing made for it
                page = client.get(url).content.decode()
                assert "Överenskommelsen" not in page and "Rådet" not in page, url
                assert client.post(url, data).status_code == 400, url
                continue
            assert client.get(url).status_code in {403, 404, 405}, url
            assert client.post(url, data).status_code in {403, 404, 405}, url
    assert AuditEvent.objects.count() == written
