"""Write the behavioural suite's cases (issue 18) to tests/behaviour/cases.jsonl.

A plain, deterministic script (no randomness: templates are filled in list order):

    python tests/behaviour/generate.py          # rewrite cases.jsonl
    python tests/behaviour/generate.py --check  # exit 1 if cases.jsonl is out of date

Cases come from templates with fillers (``source: template``) and from sentences written by
hand (``source: hand``). Types (see bench/behaviour_suite.py): MFT (a text and its label), INV
(two texts whose label must not change), DIR (the second text must move p(positive) ``up`` or
``down``) and NEUTRAL (factual texts a two-class model should be unsure about).

Every text is meant to be natural English whose label a careful reader would not dispute; a
case that fails that bar should be removed, not relabelled to suit a model.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "bench"))

from behaviour_suite import (  # noqa: E402
    CATEGORIES,
    DIR,
    DOWN,
    INV,
    MFT,
    NEUTRAL,
    UP,
    Case,
    dumps,
)

OUTPUT = HERE / "cases.jsonl"
POS, NEG = "positive", "negative"

PLAIN, NEGATION, CONTRAST, INTENSITY = "plain", "negation", "contrast", "intensity"
PRODUCTS, RESTAURANTS, HOTELS = "products", "restaurants", "hotels"
APPS, SERVICE, TWEETS, NEUTRAL_SET = "apps", "customer_service", "tweets", "neutral"


class Suite:
    """Collects cases and numbers them per category and type."""

    def __init__(self) -> None:
        self.cases: list[Case] = []
        self.numbers: Counter[tuple[str, str]] = Counter()

    def add(self, kind: str, category: str, texts: tuple[str, ...], **fields: str) -> None:
        self.numbers[category, kind] += 1
        case_id = f"{category}-{kind.lower()}-{self.numbers[category, kind]:03d}"
        self.cases.append(Case(case_id, kind, category, texts, **fields))

    def mft(self, category: str, label: str, texts: list[str], capability: str, source: str):
        for text in texts:
            self.add(MFT, category, (text,), label=label, capability=capability, source=source)

    def inv(self, category: str, pairs: list[tuple[str, str, str]], source: str = "template"):
        """``(capability, first text, second text)`` triples."""
        for capability, first, second in pairs:
            self.add(INV, category, (first, second), capability=capability, source=source)

    def dir(self, category: str, pairs: list[tuple[str, str, str, str]], source: str):
        """``(capability, direction, first text, second text)`` quadruples."""
        for capability, direction, first, second in pairs:
            self.add(
                DIR,
                category,
                (first, second),
                direction=direction,
                capability=capability,
                source=source,
            )


def swap(capability: str, template: str, first: str, second: str) -> tuple[str, str, str]:
    """An INV pair: the same template with two fillers."""
    return capability, template.format(x=first), template.format(x=second)


def punctuation(text: str) -> tuple[str, str, str]:
    return "punctuation", text, text[:-1] + "!"


def lower_case(text: str) -> tuple[str, str, str]:
    return "case", text, text.lower().rstrip(".")


def upper_case(text: str) -> tuple[str, str, str]:
    return "case", text, text.upper()


def typo(text: str, word: str, misspelt: str) -> tuple[str, str, str]:
    assert word in text, (word, text)
    return "typo", text, text.replace(word, misspelt, 1)


def neutral_clause(text: str, clause: str) -> tuple[str, str, str]:
    return "neutral clause added", text, f"{clause} {text}"


def appended(text: str, clause: str, direction: str) -> tuple[str, str, str, str]:
    """A DIR pair: a clause appended after a comma (``text`` ends with a full stop)."""
    kind = "negative clause appended" if direction == DOWN else "positive clause appended"
    return kind, direction, text, f"{text[:-1]}, {clause}."


def plain(suite: Suite) -> None:
    aspects = ["acting", "plot", "script", "soundtrack", "cinematography", "dialogue"]
    good = ["good", "excellent", "wonderful", "brilliant", "superb", "great"]
    bad = ["awful", "terrible", "dreadful", "poor", "weak", "clumsy"]
    for i, aspect in enumerate(aspects):
        suite.mft(PLAIN, POS, [f"The {aspect} was {good[i]}."], "positive adjective", "template")
        suite.mft(PLAIN, NEG, [f"The {aspect} was {bad[i]}."], "negative adjective", "template")
    for thing, liked, disliked in [("movie", "loved", "hated"), ("film", "enjoyed", "disliked")]:
        suite.mft(PLAIN, POS, [f"I {liked} this {thing}."], "positive verb", "template")
        suite.mft(PLAIN, NEG, [f"I {disliked} this {thing}."], "negative verb", "template")
    suite.mft(
        PLAIN,
        POS,
        [
            "This film is a masterpiece.",
            "What a wonderful movie!",
            "One of the best films I have seen this year.",
            "I would happily watch it again.",
            "A beautiful, moving story.",
            "The cast is fantastic.",
            "I laughed from beginning to end.",
        ],
        "positive statement",
        "hand",
    )
    suite.mft(
        PLAIN,
        NEG,
        [
            "What a waste of time.",
            "This was the worst movie I have ever seen.",
            "The film was boring from start to finish.",
            "I want my money back.",
            "A dull and lifeless film.",
            "I regret watching this.",
            "Two hours I will never get back.",
        ],
        "negative statement",
        "hand",
    )
    suite.inv(
        PLAIN,
        [
            swap("name", "{x} gave a wonderful performance.", "Julia Roberts", "Denzel Washington"),
            swap("name", "{x} was badly miscast in the lead role.", "Tom Cruise", "Emma Stone"),
            swap("film title", "I really enjoyed {x}.", "Casablanca", "Inception"),
            swap("film title", "{x} was a complete bore.", "Titanic", "Vertigo"),
            swap("number", "It runs for {x} minutes and I loved every one of them.", "95", "140"),
            swap("number", "I gave up after {x} minutes because it was so boring.", "20", "40"),
            swap("place", "A lovely film, shot beautifully in {x}.", "Ireland", "Morocco"),
            punctuation("The acting was excellent."),
            punctuation("The plot made no sense at all."),
            lower_case("I loved this movie."),
            upper_case("The ending was terrible."),
            typo("The cinematography was beautiful.", "cinematography", "cinematograhpy"),
            typo("The plot was terrible.", "terrible", "terible"),
            neutral_clause("I loved every minute of it.", "We watched it on Friday night."),
            neutral_clause("It was a total waste of time.", "I saw it with two friends."),
        ],
    )


def negation(suite: Suite) -> None:
    things = ["film", "food", "service", "hotel", "app", "phone"]
    for thing in things:
        suite.mft(NEGATION, NEG, [f"The {thing} was not good."], "negated positive", "template")
        suite.mft(
            NEGATION, POS, [f"The {thing} was not bad at all."], "negated negative", "template"
        )
    suite.mft(
        NEGATION,
        POS,
        [
            "Not a bad film at all.",
            "It wasn't terrible.",
            "I have never been disappointed by this restaurant.",
            "No complaints at all.",
            "I have no complaints about the service.",
            "I can't complain about anything.",
            "I was not disappointed.",
            "Nothing went wrong during our stay.",
            "I don't regret buying it.",
            "It was never boring, not for a single minute.",
            "The staff couldn't have been more helpful.",
            "I couldn't be happier with it.",
            "There was nothing I didn't like about it.",
            "Not once did it let me down.",
        ],
        "negated negative",
        "hand",
    )
    suite.mft(
        NEGATION,
        NEG,
        [
            "I wouldn't call it enjoyable.",
            "I did not enjoy the film.",
            "I wouldn't recommend this hotel.",
            "The staff were not friendly.",
            "It was not worth the money.",
            "I can't say I enjoyed it.",
            "The app never works when I need it.",
            "Nobody at the store was helpful.",
            "Nothing about this movie was funny.",
            "I don't like the new design.",
            "I will never buy from them again.",
            "None of the jokes landed.",
            "The support team did not solve my problem.",
        ],
        "negated positive",
        "hand",
    )
    suite.dir(
        NEGATION,
        [
            ("negation added", DOWN, "The film was good.", "The film was not good."),
            ("negation added", DOWN, "I liked the food.", "I didn't like the food."),
            ("negation added", DOWN, "The staff were helpful.", "The staff were not helpful."),
            ("negation added", DOWN, "I would recommend it.", "I would not recommend it."),
            ("negation added", UP, "The service was bad.", "The service was not bad at all."),
            ("negation added", UP, "I was disappointed.", "I was not disappointed."),
            ("negation added", UP, "I have a few complaints.", "I have no complaints."),
            ("negation added", UP, "The app is buggy.", "The app is not buggy at all."),
        ],
        "hand",
    )


def contrast(suite: Suite) -> None:
    suite.mft(
        CONTRAST,
        POS,
        [
            "The acting was awful but the plot was good.",
            "The first half hour is slow, but overall it is a wonderful film.",
            "The restaurant is a bit noisy, but the food is fantastic and we will be back.",
            "Although the room was small, it was spotless and the staff were lovely.",
            "The phone is expensive, but it is worth every penny.",
            "The app looked confusing at first; however, after a day I loved using it.",
            "It took a while to reach an agent, but she fixed everything and was very kind.",
            "I was skeptical at first, but this movie won me over completely.",
            "Even though the flight was delayed, the crew made the trip a pleasure.",
            "The packaging was plain, but the headphones sound amazing.",
            "Despite the bad reviews, I really enjoyed it.",
            "The wait was long, but the meal was worth it.",
            "Although it is a cheap hotel, it was clean, quiet and comfortable.",
            "The setup was a little fiddly, but the printer has worked perfectly ever since.",
            "My order arrived a day late; however, the quality is excellent and I am very happy.",
        ],
        "later clause decides",
        "hand",
    )
    suite.mft(
        CONTRAST,
        NEG,
        [
            "The trailer looked great, but the film was a boring mess.",
            "The cast is talented, but the movie is a total waste of time.",
            "The food looked beautiful, but it was cold and tasteless.",
            "Although the hotel has a nice pool, our room was filthy and noisy.",
            "The screen is bright; however, the battery barely lasts half a day.",
            "The app has a nice design, but it crashes constantly and is useless.",
            "The agent was polite, but my problem is still not solved after three weeks.",
            "It started well, but the second half was painfully dull.",
            "The location is great, but I would never stay there again.",
            "The waiter was friendly; however, the food made us sick.",
            "Even though the price was low, it was not worth it.",
            "I wanted to love this phone, but it has been nothing but trouble.",
            "Despite the hype, the film was a huge disappointment.",
            "The photos online look lovely, but the room was dirty and smelled of smoke.",
            "The update added some nice features, but now the app freezes all the time.",
        ],
        "later clause decides",
        "hand",
    )
    suite.dir(
        CONTRAST,
        [
            appended("The phone is great.", "but the battery dies within hours", DOWN),
            appended("The food was delicious.", "but the service was rude and slow", DOWN),
            appended("The movie was funny.", "but the ending ruined it", DOWN),
            appended("The hotel was beautiful.", "but our room smelled of mould", DOWN),
            appended("The app is easy to use.", "but it keeps losing my notes", DOWN),
            appended("The room was small.", "but it was spotless and comfortable", UP),
            appended("The film starts slowly.", "but the last hour is superb", UP),
            appended("The restaurant was crowded.", "but the food was excellent", UP),
            appended("Delivery took a week.", "but the blender works perfectly", UP),
            appended("The wait on the phone was long.", "but the agent was wonderful", UP),
        ],
        "template",
    )


def intensity(suite: Suite) -> None:
    positive = ["The food was good.", "The film was good.", "The hotel was nice."]
    positive += ["The staff were helpful.", "The app is useful.", "The phone is fast."]
    negative = ["The food was bland.", "The film was boring.", "The room was dirty."]
    negative += ["The staff were rude.", "The app is slow.", "The battery life is disappointing."]

    def insert(text: str, word: str) -> str:
        head, _, adjective = text[:-1].rpartition(" ")
        return f"{head} {word} {adjective}."

    pairs = []
    for i, text in enumerate(positive):
        word = ["really", "extremely"][i % 2]
        pairs.append(("intensifier added", UP, text, insert(text, word)))
        pairs.append(("intensifier added", UP, text, insert(text, ["very", "incredibly"][i % 2])))
        pairs.append(
            ("diminisher added", DOWN, text, insert(text, ["fairly", "reasonably"][i % 2]))
        )
    for i, text in enumerate(negative):
        pairs.append(
            ("intensifier added", DOWN, text, insert(text, ["really", "extremely"][i % 2]))
        )
        pairs.append(("intensifier added", DOWN, text, insert(text, ["very", "incredibly"][i % 2])))
        pairs.append(("diminisher added", UP, text, insert(text, ["slightly", "a little"][i % 2])))
    suite.dir(INTENSITY, pairs, "template")
    suite.dir(
        INTENSITY,
        [
            (
                "diminisher vs intensifier",
                DOWN,
                "The food was slightly disappointing.",
                "The food was extremely disappointing.",
            ),
            (
                "diminisher vs intensifier",
                UP,
                "The hotel was fairly pleasant.",
                "The hotel was absolutely wonderful.",
            ),
        ],
        "hand",
    )
    suite.mft(
        INTENSITY,
        POS,
        ["Absolutely brilliant!", "The best meal I have had in years.", "Incredibly good value."],
        "intensified positive",
        "hand",
    )
    suite.mft(
        INTENSITY,
        NEG,
        ["Utterly awful.", "By far the worst restaurant in town.", "Really, really bad."],
        "intensified negative",
        "hand",
    )


def products(suite: Suite) -> None:
    items = ["phone", "laptop", "tablet", "speaker", "camera", "vacuum cleaner"]
    good = ["works perfectly", "is excellent", "works perfectly", "sounds fantastic"]
    good += ["takes excellent photos", "works perfectly"]
    bad = ["stopped working after a week", "is a piece of junk", "broke within a month"]
    bad += ["stopped working after a week", "is a piece of junk", "broke within a month"]
    for item, pro, con in zip(items, good, bad, strict=True):
        suite.mft(PRODUCTS, POS, [f"The {item} {pro}."], "product praised", "template")
        suite.mft(PRODUCTS, NEG, [f"The {item} {con}."], "product faulted", "template")
    suite.mft(
        PRODUCTS,
        POS,
        [
            "The battery lasts all day.",
            "The sound quality is excellent.",
            "This laptop is fast and quiet.",
            "Best headphones I have ever owned.",
            "Setup took two minutes and it works perfectly.",
            "Great value for the price.",
            "The keyboard feels solid and comfortable to type on.",
            "I love this blender.",
        ],
        "product praised",
        "hand",
    )
    suite.mft(
        PRODUCTS,
        NEG,
        [
            "My order arrived late and damaged.",
            "The screen cracked after a week.",
            "The headphones stopped working after two days.",
            "The battery drains far too quickly.",
            "It broke the first time I used it.",
            "The charger gets dangerously hot.",
            "The speaker crackles at any volume.",
            "Total waste of money.",
        ],
        "product faulted",
        "hand",
    )
    suite.inv(
        PRODUCTS,
        [
            swap("brand", "I bought a {x} laptop and it works perfectly.", "Dell", "Lenovo"),
            swap("brand", "My {x} phone stopped charging after a month.", "Samsung", "Motorola"),
            swap("number", "The battery died after {x} days.", "three", "five"),
            swap("number", "I paid ${x} and it was worth every cent.", "40", "65"),
            swap("place", "I bought it at a shop in {x} and it is excellent.", "Leeds", "Boston"),
            swap("product name", "The {x} is the best purchase I made this year.", "X200", "Z5"),
            punctuation("The screen is gorgeous."),
            lower_case("The headphones broke after a week."),
            typo("The sound quality is excellent.", "excellent", "excelent"),
            typo("The keyboard feels cheap and flimsy.", "keyboard", "keybaord"),
            neutral_clause("The screen cracked after a week.", "I ordered it on a Monday."),
            neutral_clause("It works perfectly.", "I use it mostly in the kitchen."),
        ],
    )
    suite.dir(
        PRODUCTS,
        [
            appended("The camera is great.", "but it stopped working after a month", DOWN),
            appended("The laptop is fast.", "but it overheats constantly", DOWN),
            appended("The speaker sounds great.", "although it disconnects all the time", DOWN),
            appended("The box arrived dented.", "but the kettle inside is perfect", UP),
        ],
        "template",
    )


def restaurants(suite: Suite) -> None:
    dishes = ["soup", "steak", "burger", "curry", "salad", "cake"]
    good = ["delicious", "amazing", "perfect", "delicious", "amazing", "perfect"]
    bad = ["disgusting", "bland", "inedible", "disgusting", "bland", "inedible"]
    for dish, pro, con in zip(dishes, good, bad, strict=True):
        suite.mft(RESTAURANTS, POS, [f"The {dish} was {pro}."], "dish praised", "template")
        suite.mft(RESTAURANTS, NEG, [f"The {dish} was {con}."], "dish faulted", "template")
    suite.mft(
        RESTAURANTS,
        POS,
        [
            "The pasta was delicious.",
            "Best pizza in town.",
            "The staff were friendly and the food came quickly.",
            "Everything we ordered was fresh and tasty.",
            "We had a lovely dinner here.",
            "Great coffee and a cozy atmosphere.",
            "I can't wait to come back.",
            "Generous portions and fair prices.",
        ],
        "restaurant praised",
        "hand",
    )
    suite.mft(
        RESTAURANTS,
        NEG,
        [
            "We waited an hour for cold food.",
            "The soup was bland and the bread was stale.",
            "The waiter was rude to us all evening.",
            "I found a hair in my salad.",
            "Overpriced and underwhelming.",
            "The chicken was undercooked.",
            "The tables were dirty and sticky.",
            "We will never eat here again.",
        ],
        "restaurant faulted",
        "hand",
    )
    suite.inv(
        RESTAURANTS,
        [
            swap("name", "Our waiter, {x}, was wonderful.", "Maria", "Kenji"),
            swap("name", "{x} brought us the wrong order twice.", "Steve", "Aisha"),
            swap("place", "The best tacos I have had in {x}.", "Austin", "Denver"),
            swap("place", "Easily the worst pizza in {x}.", "Chicago", "Naples"),
            swap("number", "We waited {x} minutes and the pizza was still cold.", "45", "50"),
            swap("number", "We were a party of {x} and everyone loved their meal.", "four", "six"),
            punctuation("The pasta was delicious."),
            upper_case("The food was amazing."),
            typo("The pasta was delicious.", "delicious", "delicous"),
            typo("The restaurant was filthy.", "restaurant", "restaurent"),
            neutral_clause("The food was excellent.", "We went there for my sister's birthday."),
            neutral_clause("The chicken was undercooked.", "We booked a table for eight o'clock."),
        ],
    )
    suite.dir(
        RESTAURANTS,
        [
            appended("The food was delicious.", "but the waiter was rude", DOWN),
            appended("The pizza was great.", "but we found a hair in it", DOWN),
            appended("The service was slow.", "but the food was worth the wait", UP),
            appended("The menu is small.", "but every dish is excellent", UP),
        ],
        "template",
    )


def hotels(suite: Suite) -> None:
    features = ["room", "bed", "view", "breakfast", "pool", "location"]
    for i, feature in enumerate(features):
        pro, con = ["lovely", "excellent"][i % 2], ["disappointing", "awful"][i % 2]
        suite.mft(HOTELS, POS, [f"The {feature} was {pro}."], "hotel praised", "template")
        suite.mft(HOTELS, NEG, [f"The {feature} was {con}."], "hotel faulted", "template")
    suite.mft(
        HOTELS,
        POS,
        [
            "The staff at the front desk were friendly and helpful.",
            "Our room had a stunning view of the sea.",
            "The hotel was spotless.",
            "A perfect place for a relaxing weekend.",
            "Check-in was quick and easy.",
            "We would definitely stay here again.",
            "The flight attendants were kind and attentive.",
            "Our tour guide was fantastic.",
        ],
        "stay praised",
        "hand",
    )
    suite.mft(
        HOTELS,
        NEG,
        [
            "The hotel room was dirty and smelled.",
            "Our flight was cancelled and nobody told us why.",
            "The walls were so thin we could not sleep.",
            "The shower had no hot water.",
            "The airline lost my luggage.",
            "There were bugs in the bed.",
            "The air conditioning did not work and the room was boiling.",
            "The pool was closed for our entire stay, which ruined the trip.",
        ],
        "stay faulted",
        "hand",
    )
    suite.inv(
        HOTELS,
        [
            swap("place", "Our hotel in {x} was clean and comfortable.", "Paris", "Lisbon"),
            swap("place", "The trip to {x} was a disaster from start to finish.", "Rome", "Madrid"),
            swap("number", "We stayed {x} nights and loved every minute.", "three", "five"),
            swap(
                "number",
                "Our flight was delayed by {x} hours and we missed our connection.",
                "four",
                "six",
            ),
            swap("name", "{x} at reception was very helpful.", "Carlos", "Emily"),
            swap("name", "{x} at the front desk was rude to us.", "Greg", "Priya"),
            punctuation("The room was spotless."),
            lower_case("The hotel room was dirty and smelled."),
            typo("The room was spotless.", "spotless", "spotles"),
            typo("The beach was beautiful.", "beautiful", "beatiful"),
            neutral_clause("The staff were lovely.", "We stayed there in March."),
            neutral_clause("The room was filthy.", "We arrived late in the evening."),
        ],
    )
    suite.dir(
        HOTELS,
        [
            appended("The room was lovely.", "but the walls were paper thin", DOWN),
            appended("The beach was beautiful.", "but the hotel was filthy", DOWN),
            appended("The flight was delayed.", "but the crew looked after us wonderfully", UP),
            appended("The hotel is old.", "but it is charming and very clean", UP),
        ],
        "template",
    )


def apps(suite: Suite) -> None:
    things = ["app", "website", "software", "game", "photo editor", "calendar app"]
    for i, thing in enumerate(things):
        pro, con = ["great", "excellent"][i % 2], ["useless", "terrible"][i % 2]
        suite.mft(APPS, POS, [f"The {thing} is {pro}."], "software praised", "template")
        suite.mft(APPS, NEG, [f"The {thing} is {con}."], "software faulted", "template")
    suite.mft(
        APPS,
        POS,
        [
            "The app is fast and easy to use.",
            "The new update fixed all my problems.",
            "This is the best note-taking app I have tried.",
            "The interface is clean and intuitive.",
            "Syncing between my devices works flawlessly.",
            "It saves me hours every week.",
            "Installation was quick and painless.",
            "The developers respond quickly to feedback.",
        ],
        "software praised",
        "hand",
    )
    suite.mft(
        APPS,
        NEG,
        [
            "The app crashes every time I open it.",
            "I lost all my data after the update.",
            "It keeps logging me out.",
            "The latest version is slow and full of bugs.",
            "Too many ads make it unusable.",
            "It won't even install on my phone.",
            "The new design is confusing and ugly.",
            "It freezes whenever I try to upload a photo.",
        ],
        "software faulted",
        "hand",
    )
    suite.inv(
        APPS,
        [
            swap("app name", "I switched to {x} and it works great.", "Notion", "Evernote"),
            swap("app name", "{x} keeps deleting my files.", "Dropbox", "OneDrive"),
            swap("version", "Version {x} keeps crashing on my laptop.", "2.3", "4.1"),
            swap("number", "It crashed {x} times today.", "three", "five"),
            swap("device", "The app runs smoothly on my {x}.", "iPhone", "Android phone"),
            swap("device", "The app is painfully slow on my {x}.", "tablet", "laptop"),
            punctuation("The app is fast and easy to use."),
            upper_case("It keeps logging me out."),
            typo("The app is really slow.", "really", "realy"),
            typo("The interface is beautiful.", "interface", "inteface"),
            neutral_clause("The app is excellent.", "I use it for work."),
            neutral_clause("The app crashes every time I open it.", "I installed it last week."),
        ],
    )
    suite.dir(
        APPS,
        [
            appended("The app is great.", "but it crashes every few minutes", DOWN),
            appended("The website looks nice.", "but checkout never works", DOWN),
            appended("The update took ages to install.", "but the app is much faster now", UP),
            appended("The game is hard at first.", "but it is incredibly fun", UP),
        ],
        "template",
    )


def customer_service(suite: Suite) -> None:
    agents = ["agent", "representative", "manager", "technician", "sales assistant", "receptionist"]
    for i, agent in enumerate(agents):
        pro, con = ["helpful", "wonderful"][i % 2], ["rude", "useless"][i % 2]
        suite.mft(SERVICE, POS, [f"The {agent} I spoke to was {pro}."], "staff praised", "template")
        suite.mft(SERVICE, NEG, [f"The {agent} I spoke to was {con}."], "staff faulted", "template")
    suite.mft(
        SERVICE,
        POS,
        [
            "Customer support solved my problem in minutes.",
            "The agent was patient and very helpful.",
            "They refunded me right away.",
            "Fantastic service from start to finish.",
            "She went out of her way to help me.",
            "My issue was fixed on the first call.",
            "They replaced the broken item for free.",
            "They kept me updated at every step.",
        ],
        "service praised",
        "hand",
    )
    suite.mft(
        SERVICE,
        NEG,
        [
            "I was on hold for two hours and nobody helped.",
            "They hung up on me twice.",
            "Nobody ever answered my emails.",
            "I am still waiting for my refund after a month.",
            "They kept transferring me to different departments.",
            "Support closed my ticket without fixing anything.",
            "I had to explain my problem five times.",
            "Terrible customer service.",
        ],
        "service faulted",
        "hand",
    )
    suite.inv(
        SERVICE,
        [
            swap("name", "{x} from support fixed my issue quickly.", "Sarah", "Raj"),
            swap("name", "{x} was rude and hung up on me.", "Kevin", "Fatima"),
            swap("company", "{x} never answered my emails.", "Acme Telecom", "BrightPower"),
            swap("company", "{x} sorted out my billing problem in one call.", "Globex", "Initech"),
            swap("number", "I called {x} times and nobody picked up.", "three", "four"),
            swap("number", "They refunded my ${x} the same day.", "30", "120"),
            punctuation("The agent was patient and very helpful."),
            lower_case("They hung up on me twice."),
            typo("The agent was extremely helpful.", "extremely", "extremly"),
            typo("Support was useless.", "useless", "usless"),
            neutral_clause(
                "They solved my problem right away.", "I called them on Monday morning."
            ),
            neutral_clause("Nobody could tell me where my parcel was.", "I called from work."),
        ],
    )
    suite.dir(
        SERVICE,
        [
            appended("The agent was friendly.", "but my problem is still not fixed", DOWN),
            appended("They answered quickly.", "but they were rude and unhelpful", DOWN),
            appended("I waited a long time.", "but they solved everything", UP),
            appended("My first email was ignored.", "but the second got a quick, kind reply", UP),
        ],
        "template",
    )


def tweets(suite: Suite) -> None:
    suite.mft(
        TWEETS,
        POS,
        [
            "sooo good!!!",
            "loving my new phone 😍 #happy",
            "best day ever!!! 🎉",
            "@JetBlue thanks for the smooth flight, you guys rock!",
            "omg this pizza is amazing",
            "cannot stop listening to this song, sooo good",
            "finished my first marathon and I feel amazing #proud",
            "@Spotify you made my morning with this playlist 🙌",
            "yesss my package came early!!",
            "this new album is incredible, on repeat all day ❤️",
        ],
        "positive tweet",
        "hand",
    )
    suite.mft(
        TWEETS,
        NEG,
        [
            "@united lost my bag AGAIN #fail",
            "worst. service. ever. 😡",
            "ugh my phone died again",
            "this traffic is killing me 😩",
            "so disappointed with this update #fail",
            "@comcast internet down for the third day in a row, unacceptable",
            "soooo bored of this show",
            "never ordering from here again 🤮",
            "hate mondays",
            "my order still hasn't arrived and nobody replies 😤 #annoyed",
        ],
        "negative tweet",
        "hand",
    )
    suite.inv(
        TWEETS,
        [
            swap(
                "mention", "@{x} thanks for the upgrade, amazing service!", "Delta", "SouthwestAir"
            ),
            swap(
                "mention",
                "@{x} my flight is delayed again, this is ridiculous",
                "united",
                "RyanAir",
            ),
            ("hashtag added", "loving this weather", "loving this weather #sunday"),
            ("hashtag added", "my train is late again", "my train is late again #commute"),
            ("elongation", "this cake is so good", "this cake is sooo good"),
            ("elongation", "this is so boring", "this is soooo boring"),
            ("case", "love this song", "LOVE THIS SONG"),
            ("case", "worst customer service ever", "WORST CUSTOMER SERVICE EVER"),
            ("emoji added", "best concert ever", "best concert ever 🎶"),
            (
                "link added",
                "great read on remote work",
                "great read on remote work https://t.co/x1y2z3",
            ),
            ("punctuation", "can't wait for the weekend", "can't wait for the weekend!!!"),
            ("typo", "this movie is amazing", "this moive is amazing"),
        ],
        "hand",
    )
    suite.dir(
        TWEETS,
        [
            (
                "elongation and exclamation",
                UP,
                "this movie was good",
                "this movie was sooo good!!!",
            ),
            (
                "negative clause appended",
                DOWN,
                "my flight is on time",
                "my flight is on time but they lost my bag 😡",
            ),
            (
                "negative clause appended",
                DOWN,
                "the new menu is nice",
                "the new menu is nice but everything is so overpriced",
            ),
            (
                "positive clause appended",
                UP,
                "long day at work",
                "long day at work but my friends threw me a surprise party 🥳",
            ),
        ],
        "hand",
    )


def neutral(suite: Suite) -> None:
    texts = [
        "The package arrived on Tuesday.",
        "The film is two hours long.",
        "The hotel is next to the train station.",
        "The app was updated yesterday.",
        "I called customer service this morning.",
        "The restaurant opens at noon.",
        "The phone comes in black and silver.",
        "The movie was released in 2019.",
        "Our flight leaves at seven in the morning.",
        "The menu has twelve dishes.",
        "The laptop has a 14-inch screen.",
        "The store is on Main Street.",
        "I ordered the blue one.",
        "The meeting was moved to Thursday.",
        "The museum is closed on Mondays.",
        "The book has 300 pages.",
        "We took the train to Boston.",
        "The director also wrote the script.",
        "The room is on the third floor.",
        "The film was shot in New Zealand.",
        "My order number is 4521.",
        "The café accepts credit cards.",
        "The charger uses a USB-C cable.",
        "The show airs on Sunday evenings.",
        "I watched it with my brother.",
        "The bus stops outside the hotel.",
        "The sequel comes out next year.",
        "The app is available on Android and iOS.",
        "The tickets were booked online.",
        "The parcel was left with a neighbour.",
    ]
    for text in texts:
        suite.add(NEUTRAL, NEUTRAL_SET, (text,), capability="factual statement", source="hand")


def domains(suite: Suite) -> None:
    for part in (products, restaurants, hotels, apps, customer_service, tweets, neutral):
        part(suite)


def build() -> list[Case]:
    """Every case, in a fixed order."""
    suite = Suite()
    for part in (plain, negation, contrast, intensity, domains):
        part(suite)
    assert {c.category for c in suite.cases} == set(CATEGORIES)
    return suite.cases


def main() -> int:
    text = dumps(build())
    if "--check" in sys.argv[1:]:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run python tests/behaviour/generate.py")
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} cases to {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
