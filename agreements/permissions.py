"""Who may see, write, handle, decide and sign an IOP agreement: the one place these rules live.

Selectors (`visible_q` is the queryset form of `can_view`), views and templates (what is
offered) and services (authoritative) all ask these predicates.

- See: a person with a role (case officer or decision maker) at a public body that is a party
  to the agreement, or is responsible for it; and any member of an organisation that is a party.
- Write (text, comments, contributions, follow-up records): a representative or editor of an
  organisation party, and a case officer of a public body party who may act for the public side.
  A contribution only for a party the person acts for (`acts_for_party`).
- Handle (screening, steps, legal review, follow-up plan and review, ending, parties, public PDF):
  a case officer of the responsible public body. Decide: a case officer or decision maker of it.
- Sign for a party: an organisation's representative (at the moment of signing); a case officer
  or decision maker of that public body. One person signs for one party of an agreement, and
  nobody chooses themselves as a public body's signatory (`signatory_refusal`). What waits for
  a signature is listed by `may_sign_q`, the queryset form of `can_sign_for`.
- Segregation of duties (`organisations.segregation`): whoever is affiliated with an
  organisation party, or declared a conflict of interest (jäv) on the agreement, never acts for
  the public side. They may still see the agreement, and act for the organisation they belong to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementStatus, Party
from organisations import segregation
from organisations import selectors as organisation_selectors
from organisations.models import OrganisationRole
from portal.models import PublicBodyRole, User
from portal.selectors import user_memberships

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

AnyUser = User | AnonymousUser

EDITABLE = {AgreementStatus.CO_CREATION, AgreementStatus.AMENDMENT}
WRITERS = {OrganisationRole.REPRESENTATIVE, OrganisationRole.EDITOR}
PUBLIC_ROLES = {PublicBodyRole.CASE_OFFICER, PublicBodyRole.DECISION_MAKER}


# --- what a person is: read once per request and kept on the user object ------------------


def organisation_roles(user: AnyUser) -> dict[int, str]:
    """organisation id → the person's role in it now (the register's selector)."""
    return organisation_selectors.organisation_roles(user=user)


def forget(user: AnyUser) -> None:
    """Drop what was read for this request (after the person's roles changed)."""
    organisation_selectors.forget_organisation_roles(user=user)
    segregation.forget(user)


def body_ids(user: AnyUser, roles: Iterable[str] = PUBLIC_ROLES) -> set[int]:
    """The public bodies where the person holds one of these roles."""
    wanted = set(roles)
    return {m.public_body_id for m in user_memberships(user=user) if m.role in wanted}


def _parties(agreement: Agreement) -> list[Party]:
    return list(agreement.parties.all())


def organisation_ids_of(agreement: Agreement) -> list[int]:
    return [p.organisation_id for p in _parties(agreement) if p.organisation_id]


def public_body_ids_of(agreement: Agreement) -> set[int]:
    """The responsible body and every public body that is a party."""
    return {agreement.public_body_id} | {
        p.public_body_id for p in _parties(agreement) if p.public_body_id
    }


def is_excluded(user: AnyUser, agreement: Agreement) -> bool:
    """Segregation of duties: the person must stay out of the public side of this agreement."""
    return segregation.is_excluded(
        user, organisation_ids=organisation_ids_of(agreement), case=agreement
    )


def refusal(user: AnyUser, agreement: Agreement) -> StrOrPromise | None:
    """Why the person is refused, when it is segregation of duties (None: a bare refusal)."""
    return segregation.EXCLUDED_MESSAGE if is_excluded(user, agreement) else None


def ensure(allowed: bool, user: AnyUser, agreement: Agreement) -> None:
    """The services' refusal: PermissionDenied, saying why when it is segregation of duties."""
    if not allowed:
        why = refusal(user, agreement)
        if why:
            raise PermissionDenied(why)
        raise PermissionDenied


# --- see ----------------------------------------------------------------------------------


def visible_q(user: AnyUser) -> Q:
    """The queryset form of `can_view` (on `Agreement`); the two must agree."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    bodies = body_ids(user)
    organisations = set(organisation_roles(user))
    # The parties as a subquery, not a join: no row per party to deduplicate, and a list can be
    # read in its index order (`agreement_recent`) and stop after a page.
    parties = Party.objects.filter(
        Q(public_body_id__in=bodies) | Q(organisation_id__in=organisations)
    ).values("agreement_id")
    return Q(public_body_id__in=bodies) | Q(pk__in=parties)


def can_view(user: AnyUser, agreement: Agreement) -> bool:
    if not user.is_authenticated:
        return False
    if body_ids(user) & public_body_ids_of(agreement):
        return True
    return bool(set(organisation_roles(user)) & set(organisation_ids_of(agreement)))


# --- the public side ----------------------------------------------------------------------


def acts_for_public_side(user: AnyUser, agreement: Agreement, *, roles: Iterable[str]) -> bool:
    """Holds one of the roles at the responsible body and is not excluded from the case."""
    return agreement.public_body_id in body_ids(user, roles) and not is_excluded(user, agreement)


def can_handle(user: AnyUser, agreement: Agreement) -> bool:
    """The case officer's steps: screening, moving on, legal review, follow-up plan and
    review, ending, adding parties, publishing the signed PDF."""
    return acts_for_public_side(user, agreement, roles=[PublicBodyRole.CASE_OFFICER])


def prepared_or_recorded(user: AnyUser, agreement: Agreement) -> bool:
    """Did this person do the legal review, record the decision or send the current round for
    signing (an amendment too)? Four eyes on the public side: they then do not sign for a
    public body."""
    return user.pk is not None and user.pk in {
        agreement.legal_reviewed_by_id,
        agreement.decision_recorded_by_id,
        agreement.sent_to_signing_by_id,
    }


def can_decide(user: AnyUser, agreement: Agreement) -> bool:
    """Record the committee's decision (its date and protocol reference) and send the
    agreement for signing. Whoever records it does not sign for a public body."""
    return acts_for_public_side(user, agreement, roles=PUBLIC_ROLES)


def can_initiate(user: AnyUser, *, organisation_id: int, public_body_id: int) -> bool:
    """File an initiative: the organisation's representative or editor, or an officer of the
    public body on the organisation's behalf (not one affiliated with it)."""
    if organisation_roles(user).get(organisation_id) in WRITERS:
        return True
    return public_body_id in body_ids(user) and not segregation.is_excluded(
        user, organisation_ids=[organisation_id]
    )


# --- write --------------------------------------------------------------------------------


def is_organisation_writer(user: AnyUser, agreement: Agreement) -> bool:
    """A representative or editor of an organisation that is a party."""
    roles = organisation_roles(user)
    return any(roles.get(pk) in WRITERS for pk in organisation_ids_of(agreement))


def is_public_writer(user: AnyUser, agreement: Agreement) -> bool:
    """A case officer of a public body party (or the responsible body), not excluded."""
    officer_bodies = body_ids(user, [PublicBodyRole.CASE_OFFICER])
    return bool(officer_bodies & public_body_ids_of(agreement)) and not is_excluded(user, agreement)


def can_contribute(user: AnyUser, agreement: Agreement) -> bool:
    """Takes part in writing: sections, comments, contributions, follow-up records (the
    services check separately whether the agreement is at a stage where that is possible)."""
    return is_organisation_writer(user, agreement) or is_public_writer(user, agreement)


def acts_for_party(user: AnyUser, party: Party) -> bool:
    """Speaks for this party in what it brings (its contributions): for an organisation, its
    representative or editor; for a public body, a case officer of that body who is not
    excluded from the agreement (segregation of duties, jäv)."""
    if not user.is_authenticated:
        return False
    if party.organisation_id:
        return organisation_roles(user).get(party.organisation_id) in WRITERS
    return party.public_body_id in body_ids(user, [PublicBodyRole.CASE_OFFICER]) and not (
        is_excluded(user, party.agreement)
    )


def contribution_parties(user: AnyUser, agreement: Agreement) -> list[Party]:
    """The parties the person may add a contribution for (`acts_for_party`)."""
    return [p for p in _parties(agreement) if acts_for_party(user, p)]


def can_edit(user: AnyUser, agreement: Agreement) -> bool:
    """May change the agreement text and contributions now."""
    return agreement.status in EDITABLE and can_contribute(user, agreement)


# --- sign ---------------------------------------------------------------------------------


def can_sign_for(user: AnyUser, party: Party) -> bool:
    """May sign (or become the signatory) for this party, judged at this moment: an
    organisation's representative; a case officer or decision maker of the public body who is
    not excluded from the agreement by segregation of duties, and who neither did its legal
    review nor recorded its decision."""
    if not user.is_authenticated:
        return False
    if party.organisation_id:
        return organisation_roles(user).get(party.organisation_id) == (
            OrganisationRole.REPRESENTATIVE
        )
    if party.public_body_id not in body_ids(user):
        return False
    # Four eyes: the public body's signature is never given by the person who prepared the
    # agreement or recorded its decision.
    return not is_excluded(user, party.agreement) and not prepared_or_recorded(
        user, party.agreement
    )


def may_sign_q(user: AnyUser) -> Q:
    """The queryset form of `can_sign_for` (on `Party`); the two must agree. For lists of what
    waits for the person's signature (the to-do list): read from what is kept on the user
    object, so the same queries however many parties there are."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    represents = [
        pk
        for pk, role in organisation_roles(user).items()
        if role == OrganisationRole.REPRESENTATIVE
    ]
    public = (
        Q(public_body_id__in=body_ids(user))
        & ~Q(agreement__legal_reviewed_by_id=user.pk)
        & ~Q(agreement__decision_recorded_by_id=user.pk)
        & ~Q(agreement__sent_to_signing_by_id=user.pk)
    )
    excluded = segregation.excluded_organisation_ids(user)
    if excluded:
        public &= ~Q(
            agreement_id__in=Party.objects.filter(organisation_id__in=excluded).values(
                "agreement_id"
            )
        )
    agreement_type = ContentType.objects.get_for_model(Agreement).pk
    declared = [int(pk) for t, pk in segregation.declared_conflicts(user) if t == agreement_type]
    if declared:
        public &= ~Q(agreement_id__in=declared)
    return Q(organisation_id__in=represents) | public


def other_party_signed_for(user: AnyUser, party: Party) -> Party | None:
    """The other party of the same agreement this person is already the signatory of (None:
    none). One person signs for one party: an agreement is between parties, not with oneself."""
    if user.pk is None:
        return None
    return next(
        (p for p in _parties(party.agreement) if p.pk != party.pk and p.signatory_id == user.pk),
        None,
    )


def signatory_refusal(user: AnyUser, party: Party, *, chosen_by: AnyUser) -> StrOrPromise | None:
    """Why this person may not become the party's signatory when `chosen_by` names them (None:
    they may). Asked by the service that sets a signatory (authoritative), the signatory
    candidates and the page's buttons:
    - they must be able to sign for it (`can_sign_for`);
    - they are not the signatory of another party of the agreement;
    - nobody chooses themselves as a public body's signatory (four eyes: who chooses does not
      sign; an organisation's representative says themselves that they sign)."""
    other = other_party_signed_for(user, party)
    if other is not None:
        if user.pk == chosen_by.pk:
            return _(
                "You already sign for %(other)s in this agreement, so you cannot also sign for "
                "%(party)s. Each party signs through its own person."
            ) % {"other": other, "party": party}
        return _(
            "%(name)s already signs for %(other)s in this agreement, so they cannot also sign "
            "for %(party)s. Each party signs through its own person."
        ) % {"name": getattr(user, "display_name", ""), "other": other, "party": party}
    if party.public_body_id and user.pk == chosen_by.pk:
        return _(
            "You cannot choose yourself as the signatory for %(party)s. Another officer of the "
            "public body chooses you, or you choose someone else."
        ) % {"party": party}
    if not can_sign_for(user, party):
        return _(
            "The signatory must be a representative of the organisation or an officer of the "
            "public body."
        )
    return None


def may_become_signatory(user: AnyUser, party: Party, *, chosen_by: AnyUser) -> bool:
    return signatory_refusal(user, party, chosen_by=chosen_by) is None


def can_set_signatory(user: AnyUser, party: Party) -> bool:
    """Chooses who signs for a party: the party's own side (an organisation's representative or
    editor; a case officer or decision maker of the public body, not excluded), or the
    responsible case officer (`can_handle`). The person chosen must pass `can_sign_for`."""
    if not user.is_authenticated:
        return False
    if party.organisation_id and organisation_roles(user).get(party.organisation_id) in WRITERS:
        return True
    if party.public_body_id and can_sign_for(user, party):
        return True
    return can_handle(user, party.agreement)


def may_declare_conflict(user: AnyUser, agreement: Agreement) -> bool:
    """Offer the jäv declaration to officers of the public side who have not made one."""
    if not body_ids(user) & public_body_ids_of(agreement):
        return False
    return not segregation.conflict_exists(user, agreement)  # type: ignore[arg-type]
