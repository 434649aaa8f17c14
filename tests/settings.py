"""The test suite's settings: the portal's own, plus a throwaway domain app (tests/throwaway)
that proves a new app plugs into the foundation without any edit of portal."""

from portal.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.throwaway"]  # noqa: F405
