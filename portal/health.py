"""Health checks of the services the portal depends on, for /healthz and operators."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        return "error"
    return "ok"


def check_broker() -> str:
    """`ok` or `error` for the Redis broker; `eager` when tasks run in-process (no broker)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return "unknown"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except (redis.RedisError, OSError):
        logger.exception("Health check: broker unreachable")
        return "error"
    finally:
        if "client" in locals():
            client.close()
    return "ok"
