from __future__ import annotations

from typing import Any, cast

from allauth.account.admin import EmailAddressAdmin as BaseEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as BaseAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.socialaccount import admin as socialaccount_admin  # noqa: F401  (registers first)
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal import registry, services
from portal.admin_audit import (
    CHANGED,
    AuditedAdmin,
    ReadOnlyAdmin,
    ReadOnlyAdminMixin,
    SingletonSettingsAdmin,
)
from portal.http import stored_file_response
from portal.models import (
    ArchiveBatch,
    ArchiveBatchStatus,
    AuditEvent,
    DisposalRecord,
    LegalHold,
    Notification,
    PublicBody,
    PublicBodyMembership,
    ReminderSettings,
    RetentionRule,
    SiteSettings,
    User,
)


def _actor(request: HttpRequest) -> User:
    # The admin only lets staff in, so the request's user is a real User.
    return cast(User, request.user)


class PortalUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PublicBodyMembership
    extra = 0
    autocomplete_fields = ["public_body"]
    readonly_fields = ["created_at"]
    refused_writes = frozenset({"change"})  # a role is granted or revoked, never edited in place


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "public_body_memberships__role"]
    search_fields = ["email", "name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    # Plain multiple selects: Django's two-box filter widget fails axe (aria-prohibited-attr,
    # contrast) and is harder to use with a screen reader.
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )

    actions = ["download_personal_data", "erase_personal_data"]

    @admin.action(description=_("Download a copy of the person's data (GDPR)"))
    def download_personal_data(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> FileResponse | None:
        """For a request made by letter: the same ZIP the person downloads from their account."""
        from portal import personal_data

        user = self._one_person(request, queryset)
        if user is None:
            return None
        return FileResponse(
            personal_data.export_zip(user, actor=_actor(request)),
            as_attachment=True,
            filename=f"personuppgifter-{user.pk}.zip",
            content_type="application/zip",
        )

    @admin.action(description=_("Erase the person's account (GDPR)"))
    def erase_personal_data(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        """For a request made by letter, or an officer who has left: what goes and what is kept
        is shown first, and nothing happens until the administrator confirms."""
        from django.core.exceptions import ValidationError
        from django.template.response import TemplateResponse

        from portal import personal_data

        user = self._one_person(request, queryset)
        if user is None:
            return None
        if user.pk == request.user.pk:
            self.message_user(
                request,
                _("You cannot erase your own account: ask another administrator."),
                messages.ERROR,
            )
            return None
        standing = personal_data.blockers(user)
        if request.POST.get("confirmed") == "1" and not standing:
            email = user.email
            try:
                personal_data.user_erase(user=user, actor=_actor(request))
            except (PermissionDenied, ValidationError) as error:
                self.message_user(
                    request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("The account of %(email)s has been erased.") % {"email": email},
                    messages.SUCCESS,
                )
            return None
        return TemplateResponse(
            request,
            "admin/portal/user/erase_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Erase the person's account"),
                "person": user,
                "blockers": standing,
                "kept": personal_data.kept(),
                "opts": self.model._meta,
            },
        )

    def _one_person(self, request: HttpRequest, queryset: QuerySet[User]) -> User | None:
        if not request.user.is_superuser:
            self.message_user(
                request, _("Only a superuser may do this with a person's data."), messages.ERROR
            )
            return None
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(request, _("Choose one person at a time."), messages.ERROR)
            return None
        return people[0]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                services.audit_record(
                    actor=_actor(request),
                    obj=User.objects.get(pk=id),
                    action=CHANGED,
                    comment="password: changed (value not recorded)",
                )
        return response

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not PublicBodyMembership:
            super().save_formset(request, form, formset, change)
            return
        # Officer roles are granted and revoked through the services, which audit them.
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.public_body_membership_revoke(actor=_actor(request), membership=obj)
        for obj in formset.new_objects:
            services.public_body_membership_grant(
                actor=_actor(request),
                user=form.instance,
                public_body=obj.public_body,
                role=obj.role,
            )


@admin.register(PublicBody)
class PublicBodyAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "registry_prefix", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["parent"]
    search_fields = ["name", "registry_prefix"]
    autocomplete_fields = ["parent"]


