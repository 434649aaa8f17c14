"""The Django admin leaves a trace: every add, change and delete an administrator makes of a
portal object is written to the audit trail, with the administrator as actor and the changed
fields (old → new) in the comment. One mixin does it for every admin of the portal:

    class ProgrammeAdmin(AuditedAdmin, admin.ModelAdmin): ...

An admin without the mixin must be read-only (no add, change or delete permission: the bases
`ReadOnlyAdmin` and `ReadOnlyInline`); a test walks the admin site and fails otherwise. A write an
admin refuses whoever asks is named in `ReadOnlyAdminMixin.refused_writes`. Objects whose content
was submitted, decided or signed are refused by the admins' own permission methods (see
`README.md`, "Security model")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from portal.models import User
from portal.services import audit_record

if TYPE_CHECKING:
    _AdminBase = admin.options.BaseModelAdmin[Any]
    _ModelAdminBase = admin.ModelAdmin[Any]
    _InlineBase = admin.options.InlineModelAdmin[Any, Any]
else:
    _AdminBase = object
    _ModelAdminBase = object
    _InlineBase = object

ADDED = "admin_added"
CHANGED = "admin_changed"
DELETED = "admin_deleted"

# Never written into the audit trail, only that they changed.
SENSITIVE_FIELDS = frozenset({"password", "password1", "password2", "data", "secret", "key"})
MAX_VALUE_LENGTH = 200
EMPTY = "—"


def _actor(request: HttpRequest) -> User | None:
    user = request.user
    return cast(User, user) if getattr(user, "pk", None) is not None else None


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def display_value(field: Any, value: Any) -> str:
    """A value as the audit comment shows it: choices by their stored key and label, related
    objects by their name and id, long text shortened."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, models.Model):
        return _shorten(f"{value} (id {value.pk})")
    if isinstance(value, QuerySet | list | tuple | set) and any(
        isinstance(item, models.Model) for item in value
    ):
        return _shorten(", ".join(f"{item} (id {item.pk})" for item in value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m-%d %H:%M:%S")
    choices = dict(getattr(field, "flatchoices", None) or [])
    if choices and not isinstance(value, list | dict):
        label = choices.get(value)
        if label is not None and str(label) != str(value):
            return _shorten(f"{value} ({label})")
    return _shorten(str(value))


def _field_value(obj: models.Model, field: Any) -> Any:
    if field.many_to_many:
        if obj.pk is None:
            return []
        return list(getattr(obj, field.name).all())
    if field.is_relation and (field.many_to_one or field.one_to_one):
        return getattr(obj, field.name, None)
    return field.value_from_object(obj)


def _is_sensitive(name: str, sensitive: Iterable[str]) -> bool:
    return name in sensitive


def describe_changes(
    model: type[models.Model],
    names: Iterable[str],
    *,
    old: models.Model | None,
    new: models.Model,
    cleaned_data: dict[str, Any] | None = None,
    sensitive: Iterable[str] = SENSITIVE_FIELDS,
) -> list[str]:
    """ "name: old → new" for each changed field (just "name: changed" for secrets and for form
    fields that are not model fields)."""
    cleaned_data = cleaned_data or {}
    parts: list[str] = []
    for name in names:
        if _is_sensitive(name, sensitive):
            # password1 and password2 of the add form are one password
            entry = f"{name.rstrip('12')}: changed (value not recorded)"
            if entry not in parts:
                parts.append(entry)
            continue
        field = _field(model, name)
        if field is None or (not field.concrete and not field.many_to_many):
            continue  # a form-only helper field
        if field.many_to_many and name in cleaned_data:
            after: Any = list(cleaned_data[name])
        else:
            after = _field_value(new, field)
        if old is None:
            parts.append(f"{name}: {display_value(field, after)}")
        else:
            before = _field_value(old, field)
            parts.append(f"{name}: {display_value(field, before)} → {display_value(field, after)}")
    return parts


def snapshot(
    obj: models.Model, sensitive: Iterable[str] = SENSITIVE_FIELDS, skip: Iterable[str] = ()
) -> list[str]:
    """Every stored field of an object, as it was: what a deletion takes away."""
    parts = []
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in skip:
            continue
        if _is_sensitive(field.name, sensitive):
            continue
        parts.append(f"{field.name}: {display_value(field, _field_value(obj, field))}")
    return parts


def _label(obj: models.Model) -> str:
    return f"{obj._meta.verbose_name} «{_shorten(str(obj))}» (id {obj.pk})"


def _reload(obj: models.Model) -> models.Model | None:
    if obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).first()


class AuditedAdmin(_ModelAdminBase):
    """Writes one audit event for each add, change and delete made in this admin, including the
    bulk "delete selected" action and every inline row (recorded against the parent object).

    `audit_target(obj)` names the object the event is recorded against (default: the object
    itself; e.g. a person's e-mail address is recorded against the person)."""

    audit_sensitive_fields: ClassVar[frozenset[str]] = SENSITIVE_FIELDS

    def audit_target(self, obj: models.Model) -> models.Model:
        return obj

    def _audit(
        self, request: HttpRequest, obj: models.Model, action: str, parts: list[str]
    ) -> None:
        target = self.audit_target(obj)
        comment = "; ".join(parts)
        if target is not obj:
            comment = f"{_label(obj)}: {comment}" if comment else _label(obj)
        audit_record(actor=_actor(request), obj=target, action=action, comment=comment)

    # the object itself

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        old = _reload(obj) if change else None
        changed = list(form.changed_data)
        # Read the old values of many-to-many fields now: save_related() replaces them later.
        old_parts = (
            describe_changes(
                type(obj),
                changed,
                old=old,
                new=obj,
                cleaned_data=form.cleaned_data,
                sensitive=self.audit_sensitive_fields,
            )
            if change and old is not None
            else None
        )
        super().save_model(request, obj, form, change)
        if change:
            if old_parts:
                self._audit(request, obj, CHANGED, old_parts)
            return
        parts = describe_changes(
            type(obj),
            changed,
            old=None,
            new=obj,
            cleaned_data=form.cleaned_data,
            sensitive=self.audit_sensitive_fields,
        )
        self._audit(request, obj, ADDED, parts)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit(request, obj, DELETED, snapshot(obj, self.audit_sensitive_fields))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The changelist's "delete selected" action: one event per object, and the per-object
        delete permission is checked again for each (the action itself only asks in general)."""
        with transaction.atomic():
            objects = list(queryset)
            for obj in objects:
                if not self.has_delete_permission(request, obj):
                    raise PermissionDenied
            for obj in objects:
                self._audit(request, obj, DELETED, snapshot(obj, self.audit_sensitive_fields))
            super().delete_queryset(request, queryset)

    # inline rows, recorded against the parent object

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if not isinstance(formset, BaseModelFormSet):
            super().save_formset(request, form, formset, change)
            return
        parent = form.instance
        model = cast(type[models.Model], formset.model)
        sensitive = self.audit_sensitive_fields
        existing = [f for f in formset.initial_forms if f.instance.pk is not None]
        deleted = [f for f in existing if f in formset.deleted_forms]
        changed = [f for f in existing if f not in formset.deleted_forms and f.has_changed()]
        olds = model._default_manager.in_bulk([f.instance.pk for f in deleted + changed])
        events: list[tuple[str, list[str]]] = []
        for f in deleted:
            old = olds.get(f.instance.pk)
            if old is not None:
                parent_link = [formset.fk.name] if hasattr(formset, "fk") else []
                events.append((DELETED, [_label(old), *snapshot(old, sensitive, parent_link)]))
        for f in changed:
            old = olds.get(f.instance.pk)
            parts = describe_changes(
                model,
                f.changed_data,
                old=old,
                new=f.instance,
                cleaned_data=f.cleaned_data,
                sensitive=sensitive,
            )
            if parts:
                events.append((CHANGED, [_label(f.instance), *parts]))
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            added = next((f for f in formset.extra_forms if f.instance is obj), None)
            names = added.changed_data if added is not None else []
            parts = describe_changes(
                model,
                names,
                old=None,
                new=obj,
                cleaned_data=added.cleaned_data if added is not None else None,
                sensitive=sensitive,
            )
            events.append((ADDED, [_label(obj), *parts]))
        for action, parts in events:
            audit_record(
                actor=_actor(request),
                obj=self.audit_target(parent),
                action=action,
                comment=f"{parts[0]}: {'; '.join(parts[1:])}" if parts[1:] else parts[0],
            )


def is_read_only(model_admin: Any, request: HttpRequest) -> bool:
    """No add, change or delete permission for anyone (superusers included)."""
    return not (
        model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
    )


class LockedWithParentInline(_InlineBase):
    """An inline whose rows can be added, changed and deleted only while `rows_locked(parent)`
    is false, e.g. a call's questions once any application to the call has been submitted."""

    def rows_locked(self, parent: Any) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or not self.rows_locked(obj)) and super().has_add_permission(
            request, obj
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or not self.rows_locked(obj)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or not self.rows_locked(obj)) and super().has_delete_permission(
            request, obj
        )


