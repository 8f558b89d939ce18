"""The claim ledger: one module per aggregate, re-exported here."""

from .accounts import FeedToken
from .api_tokens import ApiToken
from .appearances import Appearance
from .checks import CheckJob, QuoteCheck, SourceCheck
from .claims import Claim, ClaimStanding, DatePrecision, TranslationOrigin
from .clips import ClipDraft
from .disputes import ArticleLink, Dispute, DisputeSlugRedirect, Stance
from .evidence import Evidence, EvidenceLink
from .feed_items import FeedItem
from .following import EmailMode, Notification, NotificationSettings, Watch
from .parties import Party, Speaker
from .search import DisputePageStamp, DisputeSearchDocument
from .sources import Source, normalize_source_url
from .submissions import FormSubmission
from .webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiToken",
    "Appearance",
    "ArticleLink",
    "CheckJob",
    "Claim",
    "ClaimStanding",
    "ClipDraft",
    "DatePrecision",
    "EmailMode",
    "FeedItem",
    "Dispute",
    "DisputeSlugRedirect",
    "DisputePageStamp",
    "DisputeSearchDocument",
    "Evidence",
    "EvidenceLink",
    "FeedToken",
    "FormSubmission",
    "Notification",
    "NotificationSettings",
    "Party",
    "QuoteCheck",
    "Source",
    "SourceCheck",
    "Speaker",
    "Stance",
    "TranslationOrigin",
    "Watch",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "normalize_source_url",
]
