from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import translation

from portal import downloads, process_copies
from portal.celery import app as celery_app
from portal.models import PublicBodyMembership, SiteSettings, User
from portal.selectors import SITE_SETTINGS_CACHE_KEY
from tests.helpers import object_storage
from tests.portal.factories import MembershipFactory, UserFactory, give_totp


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    if django_settings.STORAGE_URL:
        # The suite against the S3 server (.ci/run): each test's files under a prefix of its
        # own in the bucket.
        object_storage.use_bucket(settings)
    else:
        # The open-data files of each test in its own directory (never var/open-data).
        settings.STORAGES = {
            **settings.STORAGES,
            "open_data": {
                **settings.STORAGES["open_data"],
                "OPTIONS": {"location": tmp_path / "open-data"},
            },
        }
    cache.clear()  # allauth's rate limits count in the cache
    process_copies.clear_all()  # and what this process copied from it
    # A download the test client never read to the end is never closed, so its thread of the
    # process's download limit would stay taken (a server always closes its responses).
    downloads.forget_streams()
    # As in a running portal, the municipality's details (defaults) are already in the cache, so
    # that a page's query count is its own; tests/portal/test_frame.py reads them cold.
    cache.set(SITE_SETTINGS_CACHE_KEY, SiteSettings(pk=1), timeout=None)
    # Tasks run in-process in tests, also when REDIS_URL is set; the worker round-trip tests
    # switch this off for themselves.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # Every test starts in the portal's language. A request in English (`in_english`) leaves
    # English active in the thread after it, as Django's locale middleware does; without this
    # the next test's Swedish texts would depend on the order the tests ran in.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)
    celery_app.conf.task_always_eager = eager
    cache.clear()
    process_copies.clear_all()
    downloads.forget_streams()


@pytest.fixture
def member(db: None) -> User:
    """A person with no officer role (an association's representative)."""
    return UserFactory(name="Frida Förening")


@pytest.fixture
def officer_membership(db: None) -> PublicBodyMembership:
    return MembershipFactory(user__name="Hanna Handläggare")


@pytest.fixture
def officer(officer_membership: PublicBodyMembership) -> User:
    """A case officer who has set up two-factor authentication."""
    give_totp(officer_membership.user)
    return officer_membership.user


@pytest.fixture
def officer_without_mfa(db: None) -> User:
    return MembershipFactory(user__name="Otto Utan-MFA").user


@pytest.fixture
def staff(db: None) -> User:
    user = UserFactory(name="Alva Admin", is_staff=True, is_superuser=True)
    give_totp(user)
    return user
