"""Helpers the test modules share, one module per concern. Factories live with their app
(`tests/<app>/factories.py`); the worlds a fixture builds, and the steps through them, live in
`tests/<app>/conftest.py`."""
