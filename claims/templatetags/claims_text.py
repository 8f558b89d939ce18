"""How user-entered text is marked up so every script reads right (docs/languages.md)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from claims import languages

register = template.Library()


@register.simple_tag
def lang_dir(tag: str = "") -> str:
    """`` lang="ru" dir="ltr"`` for text in a known language; `` dir="auto"`` otherwise.

    Put on the element that holds one user-entered text: the element isolates it, so an
    Arabic quote reads right to left, and neither it nor a name typed in another script
    reorders the page text around it. Without a known language the text inherits the
    page's ``lang`` and the browser takes its direction from its first strong letter.
    """
    if not tag:
        return mark_safe(' dir="auto"')
    return format_html(' lang="{}" dir="{}"', tag, languages.direction(tag))
