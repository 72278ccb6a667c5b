from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from pytest_django import Settings

# The sample files are shared with the project, not copied into it: ../shared/data/nets/ from the project root.
NETS_DATA = Path(django_settings.BASE_DIR).parent / "shared" / "data" / "nets"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Settings, tmp_path: Path) -> None:
    settings.FUNDRAISING_FILES_DIR = tmp_path / "fundraising"


@pytest.fixture
def nets_data() -> Path:
    if not NETS_DATA.is_dir():
        pytest.skip(f"the Nets sample files are not available at {NETS_DATA} (../shared/data/nets/)")
    return NETS_DATA
