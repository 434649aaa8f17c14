from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.models import Application
from tests.grants.conftest import SEGREGATION_QUERIES, Grants, add_applications, make_call
from tests.helpers.clients import context_value, logged_in
from tests.helpers.queries import assert_same_query_count, count_queries, sql_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "params",
    [{}, {"status": "submitted"}, {"q": "Föreningen"}, {"assigned": "me", "sort": "deadline"}],
    ids=["first-page", "filtered", "search", "mine-by-deadline"],
)
def test_the_inbox_makes_the_same_number_of_queries_for_5_and_200_applications(
    grants: Grants, params: dict[str, str]
) -> None:
    client = logged_in(grants.officer)
    url = reverse("grants:inbox")
    add_applications(grants, 5)
    client.get(url, params)
    with count_queries() as few:
        client.get(url, params)
    add_applications(grants, 195)
    with count_queries() as many:
        response = client.get(url, params)
    assert response.status_code == 200
    assert_same_query_count(few, many)
    assert len(many) <= 12


def test_the_open_calls_make_the_same_number_of_queries_for_5_and_200_calls(grants: Grants) -> None:
    from django.test import Client

    client = Client()
    for i in range(4):
        make_call(grants.programme, title=f"Utlysning {i}")
    client.get(reverse("grants:calls"))
    with count_queries() as few:
        client.get(reverse("grants:calls"))
    for i in range(195):
        make_call(grants.programme, title=f"Fler {i}")
    with count_queries() as many:
        response = client.get(reverse("grants:calls"))
    assert context_value(response, "page").paginator.count == 200
    assert_same_query_count(few, many)
    assert len(many) <= 4


def test_the_officers_application_page_has_a_fixed_number_of_queries(grants: Grants) -> None:
    from tests.grants.conftest import submitted

    application = submitted(grants)
    client = logged_in(grants.officer)
    url = reverse("grants:officer_application", args=[application.pk])
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    # 12 for the page + SEGREGATION_QUERIES (the officer's affiliations and declarations)
    # + 1: the people connected to the applicant, left out of the colleagues to assign
    assert len(queries) <= 12 + SEGREGATION_QUERIES + 1, sql_of(queries)


