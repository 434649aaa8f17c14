"""Every read of the IOP agreements a view makes, scoped to who asks; 404 for the others."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.options import Options
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import de_minimis, permissions
from agreements.models import (
    SECTIONS,
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Contribution,
    Party,
    SectionComment,
    SectionRevision,
    Signature,
)
from organisations import segregation, state_aid
from organisations.models import (
    AidDeclaration,
    AidEntry,
    AidOrigin,
    AidRegulation,
    Organisation,
)
from portal.models import AuditEvent, PublicBodyMembership, PublicBodyRole, User
from portal.pagination import kept_count, person_key, query_key
from portal.prepared import Prepared, one_of_slot
from portal.rows import from_values
from portal.selectors import recent_history
from portal.sql import one_of

PUBLIC_STATUSES = [*Agreement.LIVE_STATUSES, AgreementStatus.ENDED, AgreementStatus.TERMINATED]


def agreements_for_user(*, user: User | AnonymousUser) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(permissions.visible_q(user))
        .select_related("public_body", "initiating_organisation")
        .order_by("-updated_at", "-id")
    )


def agreements_for_officer(*, user: User | AnonymousUser) -> QuerySet[Agreement]:
    """The agreements of the public bodies where the person is a case officer or decision
    maker (responsible, or a party): the officer's own IOP list."""
    bodies = permissions.body_ids(user)
    # A party is asked for through a subquery, not a join: the list is then read in the order
    # of `agreement_recent` and stops after a page, whatever the number of agreements. Only the
    # columns the list shows are read: not the agreement's texts or the whole organisation
    # (two thirds of the time of a page of 25).
    return (
        Agreement.objects.filter(
            Q(one_of("public_body_id", bodies))
            | Q(
                pk__in=Party.objects.filter(one_of("public_body_id", bodies)).values("agreement_id")
            )
        )
        .select_related("public_body", "initiating_organisation")
        .only(*OFFICER_LIST_COLUMNS)
        .order_by("-updated_at", "-id")
    )


OFFICER_LIST_COLUMNS = (
    "pk",
    "title",
    "registry_number",
    "status",
    "updated_at",
    "public_body__name",
    "initiating_organisation__name",
)


def status_counts(*, agreements: QuerySet[Agreement]) -> dict[str, int]:
    """How many of these agreements are in each status: one query, kept a short while under
    its own SQL, as a list's count is (`portal.pagination.kept_count`)."""
    counts = (
        agreements.order_by()
        .values_list("status")
        .annotate(count=Count("*"))  # from the index alone, without reading each row's id
        .values_list("status", "count")
    )
    return kept_count(query_key(counts), lambda: dict(counts))


def initiatives_to_screen(*, user: User | AnonymousUser) -> int:
    """Initiatives filed with the public bodies where the person is a case officer (who
    screens them), that wait to be screened, without those the person must stay out of
    (segregation of duties): one query. The case handling page's card and the overview's
    to-do list both show it; kept a short while, as a list's count is
    (`portal.pagination.kept_count`)."""
    initiatives = segregation.exclude_conflicted(
        Agreement.objects.filter(
            public_body_id__in=permissions.body_ids(user, [PublicBodyRole.CASE_OFFICER]),
            status=AgreementStatus.INITIATIVE,
        ),
        user,
        organisation_field="parties__organisation_id",
    ).order_by()
    return kept_count(person_key("initiatives-waiting", user), initiatives.count)


def signatures_waiting(*, user: User | AnonymousUser) -> QuerySet[Party]:
    """The parties the person is the chosen signatory of, in agreements waiting for signatures,
    that have not signed the current round yet, and that the person may sign for now
    (`permissions.may_sign_q`, the rule the signing itself applies: their role, four eyes,
    segregation of duties): one query."""
    current_round = (
        Coalesce(
            Subquery(
                AgreementVersion.objects.filter(agreement_id=OuterRef("agreement_id"))
                .order_by("-number")
                .values("number")[:1]
            ),
            0,
        )
        + 1
    )
    return (
        Party.objects.filter(signatory_id=user.pk or 0, agreement__status=AgreementStatus.SIGNING)
        .filter(permissions.may_sign_q(user))
        .annotate(current_round=current_round)
        .exclude(
            Exists(
                Signature.objects.filter(
                    party_id=OuterRef("pk"),
                    number=OuterRef("current_round"),
                    voided_at__isnull=True,
                )
            )
        )
        .select_related("agreement", "organisation", "public_body")
        .order_by("agreement__updated_at", "id")
    )


