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
