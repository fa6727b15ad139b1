import pytest


@pytest.fixture(autouse=True)
def _vietnamese_by_default(settings):
    """Every test starts in the portal's default language, whatever the previous test did."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def _own_temporary_folder(tmp_path_factory):
    """The session's temporary files (the import's stored uploads among them) in a folder of its
    own, not in the machine's shared one: parallel workers, and other runs of the suite on the
    same machine, neither see nor clean up each other's uploads."""
    import tempfile

    folder = tmp_path_factory.mktemp("tmp")
    previous, tempfile.tempdir = tempfile.tempdir, str(folder)
    yield
    tempfile.tempdir = previous
