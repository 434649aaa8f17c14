"""Helpers the test modules share, one module per concern:

- `clients`: logged-in test clients, English, the messages a page shows
- `queries`: counting a page's queries (the same count for few and many rows)
- `audit`: the audit trail of an object, and that a refused attempt recorded nothing
- `forms`: the `seen_version` each form on a page carries, as the browser sends it
- `mail`: the e-mails sent, a link in the last one, an e-mail's text and HTML parts
- `admin`: the Django admin's change form as a browser sends it back, the events it wrote
- `urls`: every URL of the portal or of one app, and what it answers the refused
- `mfa`: codes of a person's authenticator app
- `processes`: the portal and Celery in child processes, with a clean environment
- `concurrency`: work started at the same moment in several threads, on PostgreSQL
- `browser`: logging in and signing in Chromium, and axe-core's check of a page

Factories live with their app (`tests/<app>/factories.py`); the worlds a fixture builds, and
the steps through them, live in `tests/<app>/conftest.py`."""
