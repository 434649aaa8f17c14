"""allauth's forms (log in, passwords, email, two-factor) with the portal's messages that name
their field ("Fyll i ”E-post”."), like every form of the portal (`portal.forms.NamedErrorsMixin`).
`ACCOUNT_FORMS` and `MFA_FORMS` in the settings point allauth here; the sign-up form is
`portal.forms.SignupForm`, which allauth's own sign-up forms extend."""

from __future__ import annotations

from allauth.account import forms as account
from allauth.mfa.base import forms as mfa_base
from allauth.mfa.recovery_codes import forms as recovery_codes
from allauth.mfa.totp import forms as totp
from allauth.socialaccount import forms as socialaccount

from portal.forms import NamedErrorsMixin


class LoginForm(NamedErrorsMixin, account.LoginForm):
    pass


class AddEmailForm(NamedErrorsMixin, account.AddEmailForm):
    pass


class ChangeEmailForm(NamedErrorsMixin, account.ChangeEmailForm):
    pass


class ChangePasswordForm(NamedErrorsMixin, account.ChangePasswordForm):
    pass


class SetPasswordForm(NamedErrorsMixin, account.SetPasswordForm):
    pass


class ResetPasswordForm(NamedErrorsMixin, account.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(NamedErrorsMixin, account.ResetPasswordKeyForm):
    pass


class ReauthenticateForm(NamedErrorsMixin, account.ReauthenticateForm):
    pass


class SocialSignupForm(socialaccount.SignupForm):
    """A first login with e-legitimation: the name is the one the provider asserted, the email
    address the person's own (a new one; it is confirmed before they can log in). The portal's
    messages come with `portal.forms.SignupForm`, which allauth's form extends."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        name = getattr(self.sociallogin.user, "name", "")
        if name:
            self.initial.setdefault("name", name)


class AuthenticateForm(NamedErrorsMixin, mfa_base.AuthenticateForm):
    pass


class MFAReauthenticateForm(NamedErrorsMixin, mfa_base.ReauthenticateForm):
    pass


class ActivateTOTPForm(NamedErrorsMixin, totp.ActivateTOTPForm):
    pass


class DeactivateTOTPForm(NamedErrorsMixin, totp.DeactivateTOTPForm):
    pass


class GenerateRecoveryCodesForm(NamedErrorsMixin, recovery_codes.GenerateRecoveryCodesForm):
    pass
