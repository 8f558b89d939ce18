"""The founding story as data: the Black Sea drone incident of 14 March 2023.

Everything here comes from the seed article (../shared/seed/black-sea-drone-article.txt):
quotes are verbatim from it, paraphrases say only what it reports. ``load_demo``
is idempotent: a second run finds every row in place and writes nothing.
"""

import datetime

from django.db import models, transaction

from . import services
from .models import (
    Claim,
    ClaimStanding,
    DatePrecision,
    Dispute,
    Evidence,
    Party,
    Source,
    Speaker,
    Stance,
    TranslationOrigin,
)

ARTICLE_URL = "https://www.aljazeera.com/news/2023/3/16/prevent-miscalculation-us-and-russia-resume-contact-after-drone"
ARTICLE = {
    "title": "‘Prevent miscalculation’: US and Russia resume contact after drone incident",
    "publisher": "Al Jazeera",
    "kind": Source.Kind.ARTICLE,
    "published_on": datetime.date(2023, 3, 16),
}
INCIDENT = datetime.date(2023, 3, 14)
BRIEFING = datetime.date(2023, 3, 15)  # the Pentagon briefing, “on Wednesday”

PARTIES = [
    {
        "slug": "united-states",
        "name": "United States government",
        "kind": Party.Kind.GOVERNMENT,
        "country": "United States",
        # Their names in Russian, for readers of the Russian interface (docs/languages.md).
        "aliases": "ru: Правительство США",
        "speakers": [
            ("Lloyd Austin", "Defense Secretary", "ru: Ллойд Остин"),
            ("Mark Milley", "General, Chairman of the Joint Chiefs of Staff", "ru: Марк Милли"),
        ],
    },
    {
        "slug": "russia",
        "name": "Russian government",
        "kind": Party.Kind.GOVERNMENT,
        "country": "Russia",
        "aliases": "ru: Правительство России",
        "speakers": [
            ("Sergey Lavrov", "Foreign Minister", "ru: Сергей Лавров"),
            ("Sergei Shoigu", "Defence Minister", "ru: Сергей Шойгу"),
        ],
    },
]

