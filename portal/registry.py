"""The registry: how a domain app plugs into the foundation.

portal knows no domain. Each domain app fills this registry in its `AppConfig.ready()` (see
`organisations/apps.py`, `grants/apps.py`, `agreements/apps.py`) with what it contributes:

- notification kinds: what an email is about, its template under `templates/<app>/email/`, and
  whether it is urgent (sent at once) or may wait for the daily digest;
- reminder sources: what is due on a day, collected in a fixed number of queries, written as
  outbox rows by the hourly scan;
- digest sections: what waits for a person in the morning's digest;
- audit labels: how the history reads the app's audit actions and states;
- overview panels: what the app adds to a person's overview, an officer's case handling page
  and the roles beside the person's name in the header;
- to-do sources: what waits for one person, merged into the "To do" list at the top of their
  overview, each item a link to where they act, with its deadline;
- menu links: the app's pages in the main menu and the footer;
- demo seeders: what `seed_demo` creates for the quick start;
- personal data: what the app holds about a person, for the person's copy and for erasure;
- record kinds: the documents the app registers with a diarienummer, for the diarium;
- disposal kinds: the records the nightly disposal (gallring) may remove, and their defaults;
- grant facts: every application sent in, as the statistics of who gets the support read it
  (insights), and the models whose changes alter them.
- archive sources: the closed cases the e-archive receives, listed for a batch and described
  one by one as information packages (`portal.earchive`).

Registering the same name twice is an error, so two apps cannot silently shadow each other.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.db import models

if TYPE_CHECKING:
    from django.db.models import Q
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise

    from portal.earchive.package import Package
    from portal.models import Notification, User

Context = dict[str, object]
_T = TypeVar("_T")


# --- notification kinds ----------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What a kind of notification is about and how it reads. `template` names the email's
    templates without their ending: `<template>_subject.txt`, `<template>.txt` and, if present,
    `<template>.html`. Urgent kinds (deadlines) are always sent at once; the others wait for the
    daily digest when the person has asked for that. `context` turns the object the row is about
    into the template's context and must give a `url`; `related` is what to select_related when
    many rows of the kind are read at once. `link(reader, row)`, when given, is the link the
    person's list of notifications shows for a row: the row's `url` while the reader may still
    open it, another page they may open (the admin's for staff), or "" for none; it is asked
    for every row of a page, so it reads only what is kept per request (no query per row).
    `prepare_links(reader, rows)`, when given, reads at once what `link` will ask about these
    rows of a page (`portal.notifications.links_for`), instead of all the reader may open."""

    name: str
    label: StrOrPromise
    template: str
    urgent: bool
    context: Callable[[Any, Notification], Context]
    related: tuple[str, ...] = field(default=())
    link: Callable[[User, Notification], str] | None = None
    prepare_links: Callable[[User, list[Notification]], None] | None = None


# --- reminder sources ------------------------------------------------------------------------


class Rows(Protocol):
    """Where a reminder source writes what is due: one outbox row per (kind, object, due date,
    person), however often the same person is named."""

    def add(
        self,
        kind: str,
        model: type[models.Model],
        object_id: object,
        due: date,
        users: Iterable[User],
    ) -> None: ...


class ReminderSource(Protocol):
    """Collects what is due on `today` and adds it to `rows`: a fixed number of queries whatever
    the number of due objects. `now` is the scan's time (some deadlines are times of day)."""

    def __call__(self, rows: Rows, *, now: datetime, today: date) -> None: ...


# --- digest sections -------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSection:
    """A list in the morning's digest. `recipients(start, end)` is a filter on users (it is
    combined with every other section's into one query) for whom the section may hold something
    between yesterday's digest and today's; `items(user, start, end)` is what it holds for one
    person, a queryset the digest counts and cuts. `template` is included in the digest's text
    and HTML with `items`, `count` and `site_url`: `<template>.txt` and `<template>.html`."""

    name: str
    template: str
    recipients: Callable[[datetime, datetime], Q]
    items: Callable[[User, datetime, datetime], models.QuerySet[models.Model]]
    order: int = 100


