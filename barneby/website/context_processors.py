from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from barneby.website import consent


def website(request: HttpRequest) -> dict[str, Any]:
    """The visitor's cookie choice (None until they choose), for the banner in the public layout."""
    return {"cookie_choice": consent.choice(request)}
