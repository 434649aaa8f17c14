"""The test suite's settings: the portal's own, plus a throwaway domain app (tests/throwaway)
that proves a new app plugs into the foundation without any edit of portal."""

from portal.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.throwaway"]  # noqa: F405

# Tests change data and read the public pages again at once: nothing is kept unless a test asks
# (tests/portal/test_public_cache.py).
PUBLIC_PAGE_CACHE_SECONDS = 0

# Likewise the count beside a list is counted on every view (tests/portal/test_pagination.py
# turns the kept count on).
PAGINATION_COUNT_CACHE_SECONDS = 0

# The person's roles and connections are kept between requests as in a running portal (the
# tests run in one process, so the local cache hears every change), so that every test that
# changes a role or a membership and then opens a page also tests that the change is heard.
PERSON_CACHE_LOCAL = True
