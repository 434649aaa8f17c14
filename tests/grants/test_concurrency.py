"""Money and numbers under concurrency, against the real PostgreSQL (row locks are what keep
them right; SQLite serialises whole transactions and proves nothing here)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants import services
from grants.models import Application
from tests.grants.conftest import Grants, complete_draft, decide_proposal, proposed
from tests.helpers.concurrency import requires_postgresql, run_together

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]


def test_concurrent_decisions_never_overspend_the_call(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = grants
    budget_left = services.call_budget_left

    def slow_budget_left(*args: object, **kwargs: object) -> Decimal:
        # Widen the window between reading what is left and writing the decision, so that
        # without the lock on the call every decision would see the whole budget.
        left = budget_left(*args, **kwargs)  # type: ignore[arg-type]
        time.sleep(0.3)
        return left

    monkeypatch.setattr(services.decisions, "call_budget_left", slow_budget_left)
    g.call.budget = Decimal("100000")
    g.call.save()
    applications = [
        proposed(g, amount="40000") for _ in range(4)
    ]  # 160 000 proposed, 100 000 budget
    deciders = [g.decision_maker, g.other_decision_maker] * 2

    def decide(application: Application, actor: object) -> callable:  # type: ignore[valid-type]
        seen = services.decision_version(application)
        return lambda: services.application_decide(
            application=application, actor=actor, decision="confirm", seen_version=seen
        )

    results = run_together([decide(a, d) for a, d in zip(applications, deciders, strict=True)])
    decided = Application.objects.filter(status__in=["approved", "partly_approved"])
    total = sum((a.decided_amount or Decimal(0) for a in decided), start=Decimal(0))
    assert total <= g.call.budget
    assert decided.count() == 2  # 2 × 40 000 fits, a third would not
    refused = [r for r in results if r is not None]
    assert len(refused) == 2 and all(isinstance(r, ValidationError) for r in refused)


def test_concurrent_submissions_get_gapless_registry_numbers(grants: Grants) -> None:
    g = grants
    drafts = [complete_draft(g) for _ in range(8)]
    results = run_together(
        [(lambda d=d: services.application_submit(application=d, actor=g.editor)) for d in drafts]
    )
    assert results == [None] * 8
    year = timezone.localdate().year
    numbers = sorted(
        int(n.split("/")[1]) for n in Application.objects.values_list("registry_number", flat=True)
    )
    assert numbers == list(range(1, 9))
    assert all(
        n.startswith(f"KFN {year}/")
        for n in Application.objects.values_list("registry_number", flat=True)
    )


def test_concurrent_payments_never_exceed_the_decided_amount(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = grants
    application = proposed(g, amount="40000")
    decide_proposal(application, g.decision_maker)
    seen = services.payment_version(application)
    paid = services.amount_paid

    def slow_paid(*args: object, **kwargs: object) -> Decimal:
        total = paid(*args, **kwargs)  # type: ignore[arg-type]
        time.sleep(0.3)
        return total

    monkeypatch.setattr(services.payments, "amount_paid", slow_paid)

    def payment() -> None:
        services.payment_register(
            application=application,
            actor=g.officer,
            amount=Decimal("25000"),
            paid_on=timezone.localdate(),
            reference="x",
            seen_version=seen,
        )

    results = run_together([payment, payment])
    from grants.models import Payment

    assert Payment.objects.count() == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
