"""Closing time is the server's clock in Europe/Stockholm, also across daylight saving."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants import services
from portal.formats import long_datetime
from tests.grants.conftest import Grants, complete_draft, make_call

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(moment: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.parametrize(
    "closes_local",
    [
        datetime(2026, 3, 29, 12, 0, tzinfo=STOCKHOLM),  # the first day of summer time (UTC+2)
        datetime(2026, 10, 25, 12, 0, tzinfo=STOCKHOLM),  # the first day of winter time (UTC+1)
        datetime(2026, 10, 25, 1, 30, tzinfo=STOCKHOLM),  # half an hour before the clocks go back
    ],
    ids=["summer-time-starts", "winter-time-starts", "before-the-change"],
)
def test_one_second_before_closing_is_in_time_and_closing_time_is_too_late(
    grants: Grants, monkeypatch: pytest.MonkeyPatch, closes_local: datetime
) -> None:
    opens = closes_local - timedelta(days=30)
    call = make_call(grants.programme, title="Kant", opens_at=opens, closes_at=closes_local)
    at(closes_local - timedelta(days=1), monkeypatch)
    in_time = complete_draft(grants, call=call)
    late = complete_draft(grants, call=call)

    at(closes_local - timedelta(seconds=1), monkeypatch)
    services.application_submit(application=in_time, actor=grants.editor)
    in_time.refresh_from_db()
    assert in_time.status == "submitted"

    at(closes_local, monkeypatch)
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=late, actor=grants.editor)
    assert long_datetime(closes_local) in error.value.messages[0]  # in Stockholm's time
    late.refresh_from_db()
    assert (late.status, late.registry_number) == ("draft", None)


def test_the_utc_offset_of_the_closing_time_follows_the_season(grants: Grants) -> None:
    summer = datetime(2026, 3, 29, 12, 0, tzinfo=STOCKHOLM)
    winter = datetime(2026, 10, 25, 12, 0, tzinfo=STOCKHOLM)
    assert summer.utcoffset() == timedelta(hours=2)
    assert winter.utcoffset() == timedelta(hours=1)
    call = make_call(grants.programme, opens_at=summer - timedelta(days=1), closes_at=winter)
    call.refresh_from_db()
    assert call.closes_at == datetime(2026, 10, 25, 11, 0, tzinfo=ZoneInfo("UTC"))


def test_a_completion_may_be_sent_in_after_the_call_closed(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = complete_draft(grants)
    services.application_submit(application=application, actor=grants.editor)
    application.refresh_from_db()
    services.application_request_completion(
        application=application,
        actor=grants.officer,
        message="Mer budget.",
        due=timezone.localdate() + timedelta(days=30),
    )
    at(grants.call.closes_at + timedelta(days=2), monkeypatch)
    services.application_submit(application=application, actor=grants.editor)
    application.refresh_from_db()
    assert application.status == "submitted"
