import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims.models import ArticleLink, Claim, EvidenceLink, Source, Speaker, Stance

from .factories import (
    ArticleLinkFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceFactory,
    PartyFactory,
    SourceFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db


def test_dispute_slug_is_unique():
    DisputeFactory(slug="contact")
    with pytest.raises(IntegrityError), transaction.atomic():
        DisputeFactory(slug="contact")


def test_source_url_is_unique_after_normalising():
    SourceFactory(url="https://Example.org/story?utm_source=x")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(url="HTTPS://example.org:443/story#top")
    assert Source.objects.count() == 1


def test_claim_with_unknown_stance_is_refused_by_the_database():
    claim = ClaimFactory.build(dispute=DisputeFactory(), party=PartyFactory(), source=None, stance="maybe")
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()
    assert Claim.objects.count() == 0


def test_claim_with_unknown_stance_gets_a_validation_error():
    claim = ClaimFactory.build(dispute=DisputeFactory(), party=PartyFactory(), source=None, stance="maybe")
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "stance" in error.value.message_dict


def test_claim_without_quote_or_paraphrase_is_refused():
    claim = ClaimFactory.build(dispute=DisputeFactory(), party=PartyFactory(), source=None, quote="  ", paraphrase="")
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "Give the verbatim quote, a paraphrase, or both." in error.value.message_dict["quote"]
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()
    assert Claim.objects.count() == 0


def test_claim_needs_a_party_and_a_dispute():
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(dispute=DisputeFactory(), party_id=None, stance=Stance.AFFIRMS, quote="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(dispute_id=None, party=PartyFactory(), stance=Stance.AFFIRMS, quote="x")


def test_speaker_must_belong_to_the_claims_party():
    us, russia = PartyFactory(name="US"), PartyFactory(name="Russia")
    lavrov = SpeakerFactory(party=russia, name="Sergey Lavrov")
    claim = ClaimFactory.build(dispute=DisputeFactory(), party=us, speaker=lavrov, source=None)
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "speaks for Russia" in error.value.message_dict["speaker"][0]


def test_speaker_name_unique_within_party():
    party = PartyFactory()
    SpeakerFactory(party=party, name="Mark Milley")
    with pytest.raises(IntegrityError), transaction.atomic():
        Speaker.objects.create(party=party, name="Mark Milley")


def test_evidence_link_points_at_a_claim_or_a_stance_not_both():
    evidence = EvidenceFactory()
    claim = ClaimFactory(dispute=evidence.dispute)
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceLink.objects.create(evidence=evidence, claim=claim, stance=Stance.AFFIRMS, effect="supports")
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceLink.objects.create(evidence=evidence, effect="supports")
    EvidenceLink.objects.create(evidence=evidence, claim=claim, effect="supports")
    EvidenceLink.objects.create(evidence=evidence, stance=Stance.DENIES, effect="contradicts")
    assert evidence.links.count() == 2


def test_evidence_link_to_claim_of_another_dispute_is_invalid():
    evidence = EvidenceFactory()
    other_claim = ClaimFactory()
    link = EvidenceLink(evidence=evidence, claim=other_claim, effect="supports")
    with pytest.raises(ValidationError):
        link.full_clean()


def test_article_links_once_per_dispute():
    link = ArticleLinkFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleLink.objects.create(dispute=link.dispute, source=link.source, relation="updates")


def test_published_dispute_gets_a_publication_date():
    dispute = DisputeFactory(is_published=True)
    assert dispute.published_at is not None


def test_strings_read_well_in_the_admin():
    party = PartyFactory(name="Russian government")
    speaker = SpeakerFactory(party=party, name="Sergey Lavrov", role="Foreign Minister")
    claim = ClaimFactory(party=party, speaker=speaker, stance=Stance.DENIES, quote="No contact occurred.")
    assert str(speaker) == "Sergey Lavrov, Foreign Minister (Russian government)"
    assert str(claim) == "Sergey Lavrov denies: “No contact occurred.”"
    assert str(SourceFactory(url="https://example.org/a", title="A story")) == "A story (example.org)"
    long = DisputeFactory(proposition="x" * 200)
    assert len(str(long)) == 90 and str(long).endswith("…")


def test_claim_date_keeps_its_precision():
    claim = ClaimFactory(said_on=datetime.date(2023, 3, 1), said_on_precision="month")
    assert claim.said_on_display == "March 2023"


def test_versions_go_up_on_every_save():
    claim = ClaimFactory()
    assert claim.version == 1
    claim.paraphrase = "Changed"
    claim.save()
    claim.refresh_from_db()
    assert claim.version == 2


def test_a_corrected_quote_restarts_its_selector():
    """The old position in the source (exact text and context) no longer matches a corrected quote."""
    claim = ClaimFactory(quote="Old wording here.", quote_exact="Old wording here.", quote_prefix="He said ")
    claim.quote = "A corrected translation."
    claim.full_clean()
    claim.save()
    claim.refresh_from_db()
    assert (claim.quote_exact, claim.quote_prefix) == ("A corrected translation.", "")
