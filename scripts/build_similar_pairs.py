#!/usr/bin/env python
"""Build tests/data/similar_claims_pairs.json: claim pairs for measuring similar-claim suggestions.

Sentences come from the article text of the real pages in the checker's corpus
(../shared/corpus/readability-test-pages, Apache 2.0, from Mozilla Readability's tests):
- ``requote``: the same statement as another outlet or the speaker repeats it — a clause
  dropped, a word changed, a fragment quoted, punctuation and case changed;
- ``unrelated``: two sentences from different articles that share at least two longer words.
Handwritten pairs are added for what cannot be derived mechanically:
- ``paraphrase``: the same claim in other words;
- ``translation``: a claim stored with its original wording in another language and an English
  translation, looked up by a different English rendering.

Run: .venv/bin/python scripts/build_similar_pairs.py [CORPUS_DIR]. Deterministic (seeded).
"""

import gzip
import json
import random
import re
import sys
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "similar_claims_pairs.json"
ENGLISH_PAGES = [
    "aclu",
    "ars-1",
    "bbc-1",
    "breitbart",
    "buzzfeed-1",
    "citylab-1",
    "cnet",
    "cnn",
    "engadget",
    "guardian-1",
    "herald-sun-1",
    "iab-1",
    "lwn-1",
    "medicalnewstoday",
    "nytimes-1",
    "nytimes-2",
    "nytimes-3",
    "nytimes-4",
    "quanta-1",
    "salon-1",
    "seattletimes-1",
    "telegraph",
    "theverge",
    "tmz-1",
    "wapo-1",
    "wapo-2",
    "webmd-1",
    "yahoo-1",
    "yahoo-2",
    "yahoo-4",
]
SWAPS = {
    "said": "stated",
    "says": "states",
    "not": "never",
    "was": "had been",
    "is": "remains",
    "will": "would",
    "people": "residents",
    "new": "recent",
    "first": "initial",
    "officials": "authorities",
    "large": "big",
    "many": "several",
    "government": "administration",
    "police": "officers",
    "company": "firm",
}

