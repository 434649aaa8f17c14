"""Segregation of duties: a declared conflict of interest (jäv) on a case, and with the
organisations it concerns."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from organisations import permissions, segregation
from organisations.models import (
    ConflictOfInterest,
    Organisation,
)
from portal.models import User
from portal.services import audit_record

# --- segregation of duties ------------------------------------------------------------


@transaction.atomic
def conflict_declare(
    *,
    actor: User,
    case: models.Model,
    reason: str,
    organisations: Iterable[Organisation] = (),
) -> ConflictOfInterest:
    """A case officer or decision maker declares a conflict of interest (jäv) on a case and is
    excluded from it from then on. A conflict in a case is a conflict with the organisations it
    concerns (`organisations`, e.g. the applicant): the person is excluded from their other
    cases too, their verification and documents included. Kept and audited on each."""
    if not permissions.is_officer(actor):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Write why you have a conflict of interest in this case.")}
        )
    declaration = _declare(actor, case, reason)
    for organisation in organisations:
        if not (isinstance(case, Organisation) and organisation.pk == case.pk):
            _declare(
                actor, organisation, _("In %(case)s: %(reason)s") % {"case": case, "reason": reason}
            )
    segregation.forget(actor)
    return declaration


def conflict_extend(*, case: models.Model, organisation: Organisation) -> None:
    """An organisation now concerned by a case (a party added to an agreement): whoever declared
    a conflict of interest in the case has one with the organisation too."""
    content_type = ContentType.objects.get_for_model(case, for_concrete_model=False)
    for declaration in ConflictOfInterest.objects.filter(
        content_type=content_type, object_id=str(case.pk)
    ).select_related("user"):
        _declare(
            declaration.user,
            organisation,
            _("In %(case)s: %(reason)s") % {"case": case, "reason": declaration.reason},
        )
        segregation.forget(declaration.user)


def _declare(actor: User, case: models.Model, reason: str) -> ConflictOfInterest:
    content_type = ContentType.objects.get_for_model(case, for_concrete_model=False)
    declaration, created = ConflictOfInterest.objects.get_or_create(
        user=actor,
        content_type=content_type,
        object_id=str(case.pk),
        defaults={"reason": reason, "object_repr": str(case)[:255]},
    )
    if created:
        audit_record(actor=actor, obj=case, action="conflict_declared", comment=reason)
    return declaration
