"""The agreement's state machine and co-creation: the initiative, the screening, the sections,
contributions, comments and parties. Status changes go through `agreement_transition` (the
table `AGREEMENT_MACHINE`, run by `portal.transitions`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements import permissions
from agreements.models import (
    SCREENING_CRITERIA,
    SECTIONS,
    Agreement,
    AgreementStatus,
    Contribution,
    Party,
    SectionComment,
    SectionRevision,
)
from agreements.notifications import agreement_people
from agreements.services._shared import (
    EDITABLE,
    S,
    _locked,
    _void_signatures,
    live_signatures,
    next_version_number,
)
from organisations import services as organisation_services
from organisations.models import Organisation
from portal import transitions
from portal.formats import long_date
from portal.models import AuditEvent, PublicBody, User
from portal.money import format_sek
from portal.notifications import notify
from portal.services import audit_record, registry_number_allocate
from portal.transitions import Machine, Move, Rule, Transition


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
            recipients=agreement_people(move.obj, to_sign=True),
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


def check_term(*, start: date | None, end: date | None) -> None:
    """The proposed term runs forwards: an end before the start is refused, naming the field."""
    if start and end and end < start:
        raise ValidationError(
            {
                "proposed_end": [
                    _("“Proposed end” cannot be before “Proposed start” (%(start)s).")
                    % {"start": long_date(start)}
                ]
            }
        )


@transaction.atomic
def agreement_initiate(
    *, actor: User, organisation: Organisation, public_body: PublicBody, data: dict[str, Any]
) -> Agreement:
    """An association (or an officer on its behalf) files an IOP initiative."""
    if not permissions.can_initiate(
        actor, organisation_id=organisation.pk, public_body_id=public_body.pk
    ):
        raise PermissionDenied
    check_term(start=data.get("proposed_start"), end=data.get("proposed_end"))
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


def section_title(section: str) -> str:
    """The section's title, for messages and the audit trail; refuses an unknown section."""
    titles = dict(SECTIONS)
    if section not in titles:
        raise ValidationError(_("Unknown section."))
    return str(titles[section])


@transaction.atomic
def agreement_section_save(
    *,
    agreement: Agreement,
    actor: User,
    section: str,
    text: str,
    seen_revision: int | None = None,
) -> Agreement:
    """Either side writes a section while the agreement is being created or amended. Each save
    that changes the text keeps it as a `SectionRevision` (who, when), so two saved states can
    be compared. A form passes `seen_revision`, the section's last saved text as the editor
    opened it (0: none yet); when someone else saved the section since, nothing is saved."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_contribute(actor, agreement), actor, agreement)
    if agreement.status not in EDITABLE:
        raise ValidationError(
            _("The agreement text can only be changed during co-creation or an amendment.")
        )
    title = section_title(section)
    latest = (
        SectionRevision.objects.filter(agreement=agreement, section=section)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    if seen_revision is not None and seen_revision != (latest or 0):
        raise ValidationError(
            {
                "text": ValidationError(
                    _(
                        "Someone else saved “%(section)s” after you opened it. Nothing was saved. "
                        "Compare your text with the saved one below, then save again."
                    )
                    % {"section": title},
                    code="stale",
                )
            }
        )
    before = agreement.sections.get(section, "")
    after = text.strip()
    if before != after:
        agreement.sections = {**agreement.sections, section: after}
        agreement.save(update_fields=["sections", "updated_at"])
        SectionRevision.objects.create(
            agreement=agreement, section=section, text=after, author=actor
        )
        audit_record(actor=actor, obj=agreement, action="section_saved", comment=title)
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
    party.agreement = agreement
    if not permissions.acts_for_party(actor, party):
        raise ValidationError(
            _(
                "You can only add a contribution for a party you act for: your organisation, "
                "or as a case officer your public body. Nothing was added for %(party)s."
            )
            % {"party": party}
        )
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


@transaction.atomic
def section_comment_add(
    *, agreement: Agreement, actor: User, section: str, text: str
) -> SectionComment:
    permissions.ensure(permissions.can_contribute(actor, agreement), actor, agreement)
    title = section_title(section)
    if not text.strip():
        raise ValidationError(
            {"text": [_("Write your comment on “%(section)s”.") % {"section": title}]}
        )
    comment = SectionComment.objects.create(
        agreement=agreement, section=section, text=text.strip(), author=actor
    )
    audit_record(actor=actor, obj=agreement, action="commented", comment=title)
    transitions.record_changed(agreement)  # a page drawn before is stale
    return comment


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
