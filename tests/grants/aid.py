"""A grant programme classed as de minimis aid, for the tests: the world of the `de_minimis`
fixture (the grants world with its programme classed, a rate of 11 kr to the euro and the
organisation's declaration), aid declared from the region, and a case taken to review and
proposed with the assessment of economic activity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from grants import services
from grants.models import Application, Programme, StateAidClass
from organisations import services as organisation_services
from organisations.models import AidInstrument, AidRegulation, StateAidSettings
from tests.grants.conftest import Grants, score_all, submitted

D = Decimal
REASONS = "Föreningen säljer biljetter till evenemanget i konkurrens med kommersiella arrangörer."
NBSP = "\u00a0"


def set_up(grants: Grants) -> Grants:
    """The grants of `grants`, with the programme classed as de minimis aid, 11 kr to the euro,
    and the organisation's declaration of no aid from others signed after the call opened (the
    `de_minimis` fixture of the grants' conftest)."""
    settings = StateAidSettings.load()
    settings.sek_per_eur = D("11.0000")
    settings.rate_date = dt.date(2026, 11, 1)
    settings.rate_source = "Europeiska kommissionens månadskurs (InforEuro)"
    settings.ceiling_eur = 300_000
    settings.sgei_ceiling_eur = 750_000
    settings.save()
    classify(grants.programme, StateAidClass.DE_MINIMIS)
    declare(grants)
    return grants


def classify(programme: Programme, state_aid_class: str) -> None:
    programme.state_aid_class = state_aid_class
    programme.state_aid_reasons = "Bidraget går till evenemang med entréavgifter."
    programme.full_clean()
    programme.save()


def declare(g: Grants, *items: organisation_services.DeclaredAid) -> None:
    organisation_services.aid_declaration_sign(
        organisation=g.organisation,
        actor=g.representative,
        items=list(items),
        none_received=not items,
        certified=True,
    )


def from_the_region(eur: str, days_ago: int = 100) -> organisation_services.DeclaredAid:
    """De minimis aid of `eur` euro from the region (as its decision states it)."""
    return organisation_services.DeclaredAid(
        granting_body="Region Exempel",
        decided_on=timezone.localdate() - dt.timedelta(days=days_ago),
        regulation=AidRegulation.DE_MINIMIS,
        instrument=AidInstrument.GRANT,
        amount_sek=D(eur) * 11,
        amount_eur=D(eur),
    )


def in_review(g: Grants, amount: str = "40000") -> Application:
    application = submitted(g, amount=amount)
    services.application_start_review(application=application, actor=g.officer)
    application.refresh_from_db()
    score_all(g, application)
    return application


def propose(
    g: Grants,
    application: Application,
    *,
    outcome: str = "approve",
    amount: Decimal | None = None,
    economic_activity: bool | None = True,
    reasons: str = REASONS,
) -> Application:
    services.application_propose(
        application=application,
        actor=g.officer,
        outcome=outcome,
        amount=amount,
        motivation="Bra evenemang.",
        seen_version=services.proposal_version(application),
        economic_activity=economic_activity,
        economic_activity_reasons=reasons,
    )
    application.refresh_from_db()
    return application


def proposed_aid(g: Grants, **kwargs: object) -> Application:
    return propose(g, in_review(g), **kwargs)  # type: ignore[arg-type]
