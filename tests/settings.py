"""Settings for the test suite: the portal's own, with a fast password hasher."""

from portal.settings import *  # noqa: F403

# Full-cost hashing is a third of the suite's CPU; the tests check logins, not hash strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
