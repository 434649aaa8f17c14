"""Email never turns user text into links, and its plain-text part is not HTML-escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from portal.emails import defang
from tests.helpers.clients import logged_in
from tests.helpers.mail import emails_to, text_and_html
from tests.organisations.conftest import World, world  # noqa: F401 - the register's world
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

EVIL = "https://evil.example/login"
AWKWARD_NAME = 'Tom & Jerry "AB"'


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_no_user_link(html: str) -> Links:
    links = Links()
    links.feed(html)
    site = settings.SITE_URL.rstrip("/")
    for href in links.hrefs:
        assert href.startswith(site + "/"), href  # only the portal's own links
    text = "".join(links.text)
    for clickable in ("https://evil", "http://evil", "www.evil", "evil.example"):
        assert clickable not in text, text
        assert clickable not in html
    return links


def test_a_join_request_with_links_and_an_awkward_name(
    world: World,  # noqa: F811
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    world.organisation.name = AWKWARD_NAME
    world.organisation.save()
    asker = UserFactory(name="Mallory www.evil.example", email="mallory@exempel.se")
    message = f'Logga in här för att godkänna: {EVIL} <b>snabbt</b> & "nu"'
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(asker).post(
            reverse("organisations:join_request_create"),
            {"organisation_number": world.organisation.organisation_number, "message": message},
        )
    assert response.status_code == 302
    sent = emails_to(world.representative.email)
    assert sent, [m.subject for m in mail.outbox]
    email = sent[-1]
    text, html = text_and_html(email)

    # the plain text is text: no HTML escaping
    assert AWKWARD_NAME in email.subject
    assert AWKWARD_NAME in text
    assert '<b>snabbt</b> & "nu"' in text
    assert "&amp;" not in text and "&quot;" not in text and "&lt;" not in text
    # ... but the addresses in it are defanged, the portal's own link is not
    assert EVIL not in text and "https[:]//evil[.]example/login" in text
    assert "www[.]evil[.]example" in text
    assert settings.SITE_URL.rstrip("/") + "/" in text

    # the HTML part escapes user text and links only to the portal
    links = assert_no_user_link(html)
    assert "&lt;b&gt;snabbt&lt;/b&gt;" in html
    assert "Tom &amp; Jerry &quot;AB&quot;" in html
    assert links.hrefs  # the button to the portal is there


def test_an_invitation_from_a_person_whose_name_is_a_link(
    world: World,  # noqa: F811
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    world.representative.name = "Rita https://evil.example/login"
    world.representative.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(world.representative).post(
            reverse("organisations:invite", args=[world.organisation.pk]),
            {"email": "ny@forening.se", "role": "editor"},
        )
    assert response.status_code == 302
    text, html = text_and_html(mail.outbox[-1])
    assert EVIL not in text
    assert_no_user_link(html)
    assert "/inbjudan/" in text  # the invitation link itself still works


def test_digest_html_defangs_organisation_names() -> None:
    """The digest has its own HTML template: user text there goes through `nolink` too."""
    html = render_to_string(
        "portal/email/digest.html",
        {
            "site_url": "http://127.0.0.1:8000",
            "recipient": {"display_name": "www.evil.example"},
            "digest": {
                "counts": {"held": 1},
                "held": [(None, "Ansökan från evil.example/login & co", "/x/")],
            },
        },
    )
    links = Links()
    links.feed(html)
    assert links.hrefs[0] == "http://127.0.0.1:8000/x/"
    assert "evil.example" not in html and "www.evil" not in html
    assert "evil[.]example/login &amp; co" in html


def test_defang_keeps_ordinary_text() -> None:
    for text in ("t.ex. detta", "bl.a. och s.k.", "3.50 kr", AWKWARD_NAME, "anna@exempel.se"):
        assert defang(text) == text
    assert defang("http://127.0.0.1:8000@evil.example/", keep="http://127.0.0.1:8000") == (
        "http[:]//127[.]0[.]0[.]1:8000@evil[.]example/"
    )


# --- invitations are rate-limited -----------------------------------------------------------


def invite(client, organisation, number: int):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("organisations:invite", args=[organisation.pk]),
        {"email": f"utomstaende{number}@annan-doman.example", "role": "editor"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_eleventh_invitation_within_the_hour_is_refused(
    world: World,  # noqa: F811
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from django.utils import translation

    from organisations.models import Invitation

    client = logged_in(world.representative)
    # the world's own invitation was sent by the representative a moment ago
    already = Invitation.objects.filter(invited_by=world.representative).count()
    before = Invitation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(10 - already):
            assert invite(client, world.organisation, number).status_code == 200
    assert Invitation.objects.filter(invited_by=world.representative).count() == 10
    sent = len(mail.outbox)
    assert sent >= 10 - already
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        response = invite(client, world.organisation, 10)
    assert response.status_code == 200
    assert "invitations in the last hour, the most allowed" in response.content.decode()
    assert Invitation.objects.count() == before + 10 - already  # nothing created
    assert len(mail.outbox) == sent  # nothing sent
    assert not Invitation.objects.filter(email="utomstaende10@annan-doman.example").exists()


def test_an_organisation_gets_at_most_twenty_invitations_a_day(
    world: World,  # noqa: F811
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """Several representatives together cannot get past the organisation's limit."""
    from django.utils import translation

    from organisations.models import Invitation, OrganisationMembership

    OrganisationMembership.objects.filter(user__in=[world.editor, world.viewer]).update(
        role="representative"
    )
    first, second, third = (
        logged_in(world.representative),
        logged_in(world.editor),
        logged_in(world.viewer),
    )
    already = world.organisation.invitations.count()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(10 - already):
            invite(first, world.organisation, number)
        for number in range(100, 110):
            invite(second, world.organisation, number)
    assert world.organisation.invitations.count() == 20
    sent = len(mail.outbox)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        response = invite(third, world.organisation, 200)
    page = response.content.decode()
    assert "invitations have been sent for this organisation" in page, [
        line for line in page.splitlines() if "message" in line
    ]
    assert world.organisation.invitations.count() == 20
    assert len(mail.outbox) == sent
    assert not Invitation.objects.filter(email="utomstaende200@annan-doman.example").exists()


def test_a_sign_up_email_carries_no_text_the_stranger_typed(client) -> None:  # type: ignore[no-untyped-def]
    """allauth's confirmation goes to the address given at sign-up, which may be someone
    else's: the name typed there (a link, markup) must not travel with it, and no address in
    allauth's emails becomes a link."""
    response = client.post(
        reverse("account_signup"),
        {
            "name": '"><img src=x onerror=alert(1)> https://evil.example/login & Co',
            "email": "offer@exempel.se",
            "password1": "ett-langt-losenord-2026",
            "password2": "ett-langt-losenord-2026",
        },
    )
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["offer@exempel.se"]
    for part in (message.subject, message.body):
        assert "evil" not in part
        assert "onerror" not in part
    assert "Samverkansportalen" in message.body
    assert "testserver" not in message.body.splitlines()[0]  # greeted by the portal's name


def test_an_invitation_subject_defangs_an_organisation_name(
    world: World,  # noqa: F811
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    world.organisation.name = '=HYPERLINK("http://evil.example","klicka")'
    world.organisation.save()
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(world.representative).post(
            reverse("organisations:invite", args=[world.organisation.pk]),
            {"email": "ny@forening.se", "role": "editor"},
        )
    subject = mail.outbox[-1].subject
    assert "evil.example" not in subject and "http://" not in subject
    assert "evil[.]example" in subject
