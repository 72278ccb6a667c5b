"""Small pieces shared by the django-ninja schemas of every app."""

from __future__ import annotations

from typing import Any

from ninja import Field


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable(**kwargs: Any) -> Any:
    """A PATCH field the client may leave out (it then stays as it is) but not set to ``null``.

    For model fields that are not nullable: ``name: str = omittable(max_length=200)``.
    Declaring them ``str | None = None`` told clients that ``null`` is accepted,
    and the database then refused it with a 500.
    """
    return Field(None, json_schema_extra=_no_default, **kwargs)
