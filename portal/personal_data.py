"""A person's own data (GDPR): their copy (Art. 15 access, Art. 20 portability) and erasure
(Art. 17) without destroying public records.

Every app says what it holds about a person through `registry.PersonalData`: for each model
with a foreign key to the user, the fields that name the person and whether erasing keeps the
rows (a public record: an application, a decision, a signature, the audit trail) or deletes them
(notifications, logins, roles). A test fails if a model with a foreign key to the user is named
by no app (`tests/portal/test_personal_data.py`).

The copy is a ZIP: one JSON document per app, the files the person uploaded, and a summary in
Swedish (`sammanfattning.html`). Every row is read in one query per model; a foreign key to
another person is left out, and other people's names and email addresses in free text are
masked, so the copy holds nothing of anybody else's.

Erasure keeps the user's row, so every record that names them still stands, and anonymises it:
the name "borttagen användare", an address that cannot receive mail, no password, no second
factor, no e-legitimation, no sessions, no notifications, no roles. Where the person's name or email address was written
as text (the audit trail's "who", an invitation, a comment naming them), it becomes "borttagen
användare". Files already delivered (signed PDF/A agreements) are records and stay as they are.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import registry
from portal.models import REMOVED_USER, User

# What stands in the copy where another person was.
OTHER_PERSON = "[annan person]"
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)


# --- the copy -----------------------------------------------------------------------------


@dataclass
class Section:
    """One model's rows about the person, as the copy and its summary show them."""

    source: str
    label: str
    model: str  # "app.model", as the summary's presenters name it
    key: str  # where its rows stand in the JSON document (`section_key`)
    model_label: str
    rows: list[dict[str, object]]
    labels: dict[str, str]

    fields: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def readable(self) -> list[list[tuple[str, str]]]:
        """Each row as (what, value) pairs in the words of the forms, for the summary: yes and
        no, dates as the portal writes them, a choice by its label; the database's own numbers
        and checksums are left to the JSON documents."""
        return [
            [
                (
                    self.labels.get(key, key),
                    _readable(self.fields.get(key), value, _PRESENTED.get((self.model, key))),
                )
                for key, value in row.items()
                if not _technical(key, self.fields.get(key))
            ]
            for row in self.rows
        ]


def _technical(key: str, model_field: Any) -> bool:
    """What means something to the database, not to the person: ids, content types,
    checksums, tokens."""
    if key == "id" or key.endswith("_id") or "sha256" in key or "content_type" in key:
        return True
    return isinstance(model_field, models.ForeignKey) and model_field.related_model is ContentType


def _kind_label(name: str) -> str:
    try:
        return str(registry.kind(name).label)
    except KeyError:
        return name


# Codes the summary shows as the history and the notification list show them.
_PRESENTED: dict[tuple[str, str], Callable[[str], str]] = {
    ("portal.auditevent", "action"): registry.action_label,
    ("portal.auditevent", "from_state"): registry.state_label,
    ("portal.auditevent", "to_state"): registry.state_label,
    ("portal.notification", "kind"): _kind_label,
}


def _readable(model_field: Any, value: object, present: Callable[[str], str] | None) -> str:
    from portal import formats

    if value is None or value == "" or value == {} or value == []:
        return "–"
    if present is not None and isinstance(value, str):
        return present(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        return formats.long_datetime(datetime.datetime.fromisoformat(value))
    if isinstance(model_field, models.DateField) and isinstance(value, str):
        return formats.long_date(datetime.date.fromisoformat(value))
    if model_field is not None and model_field.choices and not isinstance(value, dict | list):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _user_fields(model: type[models.Model]) -> set[str]:
    return {
        field.name
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is User
    }


class _Others:
    """Masks other people in free text: an audit comment naming whom the person invited,
    removed or appointed is about that other person too. Every other account's email address
    and full name (two words or more, as a lone first name may be anyone's) is masked, and any
    other email address at all; the person's own are left."""

    def __init__(self, user: User) -> None:
        own = {user.email.lower(), " ".join(user.name.split()).lower()}
        names = set()
        others = User.objects.exclude(pk=user.pk).filter(erased_at__isnull=True)
        for email, name in others.values_list("email", "name"):
            names.add(email.lower())
            name = " ".join(name.split())
            if len(name.split(" ")) >= 2:
                names.add(name.lower())
        names -= own
        self.own = own
        self.pattern = (
            re.compile(
                "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)), re.IGNORECASE
            )
            if names
            else None
        )

    def __call__(self, text: str) -> str:
        if self.pattern is not None:
            text = self.pattern.sub(OTHER_PERSON, text)
        return EMAIL.sub(
            lambda m: m.group(0) if m.group(0).lower() in self.own else OTHER_PERSON, text
        )


def _plain(value: object, mask: _Others) -> object:
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, mask) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, mask) for v in value]
    if isinstance(value, bytes | memoryview):
        return None
    return value


