"""A throwaway domain app that exists only in the test settings: it plugs into the portal's
registry the way a new domain app would (a notification kind, a reminder source, a digest
section), so the tests prove the foundation picks up an app it has never heard of."""
