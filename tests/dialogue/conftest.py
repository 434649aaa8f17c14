"""The compacts' shared cases: a municipality with a committee and its case officer, a verified
organisation with its representative and an editor, and a compact adopted with two sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from dialogue import services
from dialogue.models import Compact, CompactVersion, Forum, ForumKind, ForumMember
from organisations.models import Organisation, OrganisationRole, OrganisationStatus
from portal.models import PublicBody, PublicBodyRole, User
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import CommitteeFactory, MembershipFactory, PublicBodyFactory, give_totp


@dataclass
class Kommun:
    root: PublicBody
    committee: PublicBody
    officer: User
    organisation: Organisation
    rep: User
    editor: User


@pytest.fixture
def kommun(db: None) -> Kommun:
    root = PublicBodyFactory(name="Provkommun", registry_prefix="PRV")
    committee = CommitteeFactory(parent=root, name="Kulturnämnden")
    officer = MembershipFactory(
        public_body=committee, role=PublicBodyRole.CASE_OFFICER, user__name="Hanna Handläggare"
    ).user
    give_totp(officer)
    organisation = OrganisationFactory(name="Bryggan", status=OrganisationStatus.VERIFIED)
    rep = OrganisationMembershipFactory(
        organisation=organisation, user__name="Rut Representant"
    ).user
    give_totp(rep)
    editor = OrganisationMembershipFactory(
        organisation=organisation, role=OrganisationRole.EDITOR, user__name="Erik Redaktör"
    ).user
    return Kommun(root, committee, officer, organisation, rep, editor)


def write(kommun: Kommun, *sections: tuple[str, str]) -> Compact:
    """A compact of the municipality with a first draft of `sections`."""
    compact = services.compact_create(
        actor=kommun.officer, public_body=kommun.root, title="Överenskommelsen"
    )
    version = compact.versions.get()
    for title, text in sections or (("Dialog", "Vi samtalar."), ("Oberoende", "Ni är fria.")):
        services.version_section_add(actor=kommun.officer, version=version, title=title, text=text)
    return compact


def adopt(kommun: Kommun, version: CompactVersion, on: date = date(2026, 3, 14)) -> CompactVersion:
    version.refresh_from_db()
    return services.version_adopt(
        actor=kommun.officer,
        version=version,
        adopted_on=on,
        adopted_by="Kommunfullmäktige",
        paragraph="§ 42",
        seen_state=None,
    )


@pytest.fixture
def adopted(kommun: Kommun) -> Compact:
    compact = write(kommun)
    adopt(kommun, compact.versions.get())
    return compact


@pytest.fixture
def forum(kommun: Kommun) -> Forum:
    return services.forum_create(
        actor=kommun.officer,
        public_body=kommun.committee,
        title="Pensionärsrådet",
        kind=ForumKind.PENSIONERS,
        description="Rådet för pensionärernas frågor.",
    )


def member_of(kommun: Kommun, forum: Forum) -> ForumMember:
    """The organisation a member of the forum: represented by its representative, deputy its
    editor."""
    member = services.forum_member_invite(
        actor=kommun.officer, forum=forum, organisation=kommun.organisation
    )
    return services.forum_member_appoint(
        actor=kommun.rep, member=member, representative=kommun.rep, deputy=kommun.editor
    )