@admin.register(PublicBodyMembership)
class PublicBodyMembershipAdmin(ReadOnlyAdminMixin, AuditedAdmin, admin.ModelAdmin):
    """Granted and revoked through the services, which write the audit events themselves."""

    list_display = ["user", "public_body", "role", "created_at"]
    list_filter = ["role", "public_body"]
    list_select_related = ["user", "public_body"]
    search_fields = ["user__email", "user__name", "public_body__name"]
    autocomplete_fields = ["user", "public_body"]
    refused_writes = frozenset({"change"})  # a role is granted or revoked, never edited in place

    def save_model(
        self,
        request: HttpRequest,
        obj: PublicBodyMembership,
        form: ModelForm,
        change: bool,
    ) -> None:
        saved = services.public_body_membership_grant(
            actor=_actor(request), user=obj.user, public_body=obj.public_body, role=obj.role
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: PublicBodyMembership) -> None:
        services.public_body_membership_revoke(actor=_actor(request), membership=obj)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[PublicBodyMembership]
    ) -> None:
        for membership in queryset.select_related("user", "public_body"):
            services.public_body_membership_revoke(actor=_actor(request), membership=membership)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "object_repr", "from_state", "to_state"]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_label", "object_repr", "comment"]
    date_hierarchy = "created_at"
    list_select_related = ["content_type"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]


@admin.register(RetentionRule)
class RetentionRuleAdmin(ReadOnlyAdminMixin, AuditedAdmin, admin.ModelAdmin):
    """The retention schedule (gallring): one row per kind of record the apps may dispose of,
    with the period and the decision it rests on; empty period: kept. Rows are made for every
    kind, with the apps' defaults, when the list is opened; they are changed, never added or
    removed here. Changes are audited; the nightly disposal logs what it removes."""

    refused_writes = frozenset({"add", "delete"})
    list_display = ["what", "period", "shortest", "basis", "updated_at"]
    fields = ["what", "keep_days", "shortest", "basis"]
    readonly_fields = ["what", "shortest"]

    @admin.display(description=_("kind of record"))
    def what(self, obj: RetentionRule) -> str:
        from portal.retention import label_of

        return label_of(obj.kind)

    @staticmethod
    def _minimum(obj: RetentionRule) -> int:
        kind = registry.registry.disposal_kinds.get(obj.kind)
        return kind.minimum_days if kind is not None else 0

    @admin.display(description=_("kept for (days)"), ordering="keep_days")
    def period(self, obj: RetentionRule) -> str:
        if obj.keep_days is None:
            return str(_("kept, never disposed of"))
        minimum = self._minimum(obj)
        if obj.keep_days < minimum:  # set outside the admin: the disposal keeps the law's
            return str(
                _("%(minimum)s (the shortest the law allows; the rule says %(days)s)")
                % {"minimum": minimum, "days": obj.keep_days}
            )
        return str(obj.keep_days)

    @admin.display(description=_("kept at least (days)"))
    def shortest(self, obj: RetentionRule) -> str:
        """The shortest period the law allows for the kind (the ledger of de minimis aid: ten
        years); the schedule refuses a shorter one and the disposal never uses one."""
        minimum = self._minimum(obj)
        return str(minimum) if minimum else "–"

    def save_model(self, request: HttpRequest, obj: RetentionRule, form: Any, change: bool) -> None:
        """Saved, and the administrator told how many records the next night's disposal will
        remove under the new period: a period set too short is seen before it is too late."""
        from portal.retention import due_count

        super().save_model(request, obj, form, change)
        count = due_count(obj.kind)
        if count:
            self.message_user(
                request,
                _(
                    "Under this rule, %(count)d records of the kind are due: the disposal removes "
                    "them tonight. Change the period now if that is not what the decision says."
                )
                % {"count": count},
                messages.WARNING,
            )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        from portal.retention import ensure_schedule

        ensure_schedule()
        return super().changelist_view(request, extra_context)