DISPUTES = [
    {
        "slug": "russian-jet-contact-with-mq9",
        "proposition": "A Russian fighter jet made physical contact with the US MQ-9 Reaper drone "
        "over the Black Sea on 14 March 2023.",
        "summary": "The US says a Russian jet sprayed the drone with fuel and struck its propeller; "
        "Russia denies its jets came in contact with it.",
        "claims": [
            {
                "party": "united-states",
                "speaker": "Mark Milley",
                "stance": Stance.AFFIRMS,
                "quote": "We have absolute evidence of the contact. It’s very aggressive. … "
                "We have video evidence and all that.",
                "paraphrase": "The US has video evidence that a Russian jet made contact with the drone.",
                "said_on": BRIEFING,
            },
            {
                "party": "united-states",
                "speaker": "",
                "stance": Stance.AFFIRMS,
                "quote": "",
                "paraphrase": "A Russian fighter jet sprayed the MQ-9 with fuel and struck its propeller, "
                "after which the drone was ditched into the sea.",
                "said_on": INCIDENT,
            },
            {
                "party": "russia",
                "speaker": "",
                "stance": Stance.DENIES,
                # The article reports the denial in English only. The Russian wording is rebuilt from
                # it (a back-translation), so it is marked reconstructed: a paraphrase, not a quote.
                "quote": "Российские истребители в контакт с беспилотником не вступали.",
                "quote_language": "ru",
                "quote_reconstructed": True,
                "translation": "Its fighter jets did not come in contact with the drone.",
                "translation_origin": TranslationOrigin.EDITOR,
                "translator": "Al Jazeera (the English as reported)",
                "paraphrase": "Russia’s fighter jets did not come in contact with the drone.",
                "said_on": INCIDENT,
            },
        ],
        "evidence": [
            {
                "title": "Surveillance footage from the MQ-9",
                "kind": Evidence.Kind.FOOTAGE,
                "released_by": "united-states",
                "released_on": datetime.date(2023, 3, 16),
                "description": "Footage from the drone's own camera of the encounter. At the time of the article "
                "Washington was working to declassify it; it was released afterwards.",
                "links": [{"stance": Stance.AFFIRMS, "effect": "supports", "strength": "strong"}],
            }
        ],
    },
    {
        "slug": "intercept-was-intentional",
        "proposition": "The Russian intercept of the US MQ-9 drone on 14 March 2023 was intentional.",
        "summary": "Gen. Milley says the intercept and the aggressive behaviour were intentional; "
        "whether Russia meant to down the drone is a separate question.",
        "claims": [
            {
                "party": "united-states",
                "speaker": "Mark Milley",
                "stance": Stance.AFFIRMS,
                "quote": "We know that the intercept was intentional. "
                "We know that the aggressive behaviour was intentional.",
                "paraphrase": "The intercept and the aggressive behaviour of the Russian jets were deliberate.",
                "said_on": BRIEFING,
            },
        ],
        "evidence": [],
    },
    {
        "slug": "russia-downed-the-drone",
        "proposition": "Russia brought down the US MQ-9 Reaper drone over the Black Sea.",
        "summary": "The US says the drone went down after a Russian jet struck it; Russia denies downing it.",
        "claims": [
            {
                "party": "united-states",
                "speaker": "",
                "stance": Stance.AFFIRMS,
                "quote": "",
                "paraphrase": "The MQ-9 was ditched into the sea after a Russian fighter jet sprayed it with "
                "fuel and struck its propeller.",
                "said_on": INCIDENT,
            },
            {
                "party": "russia",
                "speaker": "",
                "stance": Stance.DENIES,
                "quote": "",
                "paraphrase": "Russia did not down the surveillance drone.",
                "said_on": INCIDENT,
            },
        ],
        "evidence": [],
    },
    {
        "slug": "drone-in-international-airspace",
        "proposition": "The US MQ-9 was flying lawfully in international airspace over the Black Sea "
        "when it was intercepted.",
        "summary": "The US says it flies wherever international law allows; Russia says it has declared "
        "areas of the Black Sea off-limits to any aerial traffic.",
        "claims": [
            {
                "party": "united-states",
                "speaker": "Lloyd Austin",
                "stance": Stance.AFFIRMS,
                "quote": "",
                "paraphrase": "The incident will not stop the US from flying wherever international law allows.",
                "said_on": BRIEFING,
            },
            # Russia's position shifted (the article: it "denied that it downed the surveillance drone,
            # which was flying into international air space. However, Russia has since claimed certain
            # areas of the Black Sea are off-limits"): first a denial that left where the drone flew
            # alone, then Lavrov's declared no-fly areas. Both are paraphrases of what is reported.
            {
                "party": "russia",
                "speaker": "",
                "stance": Stance.QUALIFIED,
                "quote": "",
                "paraphrase": "Russia denied downing the surveillance drone; as reported, it did not then "
                "dispute that the drone was flying into international airspace.",
                "said_on": INCIDENT,
                "superseded_by": "Russia has declared certain areas of the Black Sea off-limits to any aerial "
                "traffic during the conflict.",
                "standing_note": "Russia has since claimed certain areas of the Black Sea are off-limits.",
            },
            {
                "party": "russia",
                "speaker": "Sergey Lavrov",
                "stance": Stance.DENIES,
                "quote": "",
                "paraphrase": "Russia has declared certain areas of the Black Sea off-limits to any aerial "
                "traffic during the conflict.",
                "said_on": BRIEFING,
            },
        ],
        "evidence": [],
    },
    {
        "slug": "us-flights-provoke-escalation",
        "proposition": "US drone flights over the Black Sea are aimed at provoking an escalation with Russia.",
        "summary": "Lavrov suggests Washington is provoking escalation; the US says it takes any potential "
        "for escalation very seriously and keeps lines of communication open.",
        "claims": [
            {
                "party": "russia",
                "speaker": "Sergey Lavrov",
                "stance": Stance.AFFIRMS,
                "quote": "Any incidents that could provoke confrontation between the two great powers, "
                "the two largest nuclear powers, raise very serious risks",
                "paraphrase": "Washington is aiming to provoke an escalation through the flights.",
                "said_on": BRIEFING,
            },
            {
                "party": "united-states",
                "speaker": "Lloyd Austin",
                "stance": Stance.QUALIFIED,
                "quote": "We take any potential for escalation very seriously. "
                "That’s why I believe it’s important to keep the lines of communication open.",
                "paraphrase": "The US takes escalation risks seriously and wants communication with Russia open.",
                "said_on": BRIEFING,
            },
        ],
        "evidence": [],
    },
]


# A claim's wording fields, and what they are when the story does not say.
WORDING = {
    "quote": "",
    "quote_language": "",
    "quote_reconstructed": False,
    "translation": "",
    "translation_origin": "",
    "translator": "",
}