def section_key(held: registry.Held) -> str:
    """Where a model's rows stand in the app's JSON document: `app.model`, and the fields that
    name the person when the app reads the model twice (as who asked, and as who decided)."""
    return f"{held.model._meta.label_lower}:{'+'.join(held.fields)}"


def _naming(held: registry.Held, user: User) -> Q:
    """The rows of `held` that name the person in one of its fields."""
    condition = Q()
    for name in held.fields:
        condition |= Q(**{name: user.pk})
    return condition


def _rows(held: registry.Held, user: User, mask: _Others) -> list[dict[str, object]]:
    model = held.model
    people = _user_fields(model)
    columns = {
        key: field
        for key, field in _fields(held).items()
        if field.name not in held.exclude
        and not isinstance(field, models.BinaryField)
        and (not held.only or field.primary_key or field.name in people or field.name in held.only)
    }
    names = [field.attname for field in columns.values()] + list(held.also)
    pk = model._meta.pk.attname
    rows = []
    query = model._default_manager.filter(_naming(held, user)).order_by("pk")
    for values in query.values(*names):
        row: dict[str, object] = {}
        for key, field in columns.items():
            value = values[field.attname]
            if field.name in people:
                # the person themselves, or nobody: another person's id is not theirs to have
                row[key] = _("you") if value == user.pk else None
            elif isinstance(field, models.FileField):
                row[key] = _archive_path(model, field.name, values[pk], value)
            else:
                row[key] = _plain(value, mask)
        for path in held.also:
            row[path] = _plain(values[path], mask)
        rows.append(row)
    return rows


def _fields(held: registry.Held) -> dict[str, Any]:
    """The model field behind each key of a row (`_rows`' keys)."""
    people = _user_fields(held.model)
    return {
        (
            each.name if each.name in people or isinstance(each, models.FileField) else each.attname
        ): each
        for each in held.model._meta.concrete_fields
    }


def _labels(held: registry.Held) -> dict[str, str]:
    """The fields' names as the forms show them; a related value as "organisation: name"."""
    labels = {key: str(each.verbose_name) for key, each in _fields(held).items()}
    for path in held.also:
        model: Any = held.model
        words = []
        for part in path.split("__"):
            field = model._meta.get_field(part)
            words.append(str(field.verbose_name))
            model = field.related_model
        labels[path] = ": ".join(words)
    return labels


def _archive_path(model: type[models.Model], field: str, pk: object, name: object) -> str | None:
    if not name:
        return None
    return f"filer/{model._meta.label_lower}/{pk}-{field}-{PurePosixPath(str(name)).name}"


def sections(user: User) -> list[Section]:
    """Everything the portal holds about the person, model by model (one query each)."""
    found = []
    mask = _Others(user)
    for source in registry.personal_data_sources():
        for held in source.held:
            found.append(
                Section(
                    source=source.name,
                    label=str(source.label),
                    model=held.model._meta.label_lower,
                    key=section_key(held),
                    model_label=str(held.model._meta.verbose_name_plural),
                    rows=_rows(held, user, mask),
                    labels=_labels(held),
                    fields=_fields(held),
                )
            )
    return found


@dataclass(frozen=True)
class Count:
    label: str
    model_label: str
    count: int


def counts(user: User) -> list[Count]:
    """How many rows of each kind the portal holds about the person (one query per model),
    for their "Your data" page; the rows themselves are read only for the copy."""
    return [
        Count(
            str(source.label),
            str(held.model._meta.verbose_name_plural),
            held.model._default_manager.filter(_naming(held, user)).count(),
        )
        for source in registry.personal_data_sources()
        for held in source.held
    ]


