"""Signing with e-legitimation: instead of typing a code from the app, the person authenticates
again at their identity provider (ForceAuthn / prompt=login), and the signature is made when
the provider's answer comes back.

1. The signing page's form is checked as for a code, then `begin` keeps what is to be signed
   (an *intent*: the kind, the form's values, where to go back) in the session and sends the
   person to the provider with a fresh authentication asked for.
2. The answer passes allauth and the portal's adapter, which checks it (the level of
   assurance, used once) and, when it names the same person as the one logged in, keeps a
   `Proof` with the intent.
3. allauth sends the person to `finish`, which takes the intent (once) and hands the form's
   values and the proof to what the domain app registered for the kind (`register`). Its
   service calls `portal.second_factor.confirm(proof=...)`, and so `accept` below: the proof
   is the person's, fresh, of the accepted level, and not used before.

A signing domain registers in its AppConfig.ready(); portal knows no domain."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.base.constants import AuthAction, AuthProcess
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.models import SigningEvidence, User
from portal.second_factor import Confirmation

SESSION_KEY = "portal_eid_signing"
INTENTS_KEPT = 5  # a person has at most this many signings on the way at once
# How far before the person pressed "sign" the identity provider's clock may put the fresh
# authentication (AuthnInstant, auth_time): clocks differ a little, but an authentication from
# before the request cannot be the fresh one it asked for.
FRESH_SKEW = 60

Complete = Callable[[HttpRequest, dict[str, Any], "Proof"], HttpResponse]
_COMPLETERS: dict[str, Complete] = {}


def register(kind: str, complete: Complete) -> None:
    """`complete(request, values, proof)` makes the signature of `kind` with the form values
    `begin` kept, confirmed by `proof`, and answers with where the person goes next."""
    _COMPLETERS[kind] = complete


@dataclass(frozen=True)
class Proof:
    """A fresh e-legitimation of the logged-in person, kept for one signing."""

    user_pk: int
    provider: str
    uid: str
    loa: str
    asserted_at: str  # ISO 8601, as the session keeps it
    name: str
    once: str
    started_at: float  # when the person pressed "sign"

    def asserted(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.asserted_at)


def linked_providers(user: User | AnonymousUser) -> list[Any]:
    """The e-legitimation providers this person has linked, for their signing forms (none
    when e-legitimation is off)."""
    if not settings.EID_ENABLED or not user.is_authenticated:
        return []
    linked = set(SocialAccount.objects.filter(user=user).values_list("provider", flat=True))
    return [p for p in enabled_providers(None) if p.sub_id in linked]


def enabled_providers(request: HttpRequest | None) -> list[Any]:
    adapter = get_social_adapter()
    return [app.get_provider(request) for app in adapter.list_apps(request)]


def begin(request: HttpRequest, *, kind: str, values: dict[str, Any], back: str) -> HttpResponse:
    """Keep the signing and send the person to their identity provider for a fresh
    authentication. `values` are the checked form's values (JSON); `back` the page to return to
    whatever happens."""
    if kind not in _COMPLETERS:
        raise LookupError(f"no signing of kind {kind!r} is registered")
    providers = linked_providers(request.user)
    if not providers:
        messages.error(request, _("Link your e-legitimation to your account first."))
        return HttpResponseRedirect(back)
    intent_id = secrets.token_urlsafe(16)
    intents = dict(request.session.get(SESSION_KEY) or {})
    for stale in sorted(intents, key=lambda k: intents[k]["started_at"])[: -INTENTS_KEPT + 1]:
        intents.pop(stale)
    started_at = time.time()
    intents[intent_id] = {
        "kind": kind,
        "values": values,
        "back": back,
        "user": request.user.pk,
        "started_at": started_at,
        "proof": None,
    }
    request.session[SESSION_KEY] = intents
    provider = providers[0]
    return provider.redirect(
        request,
        AuthProcess.REDIRECT,
        next_url=reverse("portal:eid_sign_finish", args=[intent_id]),
        data={"eid_sign": intent_id},
        action=AuthAction.REAUTHENTICATE,
        started_at=started_at,
    )


def signing_intent(request: HttpRequest, state: dict[str, Any]) -> str | None:
    """The signing an identity provider's answer belongs to, if it is one."""
    data = state.get("data")
    if isinstance(data, dict) and isinstance(data.get("eid_sign"), str):
        return str(data["eid_sign"])
    return None


