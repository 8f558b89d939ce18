"""The claim ledger: one module per aggregate, re-exported here."""

from .accounts import FeedToken
from .api_tokens import ApiToken
from .checks import CheckJob, QuoteCheck, SourceCheck
from .claims import Claim, ClaimStanding, DatePrecision, TranslationOrigin
from .disputes import ArticleLink, Dispute, Stance
from .evidence import Evidence, EvidenceLink
from .feed_items import FeedItem
from .parties import Party, Speaker
from .search import DisputePageStamp, DisputeSearchDocument
from .sources import Source, normalize_source_url
from .submissions import FormSubmission

__all__ = [
    "ApiToken",
    "ArticleLink",
    "CheckJob",
    "Claim",
    "ClaimStanding",
    "DatePrecision",
    "FeedItem",
    "Dispute",
    "DisputePageStamp",
    "DisputeSearchDocument",
    "Evidence",
    "EvidenceLink",
    "FeedToken",
    "FormSubmission",
    "Party",
    "QuoteCheck",
    "Source",
    "SourceCheck",
    "Speaker",
    "Stance",
    "TranslationOrigin",
    "normalize_source_url",
]
