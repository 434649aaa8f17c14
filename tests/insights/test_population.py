"""The population an administrator imports from Statistics Sweden: files in Statistikdatabasen's
CSV layout read into the portal's age bands, a year replaced whole, every kind of bad file
refused with its Swedish message and nothing written, the admin's import page, and the demo
municipality's file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from insights.demo_population import DEMO_FILE, seed_population
from insights.models import PopulationCell, PopulationTable
from insights.population import MAX_BYTES, parse_population
from insights.services import population_import
from organisations.demo import DISTRICTS
from organisations.models import District
from portal.models import AuditEvent, PublicBody, User
from tests.helpers.audit import audit_events
from tests.helpers.clients import logged_in, queued_messages
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.portal.factories import CommitteeFactory, PublicBodyFactory, UserFactory, give_totp

pytestmark = pytest.mark.django_db

CENTRUM = "1480R012 Centrum"
ABY = "Åby"
GROUPS = ["0-6 år", "7-12 år", "13-19 år", "20-25 år", "26-64 år", "65+ år"]
BANDS = ["0–6", "7–12", "13–19", "20–25", "26–64", "65+"]
HEADING = ["region", "ålder", "kön", "2025"]


@pytest.fixture
def districts(db: None) -> list[District]:
    return [
        District.objects.create(name="Centrum", code="1480R012", position=1),
        District.objects.create(name="Åby", code="", position=2),  # known by its name only
    ]


@pytest.fixture
def kommun(db: None) -> PublicBody:
    return PublicBodyFactory(name="Exempelkommun", registry_prefix="EXK")


@pytest.fixture
def admin_user(db: None) -> User:
    user = UserFactory(name="Alva Admin", is_staff=True, is_superuser=True)
    give_totp(user)
    return user


def scb(
    rows: Sequence[Sequence[str | int]],
    *,
    heading: Sequence[str] = HEADING,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    title: bool = False,
) -> bytes:
    """A file as Statistikdatabasen exports it: text quoted, figures not."""
    out = io.StringIO()
    if title:
        out.write('"Folkmängd efter region, ålder, kön och år"\r\n\r\n')
    writer = csv.writer(
        out, delimiter=delimiter, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n"
    )
    writer.writerow(heading)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def grouped(
    regions: Sequence[str] = (CENTRUM, ABY), men: int = 10, women: int = 20
) -> list[list[str | int]]:
    """One row per region, age group (the portal's bands) and gender."""
    return [
        [region, group, gender, figure]
        for region in regions
        for group in GROUPS
        for gender, figure in (("män", men), ("kvinnor", women))
    ]


def single_years(regions: Sequence[str] = (CENTRUM, ABY)) -> list[list[str | int]]:
    """0 år … 99 år and 100+ år: one man and two women of every age."""
    ages = [f"{age} år" for age in range(100)] + ["100+ år"]
    return [
        [region, age, gender, figure]
        for region in regions
        for age in ages
        for gender, figure in (("män", 1), ("kvinnor", 2))
    ]


def counts_of(table: PopulationTable) -> dict[tuple[str, str, str], int]:
    return {
        (cell.district.name, cell.age_band, cell.gender): cell.count
        for cell in table.cells.select_related("district")
    }


# --- reading a file --------------------------------------------------------------------------


def test_single_years_are_summed_into_the_bands(districts: list[District]) -> None:
    parsed = parse_population(scb(single_years()), districts=districts)

    assert parsed.years == [2025]
    centrum = districts[0].pk
    men = {band: parsed.counts[2025][(centrum, band, "men")] for band in BANDS}
    # 0–6 is seven years, 26–64 thirty-nine, 65+ the 35 years 65–99 and "100+"
    assert men == {"0–6": 7, "7–12": 6, "13–19": 7, "20–25": 6, "26–64": 39, "65+": 36}
    assert parsed.counts[2025][(districts[1].pk, "65+", "women")] == 72
    assert parsed.total(2025) == 2 * 101 * 3
    assert parsed.warnings == ()


def test_groups_codes_totals_and_missing_figures(districts: list[District]) -> None:
    rows: list[list[str | int]] = [
        # the whole municipality, and totals, are passed over
        ["1480 Göteborg", "totalt ålder", "totalt", 599000, 600000],
        ["1480 Göteborg", "0-6 år", "män", 20000, 20100],
        [CENTRUM, "totalt ålder", "män", 5000, 5100],
        [CENTRUM, "0-6 år", "män och kvinnor", 300, 310],
    ]
    for region in ("1480R012 Gamla staden", "  åby "):  # Centrum by its code; Åby by its name
        for gender in ("1", "2"):  # Statistics Sweden's codes: 1 men, 2 women
            rows += [
                [region, "0-6 år", gender, "1 234", 1300],
                [region, "7–12 år", gender, 100, 110],  # an en dash
                [region, "13-19 år", gender, 100, ".."],  # missing: 0, and a warning
                [region, "20-25 år", gender, 100, 110],
                [region, "26-44 år", gender, 500, 510],  # two groups within one band
                [region, "45-64 år", gender, 400, 410],
                [region, "65+ år", gender, 300, 310],
            ]
    data = scb(rows, heading=["Region", "Ålder", "Kön", "2024", "2025"], title=True)

    parsed = parse_population(data, districts=districts)

    assert parsed.years == [2024, 2025]
    centrum, aby = (district.pk for district in districts)
    assert parsed.counts[2024][(centrum, "0–6", "men")] == 1234
    assert parsed.counts[2024][(aby, "26–64", "women")] == 900
    assert parsed.counts[2025][(aby, "13–19", "women")] == 0
    assert parsed.total(2024) == 4 * (1234 + 100 * 3 + 900 + 300)
    assert parsed.skipped_regions == ("1480 Göteborg",)
    # the title and the blank line are rows 1 and 2, the heading row 3
    assert parsed.warnings[0] == "Rad 10, 2025: uppgiften saknas (”..”) och räknas som 0."
    assert len(parsed.warnings) == 4


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_comma_semicolon_and_tab_separated_files_read_alike(
    districts: list[District], delimiter: str
) -> None:
    parsed = parse_population(scb(grouped(), delimiter=delimiter), districts=districts)
    assert parsed.counts[2025][(districts[1].pk, "65+", "women")] == 20
    assert parsed.total(2025) == 2 * 6 * 30


def test_a_windows_1252_file_reads_its_swedish_letters(districts: list[District]) -> None:
    data = scb(grouped(regions=[CENTRUM, "Åby"], men=3), encoding="cp1252")
    assert "Åby".encode("cp1252") in data and "Åby".encode() not in data

    parsed = parse_population(data, districts=districts)

    assert parsed.counts[2025][(districts[1].pk, "7–12", "men")] == 3


def test_a_year_column_may_name_what_the_table_holds(districts: list[District]) -> None:
    heading = ["region", "ålder", "kön", "Folkmängd 2025"]
    parsed = parse_population(scb(grouped(), heading=heading), districts=districts)
    assert parsed.years == [2025]


# --- importing -------------------------------------------------------------------------------


def test_an_import_replaces_the_year_whole_and_keeps_other_years(
    districts: list[District], kommun: PublicBody, admin_user: User
) -> None:
    first = grouped(men=10, women=20)
    two_years = scb([[*row, 5] for row in first], heading=[*HEADING, "2026"])
    tables = population_import(
        actor=admin_user, root=kommun, file_name="befolkning.csv", data=two_years
    )
    assert [(t.year, t.total) for t in tables] == [(2025, 360), (2026, 120)]
    kept = tables[1]
    kept_counts = counts_of(kept)

    other = UserFactory(is_staff=True, is_superuser=True)
    again = population_import(
        actor=other, root=kommun, file_name=" ny.csv ", data=scb(grouped(men=1, women=2))
    )

    assert [t.year for t in again] == [2025]
    replaced = PopulationTable.objects.get(root=kommun, year=2025)
    assert replaced.pk == tables[0].pk
    assert (replaced.file_name, replaced.total, replaced.imported_by) == ("ny.csv", 36, other)
    assert counts_of(replaced)[("Åby", "65+", "women")] == 2
    assert replaced.cells.count() == 2 * 6 * 2
    assert PopulationTable.objects.filter(root=kommun).count() == 2
    assert counts_of(PopulationTable.objects.get(pk=kept.pk)) == kept_counts
    events = audit_events(replaced, "population_imported", content_type__model="populationtable")
    assert [event.comment for event in events] == [
        "year: 2025; file_name: befolkning.csv; total: 360",
        "year: 2025; file_name: befolkning.csv → ny.csv; total: 360 → 36",
    ]


def test_the_import_reports_missing_figures(
    districts: list[District], kommun: PublicBody, admin_user: User
) -> None:
    rows = grouped()
    for row in rows[:12]:
        row[3] = ".."
    tables = population_import(actor=admin_user, root=kommun, file_name="f.csv", data=scb(rows))
    assert tables[0].total == 2 * 6 * 30 - 6 * 30
    assert (
        tables.warnings[-1] == "… och ytterligare 2 uppgifter som saknas, som också räknas som 0."
    )


def _replace(rows: list[list[str | int]], index: int, column: int, value: str) -> bytes:
    rows[index][column] = value
    return scb(rows)


# Each bad file, built from the districts' good rows (row 1 is the heading, so grouped()[i]
# is on row i + 2), and what the refusal says.
BAD_FILES: list[tuple[str, Callable[[], bytes], list[str]]] = [
    ("empty", lambda: b"", ["Filen är tom."]),
    ("blank", lambda: b" \r\n\r\n", ["Filen är tom."]),
    (
        "excel",
        lambda: b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 50,
        ["Filen är en Excel-arbetsbok, inte en CSV-fil."],
    ),
    ("binary", lambda: b"%PDF-1.7\x00\x01\x02", ["Filen är inte en CSV-fil."]),
    (
        "too large",
        lambda: b"region;\xc3\xa5lder;k\xc3\xb6n;2025\r\n" + b"x" * MAX_BYTES,
        ["Filen är större än 5 MB."],
    ),
    (
        "a column missing",
        lambda: scb([row[:2] + row[3:] for row in grouped()], heading=["region", "ålder", "2025"]),
        ["Rubrikraden saknar kolumnen ”kön”. Filen ska ha en rubrikrad med kolumnerna region"],
    ),
    (
        "columns missing",
        lambda: scb([["Centrum", 5]], heading=["Område", "2025"]),
        ["Rubrikraden saknar kolumnerna ”region”, ”ålder” och ”kön”."],
    ),
    (
        "no year column",
        lambda: scb([row[:3] for row in grouped()], heading=["region", "ålder", "kön"]),
        ["Rubrikraden (rad 1) saknar kolumner för år."],
    ),
    (
        "a column that is not a year",
        lambda: scb([[*row, 1] for row in grouped()], heading=[*HEADING, "civilstånd"]),
        ["Kolumnen ”civilstånd” i rubrikraden (rad 1) är inte ett år."],
    ),
    (
        "a year out of range",
        lambda: scb(grouped(), heading=["region", "ålder", "kön", "1850"]),
        ["Kolumnen ”1850” i rubrikraden (rad 1) är inte ett år."],
    ),
    (
        "a year twice",
        lambda: scb([[*row, 1] for row in grouped()], heading=[*HEADING, "2025"]),
        ["Året 2025 finns i två kolumner i rubrikraden (rad 1)."],
    ),
    ("no rows", lambda: scb([]), ["Filen har en rubrikrad men inga rader med siffror."]),
    (
        "an unknown area",
        lambda: scb([*grouped(), ["1480R099 Nyby", "0-6 år", "män", 5]]),
        [
            "Rad 26: området ”1480R099 Nyby” är inte en av portalens kommundelar. Lägg först "
            "in det under",
            "i administrationen, med dess kod hos SCB, eller ta bort dess rader ur filen.",
        ],
    ),
    (
        "an age that cannot be read",
        lambda: _replace(grouped(), 2, 1, "sju år"),
        ["Rad 4: åldern ”sju år” går inte att tolka."],
    ),
    (
        "ages across two bands",
        lambda: scb([*grouped(), [CENTRUM, "20-29 år", "män", 5]]),
        [
            "Rad 26: åldrarna ”20-29 år” spänner över mer än en av portalens åldersgrupper "
            "(0–6, 7–12, 13–19, 20–25, 26–64, 65+)"
        ],
    ),
    (
        "a gender that cannot be read",
        lambda: _replace(grouped(), 5, 2, "okänt"),
        ["Rad 7: könet ”okänt” går inte att tolka. Skriv ”kvinnor” eller ”män”"],
    ),
    (
        "a negative figure",
        lambda: _replace(grouped(), 0, 3, "-5"),
        ["Rad 2, 2025: siffran ”-5” är negativ."],
    ),
    (
        "a figure that is not a whole number",
        lambda: _replace(grouped(), 1, 3, "12,5"),
        ["Rad 3, 2025: ”12,5” är inte ett heltal."],
    ),
    (
        "an impossible figure",
        lambda: _replace(grouped(), 1, 3, "99 000 000"),
        ["Rad 3, 2025: siffran ”99 000 000” är större än folkmängden i någon kommundel."],
    ),
    (
        "a row twice",
        lambda: scb([*grouped(), grouped()[3]]),
        ["Rad 26 upprepar rad 5 (1480R012 Centrum, 7-12 år, kvinnor). Ta bort en av dem."],
    ),
    (
        "overlapping ages",
        lambda: scb([*grouped(), [CENTRUM, "3 år", "män", 5]]),
        ["Rad 26: åldrarna ”3 år” överlappar ”0-6 år” på rad 2 för samma område och kön"],
    ),
    (
        "a row too short",
        lambda: scb([*grouped()[:4], [CENTRUM, "7-12 år", 5], *grouped()[4:]]),
        ["Rad 6 har 3 kolumner men rubrikraden har 4."],
    ),
    (
        "a district left out",
        lambda: scb(grouped(regions=[CENTRUM])),
        ["Filen saknar rader för kommundelen Åby. Ta med den när du väljer områden"],
    ),
    (
        "a gender left out",
        lambda: scb([row for row in grouped() if not (row[0] == ABY and row[2] == "män")]),
        ["Filen saknar rader för Åby, män."],
    ),
    (
        "a band left out",
        lambda: scb([row for row in grouped() if not (row[0] == ABY and row[1] == "65+ år")]),
        [
            "Filen saknar rader för Åby, män, 65+ år.",
            "Filen saknar rader för Åby, kvinnor, 65+ år.",
        ],
    ),
    (
        "ages left out",
        lambda: scb([row for row in single_years() if row[1] not in ("5 år", "30 år", "31 år")]),
        [
            "Filen saknar åldern 5 år för Centrum, män.",
            "Filen saknar åldrarna 30–31 år för Åby, kvinnor.",
        ],
    ),
    (
        "the last row bad",
        lambda: _replace(grouped(), 23, 3, "abc"),
        ["Rad 25, 2025: ”abc” är inte ett heltal."],
    ),
]


@pytest.mark.parametrize(
    ("build", "expected"),
    [pytest.param(build, expected, id=name) for name, build, expected in BAD_FILES],
)
def test_a_bad_file_is_refused_with_its_message_and_nothing_written(
    districts: list[District],
    kommun: PublicBody,
    admin_user: User,
    build: Callable[[], bytes],
    expected: list[str],
) -> None:
    earlier = population_import(
        actor=admin_user, root=kommun, file_name="förra.csv", data=scb(grouped(men=7))
    )[0]
    before = counts_of(earlier)
    tables, cells, events = (
        PopulationTable.objects.count(),
        PopulationCell.objects.count(),
        AuditEvent.objects.count(),
    )

    with pytest.raises(ValidationError) as refused:
        population_import(actor=admin_user, root=kommun, file_name="ny.csv", data=build())

    messages = refused.value.messages
    for text in expected:
        assert any(text in message for message in messages), (text, messages)
    assert PopulationTable.objects.count() == tables
    assert PopulationCell.objects.count() == cells
    assert AuditEvent.objects.count() == events
    earlier.refresh_from_db()
    assert (earlier.file_name, earlier.total) == ("förra.csv", 2 * 6 * (7 + 20))
    assert counts_of(earlier) == before


def test_a_file_with_many_problems_lists_the_first_and_counts_the_rest(
    districts: list[District],
) -> None:
    rows = [[*row[:3], "x"] for row in [*grouped(), *grouped()[:16]]]  # 40 figures unread
    with pytest.raises(ValidationError) as refused:
        parse_population(scb(rows), districts=districts)
    messages = refused.value.messages
    assert len(messages) == 26
    assert messages[0] == (
        "Rad 2, 2025: ”x” är inte ett heltal. Skriv antalet invånare utan decimaler, eller "
        "”..” där uppgiften saknas."
    )
    assert messages[-1] == "… och ytterligare 15 problem."


def test_a_portal_without_districts_is_told_to_add_them_first(
    kommun: PublicBody, admin_user: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        population_import(actor=admin_user, root=kommun, file_name="f.csv", data=scb(grouped()))
    assert refused.value.messages[0].startswith("Portalen har inga kommundelar ännu.")


def test_a_table_belongs_to_a_municipality_or_region(
    districts: list[District], admin_user: User
) -> None:
    committee = CommitteeFactory(name="Kultur- och fritidsnämnden")
    with pytest.raises(ValidationError) as refused:
        population_import(actor=admin_user, root=committee, file_name="f.csv", data=scb(grouped()))
    assert refused.value.messages == [
        "En befolkningstabell hör till en kommun eller region, inte till "
        "Kultur- och fritidsnämnden."
    ]
    assert not PopulationTable.objects.exists()


def test_only_those_allowed_may_import(districts: list[District], kommun: PublicBody) -> None:
    staff = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        population_import(actor=staff, root=kommun, file_name="f.csv", data=scb(grouped()))
    assert not PopulationTable.objects.exists()


# --- the admin -------------------------------------------------------------------------------

IMPORT_URL = "admin:insights_populationtable_import"
LIST_URL = "admin:insights_populationtable_changelist"


def _upload(data: bytes, name: str = "befolkning.csv") -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _staff(*permissions: str) -> User:
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    give_totp(user)
    return User.objects.get(pk=user.pk)  # permissions read afresh


def test_staff_without_the_permission_cannot_import(
    districts: list[District], kommun: PublicBody
) -> None:
    client = logged_in(_staff("view_populationtable"))

    listing = client.get(reverse(LIST_URL))
    assert listing.status_code == 200
    assert reverse(IMPORT_URL) not in listing.content.decode()
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    response = client.post(
        reverse(IMPORT_URL), {"root": kommun.pk, "file": _upload(scb(grouped()))}
    )
    assert response.status_code == 403
    assert not PopulationTable.objects.exists()


def test_an_administrator_imports_a_file(
    districts: list[District], kommun: PublicBody, admin_user: User
) -> None:
    client = logged_in(admin_user)
    listing = client.get(reverse(LIST_URL))
    assert reverse(IMPORT_URL) in listing.content.decode()
    assert "Importera befolkningstabell" in listing.content.decode()
    form = client.get(reverse(IMPORT_URL))
    assert form.status_code == 200
    # the only municipality is chosen already
    assert f'<option value="{kommun.pk}" selected>' in form.content.decode()

    rows = grouped(men=400, women=500)
    response = client.post(
        reverse(IMPORT_URL),
        {
            "root": kommun.pk,
            "file": _upload(scb([[*row, 1] for row in rows], heading=[*HEADING, "2026"])),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(LIST_URL)
    assert queued_messages(response) == [
        "Befolkningstabellen för Exempelkommun är importerad: 10\xa0800 invånare 2025 och "
        "24 invånare 2026."
    ]
    table = PopulationTable.objects.get(root=kommun, year=2025)
    assert (table.total, table.file_name, table.imported_by) == (
        10800,
        "befolkning.csv",
        admin_user,
    )

    page = client.get(reverse("admin:insights_populationtable_change", args=[table.pk]))
    assert page.status_code == 200
    assert "Invånare per kommundel, åldersgrupp och kön" in page.content.decode()


def test_staff_with_the_permission_import_and_see_the_warnings(
    districts: list[District], kommun: PublicBody
) -> None:
    client = logged_in(_staff("add_populationtable", "view_populationtable"))
    rows = grouped()
    rows[0][3] = ".."
    response = client.post(reverse(IMPORT_URL), {"root": kommun.pk, "file": _upload(scb(rows))})
    assert response.status_code == 302
    assert queued_messages(response)[1] == "Rad 2, 2025: uppgiften saknas (”..”) och räknas som 0."
    assert PopulationTable.objects.filter(root=kommun, year=2025).exists()


def test_a_refused_file_shows_the_form_again_with_every_problem(
    districts: list[District], kommun: PublicBody, admin_user: User
) -> None:
    client = logged_in(admin_user)
    data = scb([*grouped(regions=[CENTRUM]), [CENTRUM, "20-29 år", "män", 5]])

    response = client.post(reverse(IMPORT_URL), {"root": kommun.pk, "file": _upload(data)})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Filen importerades inte, och ingenting har ändrats." in page
    assert "Rad 14: åldrarna ”20-29 år” spänner över" in page
    assert "Filen saknar rader för kommundelen Åby." in page
    assert not PopulationTable.objects.exists()
    assert not AuditEvent.objects.filter(action="population_imported").exists()


def test_the_import_form_asks_for_both_fields(admin_user: User, kommun: PublicBody) -> None:
    PublicBodyFactory(name="Region Exempel", kind=PublicBody.Kind.REGION)
    client = logged_in(admin_user)
    form = client.get(reverse(IMPORT_URL)).content.decode()
    assert "Välj kommun eller region" in form  # two to choose among: none chosen

    response = client.post(reverse(IMPORT_URL), {"root": ""})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"root", "file"}


def test_the_list_of_tables_keeps_its_query_count(
    districts: list[District], admin_user: User
) -> None:
    client = logged_in(admin_user)
    data = scb(grouped())

    def add_tables(count: int) -> None:
        for _ in range(count):
            root = PublicBodyFactory()
            population_import(actor=admin_user, root=root, file_name="f.csv", data=data)

    add_tables(1)
    with count_queries() as few:
        assert client.get(reverse(LIST_URL)).status_code == 200
    add_tables(4)
    with count_queries() as many:
        assert client.get(reverse(LIST_URL)).status_code == 200
    assert_same_query_count(few, many)


# --- the demo municipality -------------------------------------------------------------------


def test_the_demo_file_imports_whole_and_its_totals_match_the_file(
    kommun: PublicBody, admin_user: User
) -> None:
    seed_population(root=kommun, actor=admin_user)

    assert list(District.objects.values_list("name", "code", "position")) == [
        (name, f"9999R{position:03d}", position) for position, name in enumerate(DISTRICTS, start=1)
    ]
    text = DEMO_FILE.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[3:]
    expected = {
        year: sum(int(row[column]) for row in rows) for column, year in ((3, 2025), (4, 2026))
    }
    tables = PopulationTable.objects.filter(root=kommun)
    assert {table.year: table.total for table in tables} == expected
    assert 55_000 < expected[2025] < 65_000
    for table in tables:
        assert sum(table.cells.values_list("count", flat=True)) == table.total
        assert table.cells.count() == len(DISTRICTS) * 6 * 2

    # Skogsbyn is young, Söder old
    def share(name: str, band: str) -> float:
        table = tables.get(year=2025)
        district = table.cells.filter(district__name=name)
        return sum(district.filter(age_band=band).values_list("count", flat=True)) / sum(
            district.values_list("count", flat=True)
        )

    assert share("Skogsbyn", "7–12") > 1.5 * share("Söder", "7–12")
    assert share("Söder", "65+") > 2 * share("Skogsbyn", "65+")

    # again: nothing changes
    events = AuditEvent.objects.count()
    seed_population(root=kommun, actor=admin_user)
    assert AuditEvent.objects.count() == events
    assert District.objects.count() == len(DISTRICTS)


def test_the_demo_keeps_an_administrators_district_codes(
    kommun: PublicBody, admin_user: User
) -> None:
    District.objects.create(name="Centrum", code="1480R012", position=1)
    District.objects.create(name="Norr", code="", position=2)

    seed_population(root=kommun, actor=admin_user)

    assert District.objects.get(name="Centrum").code == "1480R012"  # matched by its name
    assert District.objects.get(name="Norr").code == "9999R002"
    assert PopulationTable.objects.filter(root=kommun).count() == 2
