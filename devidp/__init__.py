"""devidp: a SAML 2.0 identity provider standing in for Sweden Connect, for development and CI.

Not part of the portal and never deployed: `python -m devidp` serves it beside `make run`, and
tests start it in a thread (`devidp.server.start_in_thread`). See `devidp.idp` for what it does
and the choices that make it a development identity provider only.
"""
