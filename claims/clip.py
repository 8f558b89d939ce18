"""The Clip bookmarklet: a quote selected on any web page, opened as a prefilled claim form.

The bookmarklet is only a ``javascript:`` URL the editor keeps in the bookmarks bar (the
account page offers it). Run on a page, it reads the selection, the text just before and
after it (the quote's prefix and suffix: a text-quote selector), the page's URL and title,
and opens a new window on the tracker's ``/clip/`` with them in the query string. Nothing
is loaded from the tracker into the page, so it works under a page's strict CSP.

A selection whose URL would pass ``MAX_URL_LENGTH`` goes as a small form POST into a new
window instead, to ``/clip/landing/``. That request is cross-site: it carries none of the
editor's cookies (SameSite) and no CSRF token, so the landing view is exempt from CSRF and
does only one thing: keep the draft (``ClipDraft``, an hour at most) and redirect to
``/clip/?draft=<key>``, where the editor, logged in as usual, sees the form (the key is
random; a draft says only what the page said). No claim,
dispute or source is written until the editor saves that form (with its own CSRF token).
"""

from __future__ import annotations

import json
from urllib.parse import quote

from django.db import transaction
from django.utils import timezone

from claims.models import ClipDraft

# Longest URL the bookmarklet opens directly; longer selections are POSTed (old browsers and
# many proxies stop near 2,000 characters).
MAX_URL_LENGTH = 2000
# How much context a selector keeps on each side (Claim.quote_prefix/suffix hold 200).
CONTEXT_CHARS = 64
# What a draft may hold: the claim form's own limits.
LIMITS = {"quote": 10_000, "url": 2000, "title": 300, "prefix": 200, "suffix": 200}
# Drafts kept at once; older ones are dropped first (the landing view takes no login).
MAX_DRAFTS = 10_000

BOOKMARKLET = """(function(){
var T=%(base)s,M=%(max)d,C=%(context)d,s=window.getSelection(),q=String(s).trim(),p='',x='';
function n(t){return t.replace(/\\s+/g,' ');}
if(s.rangeCount){try{var r=s.getRangeAt(0),b=document.createRange(),a=document.createRange();
b.selectNodeContents(document.body);b.setEnd(r.startContainer,r.startOffset);p=n(String(b)).slice(-C).replace(/^\\s+/,'');
a.selectNodeContents(document.body);a.setStart(r.endContainer,r.endOffset);x=n(String(a)).slice(0,C).replace(/\\s+$/,'');}catch(e){}}
var d={quote:q,url:location.href,title:document.title,prefix:p,suffix:x},k,u=T+'/clip/?';
for(k in d){u+=k+'='+encodeURIComponent(d[k])+'&';}
if(u.length<=M){window.open(u,'_blank');return;}
var f=document.createElement('form');f.method='post';f.action=T+'/clip/landing/';f.target='_blank';
f.acceptCharset='utf-8';
for(k in d){var i=document.createElement('input');i.type='hidden';i.name=k;i.value=d[k];f.appendChild(i);}
document.body.appendChild(f);f.submit();f.remove();
})();"""


def bookmarklet(base_url: str) -> str:
    """The ``javascript:`` URL of the Clip link for a tracker at ``base_url`` (no trailing slash)."""
    code = BOOKMARKLET % {"base": json.dumps(base_url.rstrip("/")), "max": MAX_URL_LENGTH, "context": CONTEXT_CHARS}
    code = "".join(line.strip() for line in code.splitlines())
    return "javascript:" + quote(code, safe="(){}[];,:=+'!*._-/?&|<>$")


def clean_draft(data) -> dict[str, str]:
    """The fields a clip may carry, each cut to its limit (what a page sends is not trusted)."""
    return {name: str(data.get(name, ""))[:limit] for name, limit in LIMITS.items()}


@transaction.atomic
def draft_keep(*, data) -> ClipDraft:
    """Keep a long clip for the editor to open (the landing view); old drafts are dropped."""
    ClipDraft.objects.filter(created_at__lt=timezone.now() - ClipDraft.LIFETIME).delete()
    excess = ClipDraft.objects.order_by("-created_at").values_list("pk", flat=True)[MAX_DRAFTS - 1 : MAX_DRAFTS + 100]
    if excess:
        ClipDraft.objects.filter(pk__in=list(excess)).delete()
    return ClipDraft.objects.create(data=clean_draft(data))


def draft_read(*, key: str) -> dict[str, str] | None:
    """The draft kept under ``key``, or None if it expired or never was (a reload reads it again)."""
    if not key or len(key) > 40:
        return None
    draft = ClipDraft.objects.filter(key=key, created_at__gte=timezone.now() - ClipDraft.LIFETIME).first()
    return clean_draft(draft.data) if draft is not None else None
