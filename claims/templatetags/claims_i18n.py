"""The words static/js/site.js says, in the reader's language, put in the page as JSON data.

The Content-Security-Policy allows no inline script, so they travel in a data attribute of an
empty element: site.js reads it (and falls back to English without it). One place, so
``makemessages`` finds them as it finds every other string (docs/languages.md).
"""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


def ui_messages() -> dict[str, str]:
    return {
        "saved_not": gettext("Nothing was saved"),
        "loaded_not": gettext("This could not be loaded"),
        "kept": gettext("What you typed is still in the form."),
        "too_big": gettext(
            "Nothing was saved: this is more than the site accepts in one form. "
            "Your text is still in the form; shorten it, or split it, and save again."
        ),
        "unreachable": gettext("the server could not be reached. Check your connection and try again."),
        "unreadable": gettext("the server could not read the request (400). Reload the page and try again."),
        "forbidden": gettext(
            "you may not do this, or your session has ended ({status}). "
            "Reload the page, log in again if asked, and try again."
        ),
        "gone": gettext("it is no longer there ({status}); someone may have deleted it. Reload the page."),
        "too_many": gettext("too many requests in a short time (429). Wait a minute and try again."),
        "unavailable": gettext("the site is unavailable for a moment (503). Try again in a minute."),
        "server_error": gettext(
            "something went wrong on the server ({status}). Try again; if it happens again, tell an administrator."
        ),
        "refused": gettext("the server refused the request ({status}). Reload the page and try again."),
        "dismiss": gettext("Dismiss"),
    }


@register.simple_tag
def ui_messages_json() -> SafeString:
    """``<div id="ui-messages" data-words="{…}" hidden></div>`` for static/js/site.js."""
    return format_html('<div id="ui-messages" data-words="{}" hidden></div>', json.dumps(ui_messages()))