# --- overview panels -------------------------------------------------------------------------

DASHBOARD = "dashboard"  # a person's "My overview"
OFFICER_HOME = "officer_home"  # an officer's case handling page
HEADER = "header"  # the roles shown beside the person's name in every page's header
# an organisation's page for officers: context(request, organisation=...)
ORGANISATION_OFFICER = "organisation_officer"


@dataclass(frozen=True)
class Panel:
    """What an app shows on one of the portal's own pages. `context(request)` is called only when
    the page is drawn; `template` is included with what it returns. A page about one object
    passes it by name as well (ORGANISATION_OFFICER: `context(request, organisation=...)`). A
    HEADER panel has no template: it returns `roles`, a list of texts to show beside the
    person's name."""

    name: str
    page: str
    context: Callable[..., Context]
    template: str = ""
    order: int = 100


# --- the to-do list -------------------------------------------------------------------------


@dataclass(frozen=True)
class Todo:
    """One thing that waits for a person: `text` is the link to where they act (`url`), `due`
    the date it should be done by (None: no deadline, listed after those with one) and `about`
    what it concerns (an organisation, a call), shown beside it. A count of cases (an officer's
    "3 applications to screen") is one item linking to the filtered list. `order` places items
    with the same deadline (or none), lowest first, as the panels' order does on Case handling."""

    text: StrOrPromise
    url: str
    due: date | None = None
    about: str = ""
    order: int = 100

    def is_overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today


class TodoSource(Protocol):
    """What waits for the person making `request`, in a fixed number of queries whatever the
    number of items (an empty list for whom it does not concern)."""

    def __call__(self, request: HttpRequest) -> Iterable[Todo]: ...


# --- navigation ------------------------------------------------------------------------------

PUBLIC = "public"  # everyone, logged in or not
SIGNED_IN = "signed_in"  # anyone logged in
FOOTER = "footer"  # the footer's links, for everyone
OFFICER = "officer"  # the officers' own menu, "Case handling", beside the person's own pages


@dataclass(frozen=True)
class NavItem:
    """A link in the main menu (PUBLIC or SIGNED_IN), the officers' menu (OFFICER) or the
    footer (FOOTER), to a URL name. An OFFICER link with `roles` is shown only to officers who
    hold one of those roles (`PublicBodyRole` values) at some public body."""

    url_name: str
    label: StrOrPromise
    audience: str = PUBLIC
    order: int = 100
    roles: tuple[str, ...] = ()


# --- demo data and personal data ---------------------------------------------------------------


class Seeder(Protocol):
    """Creates or refreshes an app's demo data for the quick start (idempotent). `users` holds the
    demo accounts by email address."""

    def __call__(self, *, users: dict[str, User]) -> None: ...


@dataclass(frozen=True)
class Held:
    """Rows of one model that are about a person: those whose foreign keys `fields` name them.
    `erase` says what erasing the person does to the rows: KEEP (a public record: the row stays
    and shows "borttagen användare" where the person was) or DELETE (the rows go). `exclude`
    are fields never given out, not even to the person (secrets); `also` are related values
    read in the same query to make the copy readable (`"organisation__name"`); `files` are the
    file fields whose files go into the person's copy. `only`, when given, are the fields the
    copy holds besides the person's own user fields: a row that names the person as who
    handled it (an officer's decision, who registered an organisation) is the case's or the
    organisation's, and the person's copy holds what they did, not the whole record."""

    model: type[models.Model]
    fields: tuple[str, ...]
    erase: str = "keep"
    exclude: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    only: tuple[str, ...] = ()


KEEP = "keep"
DELETE = "delete"


@dataclass(frozen=True)
class Blocker:
    """Why a person cannot be erased yet (they are the last representative of an
    organisation), and where they put it right."""

    text: StrOrPromise
    url: str = ""
    link_text: StrOrPromise = ""


