"""The public pages are kept a short while for visitors without a session, and only for them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import User
from tests.helpers.clients import in_english, logged_in
from tests.helpers.queries import count_queries

pytestmark = pytest.mark.django_db

PUBLIC = ["grants:calls", "organisations:directory", "agreements:register"]


@pytest.fixture
def kept(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


@pytest.mark.parametrize("name", PUBLIC)
def test_a_visitor_without_a_session_gets_the_kept_page_without_queries(
    kept: None, name: str
) -> None:
    url = reverse(name)
    first = Client().get(url)
    with count_queries(person_kept=True) as queries:
        second = Client().get(url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert len(queries) == 0
    # browsers do not keep it: a visitor who logs in sees their own header at once
    assert "no-cache" in second["Cache-Control"] and "max-age=0" in second["Cache-Control"]
    assert b"csrfmiddlewaretoken" not in second.content


def test_each_address_and_language_is_kept_apart(kept: None) -> None:
    url = reverse("organisations:directory")
    swedish = Client().get(url)
    english = Client(headers={"accept-language": "en"}).get(url)
    searched = Client().get(url, {"q": "finns inte"})
    assert b'lang="sv"' in swedish.content and b'lang="en"' in english.content
    assert searched.content != swedish.content


# the table each list is read from: a visitor given the kept list makes no query of it
LIST_TABLE = {
    "grants:calls": 'FROM "grants_call"',
    "organisations:directory": 'FROM "organisations_organisation"',
    "agreements:register": 'FROM "agreements_agreement"',
}


@pytest.mark.parametrize("name", PUBLIC)
def test_a_logged_in_person_gets_the_kept_list_in_their_own_header(
    kept: None, member: User, name: str
) -> None:
    """The list is the same for everyone and is kept for everyone; the header around it is
    the person's own (their name, their menu, their logout form)."""
    url = reverse(name)
    anonymous = Client().get(url)
    client = logged_in(member)
    client.get(url)  # the person's own roles and header are read once, as on any page
    with count_queries(person_kept=True) as queries:
        page = client.get(url)
    assert page.status_code == 200
    assert member.display_name.encode() in page.content
    assert b"csrfmiddlewaretoken" in page.content  # the logout form: the person's own token
    assert member.display_name.encode() not in anonymous.content
    assert not [q["sql"] for q in queries if LIST_TABLE[name] in q["sql"]]
    main = anonymous.content.split(b"<main", 1)[1].split(b"</main>", 1)[0]
    assert main in page.content


def test_two_people_share_the_list_and_never_each_others_header(kept: None, member: User) -> None:
    from tests.grants.conftest import make_call
    from tests.grants.factories import ProgrammeFactory
    from tests.portal.factories import UserFactory

    make_call(ProgrammeFactory(), title="Sommarlovsbidrag 2027")
    other = UserFactory(name="Olle Annan")
    url = reverse("grants:calls")
    first = logged_in(member).get(url)
    second = logged_in(other).get(url)
    assert "Sommarlovsbidrag 2027" in first.content.decode()
    assert "Sommarlovsbidrag 2027" in second.content.decode()
    assert b"Olle Annan" in second.content and b"Frida" not in second.content
    assert b"Frida" in first.content and b"Olle Annan" not in first.content


def test_a_kept_list_is_kept_per_language_for_logged_in_people_too(
    kept: None, member: User
) -> None:
    url = reverse("organisations:directory")
    swedish = logged_in(member).get(url)
    english = in_english(logged_in(member)).get(url)
    assert "Organisationsregister" in swedish.content.decode() or b'lang="sv"' in swedish.content
    assert b"Directory of organisations" in english.content
    assert b"Directory of organisations</h1>" not in swedish.content


def test_a_message_for_the_person_is_shown_above_the_kept_list(kept: None, member: User) -> None:
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    url = reverse("grants:calls")
    Client().get(url)
    client = logged_in(member)
    storage = CookieStorage(HttpRequest())
    storage.add(constants.SUCCESS, "Ansökan är skickad.")
    carrier = HttpResponse()
    storage.update(carrier)  # as the page before sets it, in the messages cookie
    client.cookies.update(carrier.cookies)
    page = client.get(url)
    assert "Ansökan är skickad." in page.content.decode()
    assert "Ansökan är skickad." not in client.get(url).content.decode()  # shown once