PARAPHRASES = [
    (
        "The Russian fighter jet struck the propeller of the American drone.",
        "A Russian warplane hit the US drone's propeller.",
    ),
    (
        "Russian aircraft did not come into contact with the American unmanned aerial vehicle.",
        "The Russian jets never touched the US drone, Moscow says.",
    ),
    (
        "The drone was operating in international airspace over the Black Sea.",
        "The US aircraft was flying over international waters in the Black Sea.",
    ),
    (
        "The Russian pilots dumped fuel on the drone several times before the collision.",
        "Before colliding with it, the Russian pilots sprayed fuel on the drone more than once.",
    ),
    (
        "We will continue to fly wherever international law allows.",
        "The United States will keep flying wherever international law permits.",
    ),
    (
        "The Pentagon released video footage showing the intercept.",
        "Video of the intercept was made public by the Pentagon.",
    ),
    ("The drone's transponder was switched off during the flight.", "The drone flew with its transponder turned off."),
    (
        "The collision was the result of unsafe and unprofessional actions by the Russian pilots.",
        "Unsafe, unprofessional flying by Russia's pilots caused the collision.",
    ),
    (
        "Moscow will try to recover the wreckage from the sea floor.",
        "Russia plans to retrieve the debris from the bottom of the sea.",
    ),
    (
        "The wreckage lies at a depth of about 4,000 to 5,000 feet.",
        "The debris sank to a depth of roughly four to five thousand feet.",
    ),
    (
        "The ambassador was summoned to the State Department to explain the incident.",
        "The State Department called in the ambassador over the incident.",
    ),
    (
        "The minister denied that any shots had been fired at the vessel.",
        "No shots were fired at the ship, according to the minister.",
    ),
    (
        "The company says its factory did not release any chemicals into the river.",
        "The firm denies its plant discharged chemicals into the river.",
    ),
    (
        "Turnout in the election was the highest in thirty years.",
        "More voters took part in this election than in any in the past three decades.",
    ),
    (
        "The vaccine was found to be 95 percent effective in preventing illness.",
        "Trials showed the vaccine prevented illness in 95% of cases.",
    ),
    ("The hospital was not being used as a military base.", "No military forces were operating from the hospital."),
    (
        "The satellite images show the bridge was destroyed before the ceasefire.",
        "According to satellite pictures, the bridge was already down before the truce.",
    ),
    (
        "The army says the convoy was carrying only humanitarian aid.",
        "Only humanitarian supplies were on the convoy, the military said.",
    ),
    (
        "The leak exposed the personal data of about two million customers.",
        "Roughly 2 million customers had their personal information exposed in the leak.",
    ),
    (
        "The mayor said the flooding was caused by a blocked drainage canal.",
        "A clogged drainage canal was to blame for the floods, according to the mayor.",
    ),
    (
        "The airline said the plane was grounded for routine maintenance, not a safety problem.",
        "Routine maintenance, not safety concerns, kept the aircraft on the ground, the airline said.",
    ),
    (
        "The protest was peaceful until police fired tear gas into the crowd.",
        "Demonstrators stayed peaceful until officers shot tear gas at them.",
    ),
    ("Our troops were never in the village on that day.", "The soldiers were not present in the village that day."),
    (
        "The ship was in international waters when it was boarded.",
        "The vessel had been boarded while in international waters.",
    ),
    (
        "The spokesman said the missile was fired by the other side.",
        "According to the spokesman, the other side launched the missile.",
    ),
    (
        "The central bank will not raise interest rates this year.",
        "Interest rates will stay where they are this year, the central bank says.",
    ),
    (
        "The factory fire started in the storage area late at night.",
        "The blaze at the plant began in the storage section late in the night.",
    ),
    (
        "The senator voted against the bill because it would raise taxes.",
        "Saying it would increase taxes, the senator opposed the bill.",
    ),
    ("The footage was recorded on the morning of the attack.", "The video was filmed the morning the attack happened."),
    (
        "The border crossing will remain closed until further notice.",
        "Until further notice the border crossing stays shut.",
    ),
    (
        "The coach denied any knowledge of the doping programme.",
        "The trainer said he knew nothing about the doping scheme.",
    ),
    (
        "The document was signed by both delegations in Geneva on Friday.",
        "On Friday in Geneva, the two delegations signed the document.",
    ),
    ("The strike destroyed a weapons depot, not a school.", "It was an arms depot that the strike hit, not a school."),
    (
        "The journalists were detained for filming near the base.",
        "The reporters were held because they filmed close to the base.",
    ),
    ("The power outage affected more than 300,000 homes.", "Over 300,000 households lost electricity in the blackout."),
    (
        "The embassy said the diplomat left the country voluntarily.",
        "The diplomat departed of his own accord, the embassy said.",
    ),
    ("The company paid no bribes to win the contract.", "No bribes were paid by the firm to secure the contract."),
    ("The pipeline explosion was caused by sabotage.", "Sabotage was behind the blast on the pipeline."),
    (
        "The test missile fell into the sea about 200 kilometres from the coast.",
        "Around 200 km off the coast, the test missile came down in the sea.",
    ),
    (
        "Civilian casualties were caused by a misfired rocket from the militants.",
        "A militant rocket that misfired was responsible for the civilian deaths.",
    ),
]

TRANSLATIONS = [
    (
        "ru",
        "Российские самолёты не вступали в контакт с американским беспилотником.",
        "Russian aircraft did not come into contact with the American drone.",
        "The Russian planes had no contact with the US drone.",
    ),
    (
        "ru",
        "Беспилотник летел с выключенными транспондерами.",
        "The drone was flying with its transponders switched off.",
        "The drone flew with transponders turned off.",
    ),
    (
        "ru",
        "Российские истребители не применяли бортовое оружие.",
        "The Russian fighters did not use their onboard weapons.",
        "Russian fighter jets did not use onboard weapons.",
    ),
    (
        "uk",
        "Наші військові не обстрілювали лікарню.",
        "Our military did not shell the hospital.",
        "Our forces did not shell the hospital.",
    ),
    (
        "fr",
        "Le navire se trouvait dans les eaux internationales au moment de l'abordage.",
        "The ship was in international waters at the time of the boarding.",
        "The vessel was in international waters when it was boarded.",
    ),
    (
        "de",
        "Die Pipeline wurde durch Sabotage beschädigt.",
        "The pipeline was damaged by sabotage.",
        "Sabotage damaged the pipeline.",
    ),
    (
        "es",
        "El avión fue derribado por un misil tierra-aire.",
        "The plane was shot down by a surface-to-air missile.",
        "A surface-to-air missile shot the plane down.",
    ),
    (
        "ar",
        "لم تطلق قواتنا النار على المتظاهرين.",
        "Our forces did not open fire on the protesters.",
        "Our forces did not fire on the demonstrators.",
    ),
    (
        "ru",
        "Обломки беспилотника будут подняты со дна моря.",
        "The wreckage of the drone will be raised from the seabed.",
        "The drone wreckage will be lifted from the sea floor.",
    ),
    (
        "pt",
        "A barragem rompeu por falta de manutenção.",
        "The dam burst because of a lack of maintenance.",
        "The dam failed due to lack of maintenance.",
    ),
    (
        "it",
        "Il governo non ha mai ricevuto l'avvertimento.",
        "The government never received the warning.",
        "The government did not receive the warning.",
    ),
    ("tr", "Uçak hava sahamızı ihlal etti.", "The aircraft violated our airspace.", "The plane violated our airspace."),
]