def agreement_get_for_user(*, user: User | AnonymousUser, pk: int) -> Agreement:
    """For whom `permissions.can_view` admits: members of a party organisation, officers of
    the responsible public body and of every public body that is a party."""
    agreement = (
        agreements_for_user(user=user)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("public_body", "organisation", "signatory"),
            ),
            Prefetch("versions", queryset=AgreementVersion.objects.order_by("-number")),
        )
        .first()
    )
    if agreement is None:
        raise Http404
    return agreement


@dataclass(frozen=True)
class CeilingRow:
    """One ceiling on the de minimis panel: what counts against it, and the room left."""

    regulation: str
    label: str
    counted_eur: Decimal
    ceiling_eur: Decimal
    headroom_eur: Decimal
    headroom_sek: Decimal
    applies: bool  # the agreement's route grants under this one

    @property
    def counted(self) -> str:
        return state_aid.format_eur(self.counted_eur)

    @property
    def ceiling(self) -> str:
        return state_aid.format_eur(self.ceiling_eur)

    @property
    def headroom(self) -> str:
        return state_aid.format_eur(self.headroom_eur)


@dataclass(frozen=True)
class LedgerRow:
    """An aid that counts, as the panel lists it."""

    decided_on: date
    granting_body: str
    regulation: str
    eur: str
    declared: bool
    reference: str


@dataclass(frozen=True)
class DeMinimisPanel:
    """What the legal review and the decision show of the organisation's de minimis aid: its
    undertaking's aid in the three years up to `at`, under each ceiling, the room left (euro
    and kronor), when aid stops counting, the declaration of aid from others, the rate; and,
    once the route is de minimis aid, the agreement's own amount and whether it fits."""

    at: date
    start: date
    organisation: str
    linked: list[str]
    rows: list[CeilingRow]
    entries: list[LedgerRow]
    releases: list[tuple[date, str]]  # the day aid stops counting, and how much
    rate: str
    declaration: AidDeclaration | None
    declaration_missing: str
    regulation: str | None
    amount_sek: Decimal | None
    amount_eur: Decimal | None
    refusal: str

    @property
    def amount_in_eur(self) -> str:
        return state_aid.format_eur(self.amount_eur)


def de_minimis_panel(*, agreement: Agreement, at: date | None = None) -> DeMinimisPanel:
    """The de minimis panel of the agreement's initiating organisation (the aid's recipient) on
    `at` (today by default): five queries at most, whatever the aid counted."""
    at = at or timezone.localdate()
    organisation = agreement.initiating_organisation
    current = state_aid.standing(
        organisation_id=organisation.pk, at=at, excluding=(de_minimis.SOURCE_KIND, agreement.pk)
    )
    regulation = de_minimis.regulation_of(agreement.state_aid_route)
    amount = agreement.state_aid_amount if regulation is not None else None
    amount_eur = current.rate.to_eur(amount) if amount is not None else None
    rows = [
        CeilingRow(
            regulation=key,
            label=label,
            counted_eur=current.counted_for(key),
            ceiling_eur=current.ceiling_for(key),
            headroom_eur=current.headroom_eur(key),
            headroom_sek=current.headroom_sek(key),
            applies=regulation == key,
        )
        for key, label in (
            (AidRegulation.DE_MINIMIS, _("De minimis aid (2023/2831)")),
            (AidRegulation.SGEI, _("SGEI de minimis aid (2023/2832), all aid counted")),
        )
    ]
    others = [pk for pk in current.organisation_ids if pk != organisation.pk]
    declaration = state_aid.latest_declaration(organisation.pk)
    return DeMinimisPanel(
        at=at,
        start=current.start,
        organisation=organisation.name,
        linked=list(
            Organisation.objects.filter(pk__in=others)
            .order_by("name")
            .values_list("name", flat=True)
        )
        if others
        else [],
        rows=rows,
        entries=[
            LedgerRow(
                decided_on=e.decided_on,
                granting_body=e.granting_body,
                regulation=e.regulation,
                eur=state_aid.format_eur(e.amount_eur),
                declared=e.origin == AidOrigin.DECLARED,
                reference=e.source_reference,
            )
            for e in current.entries
        ],
        releases=[(r.day, state_aid.format_eur(r.amount_eur)) for r in current.releases[:3]],
        rate=current.rate.describe(),
        declaration=declaration,
        declaration_missing=state_aid.declaration_missing(
            declaration, since=agreement.created_at, since_label=str(de_minimis.SINCE_LABEL)
        ),
        regulation=regulation,
        amount_sek=amount,
        amount_eur=amount_eur,
        refusal=current.refusal(amount_eur=amount_eur, regulation=regulation)
        if regulation is not None and amount_eur is not None
        else "",
    )


