"""Swedish e-legitimation (BankID, Freja eID) through a SAML identity provider of Sweden
Connect or an OpenID Connect broker, on django-allauth's two providers.

- `config`: the providers from the environment (settings.py calls it).
- `identity`: a person is recognised by a keyed hash of their personnummer (or the provider's
  pairwise subject), never by the number itself.
- `providers`: allauth's SAML and OpenID Connect providers with the portal's rules: the
  attribute profile, the level of assurance, a fresh authentication when signing.
- `adapter`: who may log in, link and sign with what the provider asserted.
- `signing`: a signature confirmed by a fresh e-legitimation instead of a code from the app.
"""


def keep_answers_out_of_the_database() -> None:
    """A SAML identity provider posts its answer from another site, so allauth keeps the posted
    request (the signed answer, personnummer included) in a session of its own for the one
    redirect it takes to read it with the person's own session. That session is kept in the
    cache (Redis in production), never in the database the portal backs up and archives: the
    number must not reach a table even encoded, even for a second."""
    from allauth.socialaccount import sessions
    from django.contrib.sessions.backends.cache import SessionStore

    sessions.SessionStore = SessionStore
