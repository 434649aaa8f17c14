"""Every write of the de minimis ledger: an aid decided here (called inside a grant's or an
IOP agreement's decision), the organisation's declaration of aid from others, and the links
that make organisations one undertaking. The rules are `organisations.state_aid`.

Two decisions for the same undertaking at the same moment must never cross the ceiling
together: `lock_undertaking` locks the rows of every organisation of the undertaking, in the
order of their ids, before the sum is read, so the second decision reads the first one's
entry. Linking organisations takes the same locks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations import permissions, state_aid
from organisations.models import (
    AidDeclaration,
    AidEntry,
    AidInstrument,
    AidOrigin,
    AidRegulation,
    Organisation,
    OrganisationRole,
    Undertaking,
    UndertakingMember,
)
from organisations.services._shared import _ensure_officer_may_act
from portal.formats import long_date, short_date
from portal.models import PublicBody, User
from portal.money import format_sek
from portal.services import audit_record

SOURCE_DECLARATION = "organisations.declaration"


def lock_undertaking(organisation_id: int) -> list[int]:
    """Lock every organisation of the organisation's undertaking (in id order, so that two
    decisions never wait for each other in a circle) and return their ids. Should a link
    change between the reading and the locking, it is read again under the locks."""
    for _attempt in range(5):
        ids = state_aid.undertaking_ids(organisation_id)
        list(
            Organisation.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if state_aid.undertaking_ids(organisation_id) == ids:
            return ids
    raise RuntimeError("the undertaking kept changing while it was being locked")


@transaction.atomic
def aid_grant(
    *,
    organisation: Organisation,
    actor: User,
    regulation: str,
    decided_on: dt.date,
    amount_sek: Decimal,
    public_body: PublicBody,
    source_kind: str,
    source_id: int,
    source_reference: str,
    since: dt.datetime,
    since_label: str,
    instrument: str = AidInstrument.GRANT,
    gross_grant_equivalent_sek: Decimal | None = None,
) -> AidEntry:
    """Enter a de minimis aid decided here, after every check under the undertaking's locks
    (`state_aid.check`); a ValidationError with the reasons otherwise, and nothing entered.
    The caller (a decision service) holds its own case's lock and runs this inside its
    transaction, so the decision and its entry are kept or lost together."""
    if regulation not in (AidRegulation.DE_MINIMIS, AidRegulation.SGEI):
        raise ValueError(f"aid is granted here under 2023/2831 or 2023/2832, not {regulation}")
    lock_undertaking(organisation.pk)
    gross = amount_sek if gross_grant_equivalent_sek is None else gross_grant_equivalent_sek
    current, amount_eur = state_aid.check(
        organisation=organisation,
        at=decided_on,
        amount_sek=gross,
        regulation=regulation,
        since=since,
        since_label=since_label,
        excluding=(source_kind, source_id),
    )
    # a case decided again (an IOP agreement taken back from signing and decided anew) keeps
    # one entry, as its latest decision says: the source is unique in the ledger
    entry, _created = AidEntry.objects.update_or_create(
        origin=AidOrigin.DECIDED,
        source_kind=source_kind,
        source_id=source_id,
        defaults={
            "organisation": organisation,
            "regulation": regulation,
            "decided_on": decided_on,
            "granting_body": public_body.name,
            "public_body": public_body,
            "instrument": instrument,
            "amount_sek": amount_sek,
            "gross_grant_equivalent_sek": gross,
            "sek_per_eur": current.rate.sek_per_eur,
            "rate_date": current.rate.rate_date,
            "rate_source": current.rate.source,
            "amount_eur": amount_eur,
            "sector": organisation.sector,
            "source_reference": source_reference,
            "recorded_by": actor,
        },
    )
    audit_record(
        actor=actor,
        obj=organisation,
        action="de_minimis_granted",
        comment=_("De minimis aid %(amount)s (%(eur)s), %(reference)s, decided %(date)s")
        % {
            "amount": format_sek(gross),
            "eur": state_aid.format_eur(amount_eur),
            "reference": source_reference,
            "date": short_date(decided_on),
        },
    )
    return entry


@dataclass(frozen=True)
class DeclaredAid:
    """One aid from another granting body, as the organisation declares it."""

    granting_body: str
    decided_on: dt.date
    regulation: str
    instrument: str
    amount_sek: Decimal
    gross_grant_equivalent_sek: Decimal | None = None
    amount_eur: Decimal | None = None  # as the other body's decision states it, when it does
    reference: str = ""

    def as_text(self) -> dict[str, str]:
        return {
            "granting_body": self.granting_body,
            "decided_on": self.decided_on.isoformat(),
            "regulation": self.regulation,
            "instrument": self.instrument,
            "amount_sek": str(self.amount_sek),
            "gross_grant_equivalent_sek": str(self.gross_grant_equivalent_sek or ""),
            "amount_eur": str(self.amount_eur or ""),
            "reference": self.reference,
        }


def declaration_period_start(today: dt.date | None = None) -> dt.date:
    return state_aid.window_start(today or timezone.localdate())


# A euro amount stated in another body's decision is taken as it stands when it agrees with
# the kronor at a rate within this share of today's: the krona has moved less than that against
# the euro in the three years that count, and a mistyped amount (a missing zero) moves it more.
RATE_TOLERANCE = Decimal("0.25")


def _euro_mismatch(eur: Decimal, gross: Decimal, rate: state_aid.Rate) -> str:
    """Why `eur` cannot be what the decision says of `gross` kronor, or ""."""
    implied = gross / eur
    if abs(implied - rate.sek_per_eur) <= rate.sek_per_eur * RATE_TOLERANCE:
        return ""
    return _(
        "The amount in euro does not match the amount in kronor: at about %(rate)s SEK per "
        "euro, %(sek)s is about %(eur)s. Check both amounts in the decision, or leave the "
        "euro amount empty."
    ) % {
        "rate": f"{rate.sek_per_eur:.2f}".replace(".", ","),
        "sek": format_sek(gross),
        "eur": state_aid.format_eur(rate.to_eur(gross)),
    }


def declared_date_problem(decided_on: dt.date, *, today: dt.date | None = None) -> str:
    """Why a declared aid's decision date does not belong in a declaration made `today`, or
    "": it is in the future, or before the three years that count. The form asks this of a
    date as soon as it is typed, whatever else the row lacks."""
    today = today or timezone.localdate()
    start = declaration_period_start(today)
    if decided_on > today:
        return _("The decision date cannot be in the future.")
    if decided_on < start:
        return _(
            "Aid decided before %(date)s no longer counts: leave it out of the declaration."
        ) % {"date": long_date(start)}
    return ""


def _item_problems(item: DeclaredAid, *, today: dt.date, rate: state_aid.Rate) -> dict[str, str]:
    """What is wrong with one declared aid, by the field it is about."""
    problems: dict[str, str] = {}
    if not item.granting_body.strip():
        problems["granting_body"] = _("Name the body that granted the aid.")
    date_problem = declared_date_problem(item.decided_on, today=today)
    if date_problem:
        problems["decided_on"] = date_problem
    if item.regulation not in AidRegulation.values:
        problems["regulation"] = _("Choose the regulation the aid was granted under.")
    if item.instrument not in AidInstrument.values:
        problems["instrument"] = _("Choose the form of aid.")
    if item.amount_sek <= 0:
        problems["amount_sek"] = _("Give the amount in kronor, more than 0.")
    gross = item.gross_grant_equivalent_sek
    if gross is not None and item.instrument == AidInstrument.GRANT and gross != item.amount_sek:
        problems["gross_grant_equivalent_sek"] = _(
            "For a grant of money the gross grant equivalent is the amount itself: leave the "
            "field empty."
        )
    elif gross is not None and not 0 < gross <= item.amount_sek:
        problems["gross_grant_equivalent_sek"] = _(
            "The gross grant equivalent is more than 0 and at most the amount."
        )
    if item.amount_eur is not None and item.amount_eur <= 0:
        problems["amount_eur"] = _("The amount in euro is more than 0, or left empty.")
    elif item.amount_eur is not None and not problems.keys() & {
        "amount_sek",
        "gross_grant_equivalent_sek",
    }:
        mismatch = _euro_mismatch(item.amount_eur, gross or item.amount_sek, rate)
        if mismatch:
            problems["amount_eur"] = mismatch
    return problems


def aid_declaration_problems(
    *,
    items: dict[int, DeclaredAid],
    none_received: bool,
    certified: bool,
    listed: bool | None = None,
) -> dict[str, list[str]]:
    """Every reason a declaration cannot be signed, nothing written: by field of a row
    ("item-<n>-<field>", n the row's key in `items`), "none_received" and "certified". A page
    whose rows are not all readable yet passes the readable ones and `listed` (whether any row
    was filled in at all), so the person sees every reason at once."""
    today = timezone.localdate()
    rate, _ceilings = state_aid.current_settings()
    errors: dict[str, list[str]] = {}
    for index, item in items.items():
        for name, problem in _item_problems(item, today=today, rate=rate).items():
            errors[f"item-{index}-{name}"] = [problem]
    listed = bool(items) if listed is None else listed
    if none_received and listed:
        errors["none_received"] = [
            _(
                "You have listed aid: remove it, or untick that the organisation has received "
                "no de minimis aid from others."
            )
        ]
    if not none_received and not listed:
        errors["none_received"] = [
            _("List the aid received, or tick that the organisation received none.")
        ]
    if not certified:
        errors["certified"] = [_("Certify that the declaration is true and complete.")]
    return errors


@transaction.atomic
def aid_declaration_sign(
    *,
    organisation: Organisation,
    actor: User,
    items: list[DeclaredAid],
    none_received: bool,
    certified: bool,
) -> AidDeclaration:
    """A representative declares, on the organisation's behalf, the de minimis aid it received
    from other bodies in the last three years (each aid), or that it received none, and
    certifies that the declaration is true and complete. The declaration is the next version;
    the entries of the one before stop counting. A ValidationError names what to correct."""
    if not permissions.can_act_for(actor, organisation, OrganisationRole.REPRESENTATIVE):
        raise PermissionDenied
    lock_undertaking(organisation.pk)
    errors = aid_declaration_problems(
        items=dict(enumerate(items)), none_received=none_received, certified=certified
    )
    if errors:
        raise ValidationError(errors)
    start = declaration_period_start()
    rate, _ceilings = state_aid.current_settings()
    now = timezone.now()
    number = (
        AidDeclaration.objects.filter(organisation=organisation).aggregate(last=Max("number"))[
            "last"
        ]
        or 0
    ) + 1
    text = json.dumps(
        {
            "organisation": organisation.organisation_number or organisation.pk,
            "period_start": start.isoformat(),
            "none_received": none_received,
            "items": [item.as_text() for item in items],
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    declaration = AidDeclaration.objects.create(
        organisation=organisation,
        number=number,
        period_start=start,
        none_received=none_received,
        declared_by=actor,
        declared_by_name=actor.display_name,
        declared_at=now,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    AidEntry.objects.filter(
        organisation=organisation, origin=AidOrigin.DECLARED, superseded_at__isnull=True
    ).update(superseded_at=now)
    entries = []
    for item in items:
        gross = (
            item.amount_sek
            if item.gross_grant_equivalent_sek is None
            else item.gross_grant_equivalent_sek
        )
        rate_date: dt.date | None
        if item.amount_eur is not None:
            # the other body's decision states the euro amount: its figure is the one that counts
            eur = item.amount_eur
            sek_per_eur = (gross / eur).quantize(Decimal("0.0001")) if gross else rate.sek_per_eur
            rate_date, rate_source = item.decided_on, str(_("stated in the decision"))
        else:
            eur = rate.to_eur(gross)
            sek_per_eur, rate_date, rate_source = rate.sek_per_eur, rate.rate_date, rate.source
        entries.append(
            AidEntry(
                organisation=organisation,
                origin=AidOrigin.DECLARED,
                regulation=item.regulation,
                decided_on=item.decided_on,
                granting_body=item.granting_body.strip(),
                instrument=item.instrument,
                amount_sek=item.amount_sek,
                gross_grant_equivalent_sek=gross,
                sek_per_eur=sek_per_eur,
                rate_date=rate_date,
                rate_source=rate_source,
                amount_eur=eur,
                eur_stated=item.amount_eur is not None,
                sector=organisation.sector,
                source_kind=SOURCE_DECLARATION,
                source_id=declaration.pk,
                source_reference=item.reference.strip()[:100],
                declaration=declaration,
                recorded_by=actor,
            )
        )
    AidEntry.objects.bulk_create(entries)
    audit_record(
        actor=actor,
        obj=organisation,
        action="aid_declared",
        comment=_("Declaration of de minimis aid, version %(number)s: %(what)s")
        % {
            "number": number,
            "what": _("no aid received")
            if none_received
            else _("%(count)s aid(s) listed") % {"count": len(items)},
        },
    )
    return declaration


def _ensure_may_link(actor: User, organisations: list[Organisation]) -> None:
    for organisation in organisations:
        _ensure_officer_may_act(actor, organisation)


@transaction.atomic
def undertaking_link(
    *, actor: User, organisation: Organisation, other: Organisation, reason: str
) -> Undertaking:
    """A case officer records that two organisations form one undertaking (and with them every
    organisation either is already linked to), with the reason. From now on their de minimis
    aid counts together."""
    _ensure_may_link(actor, [organisation, other])
    errors: dict[str, list[str]] = {}
    if other.pk == organisation.pk:
        errors["other"] = [_("Choose another organisation than this one.")]
    if not reason.strip():
        errors["reason"] = [
            _("Give the reason, e.g. that the association owns the company's shares.")
        ]
    if errors:
        raise ValidationError(errors)
    ids = sorted(
        set(state_aid.undertaking_ids(organisation.pk)) | set(state_aid.undertaking_ids(other.pk))
    )
    list(
        Organisation.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    members = {
        member.organisation_id: member
        for member in UndertakingMember.objects.select_for_update().filter(organisation_id__in=ids)
    }
    if (
        organisation.pk in members
        and members.get(other.pk) is not None
        and (members[organisation.pk].undertaking_id == members[other.pk].undertaking_id)
    ):
        raise ValidationError({"other": [_("The two organisations already form one undertaking.")]})
    undertaking = (
        members[organisation.pk].undertaking
        if organisation.pk in members
        else members[other.pk].undertaking
        if other.pk in members
        else Undertaking.objects.create()
    )
    for pk in ids:
        member = members.get(pk)
        if member is None:
            UndertakingMember.objects.create(
                undertaking=undertaking,
                organisation_id=pk,
                reason=reason.strip(),
                added_by=actor,
            )
        elif member.undertaking_id != undertaking.pk:
            member.undertaking = undertaking
            member.save(update_fields=["undertaking"])
    linked = Organisation.objects.in_bulk(ids)
    names = {pk: linked[pk].name for pk in ids}
    for pk in (organisation.pk, other.pk):
        audit_record(
            actor=actor,
            obj=linked[pk],
            action="undertaking_linked",
            comment=_("One undertaking with %(others)s: %(reason)s")
            % {
                "others": ", ".join(names[i] for i in ids if i != pk),
                "reason": reason.strip(),
            },
        )
    return undertaking


@transaction.atomic
def undertaking_unlink(*, actor: User, organisation: Organisation, reason: str) -> None:
    """A case officer takes the organisation out of its undertaking, with the reason. Aid
    already decided stays in the ledger; it no longer counts for the others."""
    _ensure_officer_may_act(actor, organisation)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason the link has ended.")]})
    ids = lock_undertaking(organisation.pk)
    member = UndertakingMember.objects.filter(organisation=organisation).first()
    if member is None:
        raise ValidationError(
            {"reason": [_("The organisation is not linked to any other organisation.")]}
        )
    member.delete()
    rest = UndertakingMember.objects.filter(undertaking_id=member.undertaking_id)
    if rest.count() == 1:  # a lone organisation is no longer linked to anyone
        rest.delete()
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    audit_record(
        actor=actor,
        obj=organisation,
        action="undertaking_unlinked",
        comment=_("No longer one undertaking with %(others)s: %(reason)s")
        % {
            "others": ", ".join(names[i] for i in ids if i != organisation.pk),
            "reason": reason.strip(),
        },
    )