def _grouped(found: list[Section]) -> list[tuple[str, list[Section]]]:
    """The sections with rows, app by app, in the order the apps stand (for the summary)."""
    groups: dict[str, list[Section]] = {}
    for section in found:
        groups.setdefault(section.label, [])
        if section.rows:
            groups[section.label].append(section)
    return list(groups.items())


def _files(user: User) -> Iterator[tuple[str, FieldFile]]:
    for source in registry.personal_data_sources():
        for held in source.held:
            if not held.files:
                continue
            condition = _naming(held, user)
            for obj in held.model._default_manager.filter(condition).only("pk", *held.files):
                for name in held.files:
                    file = getattr(obj, name)
                    path = _archive_path(held.model, name, obj.pk, file.name)
                    if path:
                        yield path, file


def export_zip(user: User, *, actor: User) -> IO[bytes]:
    """The person's copy: `<app>.json` per app, `filer/…` the files they uploaded, and
    `sammanfattning.html`, a summary in Swedish, as a file to send (kept in memory up to a few
    megabytes, then on disk: a volunteer's copy with many uploads does not fill the worker's
    memory). Audited on the person."""
    from portal.services import audit_record

    found = sections(user)
    buffer: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    with (
        translation.override(settings.LANGUAGE_CODE),
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        made = timezone.localtime()
        by_source: dict[str, dict[str, object]] = {}
        for section in found:
            by_source.setdefault(
                section.source,
                {"app": section.label, "created": made.isoformat(), "data": {}},
            )["data"][section.key] = {  # type: ignore[index]
                "label": section.model_label,
                "rows": section.rows,
            }
        for name, document in by_source.items():
            archive.writestr(
                f"{name}.json", json.dumps(document, ensure_ascii=False, indent=2, default=str)
            )
        missing = []
        for path, file in _files(user):
            try:
                with file.open("rb") as handle, archive.open(path, "w") as target:
                    shutil.copyfileobj(handle, target)
            except OSError:
                missing.append(path)
        archive.writestr(
            "sammanfattning.html",
            render_to_string(
                "portal/print_personal_data_summary.html",
                {
                    "person": user,
                    "groups": _grouped(found),
                    "made": made,
                    "missing": missing,
                },
            ),
        )
    audit_record(
        actor=actor,
        obj=user,
        action="personal_data_exported",
        comment="" if actor == user else "admin",
    )
    buffer.seek(0)
    return buffer


def export_filename(user: User) -> str:
    return f"mina-uppgifter-{timezone.localdate():%Y-%m-%d}.zip"


# --- erasure -----------------------------------------------------------------------------


def blockers(user: User) -> list[registry.Blocker]:
    """What must be put right before the person can be erased (empty: nothing)."""
    found: list[registry.Blocker] = []
    for source in registry.personal_data_sources():
        if source.blockers is not None:
            found.extend(source.blockers(user))
    return found


def kept() -> list[str]:
    """What stays after erasure and why, app by app: shown before the person confirms."""
    return [str(text) for source in registry.personal_data_sources() for text in source.kept]


def may_erase_themselves(user: User) -> bool:
    """Officers' and administrators' accounts belong to their employment: the administrator
    closes them (the admin's "Erase personal data"), not the person alone."""
    from portal import selectors

    return not (user.is_staff or user.is_superuser or selectors.public_body_roles(user=user))


@transaction.atomic
def user_erase(*, user: User, actor: User) -> User:
    """Erase a person (GDPR Art. 17) and keep the public records they took part in. The person
    themselves, or an administrator (for a request by letter). Refused while a blocker stands,
    or for an officer or administrator erasing themselves."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        return user
    if actor.pk == user.pk and not may_erase_themselves(user):
        raise PermissionDenied
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied
    standing = blockers(user)
    if standing:
        raise ValidationError([str(blocker.text) for blocker in standing])
    traces = _traces(user)
    for source in registry.personal_data_sources():
        if source.erase is not None:
            source.erase(user, actor)
    for source in registry.personal_data_sources():
        for held in source.held:
            if held.erase == registry.DELETE:
                condition = _naming(held, user)
                held.model._default_manager.filter(condition).delete()
    _end_sessions(user)
    with translation.override(settings.LANGUAGE_CODE):
        user.name = str(REMOVED_USER)
    user.email = f"borttagen-{user.pk}@anonymiserad.invalid"
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.notification_digest = False
    user.erased_at = timezone.now()
    user.save()
    # what is kept of people by name between requests (the lists' case officers) is stale
    from portal import person_cache

    person_cache.changed(person_cache.PERSON)
    person_cache.written_in_bulk(User, ["name", "email"])
    user.groups.clear()
    user.user_permissions.clear()
    from portal.models import AuditEvent, AuditRedaction
    from portal.services import audit_record

    permit = AuditRedaction.objects.create(user_id=user.pk)
    _scrub(traces, keep=user)
    AuditEvent.objects.filter(actor=user).update(actor_label=user.name)
    permit.delete()
    audit_record(
        actor=None if actor.pk == user.pk else actor,
        obj=user,
        action="personal_data_erased",
        comment="" if actor.pk == user.pk else "admin",
    )
    return user


def _traces(user: User) -> list[str]:
    """The texts that identify the person where they were written out: their email addresses
    (every one they have had verified), their name, when it is specific enough to be theirs
    (two words or more; a lone first name is left alone, as "Anna" may be anyone's), and what
    the apps know to be theirs (`PersonalData.traces`)."""
    from allauth.account.models import EmailAddress

    found = {user.email.lower()}
    found.update(
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    )
    name = " ".join(user.name.split())
    if len(name.split(" ")) >= 2:
        found.add(name)
    for source in registry.personal_data_sources():
        if source.traces is not None:
            found.update(trace for trace in source.traces(user) if len(trace.strip()) >= 6)
    return sorted(found, key=len, reverse=True)


def _end_sessions(user: User) -> None:
    """Every session the person is logged in with ends (the stores' own delete, so the cached
    copies go too). Changing the password would end them on the next request anyway."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            store(session_key=session.session_key).delete()


def text_columns() -> Iterator[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every column a person's name or address could have been written into."""
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model, field


def _scrub(traces: Iterable[str], *, keep: User) -> None:
    """Where the person's name or email address was written as text, "borttagen användare"
    stands instead: one query per column, and one update per row that held it."""
    traces = list(traces)
    if not traces:
        return
    pattern = re.compile("|".join(re.escape(trace) for trace in traces), re.IGNORECASE)
    with translation.override(settings.LANGUAGE_CODE):
        label = str(REMOVED_USER)
    for model, field in text_columns():
        if model is User:
            continue
        condition = Q()
        for trace in traces:
            condition |= Q(**{f"{field.attname}__icontains": trace})
        manager = model._base_manager
        for pk, value in manager.filter(condition).values_list("pk", field.attname):
            if isinstance(field, models.JSONField):
                new: object = json.loads(pattern.sub(label, json.dumps(value, ensure_ascii=False)))
            elif isinstance(field, models.EmailField):
                new = f"borttagen-{keep.pk}@anonymiserad.invalid"
            else:
                new = pattern.sub(label, value)[: field.max_length or None]
            manager.filter(pk=pk).update(**{field.attname: new})


# --- what the platform itself holds ---------------------------------------------------------


def platform_source() -> registry.PersonalData:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.admin.models import LogEntry
    from django.utils.translation import gettext_lazy

    from portal.models import (
        ArchiveBatch,
        AuditEvent,
        LegalHold,
        Notification,
        PublicBodyMembership,
    )

    return registry.PersonalData(
        name="konto",
        label=gettext_lazy("Your account"),
        held=(
            registry.Held(User, ("id",), exclude=("password",)),
            registry.Held(EmailAddress, ("user",), erase=registry.DELETE),
            # the authenticator app's secret and the recovery codes are never given out
            registry.Held(Authenticator, ("user",), erase=registry.DELETE, exclude=("data",)),
            registry.Held(SocialAccount, ("user",), erase=registry.DELETE),
            registry.Held(
                PublicBodyMembership,
                ("user",),
                erase=registry.DELETE,
                also=("public_body__name",),
            ),
            registry.Held(Notification, ("recipient",), erase=registry.DELETE),
            registry.Held(AuditEvent, ("actor",), also=("content_type__model",)),
            registry.Held(LogEntry, ("user",), also=("content_type__model",)),
            registry.Held(ArchiveBatch, ("requested_by",)),
            registry.Held(LegalHold, ("set_by", "lifted_by")),
        ),
        kept=(
            gettext_lazy(
                "The history of the cases you took part in keeps what was done and when, with "
                "“removed user” where your name was: it is part of the public records, which "
                "the archive law (arkivlagen) says the municipality must keep."
            ),
        ),
    )
