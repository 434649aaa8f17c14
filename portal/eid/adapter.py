"""allauth's social accounts under the portal's rules for e-legitimation.

- An answer is refused, whatever it is for, below the accepted level of assurance and when it
  has been used before (one that names no person the portal can recognise is refused by
  `providers`).
- A first login with e-legitimation creates an account: the person gives an email address (a
  new one: one that is already an account's login is refused by the sign-up form) and
  confirms it. No address a provider asserts is used (`providers`).
- An existing account links e-legitimation from its account page, after a password login
  (allauth asks for the password again unless it was typed recently).
- The same person through the portal's other provider is the same account: the uid is the
  keyed hash of the personnummer whichever provider asserted it.
- An answer to a signing becomes a proof for that signing only when it names the person who
  is logged in (`signing`).
- A session that began or was confirmed with e-legitimation remembers it, for the officers'
  rule `EID_FOR_OFFICERS` (`session_used_eid`)."""

from __future__ import annotations

import time
from typing import Any, cast

from allauth.account.signals import user_logged_in
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.signals import social_account_added, social_account_updated
from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.eid import signing
from portal.eid.pages import refused
from portal.eid.providers import Assertion
from portal.models import User

SESSION_KEY = "portal_eid_session"


def refusal(assertion: Assertion) -> str:
    """Why an answer cannot be used at all ("" if it can). Uses up the answer."""
    if assertion.loa not in settings.EID_ACCEPTED_LOA:
        return _(
            "Your e-legitimation was given at a lower level of assurance than the portal "
            "requires. Use BankID or Freja eID+ and try again."
        )
    if not cache.add(f"portal.eid.answer:{assertion.once}", 1, timeout=assertion.valid_seconds):
        return _(
            "This answer from the identity provider has already been used. Log in with your "
            "e-legitimation again."
        )
    return ""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: Any) -> Any:
        user = super().populate_user(request, sociallogin, data)
        user.name = (data.get("name") or "")[:150]
        return user

    def get_connect_redirect_url(self, request: HttpRequest, socialaccount: Any) -> str:
        return reverse("portal:eid_account")

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        assertion: Assertion | None = getattr(sociallogin, "eid_assertion", None)
        intent = signing.signing_intent(request, sociallogin.state)
        back = signing.back_of(request, intent)
        if assertion is None:
            raise ImmediateHttpResponse(refused(request, _("Unknown identity provider.")))
        why = refusal(assertion)
        if why and intent is None and sociallogin.state.get("process") == AuthProcess.CONNECT:
            raise ImmediateHttpResponse(
                refused(
                    request,
                    why,
                    back=reverse("portal:eid_account"),
                    back_label=_("Back to your e-legitimation"),
                )
            )
        if why:
            raise ImmediateHttpResponse(
                refused(request, why, back=back, nothing_signed=intent is not None)
            )
        if intent is not None:
            self._prove(request, sociallogin, assertion, intent, back=back)
            return
        # One person per account: an account links the e-legitimation of one personnummer
        # (through either provider), so nobody else's can sign for it or log in to it.
        connecting = (
            sociallogin.state.get("process") == AuthProcess.CONNECT
            and request.user.is_authenticated
        )
        if connecting:
            # the account's row locked until this answer is linked or refused (the views take
            # the answer in one transaction): a second answer at once waits, then sees this one
            User.objects.select_for_update().filter(pk=cast(int, request.user.pk)).first()
        if connecting and (
            SocialAccount.objects.filter(user_id=request.user.pk)
            .exclude(uid=assertion.uid)
            .exists()
        ):
            raise ImmediateHttpResponse(
                refused(
                    request,
                    _(
                        "Your account already has another person's e-legitimation linked. "
                        "Remove it first if the account is now yours to use. Nothing was "
                        "changed."
                    ),
                    back=reverse("portal:eid_account"),
                    back_label=_("Back to your e-legitimation"),
                )
            )
        if sociallogin.state.get("process") == AuthProcess.LOGIN and not sociallogin.is_existing:
            same_person = (
                SocialAccount.objects.filter(uid=assertion.uid)
                .exclude(provider=assertion.provider)
                .select_related("user")
                .first()
            )
            if same_person is not None:
                sociallogin.connect(request, same_person.user)

    def _prove(
        self,
        request: HttpRequest,
        sociallogin: SocialLogin,
        assertion: Assertion,
        intent: str,
        *,
        back: str,
    ) -> None:
        user = request.user
        if not (
            user.is_authenticated
            and sociallogin.is_existing
            and sociallogin.user is not None
            and sociallogin.user.pk == user.pk
        ):
            raise ImmediateHttpResponse(
                refused(
                    request,
                    _(
                        "The e-legitimation you used is not the one linked to your account. "
                        "Nothing was signed."
                    ),
                    back=back,
                )
            )
        proof = signing.Proof(
            user_pk=user.pk,
            provider=assertion.provider,
            uid=assertion.uid,
            loa=assertion.loa,
            asserted_at=assertion.asserted_at.isoformat(),
            name=assertion.name,
            once=assertion.once,
            started_at=float(sociallogin.state.get("started_at") or time.time()),
        )
        if not signing.keep_proof(request, intent, proof):
            raise ImmediateHttpResponse(
                refused(
                    request, _("This signing is no longer waiting. Nothing was signed."), back=back
                )
            )


def remember_session(request: HttpRequest, sociallogin: SocialLogin) -> None:
    data = sociallogin.account.extra_data or {}
    request.session[SESSION_KEY] = {
        "provider": sociallogin.account.provider,
        "loa": data.get("loa", ""),
        "at": time.time(),
    }


def session_used_eid(request: HttpRequest) -> bool:
    """Whether this session began, or was confirmed, with an e-legitimation of the accepted
    level of assurance."""
    marker = request.session.get(SESSION_KEY)
    return isinstance(marker, dict) and marker.get("loa") in settings.EID_ACCEPTED_LOA


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, sociallogin: Any = None, **kwargs: Any) -> None:
    if sociallogin is not None:
        remember_session(request, sociallogin)


@receiver(social_account_added)
@receiver(social_account_updated)
def _linked(sender: Any, request: HttpRequest, sociallogin: Any, **kwargs: Any) -> None:
    remember_session(request, sociallogin)