def _supersessions(dispute: Dispute, spec: dict, parties: dict, speakers: dict, user) -> int:
    """Mark the story's superseded claims, through the services (a feed item each); 0 when already done."""
    writes = 0
    for claim_spec in spec["claims"]:
        if "superseded_by" not in claim_spec:
            continue
        claim = Claim.objects.get(
            dispute=dispute,
            party=parties[claim_spec["party"]],
            speaker=speakers.get(claim_spec["speaker"]),
            paraphrase=claim_spec["paraphrase"],
        )
        later = Claim.objects.get(dispute=dispute, paraphrase=claim_spec["superseded_by"])
        if claim.standing == ClaimStanding.SUPERSEDED and claim.superseded_by_id == later.pk:
            continue
        services.claim_update(
            claim=claim,
            user=user,
            version=claim.version,
            standing=ClaimStanding.SUPERSEDED,
            superseded_by=later,
            standing_note=claim_spec["standing_note"],
        )
        writes += 1
    return writes


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> tuple[models.Model, bool]:
    """Create the row, or bring it in line with ``values``; save only when something differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj, bool(changed)


DEMO_AUTHOR = "demo"


def demo_author():
    """The account the story is written as: a senior editor no one can log in as.

    The services need a user whose roles allow publishing, and the rows then say who
    wrote them, as an editor's would."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from . import roles

    roles.ensure_roles()
    user, created = get_user_model().objects.get_or_create(username=DEMO_AUTHOR)
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(*Group.objects.filter(name__in=[roles.EDITORS, roles.SENIOR_EDITORS]))
    return user


def load_demo() -> int:
    """Load the story; return how many rows were created or changed (0 on a second run).

    Every row's history says the ``demo`` account wrote it, as an editor's would."""
    user = demo_author()
    with services.history_author(user):
        return _load_demo(user)


@transaction.atomic
def _load_demo(user) -> int:
    writes = 0
    # Through the services, as an editor's form would: a new source gets its first check,
    # a claim or evidence its feed item.
    created = not Source.objects.filter(url=ARTICLE_URL).exists()
    services.source_for_url(url=ARTICLE_URL)
    source, wrote = _upsert(Source, {"url": ARTICLE_URL}, ARTICLE)
    writes += created or wrote
    parties: dict[str, Party] = {}
    speakers: dict[str, Speaker] = {}
    for spec in PARTIES:
        party, wrote = _upsert(
            Party,
            {"slug": spec["slug"]},
            {"name": spec["name"], "kind": spec["kind"], "country": spec["country"], "aliases": spec["aliases"]},
        )
        writes += wrote
        parties[spec["slug"]] = party
        for name, role, aliases in spec["speakers"]:
            speaker, wrote = _upsert(Speaker, {"party": party, "name": name}, {"role": role, "aliases": aliases})
            writes += wrote
            speakers[name] = speaker

    for spec in DISPUTES:
        dispute = Dispute.objects.filter(slug=spec["slug"]).first()
        created = dispute is None
        if created:
            dispute = services.dispute_create(
                user=user,
                slug=spec["slug"],
                proposition=spec["proposition"],
                summary=spec["summary"],
                occurred_on=INCIDENT,
            )
            writes += 1
        for claim_spec in spec["claims"]:
            lookup = {
                "dispute": dispute,
                "party": parties[claim_spec["party"]],
                "speaker": speakers.get(claim_spec["speaker"]),
                "stance": claim_spec["stance"],
                "paraphrase": claim_spec["paraphrase"],
            }
            wording = {name: claim_spec.get(name, default) for name, default in WORDING.items()}
            existing = Claim.objects.filter(**lookup).first()
            if existing is None:
                services.claim_create(
                    **lookup,
                    **wording,
                    user=user,
                    source_url=source.url,
                    quote_exact="" if wording["quote_reconstructed"] else claim_spec["quote"],
                    said_on=claim_spec["said_on"],
                    said_on_precision=DatePrecision.DAY,
                )
                writes += 1
            elif any(getattr(existing, name) != value for name, value in wording.items()):
                # A demo loaded before the story gained its Russian wording is brought up to date.
                services.claim_update(claim=existing, user=user, version=existing.version, **wording)
                writes += 1
        writes += _supersessions(dispute, spec, parties, speakers, user)
        for ev_spec in spec["evidence"]:
            evidence = Evidence.objects.filter(dispute=dispute, title=ev_spec["title"]).first()
            if evidence is None:
                services.evidence_create(
                    dispute=dispute,
                    user=user,
                    links=ev_spec["links"],
                    title=ev_spec["title"],
                    kind=ev_spec["kind"],
                    released_by=parties[ev_spec["released_by"]],
                    released_on=ev_spec["released_on"],
                    description=ev_spec["description"],
                )
                writes += 1 + len(ev_spec["links"])
        if created:
            # Published once its claims are in, as a senior editor would; a dispute someone
            # has since taken back to draft stays a draft on a second run.
            services.dispute_publish(dispute=dispute, user=user)
    return writes
