import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# Before the first request: the templates, translations and URL patterns loaded, and what is
# alive set aside from the garbage collector (portal.runtime).
from portal import runtime  # noqa: E402

runtime.prepare_worker()