def back_of(request: HttpRequest, intent_id: str | None) -> str:
    """The page a signing on the way was started from ("" if there is none)."""
    intent = (request.session.get(SESSION_KEY) or {}).get(intent_id) if intent_id else None
    return str(intent["back"]) if intent else ""


def keep_proof(request: HttpRequest, intent_id: str, proof: Proof) -> bool:
    """Called by the adapter with a checked answer; False if no such signing is on the way."""
    intents = dict(request.session.get(SESSION_KEY) or {})
    intent = intents.get(intent_id)
    if intent is None or intent["user"] != proof.user_pk:
        return False
    intent["proof"] = asdict(proof)
    request.session[SESSION_KEY] = intents
    return True


@require_GET
def finish(request: HttpRequest, intent_id: str) -> HttpResponse:
    """Where the identity provider's answer leads: the signing is made, or refused with the
    reason, and the person is back on the page they signed from."""
    intents = dict(request.session.get(SESSION_KEY) or {})
    intent = intents.pop(intent_id, None)
    request.session[SESSION_KEY] = intents
    if intent is None or intent["user"] != request.user.pk:
        messages.error(request, _("This signing is no longer waiting. Nothing was signed."))
        return HttpResponseRedirect(reverse(settings.LOGIN_REDIRECT_URL))
    back = intent["back"]
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse(settings.LOGIN_REDIRECT_URL)
    if not intent["proof"]:
        messages.error(request, _("The e-legitimation was not completed. Nothing was signed."))
        return HttpResponseRedirect(back)
    complete = _COMPLETERS[intent["kind"]]
    return complete(request, intent["values"], Proof(**intent["proof"]))


def accept(*, actor: User, proof: Proof) -> Confirmation:
    """Refuse (ValidationError) a proof that is not this person's, not fresh (the person
    authenticated before pressing sign, longer ago than EID_SIGNING_WINDOW, or, by the
    provider's clock, in the future), below the
    accepted level of assurance, of an e-legitimation no longer linked to the account, or
    used before. Otherwise it is used up and becomes the signature's confirmation."""
    asserted = proof.asserted()
    now = timezone.now()
    window = dt.timedelta(seconds=settings.EID_SIGNING_WINDOW)
    skew = dt.timedelta(seconds=FRESH_SKEW)
    started = dt.datetime.fromtimestamp(proof.started_at, tz=dt.UTC)
    if proof.user_pk != actor.pk:
        raise ValidationError(_("The e-legitimation is another person's. Nothing was signed."))
    if proof.loa not in settings.EID_ACCEPTED_LOA:
        raise ValidationError(
            _("The e-legitimation's level of assurance is too low. Nothing was signed.")
        )
    if asserted < started - skew or asserted > now + skew or now - asserted > window + skew:
        raise ValidationError(
            _(
                "The e-legitimation was not fresh: sign again and authenticate when your "
                "identity provider asks. Nothing was signed."
            )
        )
    if not SocialAccount.objects.filter(
        user=actor, provider=proof.provider, uid=proof.uid
    ).exists():
        raise ValidationError(
            _("This e-legitimation is no longer linked to your account. Nothing was signed.")
        )
    if not cache.add(f"portal.eid.signed:{proof.once}", 1, timeout=int(window.total_seconds()) * 2):
        raise ValidationError(_("This e-legitimation has already been used. Nothing was signed."))
    return Confirmation(
        method=SigningEvidence.Method.EID,
        provider=proof.provider,
        loa=proof.loa,
        asserted_at=asserted,
        name=proof.name,
    )