def sentences(corpus: Path) -> dict[str, list[str]]:
    found = {}
    for name in ENGLISH_PAGES:
        path = corpus / "pages" / name / "expected.html.gz"
        if not path.exists():
            continue
        tree = lxml.html.fromstring(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
        text = " ".join(p.text_content() for p in tree.iter("p"))
        parts = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", " ".join(text.split()))
        found[name] = [s for s in parts if 12 <= len(s.split()) <= 40 and s[-1] in ".!?" and "http" not in s]
    return found


def requote(sentence: str, rng: random.Random) -> tuple[str, str]:
    words = sentence.split()
    kind = rng.choice(["clause", "swap", "fragment", "punctuation"])
    if kind == "clause" and "," in sentence[: len(sentence) // 2]:
        return sentence.split(",", 1)[1].strip().capitalize(), "a leading clause dropped"
    if kind == "swap":
        for i, word in enumerate(words):
            if word.lower() in SWAPS:
                words[i] = SWAPS[word.lower()]
                return " ".join(words), "one word changed"
    if kind == "fragment":
        start = len(words) // 5
        return " ".join(words[start : start + max(8, len(words) * 3 // 5)]), "a fragment quoted"
    return re.sub(r"[,;:“”\"']", "", sentence).lower(), "punctuation and case changed"


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "readability-test-pages"
    rng = random.Random(20261129)
    by_page = sentences(corpus)
    pairs = []
    pool = [(page, s) for page, items in by_page.items() for s in items]
    rng.shuffle(pool)
    used = set()
    for page, sentence in pool:
        if sum(p["kind"] == "requote" for p in pairs) >= 90:
            break
        typed, how = requote(sentence, rng)
        pairs.append({"kind": "requote", "how": how, "typed": typed, "stored": {"quote": sentence}, "source": page})
        used.add(sentence)
    long_words = {s: {w.lower().strip(".,“”\"'") for w in s.split() if len(w) >= 6} for _, s in pool}
    for page, sentence in pool:
        if sum(p["kind"] == "unrelated" for p in pairs) >= 80:
            break
        if sentence in used:
            continue
        for other_page, other in pool:
            if other_page != page and other not in used and len(long_words[sentence] & long_words[other]) >= 2:
                shared = sorted(long_words[sentence] & long_words[other])
                pairs.append(
                    {
                        "kind": "unrelated",
                        "how": f"shares {', '.join(shared)}",
                        "typed": sentence,
                        "stored": {"quote": other},
                        "source": f"{page} / {other_page}",
                    }
                )
                used.update({sentence, other})
                break
    for stored, typed in PARAPHRASES:
        pairs.append(
            {"kind": "paraphrase", "how": "handwritten", "typed": typed, "stored": {"quote": stored}, "source": ""}
        )
    for tag, original, translation, typed in TRANSLATIONS:
        pairs.append(
            {
                "kind": "translation",
                "how": f"original in {tag}",
                "typed": typed,
                "stored": {"quote": original, "quote_language": tag, "translation": translation},
                "source": "",
            }
        )
    OUT.write_text(json.dumps(pairs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    counts = {k: sum(p["kind"] == k for p in pairs) for k in ("requote", "unrelated", "paraphrase", "translation")}
    print(f"{len(pairs)} pairs → {OUT}: {counts}")


if __name__ == "__main__":
    main()