@dataclass(frozen=True)
class PersonalData:
    """What an app holds about a person (GDPR): the rows (`held`) that go into the person's
    copy (Art. 15 and 20) and what erasing them does (Art. 17); `kept` explains, to the person
    before they confirm, what of it stays as a public record and why. `blockers(user)` says
    what must be put right before the person can be erased; `erase(user, actor)` does what the
    app must do through its own services before the rows are treated (leaving organisations,
    vacating seats), inside the erasure's transaction. `traces(user)` are texts besides the
    person's name and email address that identify them (the phone number they gave as an
    organisation's contact), removed wherever they were written."""

    name: str
    label: StrOrPromise
    held: tuple[Held, ...]
    kept: tuple[StrOrPromise, ...] = ()
    blockers: Callable[[User], list[Blocker]] | None = None
    erase: Callable[[User, User], None] | None = None
    traces: Callable[[User], list[str]] | None = None


# --- the diarium --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordKind:
    """A kind of document an app registers with a diarienummer, for the registrar's diarium
    (`portal.records`). `documents(public_body, year)` is a query of the body's documents of
    that kind registered that year, as values named `entry_number`, `entry_registered` (a
    moment), `entry_party` (who it came from or concerns: an organisation's name, or ""),
    `entry_title` and `entry_object_id`, in this order; the diarium puts every kind's query
    into one. `url(object_id)`, when given, is
    the officers' page of one document (shown to the body's officers)."""

    name: str
    label: StrOrPromise
    documents: Callable[[Any, int], models.QuerySet[Any]]
    url: Callable[[int], str] | None = None


# --- retention (gallring) ----------------------------------------------------------------------


@dataclass(frozen=True)
class DisposalKind:
    """A kind of record the nightly disposal may remove once it is older than the retention
    schedule's period (`portal.retention`). `due(cutoff)` is a query of the rows older than
    `cutoff`; `dispose(rows)` removes them (and their files) and says how many. Rows of a case
    under legal hold are never disposed of: `held_kind` names the diarium's kind of the case
    (`RecordKind.name`) and `held_path` the path from a row to the case's id. `default_days` is
    the period until an administrator sets one (None: kept); `default_basis` the decision text
    offered with it; `minimum_days` the shortest period the law allows (the schedule refuses a
    shorter one, and the disposal never uses one)."""

    name: str
    label: StrOrPromise
    due: Callable[[datetime], models.QuerySet[Any]]
    dispose: Callable[[models.QuerySet[Any]], int]
    default_days: int | None = None
    default_basis: StrOrPromise = ""
    held_kind: str = ""
    held_path: str = ""
    order: int = 100
    minimum_days: int = 0


# --- grant facts (the statistics of who gets the support) ------------------------------------


@dataclass(frozen=True)
class GrantFact:
    """One application sent in, as the statistics read it: who applied (the organisation), where
    (public body and programme), when (sent in, decided), the outcome, the amounts and, from an
    approved follow-up report, the participants by age band and gender
    (`{"7–12": {"women": 4, "men": 3, "other": 0}}`; None without an approved report).
    `outcome` is one of OUTCOMES: "open" (not yet decided), "granted" (approved in whole or in
    part), "rejected", "withdrawn". `paid` is what has been paid out by the day of the reading."""

    application_id: int
    organisation_id: int
    public_body_id: int
    programme_id: int
    programme_name: str
    submitted_at: datetime
    outcome: str
    applied: Decimal
    granted: Decimal
    paid: Decimal
    decided_at: datetime | None = None
    participants: Mapping[str, Mapping[str, int]] | None = None


OUTCOMES = ("open", "granted", "rejected", "withdrawn")
# The bands and genders participants are reported in (a follow-up report's form); "other" is
# "other or not stated" (annat / vill inte uppge).
PARTICIPANT_AGE_BANDS = ("0–6", "7–12", "13–19", "20–25", "26–64", "65+")
PARTICIPANT_GENDERS = ("women", "men", "other")