@admin.register(DisposalRecord)
class DisposalRecordAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The disposal log: what each night's disposal removed, by kind, count, period and
    decision (never the content)."""

    list_display = ["disposed_at", "label", "count", "keep_days", "cutoff"]
    list_filter = ["kind"]
    date_hierarchy = "disposed_at"
    readonly_fields = [field.name for field in DisposalRecord._meta.fields]


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Legal holds, set and lifted by officers on their page (Case handling, Legal holds)."""

    list_display = ["number", "kind_label", "public_body", "set_by", "set_at", "lifted_at"]
    list_filter = [("lifted_at", admin.EmptyFieldListFilter), "public_body"]
    search_fields = ["number", "reason"]
    list_select_related = ["public_body", "set_by"]
    readonly_fields = ["kind_label", *(f.name for f in LegalHold._meta.fields if f.name != "kind")]

    @admin.display(description=_("kind of document"))
    def kind_label(self, obj: LegalHold) -> str:
        return obj.kind_label


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The outbox: what was sent, what failed (with the last error), and a resend action. Rows
    are never deleted: the outbox row is what keeps a reminder from going out twice."""

    list_display = ["created_at", "kind", "recipient", "due_date", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__email", "kind"]
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["resend"]

    @admin.action(description=_("Send again"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        from portal.notifications import resend

        count = resend(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d notifications queued again.") % {"count": count})


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(SingletonSettingsAdmin):
    """When the officers' daily digest goes out. Each app's reminders have settings of their own
    beside this (grants, annual documents, IOP)."""

    fields = ["digest_hour"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(SingletonSettingsAdmin):
    """Who runs the portal: the name and logo in the header, the contact details in the footer
    and the text of the personal-data page. Every page reads them from the cache, which a
    change here empties."""

    fieldsets = (
        (_("Header"), {"fields": ["municipality_name", "logo"]}),
        (
            _("Contact details in the footer"),
            {"fields": ["contact_email", "contact_phone", "contact_address"]},
        ),
        (_("Personal data"), {"fields": ["personal_data_text"]}),
    )


# Third-party models that decide who gets in: audited like the portal's own.

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, BaseGroupAdmin):
    filter_horizontal = ()  # plain multiple select, as on the person (see UserAdmin)


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(AuditedAdmin, BaseEmailAddressAdmin):
    """A person's e-mail addresses; changes are recorded on the person."""

    def audit_target(self, obj: models.Model) -> models.Model:
        return cast(EmailAddress, obj).user

    @admin.action(description=_("Mark selected email addresses as verified"))
    def make_verified(self, request: HttpRequest, queryset: QuerySet[EmailAddress]) -> None:
        with transaction.atomic():
            pending = [address.pk for address in queryset.filter(verified=False)]
            super().make_verified(request, queryset)
            verified = EmailAddress.objects.filter(pk__in=pending, verified=True)
            for address in verified.select_related("user"):
                self._audit(request, address, CHANGED, ["verified: no → yes"])


admin.site.unregister(Authenticator)

# allauth names neither the model nor its fields, so the admin said "Authenticators", "Type",
# "Created at". The model's names are set on its _meta (not in a Meta class, which migrations
# read: allauth's app gets no migration of ours); the fields are named in the admin below.
Authenticator._meta.verbose_name = _("authentication method")
Authenticator._meta.verbose_name_plural = _("authentication methods")


StrOrPromise = str | Promise


def _titled(base: type[admin.FieldListFilter], title: StrOrPromise) -> type[admin.FieldListFilter]:
    """A field's list filter under a title of ours instead of the field's own name."""

    class TitledFilter(base):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.title = str(title)

    return TitledFilter


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdminMixin, AuditedAdmin, BaseAuthenticatorAdmin):
    """A person's second factor. Never created or edited here (the secret stays with the
    person); an administrator may remove a lost one, which is recorded on the person."""

    list_display = ("person", "method", "added", "last_used")
    list_filter = (
        ("type", _titled(admin.ChoicesFieldListFilter, _("method"))),
        ("created_at", _titled(admin.DateFieldListFilter, _("added"))),
        ("last_used_at", _titled(admin.DateFieldListFilter, _("last used"))),
    )
    fields = ("person", "method", "added", "last_used")
    readonly_fields = fields
    refused_writes = frozenset({"add", "change"})

    @admin.display(description=_("person"), ordering="user__email")
    def person(self, obj: Authenticator) -> str:
        return str(obj.user)

    @admin.display(description=_("method"), ordering="type")
    def method(self, obj: Authenticator) -> str:
        return str(obj.get_type_display())

    @admin.display(description=_("added"), ordering="created_at")
    def added(self, obj: Authenticator) -> Any:
        return obj.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, obj: Authenticator) -> Any:
        return obj.last_used_at

    def audit_target(self, obj: models.Model) -> models.Model:
        return cast(Authenticator, obj).user


