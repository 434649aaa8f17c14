"""A search by part of a name has an index on PostgreSQL (and the planner statistics that come
with it), so the inbox, the queue and the directory stay fast among thousands of organisations."""

from __future__ import annotations

import pytest
from django.db import connection

from organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_a_name_search_can_use_the_trigram_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'organisation_name_trigram'"
        )
        (definition,) = cursor.fetchone()
        assert "gin_trgm_ops" in definition and "upper" in definition.lower()
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Organisation.objects.filter(name__icontains="solstr").explain()
    assert "organisation_name_trigram" in plan