@dataclass(frozen=True)
class FactSource:
    """Where grant facts come from: `read()` yields every application sent in, in a fixed number
    of queries whatever their number; a save or delete of one of `models` may change them (the
    statistics are then rebuilt, debounced)."""

    name: str
    read: Callable[[], Iterable[GrantFact]]
    models: tuple[type[models.Model], ...] = ()


# --- the registry ----------------------------------------------------------------------------


@dataclass
class Registry:
    kinds: dict[str, Kind] = field(default_factory=dict)
    reminder_sources: dict[str, ReminderSource] = field(default_factory=dict)
    digest_sections: dict[str, DigestSection] = field(default_factory=dict)
    action_labels: dict[str, StrOrPromise] = field(default_factory=dict)
    state_labels: dict[str, dict[str, StrOrPromise]] = field(default_factory=dict)
    panels: dict[str, Panel] = field(default_factory=dict)
    todo_sources: dict[str, TodoSource] = field(default_factory=dict)
    nav: dict[str, NavItem] = field(default_factory=dict)
    seeders: dict[str, Seeder] = field(default_factory=dict)
    personal_data: dict[str, PersonalData] = field(default_factory=dict)
    record_kinds: dict[str, RecordKind] = field(default_factory=dict)
    disposal_kinds: dict[str, DisposalKind] = field(default_factory=dict)
    fact_sources: dict[str, FactSource] = field(default_factory=dict)
    archive_sources: dict[str, ArchiveSource] = field(default_factory=dict)


registry = Registry()


def _add(table: dict[str, _T], name: str, value: _T, what: str) -> None:
    if name in table and table[name] is not value:
        raise ValueError(f"{what} {name!r} is registered twice.")
    table[name] = value


def register_kind(kind: Kind) -> Kind:
    _add(registry.kinds, kind.name, kind, "Notification kind")
    return kind


def register_reminder_source(name: str, source: ReminderSource) -> None:
    _add(registry.reminder_sources, name, source, "Reminder source")


def register_digest_section(section: DigestSection) -> None:
    _add(registry.digest_sections, section.name, section, "Digest section")


def register_audit_labels(
    *,
    actions: Mapping[str, StrOrPromise] | None = None,
    states: Mapping[str, Iterable[tuple[str, StrOrPromise]]] | None = None,
) -> None:
    """How the history reads an app's audit actions, and the labels of its states by the model
    whose status they are ("grants.application": the audit events of applications), or by the
    audit action that records another machine's moves on a model ("report_status_changed": a
    follow-up report's statuses, recorded on its application). A state without labels of its
    own is looked up among all."""
    for action, label in (actions or {}).items():
        _add(registry.action_labels, action, label, "Audit action")
    for machine, choices in (states or {}).items():
        registry.state_labels.setdefault(machine, {}).update(dict(choices))


def register_panel(panel: Panel) -> None:
    _add(registry.panels, panel.name, panel, "Panel")


def register_todo_source(name: str, source: TodoSource) -> None:
    """Sources are asked in the order their apps stand in INSTALLED_APPS; the overview sorts
    what they answer by deadline."""
    _add(registry.todo_sources, name, source, "To-do source")


def register_nav_item(item: NavItem) -> None:
    _add(registry.nav, item.url_name, item, "Menu link")


def register_seeder(name: str, seeder: Seeder) -> None:
    """Seeders run in the order their apps stand in INSTALLED_APPS, after the platform's own
    demo public bodies and accounts."""
    _add(registry.seeders, name, seeder, "Demo seeder")


def register_personal_data(source: PersonalData) -> None:
    """Sources are asked in the order their apps stand in INSTALLED_APPS."""
    _add(registry.personal_data, source.name, source, "Personal-data source")


def register_record_kind(kind: RecordKind) -> None:
    _add(registry.record_kinds, kind.name, kind, "Record kind")


def register_disposal_kind(kind: DisposalKind) -> None:
    _add(registry.disposal_kinds, kind.name, kind, "Disposal kind")


