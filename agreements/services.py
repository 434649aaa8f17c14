"""Every write of the IOP agreements. Status changes go through `agreement_transition` (the
table `AGREEMENT_MACHINE`, run by `portal.transitions`); signing turns the agreed text into a
numbered, locked version whose PDF/A a worker renders on commit."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements import permissions, tasks
from agreements.models import (
    SCREENING_CRITERIA,
    SECTIONS,
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Contribution,
    Party,
    Signature,
    StateAidRoute,
)
from agreements.notifications import agreement_people
from organisations import services as organisation_services
from organisations.models import Organisation
from portal import transitions
from portal.models import AuditEvent, PublicBody, User
from portal.money import format_sek
from portal.notifications import notify
from portal.services import audit_record, registry_number_allocate
from portal.tasks import enqueue_on_commit
from portal.transitions import Machine, Move, Rule, Transition
from portal.versions import audit_note, check_seen, fingerprint

S = AgreementStatus
EDITABLE = permissions.EDITABLE
DE_MINIMIS_ROUTES = {StateAidRoute.DE_MINIMIS, StateAidRoute.SGEI_DE_MINIMIS}


def _round_signed(actor: User, agreement: Agreement) -> bool:
    """Every party's signature of the round is in (only `agreement_sign` gets here, then)."""
    number = next_version_number(agreement) - 1
    signed = set(live_signatures(agreement, number).values_list("party_id", flat=True))
    return bool(number) and signed == set(agreement.parties.values_list("pk", flat=True))


# A case officer of the responsible body; a case officer or decision maker of it; the signing.
OFFICER: Rule[Agreement] = Rule(permissions.can_handle, reason=permissions.refusal)
DECIDER: Rule[Agreement] = Rule(permissions.can_decide, reason=permissions.refusal)
SIGNED: Rule[Agreement] = Rule(_round_signed)


def _agreement_apply(move: Move[Agreement]) -> None:
    if move.source == S.SIGNING and move.target != S.ACTIVE:
        _void_signatures(move.obj, actor=move.actor)
    if move.target == S.SIGNING:
        move.obj.sent_to_signing_by = move.actor  # who sends a round for signing does not sign it


def _agreement_done(move: Move[Agreement], event: AuditEvent) -> None:
    if move.target == S.SIGNING:
        notify(
            kind="agreement_to_sign",
            obj=move.obj,
            recipients=agreement_people(move.obj),
            due_date=timezone.localdate(),
        )


# The steps with a button in the agreement's status panel; the others are made through their
# own form (screening, legal review, decision, ending, stopping the signing) or by the signing.
AGREEMENT_MACHINE: Machine[Agreement] = Machine(
    states=AgreementStatus,
    cannot=gettext_lazy("The agreement cannot go from “%(from)s” to “%(to)s”."),
    transitions=[
        Transition(S.INITIATIVE, S.SCREENING, OFFICER, label=gettext_lazy("Start the screening")),
        Transition(S.SCREENING, S.NOT_IOP, OFFICER),
        Transition(S.SCREENING, S.CO_CREATION, OFFICER),
        Transition(
            S.CO_CREATION, S.LEGAL_REVIEW, OFFICER, label=gettext_lazy("On to legal review")
        ),
        Transition(S.LEGAL_REVIEW, S.DECISION, OFFICER),
        Transition(S.DECISION, S.SIGNING, DECIDER),
        Transition(S.SIGNING, S.ACTIVE, SIGNED),
        # out of signing to change the text (agreement_signing_withdraw); the round's
        # signatures are voided on the way out
        Transition(S.SIGNING, S.CO_CREATION, OFFICER),
        Transition(S.SIGNING, S.AMENDMENT, OFFICER),
        Transition(
            S.ACTIVE,
            S.AMENDMENT,
            OFFICER,
            label=gettext_lazy("Start an amendment"),
            secondary=True,
        ),
        Transition(
            S.AMENDMENT,
            S.SIGNING,
            OFFICER,
            label=gettext_lazy("Send the amendment for signing"),
        ),
        Transition(S.ACTIVE, S.ENDED, OFFICER),
        Transition(S.ACTIVE, S.TERMINATED, OFFICER),
        Transition(S.AMENDMENT, S.TERMINATED, OFFICER),
    ],
    apply=_agreement_apply,
    done=_agreement_done,
)


