# mypy: disable-error-code="misc, no-any-return"
# (Wagtail ships no type information: its pages and blocks are Any to mypy.)
"""StreamField blocks of the public website's pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from barneby.website import keyfigures

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]


class TextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(features=RICH_TEXT_FEATURES, **kwargs)

    class Meta:
        label = _("Tekst")
        icon = "pilcrow"
        template = "website/blocks/text.html"


class ImageBlock(blocks.StructBlock):
    """An image with its alternative text: required, because a screen reader user must get what it shows."""

    image = ImageChooserBlock(label=_("Bilde"))
    alt = blocks.CharBlock(
        label=_("Alternativ tekst"),
        max_length=250,
        help_text=_("Hva bildet viser, for dem som ikke ser det."),
    )
    caption = blocks.CharBlock(label=_("Bildetekst"), required=False, max_length=250)

    class Meta:
        label = _("Bilde")
        icon = "image"
        template = "website/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Sitat"), max_length=1000)
    attribution = blocks.CharBlock(label=_("Hvem sa det"), required=False, max_length=200)

    class Meta:
        label = _("Sitat")
        icon = "openquote"
        template = "website/blocks/quote.html"


class FactBoxBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Tittel"), max_length=120)
    body = TextBlock(label=_("Innhold"))

    class Meta:
        label = _("Faktaboks")
        icon = "info-circle"
        template = "website/blocks/fact_box.html"


class KeyFigureBlock(blocks.StructBlock):
    """A live figure from the results module, chosen by name; never a number typed in by hand."""

    code = blocks.ChoiceBlock(label=_("Nøkkeltall"), choices=keyfigures.choices)

    def get_context(self, value: Any, parent_context: dict[str, Any] | None = None) -> dict[str, Any]:
        context = super().get_context(value, parent_context)
        context["figure"] = keyfigures.lookup(value["code"])
        return context

    class Meta:
        label = _("Nøkkeltall")
        icon = "order"
        template = "website/blocks/key_figure.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Overskrift"), max_length=120)
    text = blocks.TextBlock(label=_("Tekst"), required=False, max_length=500)
    page = blocks.PageChooserBlock(label=_("Side"), required=False)
    url = blocks.CharBlock(
        label=_("Eller adresse"),
        required=False,
        max_length=300,
        help_text=_("En adresse på dette nettstedet, for eksempel /bli-fadder/."),
    )
    label = blocks.CharBlock(label=_("Knappetekst"), max_length=60)

    class Meta:
        label = _("Handlingsknapp")
        icon = "pick"
        template = "website/blocks/call_to_action.html"


class AccordionItemBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Tittel"), max_length=200)
    body = TextBlock(label=_("Innhold"))


class AccordionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Overskrift"), required=False, max_length=120)
    items = blocks.ListBlock(AccordionItemBlock(), label=_("Punkter"), min_num=1)

    class Meta:
        label = _("Trekkspill")
        icon = "list-ul"
        template = "website/blocks/accordion.html"


def body_blocks() -> list[tuple[str, blocks.Block]]:
    return [
        ("text", TextBlock()),
        ("image", ImageBlock()),
        ("quote", QuoteBlock()),
        ("fact_box", FactBoxBlock()),
        ("key_figure", KeyFigureBlock()),
        ("call_to_action", CallToActionBlock()),
        ("accordion", AccordionBlock()),
    ]
