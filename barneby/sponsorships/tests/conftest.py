from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django import Settings

from barneby.sponsorships.tests.factories import World, world


@pytest.fixture(autouse=True)
def _photos_in_tmp(settings: Settings, tmp_path: Path) -> None:
    settings.SPONSORSHIP_PHOTO_DIR = tmp_path / "photos"


@pytest.fixture
def w(db: None) -> World:
    return world()