# Who may do what is decided in agreements/permissions.py, nowhere else.


def agreement_transition(
    *,
    agreement: Agreement,
    to: str,
    actor: User,
    comment: str = "",
    seen_state: str | None = None,
) -> Agreement:
    """Move the agreement to `to` (`AGREEMENT_MACHINE`). Other fields the caller changed on
    `agreement` are saved with it, in the same transaction; a page's form passes the
    `seen_state` it showed (`portal.transitions.state_token`)."""
    return transitions.transition(
        AGREEMENT_MACHINE, agreement, to=to, actor=actor, comment=comment, seen_state=seen_state
    )


def _locked(agreement: Agreement) -> Agreement:
    return Agreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)


@transaction.atomic
def agreement_initiate(
    *, actor: User, organisation: Organisation, public_body: PublicBody, data: dict[str, Any]
) -> Agreement:
    """An association (or an officer on its behalf) files an IOP initiative."""
    if not permissions.can_initiate(
        actor, organisation_id=organisation.pk, public_body_id=public_body.pk
    ):
        raise PermissionDenied
    agreement = Agreement.objects.create(
        initiating_organisation=organisation, public_body=public_body, created_by=actor, **data
    )
    Party.objects.create(agreement=agreement, organisation=organisation)
    Party.objects.create(agreement=agreement, public_body=public_body)
    agreement.registry_number = registry_number_allocate(
        public_body=public_body, year=timezone.localdate().year
    )
    agreement.save(update_fields=["registry_number"])
    audit_record(actor=actor, obj=agreement, action="initiated", to_state=S.INITIATIVE)
    return agreement


@transaction.atomic
def agreement_screen(
    *,
    agreement: Agreement,
    actor: User,
    answers: dict[str, dict[str, Any]],
    is_iop: bool,
    comment: str,
) -> Agreement:
    """Record the IOP criteria checklist; the outcome is co-creation or "not an IOP"."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    missing = [label for key, label in SCREENING_CRITERIA if key not in answers]
    if missing:
        raise ValidationError(
            [_("Answer the criterion “%(criterion)s”.") % {"criterion": label} for label in missing]
        )
    if not is_iop and not comment.strip():
        raise ValidationError({"comment": [_("Tell the association why this is not an IOP.")]})
    agreement.screening = answers
    agreement.screening_comment = comment.strip()
    return agreement_transition(
        agreement=agreement,
        to=S.CO_CREATION if is_iop else S.NOT_IOP,
        actor=actor,
        comment=comment.strip(),
    )


@transaction.atomic
def agreement_section_save(
    *, agreement: Agreement, actor: User, section: str, text: str
) -> Agreement:
    """Either side writes a section while the agreement is being created or amended."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_contribute(actor, agreement), actor, agreement)
    if agreement.status not in EDITABLE:
        raise ValidationError(
            _("The agreement text can only be changed during co-creation or an amendment.")
        )
    if section not in dict(SECTIONS):
        raise ValidationError(_("Unknown section."))
    before = agreement.sections.get(section, "")
    if before != text.strip():
        agreement.sections = {**agreement.sections, section: text.strip()}
        agreement.save(update_fields=["sections", "updated_at"])
        audit_record(
            actor=actor, obj=agreement, action="section_saved", comment=str(dict(SECTIONS)[section])
        )
    return agreement


@transaction.atomic
def contribution_add(
    *,
    agreement: Agreement,
    actor: User,
    party: Party,
    year: int,
    kind: str,
    description: str,
    value: Decimal,
) -> Contribution:
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_contribute(actor, agreement), actor, agreement)
    if agreement.status not in EDITABLE:
        raise ValidationError(
            _("Contributions can only be changed during co-creation or an amendment.")
        )
    if party.agreement_id != agreement.pk or value < 0:
        raise ValidationError(_("Give a party of this agreement and a value of at least 0."))
    contribution = Contribution.objects.create(
        party=party, year=year, kind=kind, description=description.strip(), value=value
    )
    audit_record(
        actor=actor,
        obj=agreement,
        action="contribution_added",
        comment=f"{party} {year}: {format_sek(value)}",
    )
    transitions.record_changed(agreement)  # a page drawn before is stale
    return contribution


