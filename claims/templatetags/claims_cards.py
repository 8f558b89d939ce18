"""``{% cached_card kind object %}…{% endcached_card %}``: a card of the dispute or party page from claims.card_cache.

Renders its contents as they are when the context has no ``card_cache``, or the cache
gives the object no key; otherwise the HTML found for the key, or renders and keeps it.
"""

from django import template
from django.utils.safestring import mark_safe

from claims.card_cache import with_token

register = template.Library()


class CachedCardNode(template.Node):
    def __init__(self, kind: str, target: template.base.FilterExpression, nodelist: template.NodeList):
        self.kind = kind
        self.target = target
        self.nodelist = nodelist

    def render(self, context) -> str:
        cards = context.get("card_cache")
        if cards is None:  # an editing view swapping a list in: rendered as before
            return self.nodelist.render(context)
        key = cards.key(self.kind, self.target.resolve(context))
        if key is None:
            return self.nodelist.render(context)
        html = cards.found.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cards.keep(key, html)
            return html
        return mark_safe(with_token(html, context.get("csrf_token", "")))  # noqa: S308 — rendered by this template, autoescaped there


@register.tag
def cached_card(parser, token):
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("{% cached_card kind object %} takes a kind and an object")
    kind = bits[1].strip("\"'")
    nodelist = parser.parse(("endcached_card",))
    parser.delete_first_token()
    return CachedCardNode(kind, parser.compile_filter(bits[2]), nodelist)