class ReadOnlyAdminMixin(_AdminBase):
    """Refuses, for everyone (superusers included), the writes named in `refused_writes` through
    this admin page or inline: "add", "change", "delete", all three unless the class names
    fewer. What it does not refuse is left to the admin's own rules and Django's permissions.

        class AuthenticatorAdmin(ReadOnlyAdminMixin, AuditedAdmin, BaseAuthenticatorAdmin):
            refused_writes = frozenset({"add", "change"})  # removing a lost one is allowed

    Put it before the admin's other bases. An admin that refuses all three is read-only (see
    `is_read_only`)."""

    refused_writes: ClassVar[frozenset[str]] = frozenset({"add", "change", "delete"})

    # A model admin asks has_add_permission(request), an inline has_add_permission(request, obj).
    def has_add_permission(self, request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
        return "add" not in self.refused_writes and super().has_add_permission(
            request, *args, **kwargs
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return "change" not in self.refused_writes and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return "delete" not in self.refused_writes and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(ReadOnlyAdminMixin, _ModelAdminBase):
    """Looked at, never changed here: the portal's own pages and services change it."""


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Rows shown inside a read-only page."""

    extra = 0
    can_delete = False
    show_change_link = False


class SingletonSettingsAdmin(ReadOnlyAdminMixin, AuditedAdmin, admin.ModelAdmin):
    """The admin of a `SingletonSettings` model: one form, straight to it (the defaults until it
    is first saved); never a second row, never deleted. Changes are audited."""

    refused_writes = frozenset({"delete"})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not self.model._default_manager.exists()

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        opts = self.model._meta
        if self.model._default_manager.filter(pk=1).exists():
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", 1)
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_add")