# E-legitimation: the identity providers are configured from the environment only
# (portal.eid.config), and no provider's tokens are kept, so neither is edited here. A person's
# linked e-legitimation is shown without any number (there is none: its uid is a keyed hash);
# an administrator may remove one, which is recorded on the person.
admin.site.unregister(SocialApp)
admin.site.unregister(SocialToken)
admin.site.unregister(SocialAccount)
SocialAccount._meta.verbose_name = _("linked e-legitimation")
SocialAccount._meta.verbose_name_plural = _("linked e-legitimations")


@admin.register(SocialAccount)
class LinkedEIdAdmin(ReadOnlyAdminMixin, AuditedAdmin, admin.ModelAdmin):
    list_display = ("person", "provider_name", "asserted_name", "last_login")
    list_filter = (("last_login", _titled(admin.DateFieldListFilter, _("last used"))),)
    search_fields = ("user__email", "user__name")
    fields = ("person", "provider_name", "asserted_name", "level", "last_login")
    readonly_fields = fields
    refused_writes = frozenset({"add", "change"})

    @admin.display(description=_("person"), ordering="user__email")
    def person(self, obj: SocialAccount) -> str:
        return str(obj.user)

    @admin.display(description=_("identity provider"), ordering="provider")
    def provider_name(self, obj: SocialAccount) -> str:
        return obj.provider

    @admin.display(description=_("name asserted by the provider"))
    def asserted_name(self, obj: SocialAccount) -> str:
        return str((obj.extra_data or {}).get("name", ""))

    @admin.display(description=_("level of assurance"))
    def level(self, obj: SocialAccount) -> str:
        return str((obj.extra_data or {}).get("loa", ""))

    def audit_target(self, obj: models.Model) -> models.Model:
        return cast(SocialAccount, obj).user


# --- deliveries to the e-archive (portal.earchive) ------------------------------------------


