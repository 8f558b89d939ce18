"""Factories so a test says only what matters to it.

A factory saves the row directly, then adds what the creating service would have set off
(``claims.services``): a source's first check job, a claim's, evidence's or article's feed
item. Status-change and verdict feed items come only from the services; tests of what a
write triggers call the services themselves (tests/test_services.py, test_feed_items.py).
"""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims import feed_items, models, roles
from claims.checking.jobs import job_request


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            roles.ensure_roles()
            self.groups.add(*Group.objects.filter(name__in=extracted))


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Party

    name = factory.Sequence(lambda n: f"Party {n}")
    slug = factory.Sequence(lambda n: f"party-{n}")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Speaker

    party = factory.SubFactory(PartyFactory)
    name = factory.Sequence(lambda n: f"Speaker {n}")
    role = "Spokesperson"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    url = factory.Sequence(lambda n: f"https://news.example.org/story-{n}")
    title = factory.Sequence(lambda n: f"Story {n}")
    publisher = "Example News"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        source = super()._create(model_class, *args, **kwargs)
        job_request(source=source, reason=models.CheckJob.Reason.NEW)  # as services.source_for_url
        return source


class DisputeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Dispute

    proposition = factory.Sequence(lambda n: f"Proposition number {n} holds.")
    slug = factory.Sequence(lambda n: f"dispute-{n}")
    is_published = True


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Claim

    dispute = factory.SubFactory(DisputeFactory)
    party = factory.SubFactory(PartyFactory)
    stance = models.Stance.AFFIRMS
    quote = factory.Sequence(lambda n: f"We said thing number {n}.")
    said_on = datetime.date(2023, 3, 15)
    source = factory.SubFactory(SourceFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        claim = super()._create(model_class, *args, **kwargs)
        feed_items.create_for_claim(claim)  # as services.claim_create
        return claim


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Evidence

    dispute = factory.SubFactory(DisputeFactory)
    kind = models.Evidence.Kind.FOOTAGE
    title = factory.Sequence(lambda n: f"Footage {n}")
    released_on = datetime.date(2023, 3, 16)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        evidence = super()._create(model_class, *args, **kwargs)
        feed_items.create_for_evidence(evidence)  # as services.evidence_create
        return evidence


class ArticleLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ArticleLink

    dispute = factory.SubFactory(DisputeFactory)
    source = factory.SubFactory(SourceFactory)
    relation = models.ArticleLink.Relation.REPORTS

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        link = super()._create(model_class, *args, **kwargs)
        feed_items.create_for_article_link(link)  # as services.article_create
        return link