def de_minimis_total(
    *, organisation: Organisation, at: date, excluding: Agreement | None = None
) -> Decimal:
    """De minimis aid to the organisation decided in the rolling three years up to `at`
    (from the same date three years earlier, inclusive)."""
    start = (
        at.replace(year=at.year - 3)
        if not (at.month == 2 and at.day == 29)
        else date(at.year - 3, 2, 28)
    )
    agreements = Agreement.objects.filter(
        parties__organisation=organisation,
        state_aid_route__in=DE_MINIMIS_ROUTES,
        decision_date__gte=start,
        decision_date__lte=at,
    )
    if excluding is not None:
        agreements = agreements.exclude(pk=excluding.pk)
    return agreements.aggregate(total=Sum("state_aid_amount"))["total"] or Decimal(0)


def de_minimis_ceiling_sek() -> Decimal:
    return Decimal(settings.DE_MINIMIS_CEILING_EUR) * Decimal(settings.SEK_PER_EUR)


@transaction.atomic
def agreement_legal_review(
    *, agreement: Agreement, actor: User, procurement: str, route: str, amount: Decimal | None
) -> list[str]:
    """Record why this is not a purchase and the state-aid route; move on to the decision.
    Returns warnings (the de minimis ceiling) for the officer to see."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    errors: dict[str, list[str]] = {}
    if not procurement.strip():
        errors["procurement"] = [_("Explain why this is not a purchase under LOU.")]
    if route not in StateAidRoute.values:
        errors["route"] = [_("Choose the state-aid route.")]
    if route != StateAidRoute.NOT_ECONOMIC and (amount is None or amount < 0):
        errors["amount"] = [_("Give the amount of aid.")]
    if errors:
        raise ValidationError(errors)
    agreement.procurement_assessment = procurement.strip()
    agreement.state_aid_route = route
    agreement.state_aid_amount = amount
    agreement.legal_reviewed_by = actor
    agreement_transition(
        agreement=agreement, to=S.DECISION, actor=actor, comment=str(StateAidRoute(route).label)
    )
    warnings = []
    if route in DE_MINIMIS_ROUTES:
        total = de_minimis_total(
            organisation=agreement.initiating_organisation,
            at=timezone.localdate(),
            excluding=agreement,
        )
        total += amount or Decimal(0)
        if total > de_minimis_ceiling_sek():
            warnings.append(
                _(
                    "The organisation's de minimis aid over three years would be %(total)s, above the ceiling of %(ceiling)s."
                )
                % {"total": format_sek(total), "ceiling": format_sek(de_minimis_ceiling_sek())}
            )
    return warnings


@transaction.atomic
def agreement_decide(
    *, agreement: Agreement, actor: User, decided_on: date, reference: str
) -> Agreement:
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_decide(actor, agreement), actor, agreement)
    if not reference.strip():
        raise ValidationError({"reference": [_("Give the protocol reference (§).")]})
    agreement.decision_date = decided_on
    agreement.decision_reference = reference.strip()
    agreement.decision_recorded_by = actor
    return agreement_transition(
        agreement=agreement,
        to=S.SIGNING,
        actor=actor,
        comment=f"{decided_on:%Y-%m-%d} {reference.strip()}",
    )


def agreement_snapshot(agreement: Agreement, *, version: int | None = None) -> dict[str, Any]:
    """The agreement's text as data for the PDF and the locked version."""
    parties = list(agreement.parties.select_related("public_body", "organisation", "signatory"))
    contributions = list(
        Contribution.objects.filter(party__agreement=agreement).select_related(
            "party__public_body", "party__organisation"
        )
    )
    total = sum((c.value for c in contributions), start=Decimal(0))
    organisation_part = sum(
        (c.value for c in contributions if c.party.organisation_id), start=Decimal(0)
    )
    signatures = list(
        agreement.signatures.filter(number=version or 0, voided_at__isnull=True).select_related(
            "party__public_body", "party__organisation", "signed_by"
        )
    )
    return {
        "title": agreement.title,
        "registry_number": agreement.registry_number or "",
        "version": version,
        "challenge": agreement.challenge,
        "idea": agreement.idea,
        "target_group": agreement.target_group,
        "parties": [
            {
                "name": str(p),
                "organisation_number": p.organisation.organisation_number
                if p.organisation_id and p.organisation
                else "",
                "signatory": p.signatory.display_name if p.signatory else "",
            }
            for p in parties
        ],
        "sections": [
            {"key": key, "title": str(title), "text": agreement.sections.get(key, "")}
            for key, title in SECTIONS
        ],
        "contributions": [
            {
                "year": c.year,
                "party": str(c.party),
                "kind": c.get_kind_display(),
                "description": c.description,
                "value": format_sek(c.value),
            }
            for c in contributions
        ],
        "contributions_total": format_sek(total),
        "organisation_share": round(organisation_part * 100 / total) if total else 0,
        "term": " – ".join(str(d) for d in (agreement.proposed_start, agreement.proposed_end) if d),
        "state_aid": str(StateAidRoute(agreement.state_aid_route).label)
        if agreement.state_aid_route
        else "",
        "procurement": agreement.procurement_assessment,
        "decision": f"{agreement.decision_date:%Y-%m-%d}, {agreement.decision_reference}"
        if agreement.decision_date
        else "",
        "signatures": [
            {
                "party": str(s.party),
                "name": s.signed_by.display_name,
                "at": timezone.localtime(s.signed_at).strftime("%Y-%m-%d %H:%M"),
            }
            for s in signatures
        ],
    }


