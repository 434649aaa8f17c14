"""The Celery app. Redis is the broker when REDIS_URL is set; without it, tasks run eagerly
in-process (the quick start and the default test run). Configuration lives in settings under
the CELERY_ namespace, the beat schedule included."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
