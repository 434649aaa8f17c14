"""The statistics pages as their users meet them: an officer's dashboard of their own
municipality, refused to everyone else; the public page with small groups hidden; filters,
downloads and a fixed number of queries whatever the number of grants."""

from __future__ import annotations

import io
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from grants.models import ApplicationStatus
from insights import fragments, selectors, store
from insights.models import YearlyReport
from insights.tasks import build_yearly_report
from portal.models import PublicBodyRole
from tests.grants.factories import ApplicationFactory, CallFactory, ProgrammeFactory
from tests.helpers.clients import logged_in
from tests.helpers.queries import count_queries
from tests.insights.conftest import STOCKHOLM, applications
from tests.organisations.factories import OrganisationFactory
from tests.portal.factories import CommitteeFactory, MembershipFactory, PublicBodyFactory, give_totp


def test_officer_sees_every_group_of_their_municipality(kommun: dict[str, Any]) -> None:
    response = logged_in(kommun["officer"]).get(reverse("insights:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Skogsbyn" in page
    assert "färre än 5" not in page
    assert "Vem får stödet" in page


def test_the_public_sees_small_groups_hidden(kommun: dict[str, Any]) -> None:
    response = Client().get(reverse("insights:public"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "färre än 5" in page
    # the district's figures are nowhere on the page, not even in its source
    data = response.context["summary"].data
    skogsbyn = next(row for row in data["rows"]["district"] if row["key"] == "Skogsbyn")
    assert skogsbyn["suppressed"] is True
    assert not {"orgs", "applications", "granted", "paid", "participants_total"} & set(skogsbyn)


@pytest.mark.parametrize("who", ["member", "anonymous"])
def test_the_dashboard_is_refused_to_everyone_else(
    kommun: dict[str, Any], who: str, member: Any
) -> None:
    export = reverse("insights:dashboard_export", args=["kommundel", "csv"])
    if who == "anonymous":
        for url in (reverse("insights:dashboard"), export):
            response = Client().get(url)
            assert response.status_code == 302 and "/konto/" in response["Location"]
        return
    client = logged_in(member)
    assert client.get(reverse("insights:dashboard")).status_code == 403
    assert client.get(export).status_code == 403


def test_an_officer_of_another_municipality_sees_none_of_its_figures(
    kommun: dict[str, Any],
) -> None:
    other = MembershipFactory(public_body=CommitteeFactory(name="Annan nämnd")).user
    give_totp(other)
    client = logged_in(other)
    response = client.get(reverse("insights:dashboard"), {"kommun": kommun["root"].pk})
    assert response.status_code == 200
    assert response.context["summary"] is None
    assert "Skogsbyn" not in response.content.decode()
    export = reverse("insights:dashboard_export", args=["kommundel", "csv"])
    assert client.get(export, {"kommun": kommun["root"].pk}).status_code == 404


def test_an_officer_cannot_ask_for_another_municipality(kommun: dict[str, Any]) -> None:
    other_root = PublicBodyFactory(name="Grannkommun")
    other = CommitteeFactory(parent=other_root)
    applications(CallFactory(programme=ProgrammeFactory(public_body=other)), 6, seed=3)
    store.build()
    client = logged_in(kommun["officer"])
    response = client.get(reverse("insights:dashboard"), {"kommun": other_root.pk})
    assert response.status_code == 200
    assert response.context["root_name"] == "Provkommun"


def test_filters_by_year_and_programme(kommun: dict[str, Any]) -> None:
    client = logged_in(kommun["officer"])
    scope = f"programme:{kommun['programme'].pk}"
    response = client.get(reverse("insights:dashboard"), {"ar": "2025", "del": scope})
    assert response.context["summary"].data["year"] == 2025
    assert response.context["summary"].data["scope"] == scope
    assert (
        response.context["summary"].data["total"]["applications"] == 7
    )  # 0, 2, 4, … of 12; 0 of 2


def test_a_filter_not_offered_is_named_and_changes_nothing(kommun: dict[str, Any]) -> None:
    client = logged_in(kommun["officer"])
    response = client.get(reverse("insights:dashboard"), {"ar": "1999", "del": "programme:0"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Välj ett år i listan." in page
    assert "Välj en nämnd eller ett bidrag i listan." in page
    assert response.context["summary"].data["year"] is None  # every year, as without a filter


def test_downloads_are_the_tables_neutralised(kommun: dict[str, Any]) -> None:
    organisation = OrganisationFactory(district='=HYPERLINK("http://x.example")')
    for _n in range(5):
        ApplicationFactory(
            call=kommun["call"],
            organisation=OrganisationFactory(district=organisation.district),
            status=ApplicationStatus.REJECTED,
            submitted_at=datetime(2025, 3, 3, tzinfo=STOCKHOLM),
            amount_requested=Decimal(500),
            decided_at=datetime(2025, 5, 1, tzinfo=STOCKHOLM),
        )
    store.build()
    client = logged_in(kommun["officer"])
    csv = client.get(reverse("insights:dashboard_export", args=["kommundel", "csv"]))
    text = b"".join(csv.streaming_content).decode()  # type: ignore[attr-defined]
    assert "Kommundel" in text and "Skogsbyn" in text
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ";=HYPERLINK" not in text
    xlsx = client.get(reverse("insights:dashboard_export", args=["kommundel", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://x.example")' in values
    public = Client().get(reverse("insights:public_export", args=["kommundel", "csv"]))
    public_text = b"".join(public.streaming_content).decode()  # type: ignore[attr-defined]
    assert "färre än 5" in public_text
    assert Client().get(reverse("insights:public_export", args=["okand", "csv"])).status_code == 404


def test_charts_are_titled_svgs_beside_tables(kommun: dict[str, Any]) -> None:
    page = Client().get(reverse("insights:public")).content.decode()
    charts = page.count('role="img"')
    assert charts >= 5
    assert page.count("<title id=") == charts
    assert page.count("<desc id=") == charts
    assert "Hur räknas detta?" in page


def test_pages_make_the_same_queries_whatever_the_grants(kommun: dict[str, Any]) -> None:
    client = logged_in(kommun["officer"])
    url = reverse("insights:dashboard")
    scope = {"ar": "2025", "del": f"body:{kommun['committee'].pk}"}
    client.get(url)
    with count_queries(person_kept=True) as few:
        client.get(url, scope)
    with count_queries(person_kept=True) as few_public:
        Client().get(reverse("insights:public"), scope)
    applications(kommun["call"], 60, district="Norr", seed=9)
    store.build()
    client.get(url)  # the person's next page after the change reads them again
    with count_queries(person_kept=True) as many:
        client.get(url, scope)
    with count_queries(person_kept=True) as many_public:
        Client().get(reverse("insights:public"), scope)
    assert len(many) == len(few) <= 4  # roots, the view, the municipality, its reports
    assert len(many_public) == len(few_public) <= 3


def test_the_public_page_says_which_figures_are_left_out_and_why(kommun: dict[str, Any]) -> None:
    response = Client().get(reverse("insights:public"), {"ar": "2026"})
    from insights import presenting

    district = presenting.find(presenting.sections(response.context["summary"].data), "kommundel")
    assert district is not None
    skogsbyn = next(row for row in district.rows if row[0] == "Skogsbyn")
    # the group's own size, and every other figure of it
    assert str(skogsbyn[1]) == "färre än 5"
    assert {str(value) for value in skogsbyn[2:6]} == {"visas inte"}


def test_few_organisations_granted_money_are_not_counted_in_public(db: None) -> None:
    # a municipality of six applicants of whom two were granted money
    root = PublicBodyFactory(name="Liten kommun")
    committee = CommitteeFactory(parent=root)
    call = CallFactory(programme=ProgrammeFactory(public_body=committee, name="Litet bidrag"))
    for n in range(6):
        ApplicationFactory(
            call=call,
            organisation=OrganisationFactory(),
            status=ApplicationStatus.APPROVED if n < 2 else ApplicationStatus.REJECTED,
            submitted_at=datetime(2025, 3, 1, tzinfo=STOCKHOLM),
            amount_requested=Decimal(1000),
            decided_amount=Decimal(1000) if n < 2 else None,
            decided_at=datetime(2025, 5, 1, tzinfo=STOCKHOLM),
        )
    store.build()
    from insights import presenting

    response = Client().get(reverse("insights:public"))
    cards = {
        card.label: card.value for card in presenting.headline(response.context["summary"].data)
    }
    assert str(cards["Organisationer som fått bidrag"]) == "färre än 5"
    officer = MembershipFactory(public_body=committee).user
    give_totp(officer)
    page = logged_in(officer).get(reverse("insights:dashboard"))
    cards = {card.label: card.value for card in presenting.headline(page.context["summary"].data)}
    assert cards["Organisationer som fått bidrag"] == 2


def test_the_public_page_offers_the_whole_municipality_only(kommun: dict[str, Any]) -> None:
    """A body's or programme's own view crossed with the years would give more sums to work a
    hidden group out of (insights.store.hidden_cells): the public page has none."""
    response = Client().get(
        reverse("insights:public"), {"del": f"body:{kommun['committee'].pk}", "ar": "2025"}
    )
    assert "del" not in response.context["form"].fields
    assert response.context["summary"].data["scope"] == "all"
    assert response.context["summary"].data["year"] == 2025


def test_asking_for_the_report_keeps_the_view_the_officer_was_reading(
    kommun: dict[str, Any],
) -> None:
    client = logged_in(kommun["officer"])
    response = client.post(
        reverse("insights:report_request"),
        {
            "rapport-kommun": kommun["root"].pk,
            "rapport-ar": 2025,
            "tillbaka": f"kommun={kommun['root'].pk}&ar=2025&del=all&evil=1",
        },
    )
    assert response["Location"] == (
        f"{reverse('insights:dashboard')}?kommun={kommun['root'].pk}&ar=2025&del=all#arsrapport"
    )


def test_downloads_are_named_by_what_they_hold(kommun: dict[str, Any]) -> None:
    public = Client().get(
        reverse("insights:public_export", args=["kommundel", "csv"]), {"ar": "2025"}
    )
    assert 'filename="kommundel-2025.csv"' in public["Content-Disposition"]
    client = logged_in(kommun["officer"])
    officer = client.get(reverse("insights:dashboard_export", args=["kommundel", "xlsx"]))
    assert 'filename="internt-kommundel-alla-ar.xlsx"' in officer["Content-Disposition"]
    assert officer["Cache-Control"] == "private, no-store"
    scope = {"ar": "2025", "del": f"body:{kommun['committee'].pk}"}
    body = client.get(reverse("insights:dashboard_export", args=["kommundel", "csv"]), scope)
    assert (
        f'filename="internt-kommundel-2025-namnd-{kommun["committee"].pk}.csv"'
        in (body["Content-Disposition"])
    )
    # a view that is not offered is no file
    bad = client.get(reverse("insights:dashboard_export", args=["kommundel", "csv"]), {"ar": "x"})
    assert bad.status_code == 404
    huge = Client().get(reverse("insights:public"), {"kommun": "9" * 5000})
    assert huge.status_code == 200


# --- a view drawn once for everyone who may read it (portal.kept_parts) --------------------------


def _reports_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the dashboard read its list of yearly reports: once per drawing."""
    read: list[int] = []
    real = selectors.reports_of

    def counted(*, root: int) -> list[Any]:
        read.append(root)
        return real(root=root)

    monkeypatch.setattr(selectors, "reports_of", counted)
    return read


def _colleague(kommun: dict[str, Any]) -> Any:
    colleague = MembershipFactory(
        public_body=kommun["committee"], role=PublicBodyRole.CASE_OFFICER, user__name="Cecilia"
    ).user
    give_totp(colleague)
    return colleague


def test_a_view_is_drawn_once_and_read_by_every_officer_of_the_municipality(
    kommun: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    read = _reports_read(monkeypatch)
    url = reverse("insights:dashboard")
    scope = {"ar": "2025", "del": f"body:{kommun['committee'].pk}"}
    colleague = logged_in(_colleague(kommun))
    first = logged_in(kommun["officer"]).get(url, scope).content.decode()
    colleague.get(reverse("portal:officer_home"))  # their own facts read once, as on any page
    with count_queries(person_kept=True) as queries:
        second = colleague.get(url, scope).content.decode()
    assert len(read) == 1  # drawn for the first officer, kept for the second
    assert len(queries) == 0, [query["sql"] for query in queries.captured_queries]

    def body(page: str) -> str:
        """The page below the header, each person's token set aside."""
        main = page[page.index("<main") : page.index("</main>")]
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)

    assert body(second) == body(first)
    # another view of the same municipality is drawn for itself
    other = colleague.get(url, {"ar": "2026"}).content.decode()
    assert len(read) == 2
    assert body(other) != body(first)


def test_a_new_build_is_shown_at_once(kommun: dict[str, Any]) -> None:
    client = logged_in(kommun["officer"])
    url = reverse("insights:dashboard")
    before = client.get(url, {"ar": "2025"}).context["summary"]
    applications(kommun["call"], 10, district="Norr", seed=4)
    store.build()
    page = client.get(url, {"ar": "2025"})
    assert page.context["summary"].pk != before.pk
    assert "Norr" in page.content.decode()


def test_a_report_asked_for_is_listed_at_once(kommun: dict[str, Any]) -> None:
    client = logged_in(kommun["officer"], enforce_csrf_checks=True)
    url = reverse("insights:dashboard")
    client.get(url)  # drawn and kept
    page = client.get(url).content.decode()
    assert "Fördelning av föreningsstöd 2026 (PDF)" not in page
    # the kept view's report form carries this person's own token, which the portal accepts
    form = page[page.index('action="' + reverse("insights:report_request")) :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token and "frame" not in token.group(1)
    response = client.post(
        reverse("insights:report_request"),
        {
            "csrfmiddlewaretoken": token.group(1),
            "rapport-kommun": kommun["root"].pk,
            "rapport-ar": 2026,
        },
    )
    assert response.status_code == 302
    assert "Fördelning av föreningsstöd 2026 – Tas fram" in client.get(url).content.decode()
    build_yearly_report(YearlyReport.objects.get().pk)  # as the worker does, after the commit
    assert "Fördelning av föreningsstöd 2026 (PDF)" in client.get(url).content.decode()
    # who asked is named as they are named now
    kommun["officer"].name = "Anna Nyberg"
    kommun["officer"].save()
    assert "beställd av Anna Nyberg" in client.get(url).content.decode()


def test_an_officer_with_more_municipalities_gets_a_view_of_their_own(
    kommun: dict[str, Any],
) -> None:
    """The view lists the municipalities the person may choose: an officer of one never sees
    the name of another that a colleague of both may choose."""
    other_root = PublicBodyFactory(name="Grannkommun")
    other = CommitteeFactory(parent=other_root)
    applications(CallFactory(programme=ProgrammeFactory(public_body=other)), 6, seed=3)
    store.build()
    both = _colleague(kommun)
    MembershipFactory(public_body=other, role=PublicBodyRole.CASE_OFFICER, user=both)
    url = reverse("insights:dashboard")
    assert "Grannkommun" in logged_in(both).get(url).content.decode()
    assert "Grannkommun" not in logged_in(kommun["officer"]).get(url).content.decode()


def test_a_view_with_errors_is_drawn_for_its_request(kommun: dict[str, Any]) -> None:
    client = logged_in(kommun["officer"])
    url = reverse("insights:dashboard")
    client.get(url)
    wrong = client.get(url, {"ar": "1999"}).content.decode()
    assert "Välj ett år i listan." in wrong and "<title>Fel:" in wrong
    right = client.get(url).content.decode()
    assert "Välj ett år i listan." not in right and "<title>Fel:" not in right


def test_the_public_page_of_a_year_is_drawn_once_for_every_visitor(
    kommun: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[int] = []
    real = fragments.figures

    def counted(*args: Any, **kwargs: Any) -> Any:
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fragments, "figures", counted)
    url = reverse("insights:public")
    first = Client().get(url, {"ar": "2025"}).content.decode()
    with count_queries(person_kept=True) as queries:
        second = Client().get(url, {"ar": "2025"}).content.decode()
    assert len(drawn) == 1
    assert len(queries) == 0
    assert second == first
    assert "Skogsbyn" in second and "färre än 5" in second