def test_a_part_of_a_page_with_a_form_token_is_never_kept(kept: None, member: User) -> None:
    """Only what is the same for everyone may be kept for everyone: a part that turns out to
    hold a CSRF token (a form that posts) is drawn for each request and not kept."""
    from django.core.cache import cache
    from django.template import Context, Template
    from django.test import RequestFactory

    template = Template(
        "{% load public %}{% public_content %}<form method=post>{% csrf_token %}</form>"
        "{% endpublic_content %}"
    )
    tokens = []
    for _ in range(2):
        request = RequestFactory().get("/utlysningar/")
        request.public_content_key = "public-content:test"  # type: ignore[attr-defined]
        html = template.render(Context({"request": request, "csrf_token": _token(request)}))
        tokens.append(html)
    assert cache.get("public-content:test") is None
    assert tokens[0] != tokens[1]


def _token(request):  # type: ignore[no-untyped-def]
    from django.middleware.csrf import get_token

    return get_token(request)


def test_nothing_is_kept_when_the_setting_is_zero(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    url = reverse("grants:calls")
    Client().get(url)
    with count_queries() as queries:
        Client().get(url)
    assert len(queries) > 0


def test_the_language_is_switched_without_a_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200 and b'lang="en"' in response.content


def _publish_a_call() -> str:
    from tests.grants.conftest import make_call
    from tests.grants.factories import ProgrammeFactory

    make_call(ProgrammeFactory(), title="Sommarlovsbidrag 2027")
    return "Sommarlovsbidrag 2027"


def _list_an_organisation() -> str:
    from organisations.models import OrganisationStatus
    from tests.organisations.factories import OrganisationFactory

    OrganisationFactory(
        name="Föreningen Nyinflyttad", public_listing=True, status=OrganisationStatus.VERIFIED
    )
    return "Föreningen Nyinflyttad"


def _activate_an_agreement() -> str:
    from agreements.models import AgreementStatus
    from tests.agreements.factories import AgreementFactory

    AgreementFactory(title="Mötesplats Västerort", status=AgreementStatus.ACTIVE)
    return "Mötesplats Västerort"


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("grants:calls", _publish_a_call),
        ("organisations:directory", _list_an_organisation),
        ("agreements:register", _activate_an_agreement),
    ],
    ids=["a-call-opened", "an-organisation-listed", "an-agreement-in-force"],
)
def test_a_change_to_a_list_is_shown_at_once_not_after_the_while(
    kept: None, member: User, name: str, change: Callable[[], str]
) -> None:
    """What is kept of a list is stale the moment one of its tables changes: an officer who
    opens a call, an organisation that asks to be listed, see it in the list at once, as does
    every visitor, logged in or not."""
    url = reverse(name)
    client = logged_in(member)
    client.get(url)
    Client().get(url)
    shown = change()
    assert shown in client.get(url).content.decode()
    assert shown in Client().get(url).content.decode()


def test_an_organisation_that_leaves_the_directory_is_gone_from_it_at_once(kept: None) -> None:
    from organisations.models import OrganisationStatus
    from tests.organisations.factories import OrganisationFactory

    listed = OrganisationFactory(
        name="Föreningen Ångrar Sig", public_listing=True, status=OrganisationStatus.VERIFIED
    )
    url = reverse("organisations:directory")
    assert "Föreningen Ångrar Sig" in Client().get(url).content.decode()
    listed.public_listing = False
    listed.save()
    assert "Föreningen Ångrar Sig" not in Client().get(url).content.decode()