def register_fact_source(source: FactSource) -> None:
    _add(registry.fact_sources, source.name, source, "Fact source")


# --- reading it ------------------------------------------------------------------------------


def kind(name: str) -> Kind:
    """The kind of "<what>" and of "<what>_<n>d" (a reminder n days before; negative: after)."""
    what, _sep, offset = name.rpartition("_")
    if what and offset.endswith("d") and offset[:-1].lstrip("-").isdigit():
        return registry.kinds[what]
    return registry.kinds[name]


def seeders() -> list[Seeder]:
    """In the order their apps stand in INSTALLED_APPS (the order ready() registered them)."""
    return list(registry.seeders.values())


def reminder_sources() -> list[ReminderSource]:
    return list(registry.reminder_sources.values())


def states_of(machine: str) -> Mapping[str, StrOrPromise]:
    """The state labels registered for a model or an audit action ({} if none)."""
    return registry.state_labels.get(machine, {})


def digest_sections() -> list[DigestSection]:
    return sorted(registry.digest_sections.values(), key=lambda s: (s.order, s.name))


def panels(page: str) -> list[Panel]:
    return sorted(
        (p for p in registry.panels.values() if p.page == page), key=lambda p: (p.order, p.name)
    )


def todo_sources() -> list[TodoSource]:
    return list(registry.todo_sources.values())


def nav_items(audience: str) -> list[NavItem]:
    return sorted(
        (i for i in registry.nav.values() if i.audience == audience),
        key=lambda i: (i.order, i.url_name),
    )


def action_label(action: str) -> str:
    return str(registry.action_labels.get(action, action))


def state_label(state: str, model: str = "") -> str:
    """The label of a status (or role) of `model` ("app_label.modelname")."""
    if model and state in registry.state_labels.get(model, {}):
        return str(registry.state_labels[model][state])
    for labels in registry.state_labels.values():
        if state in labels:
            return str(labels[state])
    return state


def disposal_kinds() -> list[DisposalKind]:
    return sorted(registry.disposal_kinds.values(), key=lambda k: (k.order, k.name))


def record_kinds() -> list[RecordKind]:
    return list(registry.record_kinds.values())


def personal_data_sources() -> list[PersonalData]:
    return list(registry.personal_data.values())


def fact_sources() -> list[FactSource]:
    return list(registry.fact_sources.values())


def fact_models() -> frozenset[type[models.Model]]:
    """The models whose changes alter the grant facts (of every source)."""
    return frozenset(model for source in registry.fact_sources.values() for model in source.models)


# --- the e-archive ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveSource:
    """A kind of closed case the e-archive receives (`portal.earchive`). `candidates(bodies,
    year, group)` lists the ids of the closed cases of those public bodies registered in `year`
    (narrowed to `group`, a grant programme, when given), in a fixed number of queries;
    `describe(object_id)` reads one case in a fixed number of queries and returns it as a
    `portal.earchive.package.Package`, or raises `portal.earchive.package.NotArchivable` with
    the reason the case cannot go yet. `groups(bodies)` lists what a batch may be narrowed to,
    as (id, name); None when the source has no such grouping. `model` is the model whose
    admin list offers "Export to e-archive"."""

    name: str
    label: StrOrPromise
    model: type[models.Model]
    candidates: Callable[[Collection[int], int, int | None], list[int]]
    describe: Callable[[int], Package]
    groups: Callable[[Collection[int]], list[tuple[int, str]]] | None = None


def register_archive_source(source: ArchiveSource) -> None:
    _add(registry.archive_sources, source.name, source, "Archive source")


def archive_sources() -> list[ArchiveSource]:
    return list(registry.archive_sources.values())


def archive_source(name: str) -> ArchiveSource:
    """The source registered under `name` (KeyError if none is)."""
    return registry.archive_sources[name]


def archive_source_for(model: type[models.Model]) -> ArchiveSource | None:
    """The source whose cases are rows of `model`, if one is registered."""
    return next((s for s in registry.archive_sources.values() if s.model is model), None)
