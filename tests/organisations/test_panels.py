"""What the register adds to the portal's own pages through the registry: the person's
organisations, with their role in each, in the header and on My overview (no empty "Your
roles" heading)."""

from __future__ import annotations

from django.urls import reverse

from portal.models import User
from tests.helpers.clients import logged_in
from tests.organisations.factories import OrganisationMembershipFactory


def test_an_associations_person_sees_their_organisation_roles_in_the_header_and_overview(
    member: User,
) -> None:
    """The roles come from the register's header panel: portal names no organisation itself."""
    OrganisationMembershipFactory(
        user=member, organisation__name="Schackklubben <b>", role="representative"
    )
    page = logged_in(member).get(reverse("portal:dashboard")).content.decode()
    start = page.index('id="organisations-heading"')
    organisations = page[start : page.index("</section>", start)]
    assert "Schackklubben &lt;b&gt;</a> – Företrädare (firmatecknare)" in organisations  # as typed
    assert "Dina roller" not in page
    header = page[page.index('class="whoami-role"') :][:300]
    assert "Företrädare (firmatecknare), Schackklubben &lt;b&gt;" in header
