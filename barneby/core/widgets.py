"""Widgets that render quickly where Django's template-based ones are slow."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


@lru_cache(maxsize=64)
def _options(choices: tuple[tuple[str, str], ...]) -> str:
    return "".join(
        f'<option value="{conditional_escape(v)}">{conditional_escape(label)}</option>' for v, label in choices
    )


class FastSelect(forms.Select):
    """A single-choice ``<select>`` built in Python, not through one template per option.

    Django renders each option through the template engine, which costs
    tens of milliseconds for a list of every country. Same markup, same
    behaviour; no option groups.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        selected = "" if value is None else str(value[0] if isinstance(value, list | tuple) and value else value)
        options = []
        for option_value, label in self.choices:
            text = str(option_value)
            flag = " selected" if text == selected else ""
            options.append(
                f'<option value="{conditional_escape(text)}"{flag}>{conditional_escape(str(label))}</option>'
            )
        attributes = "".join(
            f" {key}" if value is True else f' {key}="{conditional_escape(value)}"'
            for key, value in final.items()
            if value is not None and value is not False
        )
        return mark_safe(f"<select{attributes}>{''.join(options)}</select>")  # noqa: S308  (each part escaped above)
