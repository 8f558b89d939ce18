"""The columns of a dispute's claims CSV: what the export writes and the import reads back."""

CLAIMS_CSV_COLUMNS = [
    "claim_id",
    "proposition",
    "dispute_slug",
    "party",
    "speaker",
    "speaker_role",
    "stance",
    "quote",
    "quote_language",
    "translation",
    "translation_language",
    "translated_by",
    "paraphrase",
    "said_on",
    "said_on_precision",
    "source_url",
    "source_title",
    "source_last_check",
    "source_last_checked_at",
    "link",
    "standing",
    "withdrawn_on",
    "withdrawn_url",
    "superseded_by_claim_id",
    "misreported_quote",
    "standing_reason",
    "quote_reconstructed",
    # Further appearances (docs/appearances.md): their URLs, one a line, the first appearance being
    # source_url. Imported: a claim gets each one it lacks.
    "other_appearances",
]