def de_minimis_entry(*, agreement: Agreement) -> AidEntry | None:
    """The agreement's de minimis aid in the ledger (entered by its decision), or None."""
    return de_minimis.ledger_entry(agreement)


def contributions_of(*, agreement: Agreement) -> QuerySet[Contribution]:
    return Contribution.objects.filter(party__agreement=agreement).select_related(
        "party__public_body", "party__organisation"
    )


def comments_of(*, agreement: Agreement) -> QuerySet[SectionComment]:
    return agreement.comments.select_related("author")


def revisions_of(*, agreement: Agreement, section: str | None = None) -> QuerySet[SectionRevision]:
    """The saved texts of the agreement's sections (of one section), oldest first, with who saved
    them."""
    revisions = SectionRevision.objects.filter(agreement=agreement).select_related("author")
    if section is not None:
        revisions = revisions.filter(section=section)
    return revisions.order_by("id")


def latest_revision_id(*, agreement: Agreement, section: str) -> int:
    """The section's last saved text as an editor opens it (0: none yet)."""
    return (
        SectionRevision.objects.filter(agreement=agreement, section=section)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
        or 0
    )


def signatory_candidates(
    *, agreement: Agreement, parties: list[Party], chosen_by: User | AnonymousUser
) -> dict[int, list[User]]:
    """Who may sign for each public body party, to choose from (party id → people): its case
    officers and decision makers, except whoever must stay out of the case (segregation of
    duties), whoever prepared the agreement, recorded its decision or sent it for signing
    (four eyes), the person choosing (nobody chooses themselves) and whoever signs for another
    party. Two queries for all the parties; the service checks the chosen person again
    (`permissions.signatory_refusal`, which these exclusions follow)."""
    bodies = {p.public_body_id: p.pk for p in parties if p.public_body_id is not None}
    if not bodies:
        return {}
    excluded = segregation.connected_user_ids(
        permissions.organisation_ids_of(agreement), case=agreement
    ) | {
        agreement.legal_reviewed_by_id,
        agreement.decision_recorded_by_id,
        agreement.sent_to_signing_by_id,
        chosen_by.pk,
    }
    signs_for = {p.pk: p.signatory_id for p in agreement.parties.all()}
    memberships = (
        PublicBodyMembership.objects.filter(
            public_body_id__in=bodies,
            role__in=permissions.PUBLIC_ROLES,
            user__is_active=True,
        )
        .exclude(user_id__in=[pk for pk in excluded if pk is not None])
        .select_related("user")
        .order_by("user__name", "user_id")
    )
    people: dict[int, dict[int, User]] = {party_pk: {} for party_pk in bodies.values()}
    for membership in memberships:
        party_pk = bodies[membership.public_body_id]
        if any(
            pk != party_pk and signatory == membership.user_id
            for pk, signatory in signs_for.items()
        ):
            continue  # signs for another party of the agreement
        people[party_pk].setdefault(membership.user_id, membership.user)
    return {party_pk: list(users.values()) for party_pk, users in people.items()}


def history_of(*, agreement: Agreement) -> list[AuditEvent]:
    """The agreement's latest events, newest first (as many as its page shows)."""
    return recent_history(agreement)


# what a row of the public register shows (templates/agreements/_register_rows.jinja)
REGISTER_COLUMNS = (
    "pk",
    "title",
    "registry_number",
    "status",
    "idea",
    "proposed_start",
    "proposed_end",
    "pdf_public",
)


def public_register() -> QuerySet[Agreement, dict[str, Any]]:
    """Active and ended agreements, public documents, newest decision first: the columns the
    register shows, as values for `register_rows` (not the agreements' other texts)."""
    return (
        Agreement.objects.filter(one_of("status", PUBLIC_STATUSES))  # the register's index
        .order_by("-decision_date", "-id")
        .values(*REGISTER_COLUMNS)
    )


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """An agreement as the public register shows it: its parties by name, the public side's
    contributions per year, and its latest version when its PDF is public. Read as values, in
    three queries for a page: as model instances (the agreement, each party and its body or
    organisation) they took half the time of building the page."""

    pk: int
    title: str
    registry_number: str
    status: str
    idea: str
    proposed_start: date | None
    proposed_end: date | None
    parties: list[str]
    contributions: list[tuple[int, Decimal]]
    version: tuple[int, int] | None  # (id, number) of the latest version, its PDF public

    # the status badge reads its labels from the model's choices (`choice_label`)
    _meta: ClassVar[Options[Agreement]] = Agreement._meta