def next_version_number(agreement: Agreement) -> int:
    return (
        agreement.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1


def text_fingerprint(agreement: Agreement) -> str:
    """The sha256 of what the parties agree to: the text, the terms and contributions, and who
    the parties legally are (an organisation's organisation number and name, a public body's
    registry prefix and name). Not the people: a signatory's display name is not part of what
    is signed, so changing it does not make the signatures stale."""
    content = agreement_snapshot(agreement)
    content.pop("signatures")
    content.pop("version")
    parties = agreement.parties.select_related("public_body", "organisation").order_by("pk")
    content["parties"] = [
        {
            "organisation_number": p.organisation.organisation_number,
            "legal_name": p.organisation.name,
        }
        if p.organisation is not None
        else {
            "registry_prefix": p.public_body.registry_prefix if p.public_body else "",
            "legal_name": p.public_body.name if p.public_body else "",
        }
        for p in parties
    ]
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def signing_version(agreement: Agreement) -> str:
    """The version a signer sees: the round (the version the text is about to become) and the
    text's fingerprint. The signing form carries it; a change in between refuses the signature."""
    return fingerprint(next_version_number(agreement), text_fingerprint(agreement))


def live_signatures(agreement: Agreement, number: int) -> QuerySet[Signature]:
    """The signatures of round `number` that count (not voided by a restart or a replacement)."""
    return Signature.objects.filter(agreement=agreement, number=number, voided_at__isnull=True)


def signing_panel(*, agreement: Agreement) -> dict[str, Any]:
    """What the signing part of the agreement page shows: the version the signing form
    carries, and whether the round is stale (some parties signed a text or parties' legal
    details that have changed since; only a restart by the case officer gets it going again)."""
    number = next_version_number(agreement)
    current = text_fingerprint(agreement)
    return {
        "version": fingerprint(number, current),
        "stale": live_signatures(agreement, number).exclude(text_sha256=current).exists(),
    }


SIGNING_ATTEMPTS = 5  # wrong codes per person …
SIGNING_ATTEMPTS_WINDOW = 300  # … in this many seconds before signing waits


def _failed_codes_key(user: User) -> str:
    return f"agreements.sign.failed_codes:{user.pk}"


def _verify_second_factor(*, actor: User, code: str) -> None:
    """A fresh second factor at the moment of signing: a current code from the signer's
    authenticator app, accepted once (allauth remembers used codes for their whole window).
    Wrong codes are counted; after SIGNING_ATTEMPTS the person waits."""
    authenticator = Authenticator.objects.filter(user=actor, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        raise ValidationError(
            {
                "code": _(
                    "Signing needs two-factor authentication. Set up an authenticator app "
                    "under your account, then sign."
                )
            },
            code="no_totp",
        )
    key = _failed_codes_key(actor)
    if (cache.get(key) or 0) >= SIGNING_ATTEMPTS:
        raise ValidationError(
            {"code": _("Too many wrong codes. Wait a few minutes, then try again.")},
            code="throttled",
        )
    normalised = "".join((code or "").split())
    if not (normalised.isdigit() and TOTP(authenticator).validate_code(normalised)):
        cache.add(key, 0, timeout=SIGNING_ATTEMPTS_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, timeout=SIGNING_ATTEMPTS_WINDOW)
        raise ValidationError(
            {
                "code": _(
                    "The code from your authenticator app is wrong or has already been used. "
                    "Nothing was signed. Wait for the next code in the app and try again."
                )
            },
            code="bad_code",
        )
    cache.delete(key)
    authenticator.record_usage()


@transaction.atomic
def agreement_sign(
    *,
    agreement: Agreement,
    actor: User,
    party: Party,
    code: str,
    seen_version: str | None,
) -> Signature | AgreementVersion:
    """The party's signatory approves the text they saw. At this moment: the agreement is in
    signing, the person is the party's signatory and still may sign for it (role checked now),
    has not signed for another party in this round, saw the current text (`seen_version`), and
    gives a fresh code from their authenticator app. When every party has signed the same text,
    it becomes a locked, numbered version and its PDF is rendered."""
    agreement = _locked(agreement)
    if agreement.status != S.SIGNING:
        raise ValidationError(_("The agreement is not waiting for signatures."))
    party = Party.objects.select_related("organisation", "public_body").get(pk=party.pk)
    if party.agreement_id != agreement.pk or party.signatory_id != actor.pk:
        raise PermissionDenied
    permissions.forget(actor)  # the roles as they are now, not as read earlier in the request
    if party.public_body_id and permissions.prepared_or_recorded(actor, agreement):
        raise PermissionDenied(
            _(
                "You prepared this agreement, recorded its decision or sent it for signing, so "
                "someone else signs for %(party)s (four eyes)."
            )
            % {"party": party}
        )
    if not permissions.can_sign_for(actor, party):
        raise PermissionDenied(
            _("You no longer have the role needed to sign for %(party)s.") % {"party": party}
        )
    number = next_version_number(agreement)
    round_ = live_signatures(agreement, number)
    if round_.filter(signed_by=actor).exclude(party=party).exists():
        raise ValidationError(
            _("You have already signed for another party. Each party signs through its own person.")
        )
    current = text_fingerprint(agreement)
    check_seen(seen=seen_version, current=fingerprint(number, current))
    if round_.exclude(text_sha256=current).exists():
        raise ValidationError(
            _(
                "The agreement text or a party's legal details changed after some parties had "
                "signed. Nothing was signed. A case officer must restart the signing."
            )
        )
    if round_.filter(party=party).exists():
        raise ValidationError(_("This party has already signed."))
    _verify_second_factor(actor=actor, code=code)
    signature = Signature.objects.create(
        agreement=agreement, number=number, party=party, signed_by=actor, text_sha256=current
    )
    audit_record(
        actor=actor,
        obj=agreement,
        action="signed",
        comment=audit_note(f"{party} v{number}", current[:16]),
    )
    parties = set(agreement.parties.values_list("pk", flat=True))
    if parties != set(round_.values_list("party_id", flat=True)):
        return signature
    version = AgreementVersion.objects.create(
        agreement=agreement, number=number, content=agreement_snapshot(agreement, version=number)
    )
    agreement_transition(agreement=agreement, to=S.ACTIVE, actor=actor, comment=f"v{number}")
    enqueue_on_commit(tasks.render_version_pdf, version.pk)
    notify(
        kind="agreement_signed",
        obj=version,
        recipients=agreement_people(agreement),
        due_date=timezone.localdate(),
    )
    return version


def _void_signatures(agreement: Agreement, *, actor: User, party: Party | None = None) -> list[str]:
    """Void the live signatures of the current round (of one party, or all); they stay as
    evidence. Returns who had signed, for the audit comment."""
    signatures = live_signatures(agreement, next_version_number(agreement)).select_related(
        "party__organisation", "party__public_body", "signed_by"
    )
    if party is not None:
        signatures = signatures.filter(party=party)
    voided = [f"{s.party}: {s.signed_by.display_name}" for s in signatures]
    signatures.update(voided_at=timezone.now(), voided_by=actor)
    return voided


def _tell_parties(*, kind: str, agreement: Agreement, event: Any, also: list[User]) -> None:
    notify(
        kind=kind,
        obj=event,
        recipients=[*agreement_people(agreement), *also],
        due_date=timezone.localdate(),
    )


@transaction.atomic
def agreement_signing_restart(*, agreement: Agreement, actor: User, reason: str) -> Agreement:
    """A case officer restarts a failed signing round: every signature of the round is voided,
    every party is told and signs again. The way out when, for example, an organisation's legal
    name changed after some parties had signed."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    if agreement.status != S.SIGNING:
        raise ValidationError(_("Only an agreement that is being signed can restart its signing."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for restarting the signing.")]})
    voided = _void_signatures(agreement, actor=actor)
    event = audit_record(
        actor=actor,
        obj=agreement,
        action="signing_restarted",
        comment=" ".join([reason.strip(), *([f"({'; '.join(voided)})"] if voided else [])]),
    )
    _tell_parties(kind="agreement_signing_restarted", agreement=agreement, event=event, also=[])
    return agreement


@transaction.atomic
def agreement_signing_withdraw(*, agreement: Agreement, actor: User, reason: str) -> Agreement:
    """A case officer takes the agreement out of signing to change the text: back to
    co-creation (or to the amendment, when a version is already in force). The round's
    signatures are voided (by the transition) and every party is told."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    if agreement.status != S.SIGNING:
        raise ValidationError(_("The agreement is not being signed."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for stopping the signing.")]})
    to = S.AMENDMENT if agreement.versions.exists() else S.CO_CREATION
    agreement_transition(agreement=agreement, to=to, actor=actor, comment=reason.strip())
    event = audit_record(
        actor=actor, obj=agreement, action="signing_withdrawn", comment=reason.strip()
    )
    _tell_parties(kind="agreement_signing_restarted", agreement=agreement, event=event, also=[])
    return agreement


@transaction.atomic
def party_set_signatory(*, party: Party, actor: User, signatory: User) -> Party:
    """Name the person who signs for a party: its own representative (or officer), or the
    responsible case officer. Replacing a signatory while the agreement is being signed voids
    that party's signature in the round and tells every party."""
    agreement = _locked(party.agreement)
    party = (
        Party.objects.select_for_update(of=("self",)).select_related("signatory").get(pk=party.pk)
    )
    permissions.ensure(permissions.can_set_signatory(actor, party), actor, agreement)
    if not permissions.can_sign_for(signatory, party):
        raise ValidationError(
            _(
                "The signatory must be a representative of the organisation or an officer of the public body."
            )
        )
    previous = party.signatory
    if previous is not None and previous.pk == signatory.pk:
        return party
    party.signatory = signatory
    party.save(update_fields=["signatory"])
    transitions.record_changed(agreement)  # a page drawn before is stale
    if agreement.status == S.SIGNING and previous is not None:
        voided = _void_signatures(agreement, actor=actor, party=party)
        event = audit_record(
            actor=actor,
            obj=agreement,
            action="signatory_replaced",
            comment=f"{party}: {previous.display_name} → {signatory.display_name}"
            + (_(" (signature cleared)") if voided else ""),
        )
        _tell_parties(
            kind="agreement_signatory_replaced", agreement=agreement, event=event, also=[previous]
        )
        return party
    audit_record(
        actor=actor,
        obj=agreement,
        action="signatory_set",
        comment=f"{party}: {signatory.display_name}",
    )
    return party


@transaction.atomic
def section_comment_add(*, agreement: Agreement, actor: User, section: str, text: str) -> Any:
    from agreements.models import SectionComment

    permissions.ensure(permissions.can_contribute(actor, agreement), actor, agreement)
    if section not in dict(SECTIONS) or not text.strip():
        raise ValidationError(_("Write a comment on one of the sections."))
    comment = SectionComment.objects.create(
        agreement=agreement, section=section, text=text.strip(), author=actor
    )
    audit_record(
        actor=actor, obj=agreement, action="commented", comment=str(dict(SECTIONS)[section])
    )
    transitions.record_changed(agreement)  # a page drawn before is stale
    return comment


@transaction.atomic
def agreement_end(
    *, agreement: Agreement, actor: User, on: date, reason: str = "", terminate: bool = False
) -> Agreement:
    """The agreement ends at its term, or is terminated early with a reason."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    if terminate and not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the termination.")]})
    agreement.ended_on = on
    agreement.end_reason = reason.strip()
    return agreement_transition(
        agreement=agreement,
        to=S.TERMINATED if terminate else S.ENDED,
        actor=actor,
        comment=f"{on:%Y-%m-%d} {reason.strip()}".strip(),
    )


@transaction.atomic
def agreement_set_pdf_public(*, agreement: Agreement, actor: User, public: bool) -> Agreement:
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    agreement.pdf_public = public
    agreement.save(update_fields=["pdf_public", "updated_at"])
    audit_record(actor=actor, obj=agreement, action="pdf_public" if public else "pdf_not_public")
    return agreement


@transaction.atomic
def follow_up_plan(*, agreement: Agreement, actor: User, due: date, text: str) -> Any:
    """The officer puts a follow-up point of the plan on the calendar."""
    from agreements.models import FollowUp

    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    if not text.strip():
        raise ValidationError({"text": [_("Say what is to be followed up.")]})
    point = FollowUp.objects.create(
        agreement=agreement, due_date=due, plan=text.strip(), recorded_by=actor
    )
    audit_record(
        actor=actor,
        obj=agreement,
        action="follow_up_planned",
        comment=f"{due:%Y-%m-%d}: {text.strip()}",
    )
    transitions.record_changed(agreement)  # a page drawn before is stale
    return point


@transaction.atomic
def follow_up_record(*, point: Any, actor: User, text: str) -> Any:
    """Either side records what happened, measured against the goals."""
    agreement = _locked(point.agreement)
    permissions.ensure(permissions.can_contribute(actor, agreement), actor, agreement)
    if agreement.status not in Agreement.LIVE_STATUSES:
        raise ValidationError(_("Follow-up is recorded while the agreement is active."))
    if not text.strip():
        raise ValidationError({"text": [_("Describe what happened, measured against the goals.")]})
    point.text = text.strip()
    point.recorded_by = actor
    point.recorded_at = timezone.now()
    point.reviewed_by = None
    point.reviewed_at = None
    point.save()
    audit_record(actor=actor, obj=agreement, action="follow_up_recorded", comment=point.plan)
    transitions.record_changed(agreement)  # a page drawn before is stale
    return point


@transaction.atomic
def follow_up_review(*, point: Any, actor: User) -> Any:
    agreement = _locked(point.agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    if not point.text:
        raise ValidationError(_("Nothing has been recorded yet."))
    point.reviewed_by = actor
    point.reviewed_at = timezone.now()
    point.save(update_fields=["reviewed_by", "reviewed_at"])
    audit_record(actor=actor, obj=agreement, action="follow_up_reviewed", comment=point.plan)
    return point


@transaction.atomic
def party_add(
    *,
    agreement: Agreement,
    actor: User,
    public_body: PublicBody | None = None,
    organisation: Organisation | None = None,
) -> Party:
    """The officer adds another public body or organisation as a party during co-creation."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    if agreement.status not in EDITABLE:
        raise ValidationError(_("Parties can only be added during co-creation or an amendment."))
    if (public_body is None) == (organisation is None):
        raise ValidationError(_("Choose a public body or an organisation."))
    existing = (
        agreement.parties.filter(public_body=public_body)
        if public_body
        else agreement.parties.filter(organisation=organisation)
    )
    if existing.exists():
        raise ValidationError(_("It is already a party to the agreement."))
    party = Party.objects.create(
        agreement=agreement, public_body=public_body, organisation=organisation
    )
    audit_record(actor=actor, obj=agreement, action="party_added", comment=str(party))
    transitions.record_changed(agreement)  # a page drawn before is stale
    if organisation is not None:
        # a conflict of interest declared in the agreement covers its new party too
        organisation_services.conflict_extend(case=agreement, organisation=organisation)
    return party
