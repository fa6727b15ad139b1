import pytest


@pytest.fixture(autouse=True)
def _vietnamese_by_default(settings):
    """Every test starts in the portal's default language, whatever the previous test did."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