# The rows of a page of the register, of any number of agreements: compiled once per worker
# (portal.prepared), where building and compiling each cost more than the database's answer.
_PARTIES = Prepared(
    Party,
    lambda: (
        Party.objects.filter(one_of_slot("agreement_id", "agreements"))
        .order_by("id")
        .values_list(
            "pk", "agreement_id", "public_body_id", "public_body__name", "organisation__name"
        )
    ),
)
_VERSIONS = Prepared(
    AgreementVersion,
    lambda: (
        AgreementVersion.objects.filter(one_of_slot("agreement_id", "agreements"))
        .order_by("agreement_id", "-number")
        .values_list("agreement_id", "pk", "number", "pdf")
    ),
)
_CONTRIBUTIONS = Prepared(
    Contribution,
    lambda: (
        Contribution.objects.filter(one_of_slot("party_id", "parties"))
        .order_by()
        .values_list("party_id", "year", "value")
    ),
)


def register_rows(agreements: list[dict[str, Any]]) -> list[RegisterRow]:
    """The rows of a page of `public_register()`."""
    ids = [agreement["pk"] for agreement in agreements]
    parties: dict[int, list[str]] = defaultdict(list)
    public_parties: dict[int, int] = {}  # the public side's parties: party -> agreement
    for party, agreement_id, body_id, body, organisation in _PARTIES.all(agreements=ids):
        parties[agreement_id].append(Party.name_of(body, organisation))
        if body_id is not None:
            public_parties[party] = agreement_id
    public_pdf = [agreement["pk"] for agreement in agreements if agreement["pdf_public"]]
    latest: dict[int, tuple[int, int, str]] = {}
    for agreement_id, pk, number, pdf in _VERSIONS.all(agreements=public_pdf):
        latest.setdefault(agreement_id, (pk, number, pdf))
    contributions = _public_contributions(public_parties)
    return [
        from_values(
            RegisterRow,
            agreement,
            parties=parties[agreement["pk"]],
            contributions=contributions.get(agreement["pk"], []),
            version=latest[agreement["pk"]][:2]
            if agreement["pk"] in latest and latest[agreement["pk"]][2]
            else None,
        )
        for agreement in agreements
    ]


def _public_contributions(parties: dict[int, int]) -> dict[int, list[tuple[int, Decimal]]]:
    """The public side's contributions per agreement and year, in one query: of `parties`
    (party -> agreement), read by the parties' own index, unsorted."""
    totals: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for party, year, value in _CONTRIBUTIONS.all(parties=list(parties)):
        totals[parties[party]][year] += value
    return {agreement_id: sorted(years.items()) for agreement_id, years in totals.items()}


def version_get_for_user(
    *, user: User | AnonymousUser, pk: int, version_pk: int
) -> AgreementVersion:
    """A signed PDF: for parties and officers; for anyone when the officer made it public."""
    version = (
        AgreementVersion.objects.select_related("agreement")
        .filter(pk=version_pk, agreement_id=pk)
        .first()
    )
    if version is None or not version.pdf:
        raise Http404
    agreement = version.agreement
    if agreement.pdf_public and agreement.status in PUBLIC_STATUSES:
        return version
    if not agreements_for_user(user=user).filter(pk=pk).exists():
        raise Http404
    return version


@dataclass(frozen=True)
class TextState:
    """A state of the whole agreement text that can be compared: a signed version, the text
    just after a save, or the text now."""

    key: str
    label: str
    sections: dict[str, str]


def text_states(*, agreement: Agreement) -> list[TextState]:
    """Every state of the agreement text, oldest first: the signed versions and the saves, in
    the order they were made, then the text now. One query for the saves (the versions come
    prefetched with the agreement)."""
    from portal.formats import long_date, short_datetime

    timeline: list[tuple[object, int, TextState]] = []
    for version in agreement.versions.all():
        timeline.append(
            (
                version.created_at,
                0,
                TextState(
                    f"v{version.number}",
                    _("Signed version %(number)s, %(date)s")
                    % {"number": version.number, "date": long_date(version.created_at)},
                    {s["key"]: s["text"] for s in version.content.get("sections", [])},
                ),
            )
        )
    titles = {key: str(title) for key, title in SECTIONS}
    current: dict[str, str] = {}
    for revision in revisions_of(agreement=agreement):
        current = {**current, revision.section: revision.text}
        timeline.append(
            (
                revision.created_at,
                1,
                TextState(
                    f"r{revision.pk}",
                    _("Saved %(when)s by %(name)s: %(section)s")
                    % {
                        "when": short_datetime(revision.created_at),
                        "name": revision.author.display_name,
                        "section": titles.get(revision.section, revision.section),
                    },
                    current,
                ),
            )
        )
    timeline.sort(key=lambda item: (item[0], item[1]))
    return [
        *(state for _when, _order, state in timeline),
        TextState("now", str(_("The text now")), dict(agreement.sections)),
    ]
