"""The test client as a person uses the portal: logged in (directly, or through the login form),
reading it in English, and the messages a page shows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from portal.models import User


def logged_in(user: User, **client_defaults: Any) -> Client:
    """A client with `user` logged in (`client_defaults` as for `Client`, e.g. headers)."""
    client = Client(**client_defaults)
    client.force_login(user)
    return client


def logged_in_by_password(user: User) -> Client:
    """Log in through allauth's form, as a person does (allauth then counts the login as a
    recent authentication, which setting up MFA asks for)."""
    from tests.portal.factories import PASSWORD

    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def in_english(client: Client) -> Client:
    """The person reads the portal in English (the source text), so tests can assert on it
    before the Swedish catalogue is merged."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def shown_messages(response: Any) -> list[str]:
    """The messages the rendered page shows (a response followed to its page)."""
    return [str(message) for message in response.context["messages"]]


def queued_messages(response: Any) -> list[str]:
    """The messages the request left for the next page (a redirect not followed)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def context_value(response: Any, name: str) -> Any:
    """The value `name` the page's template was given, as it read it: a value the view made
    only for the template to read (`portal.public_cache.deferred`) is made."""
    from portal.public_cache import Deferred

    value = response.context[name]
    return value() if isinstance(value, Deferred) else value
