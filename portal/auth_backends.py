"""The logged-in person, read from the database once and then kept in the web worker's memory
until their row changes: every page of a logged-in person read it (one query and its ORM, about
a tenth of an officer's list page)."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from portal import person_cache
from portal.models import User


def user_generation(pk: object) -> str:
    """The generation of one person's row: raised by any save or delete of it
    (`portal.apps`), so a copy read before the change is never used after it."""
    return f"user:{pk}"


def kept_user(backend: DjangoModelBackend, user_id: Any) -> User | None:
    """The person `user_id` as `ModelBackend.get_user` reads them, kept in this process only
    (the row holds the password's hash: it is never written to the shared cache) under their
    own generation and the person generation (`person_cache.forget_all()` reaches it)."""

    def load() -> Any:
        return DjangoModelBackend.get_user(backend, user_id)

    return person_cache.kept(
        f"user:{user_id}",
        load,
        generation=(person_cache.PERSON, user_generation(user_id)),
        shared=False,
    )


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> Any:
        return kept_user(self, user_id)


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id: Any) -> Any:
        return kept_user(self, user_id)
