"""The signing: rounds, signatories, signatures with a fresh second factor, and the numbered,
locked versions whose PDF/A a worker renders on commit."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements import de_minimis, permissions, tasks
from agreements.models import (
    SECTIONS,
    Agreement,
    AgreementVersion,
    Contribution,
    Party,
    Signature,
    StateAidRoute,
)
from agreements.notifications import agreement_people
from agreements.services._shared import (
    S,
    _locked,
    _void_signatures,
    live_signatures,
    next_version_number,
)
from agreements.services.cocreation import agreement_transition
from portal import second_factor, transitions
from portal.models import User
from portal.money import format_sek
from portal.notifications import notify
from portal.services import audit_record
from portal.tasks import enqueue_on_commit
from portal.versions import audit_note, check_seen, fingerprint

if TYPE_CHECKING:
    from portal.eid.signing import Proof


def agreement_snapshot(agreement: Agreement, *, version: int | None = None) -> dict[str, Any]:
    """The agreement's text as data for the PDF and the locked version, always in the portal's
    language (the agreement's own): its headings and labels, and so its fingerprint, are the
    same whichever language the person signing reads the portal in."""
    with translation.override(settings.LANGUAGE_CODE):
        return _snapshot(agreement, version=version)


def _snapshot(agreement: Agreement, *, version: int | None) -> dict[str, Any]:
    parties = list(agreement.parties.select_related("public_body", "organisation", "signatory"))
    contributions = list(
        Contribution.objects.filter(party__agreement=agreement).select_related(
            "party__public_body", "party__organisation"
        )
    )
    entry = (
        de_minimis.ledger_entry(agreement)
        if de_minimis.regulation_of(agreement.state_aid_route) is not None
        else None
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
        # de minimis aid: the statement of the decision's ledger entry (regulation, euro, rate)
        "de_minimis": de_minimis.statement(entry) if entry else "",
        "procurement": agreement.procurement_assessment,
        "decision": f"{agreement.decision_date:%Y-%m-%d}, {agreement.decision_reference}"
        if agreement.decision_date
        else "",
        "signatures": [
            {
                "party": str(s.party),
                "name": s.signed_by.display_name,
                "at": timezone.localtime(s.signed_at).strftime("%Y-%m-%d %H:%M"),
                "confirmed": second_factor.describe(
                    s.confirmed_with, name=s.eid_name, loa=s.eid_loa
                ),
            }
            for s in signatures
        ],
    }


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


@transaction.atomic
def agreement_sign(
    *,
    agreement: Agreement,
    actor: User,
    party: Party,
    seen_version: str | None,
    code: str = "",
    proof: Proof | None = None,
) -> Signature | AgreementVersion:
    """The party's signatory approves the text they saw. At this moment: the agreement is in
    signing, the person is the party's signatory and still may sign for it (role checked now),
    has not signed for another party in this round, saw the current text (`seen_version`), and
    confirms with a fresh code from their authenticator app or a fresh e-legitimation
    (`proof`). The signature keeps how it was confirmed beside the hash of the text. When every
    party has signed the same text, it becomes a locked, numbered version and its PDF is
    rendered."""
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
    confirmation = second_factor.confirm(actor=actor, code=code, proof=proof)
    signature = Signature.objects.create(
        agreement=agreement,
        number=number,
        party=party,
        signed_by=actor,
        text_sha256=current,
        **confirmation.evidence(),
    )
    audit_record(
        actor=actor,
        obj=agreement,
        action="signed",
        comment=audit_note(f"{party} v{number}, {confirmation.describe()}", current[:16]),
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
    responsible case officer; never someone who signs for another party of the agreement, and
    never oneself for a public body (`permissions.signatory_refusal`). Replacing a signatory
    while the agreement is being signed voids that party's signature in the round and tells every party."""
    agreement = _locked(party.agreement)
    party = (
        Party.objects.select_for_update(of=("self",)).select_related("signatory").get(pk=party.pk)
    )
    permissions.ensure(permissions.can_set_signatory(actor, party), actor, agreement)
    previous = party.signatory
    if previous is not None and previous.pk == signatory.pk:
        return party
    why = permissions.signatory_refusal(signatory, party, chosen_by=actor)
    if why:
        raise ValidationError(why)
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
def agreement_set_pdf_public(*, agreement: Agreement, actor: User, public: bool) -> Agreement:
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    agreement.pdf_public = public
    agreement.save(update_fields=["pdf_public", "updated_at"])
    audit_record(actor=actor, obj=agreement, action="pdf_public" if public else "pdf_not_public")
    return agreement
