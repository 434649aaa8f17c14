"""The inbox's "not assigned" filter stays fast on PostgreSQL: the planner has joint statistics
of an application's body, case officer and status."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statistics")
def test_the_planner_knows_how_body_officer_and_status_go_together() -> None:
    """Without joint statistics the planner guessed thousands of unassigned cases at a body
    that had none, and walked the whole inbox in date order to find them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxkind FROM pg_statistic_ext WHERE stxname = "
            "'application_body_assigned_status'"
        )
        assert cursor.fetchone() is not None