# --- what a visitor can make the portal keep ------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"q": "idrott"},  # a search: drawn for the one who typed it
        {"district": "Hamnen"},  # a filter
        {"flood": "1"},  # a parameter the page does not read
        {"sida": "02"},  # a page number not as the page writes it
        {"sida": "21"},  # beyond the first pages
        {"sida": "2", "x": "1"},
    ],
    ids=["search", "filter", "unknown", "leading-zero", "far-page", "page-and-more"],
)
def test_an_address_of_the_visitors_own_making_is_never_kept(
    kept: None, query: dict[str, str]
) -> None:
    """No visitor can fill the cache with addresses of their own: only a list's own first pages
    (no parameter but `sida`, 2 to 20, as its links write it) are kept; anything else is drawn
    for its request."""
    from django.core.cache import caches

    from portal.public_cache import KEPT

    written: list[str] = []
    kept_in = caches[KEPT]
    original = kept_in.set

    def recording(key: str, *args: object, **kwargs: object) -> object:
        written.append(key)
        return original(key, *args, **kwargs)

    kept_in.set = recording  # type: ignore[method-assign,assignment]
    try:
        for name in PUBLIC:
            assert Client().get(reverse(name), query).status_code == 200
        assert written == []
        Client().get(reverse("grants:calls"))
        assert written  # the list's own address is kept
    finally:
        del kept_in.set


def test_the_public_pages_are_kept_apart_from_the_login_limits(kept: None) -> None:
    """The login rate limits and the used two-factor codes live in the default cache: what the
    public pages keep is in a cache of its own, so that a visitor who makes the portal keep
    pages can never push them out."""
    from django.conf import settings as django_settings

    from portal.public_cache import KEPT

    assert KEPT != "default" and KEPT in django_settings.CACHES
    backend = django_settings.CACHES[KEPT]
    default = django_settings.CACHES["default"]
    if "redis" in default["BACKEND"].lower():
        assert backend.get("KEY_PREFIX") != default.get("KEY_PREFIX")
    else:
        assert backend.get("LOCATION") != default.get("LOCATION")


def test_a_filter_in_error_is_named_in_the_title_while_lists_are_kept(kept: None) -> None:
    page = Client().get(reverse("organisations:directory"), {"target_group": "abc"})
    title = page.content.decode().split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Fel:")
    plain = Client().get(reverse("organisations:directory"))
    assert not plain.content.decode().split("<title>", 1)[1].startswith("Fel:")


def test_a_text_that_names_the_form_token_does_not_stop_the_list_from_being_kept(
    kept: None, member: User
) -> None:
    """Only a form that posts (the token's hidden field, as the template writes it) keeps a
    part from being kept, not an organisation's text that names the field."""
    from organisations.models import OrganisationStatus
    from tests.organisations.factories import OrganisationFactory

    OrganisationFactory(
        name="Föreningen Fältnamn",
        purpose='<input name="csrfmiddlewaretoken"> csrfmiddlewaretoken',
        public_listing=True,
        status=OrganisationStatus.VERIFIED,
    )
    url = reverse("organisations:directory")
    client = logged_in(member)
    client.get(url)
    with count_queries(person_kept=True) as queries:
        page = client.get(url)
    assert "Föreningen Fältnamn" in page.content.decode()
    assert not [q["sql"] for q in queries if 'FROM "organisations_organisation"' in q["sql"]]


def test_target_groups_changed_alone_are_shown_in_the_directory_at_once(kept: None) -> None:
    """An organisation's target groups are rows of their own (a many-to-many table, written by
    `set()` without a save of the organisation): a change to them alone is heard too."""
    from organisations.models import OrganisationStatus
    from tests.organisations.factories import OrganisationFactory, TargetGroupFactory

    organisation = OrganisationFactory(public_listing=True, status=OrganisationStatus.VERIFIED)
    seniors = TargetGroupFactory(name="Seniorer 65+")
    url = reverse("organisations:directory")
    tag = '<span class="tag">Seniorer 65+</span>'  # on the card, not the filter's choice
    assert tag not in Client().get(url).content.decode()
    organisation.target_groups.set([seniors])
    assert tag in Client().get(url).content.decode()
    organisation.target_groups.clear()
    assert tag not in Client().get(url).content.decode()
