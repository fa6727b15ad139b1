"""Test settings: the project's settings plus speed-only overrides."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")

from khuyencong.settings import *  # noqa: E402, F403

# Hashing with PBKDF2 costs ~100 ms a login; tests log in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests log in through the client without a request object that axes could inspect.
AXES_ENABLED = False
# The figures' cache adds its own queries (the data versions, the cache's reads and writes) to
# every summary: the tests that pin a page's queries count the figures themselves, and
# tests/programmes/test_figure_cache.py turns the cache on to test it.
FIGURES_CACHE = False
# Tasks run at once, inside the request that enqueues them (django.tasks' ImmediateBackend):
# a job is done when its page is first shown. tests/jobs/ also run the database back-end.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# The import tests of tests/programmes/ test the check and the confirmation in the request;
# tests/jobs/test_background_import.py turns this on and tests the same through jobs.
IMPORT_IN_BACKGROUND = False
