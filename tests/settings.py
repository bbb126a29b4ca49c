"""Settings for the test suite: the portal's own, with a fast password hasher."""

import atexit
import shutil
import tempfile

from portal.settings import *  # noqa: F403

# Full-cost hashing is a third of the suite's CPU; the tests check logins, not hash strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# PDF render slots are per machine (lock files in a shared folder): each test run gets
# its own, so that test runs side by side never see each other's renders as "busy".
PDF_SLOTS_FOLDER = tempfile.mkdtemp(prefix="portal-pdf-slots-")
atexit.register(shutil.rmtree, PDF_SLOTS_FOLDER, ignore_errors=True)
