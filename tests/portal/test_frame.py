"""The frame of every page: who runs the portal (name, logo, contact details, personal-data
text, kept by the administrator in the admin and read from the cache), the menus by role, the
home page's ways in, and tables that scroll in a labelled region."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.urls import reverse
from PIL import Image

from portal import context_processors
from portal.models import PublicBodyRole, SiteSettings, User
from portal.selectors import site_settings_forget
from tests.helpers.clients import logged_in
from tests.organisations.factories import OrganisationMembershipFactory
from tests.portal.factories import MembershipFactory, give_totp

pytestmark = pytest.mark.django_db

ADMIN_URL = "/admin/portal/sitesettings/"


def image(kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (29, 79, 145)).save(buffer, kind)
    return buffer.getvalue()


def admin_save(client: Client, **fields: object) -> object:
    data: dict[str, object] = {
        "municipality_name": "",
        "contact_email": "",
        "contact_phone": "",
        "contact_address": "",
        "personal_data_text": "",
        **fields,
    }
    url = f"{ADMIN_URL}1/change/" if SiteSettings.objects.exists() else f"{ADMIN_URL}add/"
    return client.post(url, data)


# --- who runs the portal ----------------------------------------------------------------------


def test_the_administrator_names_the_municipality_and_its_contact_details_for_every_page(
    staff: User,
) -> None:
    response = admin_save(
        logged_in(staff),
        municipality_name="Exempelkommun <b>",
        contact_email="kontakt@exempel.se",
        contact_phone="0123-45 67 00",
        contact_address="Kommunhuset\nStorgatan 1",
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    page = Client().get(reverse("portal:home")).content.decode()
    header = page[page.index('class="brand"') : page.index("</a>", page.index('class="brand"'))]
    assert "Exempelkommun &lt;b&gt;" in header  # as typed, never as markup
    footer = page[page.index('class="site-footer"') :]
    assert "Kontakta Exempelkommun &lt;b&gt;" in footer
    assert 'href="mailto:kontakt@exempel.se"' in footer
    assert 'href="tel:0123456700"' in footer
    assert "Kommunhuset<br>Storgatan 1" in footer
    assert reverse("portal:personal_data") in footer


def test_a_page_reads_the_settings_from_the_cache_without_a_query(
    django_assert_num_queries: object,
) -> None:
    SiteSettings(municipality_name="Exempelkommun").save()
    site_settings_forget()  # as after a change in the admin
    client = Client()
    with django_assert_num_queries(1):  # type: ignore[operator]
        client.get(reverse("portal:accessibility"))  # the first page after a change reads them
    with django_assert_num_queries(0):  # type: ignore[operator]
        page = client.get(reverse("portal:accessibility")).content.decode()
    assert "Exempelkommun" in page


def test_a_change_in_the_admin_shows_on_the_next_page(staff: User) -> None:
    admin = logged_in(staff)
    admin_save(admin, municipality_name="Gamla kommunen")
    assert "Gamla kommunen" in Client().get("/").content.decode()  # now in the cache
    admin_save(admin, municipality_name="Nya kommunen")
    page = Client().get("/").content.decode()
    assert "Nya kommunen" in page
    assert "Gamla kommunen" not in page


def test_without_settings_the_portal_shows_its_own_mark_and_no_contact_block() -> None:
    site_settings_forget()
    page = Client().get("/").content.decode()
    assert 'src="/static/img/mark.svg" alt=""' in page
    assert "footer-contact" not in page


def test_an_uploaded_logo_is_shown_with_the_municipalitys_name_as_its_text(staff: User) -> None:
    logo = SimpleUploadedFile("logo.png", image(), content_type="image/png")
    response = admin_save(logged_in(staff), municipality_name="Exempelkommun", logo=logo)
    assert response.status_code == 302  # type: ignore[attr-defined]
    page = Client().get("/").content.decode()
    tag = re.search(r'<img class="brand-logo" src="([^"]+)" alt="([^"]*)"', page)
    assert tag, page[:3000]
    assert tag.group(2) == "Exempelkommun"
    served = Client().get(tag.group(1))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == image()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
            "giltig bild",
        ),
        ("logo.png", b"%PDF-1.4 not an image", "giltig bild"),
        ("logo.gif", image("GIF"), "PNG, JPEG eller WebP"),
    ],
)
def test_a_logo_that_is_not_a_png_jpeg_or_webp_image_is_refused(
    staff: User, name: str, content: bytes, message: str
) -> None:
    response = admin_save(
        logged_in(staff),
        municipality_name="Exempelkommun",
        logo=SimpleUploadedFile(name, content),
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert not SiteSettings.objects.exists()  # nothing saved
    assert Client().get(reverse("portal:logo")).status_code == 404


def test_the_personal_data_page_shows_the_administrators_text_as_plain_paragraphs(
    staff: User,
) -> None:
    admin_save(
        logged_in(staff),
        municipality_name="Exempelkommun",
        contact_email="dataskydd@exempel.se",
        personal_data_text="Kommunen ansvarar.\n\n<script>alert(1)</script> Kontakta oss.",
    )
    response = Client().get("/personuppgifter/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<p>Kommunen ansvarar.</p>" in page
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt; Kontakta oss.</p>" in page
    assert "<script>alert(1)" not in page
    assert 'href="mailto:dataskydd@exempel.se"' in page


def test_the_personal_data_page_has_a_general_text_until_the_administrator_writes_one() -> None:
    page = Client().get("/personuppgifter/").content.decode()
    assert "<h1>Personuppgifter</h1>" in page
    assert "personuppgiftsansvarig" in page


# --- the menus by role --------------------------------------------------------------------------


def _nav(page: str, label_id: str) -> str:
    start = page.index(f'id="{label_id}"')
    return page[start : page.index("</nav>", start)]


def test_an_officer_has_case_handling_as_a_menu_of_its_own_beside_their_own_pages() -> None:
    officer = MembershipFactory(role=PublicBodyRole.CASE_OFFICER).user
    give_totp(officer)
    OrganisationMembershipFactory(user=officer, role="representative")  # also an association's
    page = logged_in(officer).get(reverse("portal:dashboard")).content.decode()
    mine = _nav(page, "nav-mine-label")
    assert ">Mina sidor<" in mine and reverse("grants:mine") in mine
    handling = _nav(page, "nav-officer-label")
    assert ">Handläggning<" in handling
    for url_name in ("grants:inbox", "grants:reports", "grants:payments", "grants:recoveries"):
        assert reverse(url_name) in handling
    assert reverse("grants:decisions") not in handling  # a case officer proposes, not decides


def test_a_decision_maker_finds_the_proposals_waiting_for_a_decision() -> None:
    decision_maker = MembershipFactory(role=PublicBodyRole.DECISION_MAKER).user
    give_totp(decision_maker)
    page = logged_in(decision_maker).get(reverse("portal:dashboard")).content.decode()
    handling = _nav(page, "nav-officer-label")
    assert reverse("grants:decisions") in handling
    assert reverse("grants:payments") not in handling


def test_an_associations_person_has_no_case_handling_menu(member: User) -> None:
    page = logged_in(member).get(reverse("portal:dashboard")).content.decode()
    assert "nav-officer-label" not in page
    assert reverse("portal:officer_home") not in page


def test_the_header_names_the_first_role_and_counts_the_others() -> None:
    officer = MembershipFactory(
        role=PublicBodyRole.CASE_OFFICER, public_body__name="Kultur- och fritidsnämnden"
    ).user
    MembershipFactory(user=officer, role=PublicBodyRole.CASE_OFFICER)
    MembershipFactory(user=officer, role=PublicBodyRole.DECISION_MAKER)
    give_totp(officer)
    page = logged_in(officer).get(reverse("portal:dashboard")).content.decode()
    role = re.search(r'<span class="whoami-role">([^<]*)</span>', page)
    assert role
    assert role.group(1) == "Handläggare, Kultur- och fritidsnämnden och 2 roller till"


# --- the home page --------------------------------------------------------------------------------


def test_the_home_page_leads_with_applying_for_a_grant_and_its_cards_are_links() -> None:
    page = Client().get("/").content.decode()
    main = page[page.index("<main") :]
    first_action = re.search(r'<a class="button[^"]*" href="([^"]+)">([^<]+)</a>', main)
    assert first_action
    assert (first_action.group(1), first_action.group(2)) == (reverse("grants:calls"), "Sök bidrag")
    cards = re.findall(r'<li class="card card-link">\s*<h3><a href="([^"]+)">', main)
    assert reverse("grants:calls") in cards
    assert reverse("grants:open_data") in cards
    assert reverse("agreements:register") in cards
    assert len(cards) >= 4


# --- tables -----------------------------------------------------------------------------------------


def render(source: str) -> str:
    return Template("{% load table_scroll %}" + source).render(Context({}))


def test_a_wrapped_table_scrolls_in_a_region_named_by_its_caption() -> None:
    html = render("{% tablewrap %}<table><caption>Betalningar</caption></table>{% endtablewrap %}")
    region = re.search(
        r'<div class="table-scroll" role="region" aria-labelledby="([^"]+)" tabindex="0">', html
    )
    assert region
    assert f'<caption id="{region.group(1)}">Betalningar</caption>' in html


def test_a_caption_with_an_id_of_its_own_keeps_it() -> None:
    html = render(
        '{% tablewrap %}<table><caption id="x" class="c">B</caption></table>{% endtablewrap %}'
    )
    assert 'aria-labelledby="x"' in html
    assert html.count('id="x"') == 1


def test_a_table_named_by_a_heading_gives_its_id() -> None:
    html = render('{% tablewrap "payments-" "heading" %}<table></table>{% endtablewrap %}')
    assert 'aria-labelledby="payments-heading"' in html


def test_a_table_without_a_name_is_a_mistake_the_developer_sees() -> None:
    with pytest.raises(TemplateSyntaxError):
        render("{% tablewrap %}<table></table>{% endtablewrap %}")


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NOT_ON_SCREEN = ("email", "print", "admin")  # emails, PDFs and the admin's own


def test_every_table_of_the_portals_pages_is_wrapped() -> None:
    unwrapped = []
    for path in TEMPLATES.rglob("*.html"):
        relative = path.relative_to(TEMPLATES)
        if any(part in NOT_ON_SCREEN or part.startswith(NOT_ON_SCREEN) for part in relative.parts):
            continue
        text = path.read_text()
        for match in re.finditer(r"<table\b", text):
            before = text[: match.start()]
            wrapped = before.rfind("{% tablewrap") > before.rfind("{% endtablewrap %}")
            # or a region of the page's own, right before the table
            previous = before.rstrip().rsplit("\n", 1)[-1]
            own_region = 'role="region"' in previous and 'tabindex="0"' in previous
            if not (wrapped or own_region):
                unwrapped.append(f"{relative}:{before.count(chr(10)) + 1}")
    assert unwrapped == []


# --- the frame, drawn once and kept (portal.templatetags.frame) -----------------------------


def _whoami(page: str) -> str:
    start = page.index('class="whoami"')
    return page[start : page.index("</p>", start)]


def _officer(name: str) -> User:
    membership = MembershipFactory(role=PublicBodyRole.CASE_OFFICER, user__name=name)
    give_totp(membership.user)
    return cast(User, membership.user)


def test_the_frame_is_drawn_once_and_every_person_sees_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[int] = []
    real = context_processors._header_roles

    def counted(request: object) -> list[str]:
        drawn.append(1)
        return real(request)  # type: ignore[arg-type]

    monkeypatch.setattr(context_processors, "_header_roles", counted)
    anna, bertil = _officer("Anna Andersson"), _officer("Bertil Berg")
    anna_client = logged_in(anna)
    anna_client.get(reverse("portal:accessibility"))
    page = anna_client.get(reverse("portal:accessibility")).content.decode()
    assert len(drawn) == 1  # the second page was given the kept frame
    assert "Anna Andersson" in _whoami(page)
    other = logged_in(bertil).get(reverse("portal:accessibility")).content.decode()
    assert "Bertil Berg" in _whoami(other)
    assert "Anna Andersson" not in other
    assert len(drawn) == 2


def test_a_role_granted_or_a_name_changed_shows_on_the_next_page() -> None:
    officer = _officer("Anna Andersson")
    client = logged_in(officer)
    page = client.get(reverse("portal:accessibility")).content.decode()
    assert reverse("grants:decisions") not in _nav(page, "nav-officer-label")
    body = officer.public_body_memberships.get().public_body
    MembershipFactory(user=officer, public_body=body, role=PublicBodyRole.DECISION_MAKER)
    officer.name = "Anna Ek"
    officer.save()
    page = client.get(reverse("portal:accessibility")).content.decode()
    assert reverse("grants:decisions") in _nav(page, "nav-officer-label")
    assert "Anna Ek" in _whoami(page) and "och en roll till" in _whoami(page)


def test_a_renamed_organisation_shows_in_its_members_header(member: User) -> None:
    membership = OrganisationMembershipFactory(user=member, organisation__name="Solstrålen")
    client = logged_in(member)
    assert "Solstrålen" in _whoami(client.get(reverse("portal:dashboard")).content.decode())
    membership.organisation.name = "Solstrålarna"
    membership.organisation.save()
    assert "Solstrålarna" in _whoami(client.get(reverse("portal:dashboard")).content.decode())


def test_the_menu_marks_the_page_it_is_on_and_the_language_switch_returns_to_it() -> None:
    client = logged_in(_officer("Anna Andersson"))
    for url_name, query in (("grants:inbox", "?q=%3Cb%3E&status="), ("grants:reports", "")):
        url = reverse(url_name) + query
        page = client.get(url).content.decode()
        assert f'<a href="{reverse(url_name)}" aria-current="page">' in page
        assert page.count('aria-current="page"') == 1
        next_field = re.search(r'<input name="next" type="hidden" value="([^"]*)">', page)
        assert next_field and next_field.group(1) == url.replace("&", "&amp;")


def test_the_logout_form_of_a_kept_frame_carries_a_token_that_works() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(_officer("Anna Andersson"))
    client.get(reverse("portal:accessibility"))  # the frame is drawn and kept
    page = client.get(reverse("portal:accessibility")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token and "frame" not in token.group(1)
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_no_name_can_stand_in_for_the_frames_token_or_address(member: User) -> None:
    """The frame's stand-ins hold a NUL character, which no stored text can: an organisation
    named like one is shown as it is named."""
    from portal.kept_parts import CSRF_MARK, PATH_MARK

    name = CSRF_MARK.strip("\x00") + " " + PATH_MARK.strip("\x00")
    OrganisationMembershipFactory(user=member, organisation__name=name)
    client = logged_in(member)
    client.get(reverse("portal:dashboard"))
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert name in _whoami(page)
    assert "\x00" not in page


def test_a_change_saved_anywhere_shows_on_the_next_page() -> None:
    """Not only the admin: any save of who runs the portal (a script, the shell) empties the
    shared copy every page reads."""
    SiteSettings(municipality_name="Gamla kommunen").save()
    assert "Gamla kommunen" in Client().get("/").content.decode()
    settings = SiteSettings.load()
    settings.municipality_name = "Nya kommunen"
    settings.save()
    page = Client().get("/").content.decode()
    assert "Nya kommunen" in page and "Gamla kommunen" not in page


def test_the_shared_copy_of_the_settings_is_kept_for_a_while_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page that read the row just before a change was committed may put the old values back
    after the change emptied the copy: they are kept for minutes, not for ever (and never from
    inside a transaction, which may yet be rolled back)."""
    from django.db import transaction

    from portal import selectors

    shared = selectors.cache
    kept_for: list[object] = []

    class Recording:
        def __getattr__(self, name: str) -> object:
            return getattr(shared, name)

        def set(self, key: str, value: object, timeout: object = None) -> None:
            kept_for.append(timeout)
            shared.set(key, value, timeout)

    monkeypatch.setattr(selectors, "cache", Recording())
    site_settings_forget()
    with transaction.atomic():
        selectors.site_settings()
    assert kept_for == []
    assert selectors.site_settings().municipality_name == ""
    assert kept_for == [selectors.SITE_SETTINGS_CACHE_SECONDS]
    assert 0 < selectors.SITE_SETTINGS_CACHE_SECONDS <= 600
