"""Applications completed before `completed_at` existed get it from their submissions."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from grants.models import Application
from tests.grants.conftest import Grants, submitted
from tests.helpers.queries import count_queries

pytestmark = pytest.mark.django_db

migration = importlib.import_module("grants.migrations.0007_application_completed_at")


def test_the_last_resubmission_is_the_completion_in_one_update(grants: Grants) -> None:
    from grants import services

    once = submitted(grants)
    completed = [submitted(grants), submitted(grants)]
    for application in completed:
        services.application_request_completion(
            application=application,
            actor=grants.officer,
            message="Budget saknas.",
            due=timezone.localdate() + timedelta(days=7),
        )
        application.refresh_from_db()
        services.application_submit(application=application, actor=grants.editor)
    Application.objects.update(completed_at=None)
    with count_queries() as queries:
        migration.completed_from_submissions(apps, None)
    assert len(queries) == 1  # not one per application
    for application in completed:
        last = application.submissions.order_by("-submitted_at").first()
        assert Application.objects.get(pk=application.pk).completed_at == last.submitted_at
    assert Application.objects.get(pk=once.pk).completed_at is None