def test_seed_scale_makes_a_consistent_data_set(grants: Grants, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_scale", organisations=30, calls=3, applications=300)
    applications = Application.objects.filter(title__startswith="Skalad ")
    assert applications.count() == 300
    numbers = [n for n in applications.values_list("registry_number", flat=True) if n]
    assert len(numbers) == len(set(numbers)) == applications.exclude(status="draft").count()
    assert all(
        a.public_body_id == a.call.programme.public_body_id
        for a in applications.select_related("call__programme")[:50]
    )
    # the money lists and Notiser have rows too, each payment and recovery under its grant's body
    from grants.models import Payment, Recovery
    from portal.models import Notification

    payments = Payment.objects.select_related("application")
    assert payments.exists() and Recovery.objects.exists()
    assert all(p.public_body_id == p.application.public_body_id for p in payments)
    assert all(p.application.status in {"approved", "partly_approved"} for p in payments)
    assert Notification.objects.filter(kind="decision", subject__startswith="Skalad ").exists()
    # as the portal writes them: sent in before today, a decision with its day
    now = timezone.now()
    assert not applications.filter(submitted_at__gt=now).exists()
    decided = applications.filter(status__in=["approved", "partly_approved"])
    assert decided.exists() and not decided.filter(decided_at__isnull=True).exists()
    call_command("seed_scale", organisations=30, calls=3, applications=300)  # idempotent
    assert Application.objects.filter(title__startswith="Skalad ").count() == 300
    assert Payment.objects.count() == payments.count()


def test_seed_scale_adds_granted_money_for_the_open_data_benchmark(
    grants: Grants, settings
) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from grants.selectors import granted

    settings.DEBUG = True
    call_command("seed_scale", organisations=10, calls=2, applications=20, granted=50)
    assert granted().filter(public_body__registry_prefix="RKN").count() == 50


def test_seed_scale_gives_the_reminder_scan_work_once(grants: Grants, settings) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta
    from unittest import mock

    from django.core.management import call_command

    from grants.models import FollowUpReport
    from portal import notifications
    from portal.models import Notification

    settings.DEBUG = True
    call_command("seed_scale", organisations=30, calls=3, applications=300, reports=0)
    assert not FollowUpReport.objects.exists()
    # a data set seeded without the reminder data gets it on the next run, once
    call_command("seed_scale", organisations=30, calls=3, applications=300, reports=40)
    call_command("seed_scale", organisations=30, calls=3, applications=300, reports=40)
    assert FollowUpReport.objects.count() == 40
    assert Application.objects.filter(title__startswith="Skalad ").count() == 300
    today = timezone.localdate()
    due = set(FollowUpReport.objects.values_list("due_date", flat=True))
    assert {today + timedelta(days=n) for n in (14, 0, -7)} <= due
    with mock.patch.object(notifications, "queue_pending", return_value=0):
        notifications.scan(now=timezone.now())
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {
        "call_closing_7d",
        "call_closing_1d",
        "completion_due_2d",
        "completion_due_-1d",
        "report_due_14d",
        "report_due_0d",
        "report_due_-7d",
    } <= kinds


def add_money_rows(g: Grants, count: int) -> None:
    """`count` more approved grants of the call, each with a payment, a follow-up report and a
    demand to pay back, and as many proposals waiting for a decision, from up to 20
    organisations."""
    from datetime import timedelta
    from decimal import Decimal

    from grants.models import ApplicationStatus, FollowUpReport, Payment, Recovery
    from tests.organisations.factories import OrganisationFactory

    organisations = OrganisationFactory.create_batch(min(count, 20), status="verified")
    start = Application.objects.count()
    today = timezone.localdate()
    rows = []
    for i in range(2 * count):
        approved = i < count
        organisation = organisations[i % len(organisations)]
        rows.append(
            Application(
                call=g.call,
                public_body=g.body,
                organisation=organisation,
                status=ApplicationStatus.APPROVED if approved else ApplicationStatus.PROPOSED,
                title=f"Pengar {start + i}",
                amount_requested=Decimal(20_000),
                decided_amount=Decimal(20_000) if approved else None,
                recipient_name=organisation.name if approved else "",
                proposal_outcome="approved" if not approved else "",
                proposal_amount=None if approved else Decimal(20_000),
                proposed_by=g.officer,
                proposed_at=timezone.now(),
                registry_number=f"KFN 2026/{start + i + 1}",
                submitted_at=timezone.now(),
                created_by=g.editor,
                assigned_to=g.officer,
            )
        )
    grants = Application.objects.bulk_create(rows)[:count]
    Payment.objects.bulk_create(
        Payment(
            application=a,
            public_body=g.body,
            amount=Decimal(20_000 if i % 2 else 10_000),  # half of them paid in full
            paid_on=today - timedelta(days=i),
            reference=f"Utbetalning {i}",
            account="5050-1055",
            registered_by=g.officer,
        )
        for i, a in enumerate(grants)
    )
    for i, a in enumerate(grants):  # each grant's running total, as payment_register keeps it
        a.paid_amount = Decimal(20_000 if i % 2 else 10_000)
    Application.objects.bulk_update(grants, ["paid_amount"])
    FollowUpReport.objects.bulk_create(
        FollowUpReport(
            application=a, public_body=g.body, due_date=today + timedelta(days=i - count // 2)
        )
        for i, a in enumerate(grants)
    )
    Recovery.objects.bulk_create(
        Recovery(
            application=a,
            public_body=g.body,
            amount=Decimal(1_000),
            reason="Delar av bidraget användes inte.",
            due_date=today + timedelta(days=i),
            opened_by=g.officer,
        )
        for i, a in enumerate(grants)
    )


@pytest.mark.parametrize(
    ("url_name", "params", "who"),
    [
        ("grants:reports", {}, "officer"),
        ("grants:reports", {"state": "overdue"}, "officer"),
        ("grants:payments", {}, "officer"),
        ("grants:payments", {"state": "fully_paid"}, "officer"),
        ("grants:recoveries", {}, "officer"),
        ("grants:decisions", {}, "decision_maker"),
    ],
    ids=[
        "reports",
        "reports-overdue",
        "payments",
        "payments-fully-paid",
        "recoveries",
        "decisions",
    ],
)
def test_the_money_lists_make_the_same_number_of_queries_for_5_and_60_rows(
    grants: Grants, url_name: str, params: dict[str, str], who: str
) -> None:
    client = logged_in(getattr(grants, who))
    url = reverse(url_name)
    add_money_rows(grants, 5)
    client.get(url, params)
    with count_queries() as few:
        first = client.get(url, params)
    add_money_rows(grants, 55)
    with count_queries() as many:
        response = client.get(url, params)
    assert first.status_code == response.status_code == 200
    assert len(response.context["page"].object_list) > len(first.context["page"].object_list)
    assert_same_query_count(few, many)
    assert len(many) <= 12


@pytest.mark.parametrize("url_name", ["grants:reports", "grants:payments", "grants:recoveries"])
def test_the_money_list_exports_make_the_same_number_of_queries_for_5_and_60_rows(
    grants: Grants, url_name: str
) -> None:
    """An export reads every row; it must not read each row's application again (the lists read
    only the columns they show)."""
    client = logged_in(grants.officer)
    url = reverse(url_name)
    add_money_rows(grants, 5)
    b"".join(client.get(url, {"export": "csv"}).streaming_content)  # what is read once a process
    with count_queries() as few:
        b"".join(client.get(url, {"export": "csv"}).streaming_content)
    add_money_rows(grants, 55)
    with count_queries() as many:
        content = b"".join(client.get(url, {"export": "csv"}).streaming_content)
    assert content.count(b"\n") > 60
    assert_same_query_count(few, many)


def test_the_benchmark_runs_on_a_small_data_set(grants: Grants, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`make bench` keeps working: every page it measures answers 200 (it stops on anything
    else), and it prints each page's ratio to the floor and the open-data downloads."""
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    settings.OPEN_DATA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "open_data": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    call_command("seed_scale", organisations=20, calls=2, applications=60, granted=10, reports=10)
    call_command("seed_scale_agreements", agreements=12)
    out = StringIO()
    call_command("bench", rounds=1, scan_repeat=1, stdout=out)
    text = out.getvalue()
    assert "/healthz (floor)" in text and "p95 × floor" in text
    assert "inbox, diarienummer" in text and "IOP list" in text and "Notiser" in text
    assert "grants.json, 304" in text and "build:" in text


def test_the_benchmark_leaves_no_garbage_a_web_worker_would_not_have() -> None:
    """Django's test client connects `close_old_connections` again after every request, and
    each connection leaves a finalizer on the function that lives for ever: the benchmark's
    full garbage collections grew through a run. During the run the client's reconnecting is
    skipped (as a worker, connected once), and afterwards the signals are as they were."""
    import gc
    import weakref

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import Client

    from grants.management.commands.bench import connections_closed_as_a_worker_does

    def finalizers() -> int:
        # type(), not isinstance(): the latter would evaluate the lazy objects gc also holds
        return sum(
            1
            for thing in gc.get_objects()
            if type(thing) is weakref.finalize
            and (thing.peek() or (None,))[0] is close_old_connections
        )

    def receivers() -> list[bool]:
        return [
            any(reference() is close_old_connections for _key, reference, *_ in signal.receivers)
            for signal in (request_started, request_finished)
        ]

    before = receivers()
    client = Client()
    client.get(reverse("healthz"))
    with connections_closed_as_a_worker_does():
        at_start = finalizers()
        for _ in range(30):
            assert client.get(reverse("healthz")).status_code == 200
        assert finalizers() == at_start
        assert receivers() == [False, False]
    assert receivers() == before
    client.get(reverse("healthz"))
    assert finalizers() > at_start  # what the client does outside the run


def test_the_application_page_reads_the_scores_only_where_it_shows_them(grants: Grants) -> None:
    """A withdrawn case is not scored and shows no scores: its page does not read them. Once a
    decision is proposed, the scores are shown (and read)."""
    from grants import services
    from tests.grants.conftest import proposed, submitted

    client = logged_in(grants.officer)
    withdrawn = submitted(grants)
    services.application_withdraw(application=withdrawn, actor=grants.editor)
    with count_queries() as queries:
        page = client.get(reverse("grants:officer_application", args=[withdrawn.pk]))
    assert page.status_code == 200
    assert not [q for q in queries if "grants_criterion" in q["sql"]], sql_of(queries)
    assert 'id="assessment-heading"' not in page.content.decode()

    case = proposed(grants)
    with count_queries() as queries:
        page = client.get(reverse("grants:officer_application", args=[case.pk]))
    assert [q for q in queries if "grants_criterion" in q["sql"]]
    assert 'id="assessment-heading"' in page.content.decode()


def test_the_case_page_reads_the_people_it_names_and_no_others(grants: Grants) -> None:
    """Before a proposal the page names no one but the reader: the case officer's id is all the
    assign form needs. Once decided, who proposed and who decided are named, read together."""
    from grants import services
    from tests.grants.conftest import decided, submitted

    client = logged_in(grants.officer)
    case = submitted(grants)
    services.application_assign(application=case, actor=grants.officer, assignee=grants.officer)
    client.get(reverse("grants:officer_application", args=[case.pk]))
    with count_queries() as queries:
        client.get(reverse("grants:officer_application", args=[case.pk]))
    # people read by id for the page (the reader comes with the session, the colleagues to
    # assign by their role)
    people = [q for q in queries if '"portal_user"."id" IN' in q["sql"]]
    assert people == [], sql_of(queries)

    grant = decided(grants)
    with count_queries() as queries:
        page = client.get(reverse("grants:officer_application", args=[grant.pk])).content.decode()
    assert grant.proposed_by.display_name in page and grant.decided_by.display_name in page
    assert len([q for q in queries if '"portal_user"."id" IN' in q["sql"]]) == 1