class ArchiveBatchForm(forms.ModelForm):
    """A delivery of a year's closed cases of a public body (and the bodies under it)."""

    source = forms.ChoiceField(
        label=_("kind of case"),
        help_text=_(
            "Only closed cases are delivered: a grant case rejected, withdrawn after it was sent "
            "in, or granted with its report approved and the money paid; an IOP agreement that "
            "is signed. The others are left out, with the reason, on the delivery's page."
        ),
    )
    year = forms.IntegerField(
        label=_("year registered"),
        min_value=2000,
        max_value=2100,
        help_text=_("The year in the cases' registration numbers (diarienummer)."),
    )
    group = forms.TypedChoiceField(
        label=_("programme"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Grant cases only: leave empty for every programme of the public body."),
    )

    class Meta:
        model = ArchiveBatch
        fields = ["source", "public_body", "year", "group", "submission_agreement"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from portal import registry

        super().__init__(*args, **kwargs)
        if "public_body" not in self.fields:  # a delivery's own page: nothing changes there
            return
        sources = registry.archive_sources()
        cast(forms.ChoiceField, self.fields["source"]).choices = [
            (source.name, source.label) for source in sources
        ]
        bodies = list(PublicBody.objects.values_list("pk", flat=True))
        groups = [choice for source in sources if source.groups for choice in source.groups(bodies)]
        cast(forms.ChoiceField, self.fields["group"]).choices = [("", "—"), *groups]
        self.fields["public_body"].required = True


@admin.register(ArchiveBatch)
class ArchiveBatchAdmin(ReadOnlyAdminMixin, AuditedAdmin, admin.ModelAdmin):
    """Deliveries to the e-archive: started here (a year's closed cases) or from the lists of
    applications and agreements ("Export to e-archive"), built by a worker; the finished ZIP,
    and each case's package in it, are downloaded here. Only superusers and administrators
    given "Can deliver cases to the e-archive" see and start them."""

    form = ArchiveBatchForm
    # started through the service, which records it in the audit trail; never changed
    refused_writes = frozenset({"change", "delete"})
    list_display = ["requested_at", "source_label", "scope", "status", "progress", "download"]
    list_filter = ["status", "source"]
    list_select_related = ["public_body", "requested_by"]
    readonly_fields = [
        "source_label",
        "scope",
        "submission_agreement",
        "status",
        "progress",
        "download",
        "package_links",
        "refused_list",
        "sha256",
        "error",
        "requested_by",
        "requested_at",
        "started_at",
        "finished_at",
    ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["source", "public_body", "year", "group", "submission_agreement"]
        return self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        from portal.earchive.services import may_export

        return may_export(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        from portal.earchive.services import may_export

        return may_export(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ArchiveBatch, form: Any, change: bool) -> None:
        from portal.earchive.services import batch_request

        data = form.cleaned_data
        batch = batch_request(
            actor=_actor(request),
            source=data["source"],
            public_body=data["public_body"],
            year=data["year"],
            group=data.get("group"),
            submission_agreement=data.get("submission_agreement", ""),
        )
        obj.pk = batch.pk

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        from django.core.exceptions import ValidationError

        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect("admin:portal_archivebatch_add")

    @admin.display(description=_("kind of case"), ordering="source")
    def source_label(self, obj: ArchiveBatch) -> str:
        from portal import registry

        try:
            return str(registry.archive_source(obj.source).label)
        except KeyError:
            return obj.source

    @admin.display(description=_("cases"))
    def scope(self, obj: ArchiveBatch) -> str:
        if obj.object_ids:
            return str(_("%(count)d chosen cases") % {"count": len(obj.object_ids)})
        parts = [str(obj.public_body or ""), str(obj.year or ""), obj.group_label]
        return ", ".join(part for part in parts if part)

    @admin.display(description=_("progress"))
    def progress(self, obj: ArchiveBatch) -> str:
        if obj.status == ArchiveBatchStatus.QUEUED:
            return "–"
        return str(
            _("%(handled)d of %(total)d cases, %(packaged)d packaged")
            % {"handled": obj.handled, "total": obj.total, "packaged": len(obj.packages)}
        )

    @admin.display(description=_("download"))
    def download(self, obj: ArchiveBatch) -> str:
        if obj.status != ArchiveBatchStatus.READY or not obj.file:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:portal_archivebatch_download", args=[obj.pk]),
            _("Download the delivery (ZIP)"),
        )

    @admin.display(description=_("packages"))
    def package_links(self, obj: ArchiveBatch) -> str:
        if obj.status != ArchiveBatchStatus.READY or not obj.packages:
            return "–"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}.zip</a> ({} byte, SHA-256 {})</li>',
                (
                    (
                        reverse("admin:portal_archivebatch_package", args=[obj.pk, p["objid"]]),
                        p["objid"],
                        p["size"],
                        p["sha256"],
                    )
                    for p in obj.packages
                ),
            ),
        )

    @admin.display(description=_("cases not delivered"))
    def refused_list(self, obj: ArchiveBatch) -> str:
        """Each case left out, by its diarienummer where it has one (one query), and why."""
        from portal import registry

        if not obj.refused:
            return "–"
        numbers: dict[int, str] = {}
        source = registry.registry.archive_sources.get(obj.source)
        if source is not None and any(
            f.name == "registry_number" for f in source.model._meta.concrete_fields
        ):
            numbers = {
                pk: number or ""
                for pk, number in source.model._default_manager.filter(
                    pk__in=[r["object_id"] for r in obj.refused]
                ).values_list("pk", "registry_number")
            }
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {}</li>",
                (
                    (numbers.get(r["object_id"]) or f"#{r['object_id']}", r["reason"])
                    for r in obj.refused
                ),
            ),
        )

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/download/",
                view(self.download_view),
                name="portal_archivebatch_download",
            ),
            path(
                "<int:pk>/package/<str:objid>/",
                view(self.package_view),
                name="portal_archivebatch_package",
            ),
            *super().get_urls(),
        ]

    def _ready(self, request: HttpRequest, pk: int) -> ArchiveBatch:
        from portal.earchive.services import may_export

        if not may_export(request.user):
            raise PermissionDenied
        batch = ArchiveBatch.objects.filter(pk=pk, status=ArchiveBatchStatus.READY).first()
        if batch is None or not batch.file:
            raise Http404
        return batch

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        batch = self._ready(request, pk)
        return stored_file_response(
            batch.file, filename=f"e-arkiv-leverans-{batch.pk}.zip", content_type="application/zip"
        )

    def package_view(self, request: HttpRequest, pk: int, objid: str) -> HttpResponse:
        from portal.earchive.services import batch_package

        batch = self._ready(request, pk)
        try:
            package = batch_package(batch, objid)
        except KeyError:
            raise Http404 from None
        response = HttpResponse(package, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{objid}.zip"'
        return response
