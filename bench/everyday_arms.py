"""The arms of ``everyday_finetune.py``: each arm's extra training files (by the keys of its
data steps) and its config overrides."""

from __future__ import annotations

import json

LOW_RATE = ["train.lr=2e-4"]
WIDE_STUDENT = "runs/everyday128/student1/model"
WIDE = f"train.init_from={WIDE_STUDENT}"
"""The 128-unit student of ``everyday_recipe.py --work runs/everyday128 --set
model.hidden_size=128`` (bench/results/everyday_capacity): the ``wide`` arms start from it."""
RETAIN_CORRECT = ["train.retain_examples=correct"]
"""The pull toward the shipped model only on texts it labels right."""
GATE = "model.nb_length_gate=true"
"""The shipped model's NB path gains a learned length gate, starting open."""
SHIPPED_DATA = [
    "snippets",
    "tweets_soft",
    "counterfactual",
    "contrast",
    "quantifiers_articles",
    "intensity",
]
"""The extra training files of the arm shipped in the thirteenth session."""
SHIPPED_SETTINGS = ["data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=1"]
COMPARATIVES_ARM = "snippets_tweets_counterfactual_contrast_articles3_intensity_comparatives"
COMPARATIVES_DATA = [*SHIPPED_DATA, "quantifiers_articles", "quantifiers_articles", "comparatives"]
"""The arm shipped in the fourteenth session (name without its settings' suffix) and its data."""
UNLABELLED_SENTENCES = 100_000
"""Unlabelled sentences sampled for the ``_vat`` arms: one epoch's steps each read a batch."""
VAT_EPSILON = 0.6
"""As ``imdb_semisup.py``'s VAT arms (word vectors of norm near 2, perturbation over a text)."""
VAT_EPSILON_SMALL = 0.2
"""``_vat02``: ε = 0.6 cost every validation set (the perturbation is large for short texts)."""
ENTROPY_WEIGHT = 0.3
SEEDS = (17, 18)
SEEDED = {
    "": [],
    "_frames_short": ["frames_short"],
    "_frames_short_products": ["frames_short", "products"],
    "_frames_short_subjects_products": ["frames_short", "subjects", "products"],
    "_frames_short_subjects_products3": ["frames_short", "subjects", *["products"] * 3],
    **{
        f"_frames_short_subjects_products3_{context}": [
            "frames_short",
            "subjects",
            *["products"] * 3,
            context,
        ]
        for context in ("context", "context_short")
    },
}
"""``_seed17``, ``_seed18``: these arms (suffix → their data beside the shipped arm's) again at
other training seeds (``train.seed``; the validation split stays ``data.split_seed``), to tell
a choice from noise."""
REFIT_NB = "train.refit_nb_ratios=true"
"""``_nbrefit``: the NB path's ratios fitted again on the fine-tune's own training texts."""
HUMAN_TEXTS = ["{snippets}", "{tweets_soft}", "{products}"]
HUMAN_TEXTS_RATIOS = f"train.nb_ratio_extra={json.dumps(HUMAN_TEXTS)}"
"""``_nbrefit_human``: only the reviews and the human-labelled short texts count (not the
pairs and triplets written from teacher-labelled sentences)."""
UNSUP_HUMAN_RATIOS = f"train.nb_ratio_extra={json.dumps([*HUMAN_TEXTS, '{unsup}'])}"
"""``_nbrefit_human_unsup``: also the unsup reviews the base labelled, as the shipped recipe's
ratios counted its pseudo-labelled unsup reviews."""
REST_HUMAN_RATIOS = (
    f"train.nb_ratio_extra={json.dumps([*HUMAN_TEXTS, '{unsup}', '{tweets_rest_soft}'])}"
)
"""``_tweetsrest``: the tweets the balancing left out count too."""
QUANTIFIER_REPEATS = (3, 5)
"""``_articles3``, ``_articles5``: the quantifier pairs read three or five times an epoch
(negated criticism at a quantifier stays wrong on validation with them read once: 0.05-0.07)."""
UNLABELLED_SENTENCES_SOURCE = [
    "train.unlabelled_batch_size=64",
    'data.unlabelled=["{sentences_soft}"]',
    "data.unlabelled_text_column=text",
    f"data.unlabelled_limit={UNLABELLED_SENTENCES}",
]
VAT_ON_SENTENCES = [f"train.vat_epsilon={VAT_EPSILON}", *UNLABELLED_SENTENCES_SOURCE]
"""Virtual adversarial training on the labelled batches and on unlabelled sentences of the
training and unlabelled reviews (the study's ``sentences_soft`` file, its labels unread);
``{key}`` names a file of the study's data steps."""
ARMS: dict[str, tuple[list[str], list[str]]] = {
    "reviews_only": ([], LOW_RATE),
    "sentences": (["sentences"], []),
    "sentences_unsup": (["unsup", "sentences"], []),
    "negated": (["negated"], LOW_RATE),
    "negated_sample": (["negated_sample"], LOW_RATE),
    "sentences_retain_light": (["sentences"], ["train.retain_weight=0.3"]),
    "sentences_retain": (["sentences"], ["train.retain_weight=1"]),
    "sentences_unsup_retain": (["unsup", "sentences"], ["train.retain_weight=1"]),
    "sentences_retain_correct": (["sentences"], [*RETAIN_CORRECT, "train.retain_weight=1"]),
    "sentences_retain_correct3": (["sentences"], [*RETAIN_CORRECT, "train.retain_weight=3"]),
    "wide_sentences": (["sentences"], [WIDE]),
    "wide_sentences_retain": (["sentences"], [WIDE, *RETAIN_CORRECT, "train.retain_weight=1"]),
    "wide_sentences_retain_light": (
        ["sentences"],
        [WIDE, *RETAIN_CORRECT, "train.retain_weight=0.3"],
    ),
    "wide_sentences_retain3": (["sentences"], [WIDE, *RETAIN_CORRECT, "train.retain_weight=3"]),
    "sentences_soft": (["sentences_soft"], ["data.soft_labels=true"]),
    "wide_sentences_soft_retain": (
        ["sentences_soft"],
        [WIDE, "data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=1"],
    ),
    "tweets": (["tweets"], []),
    "tweets_soft": (["tweets_soft"], ["data.soft_labels=true"]),
    "tweets_sentences_soft": (["sentences_soft", "tweets_soft"], ["data.soft_labels=true"]),
    "tweets_sentences": (["sentences", "tweets"], []),
    "wide_tweets_sentences_retain": (
        ["sentences", "tweets"],
        [WIDE, *RETAIN_CORRECT, "train.retain_weight=1"],
    ),
    "snippets_soft": (["snippets"], ["data.soft_labels=true"]),
    "snippets_sentences_soft": (["snippets", "sentences_soft"], ["data.soft_labels=true"]),
    "snippets_soft_gate": (["snippets"], ["data.soft_labels=true", GATE]),
    "snippets_sentences_soft_gate": (
        ["snippets", "sentences_soft"],
        ["data.soft_labels=true", GATE],
    ),
    "snippets_tweets_sentences_soft": (
        ["snippets", "tweets_soft", "sentences_soft"],
        ["data.soft_labels=true"],
    ),
    "counterfactual_soft": (["counterfactual"], ["data.soft_labels=true"]),
    "snippets_counterfactual_soft": (["snippets", "counterfactual"], ["data.soft_labels=true"]),
    "counterfactual_soft_retain": (
        ["counterfactual"],
        ["data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=1"],
    ),
    "snippets_counterfactual_soft_retain": (
        ["snippets", "counterfactual"],
        ["data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=1"],
    ),
    "snippets_counterfactual_soft_retain3": (
        ["snippets", "counterfactual"],
        ["data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=3"],
    ),
    "snippets_tweets_counterfactual_soft_retain": (
        ["snippets", "tweets_soft", "counterfactual"],
        ["data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=1"],
    ),
    "snippets_tweets_counterfactual_verbs_soft_retain": (
        ["snippets", "tweets_soft", "counterfactual_verbs"],
        ["data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=1"],
    ),
    "snippets_tweets_counterfactual_contrast_soft_retain": (
        ["snippets", "tweets_soft", "counterfactual", "contrast"],
        ["data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=1"],
    ),
    "snippets_tweets_counterfactual_contrast_quantifiers_soft_retain": (
        ["snippets", "tweets_soft", "counterfactual", "contrast", "quantifiers"],
        ["data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=1"],
    ),
    "snippets_tweets_counterfactual_contrast_intensity_soft_retain": (
        ["snippets", "tweets_soft", "counterfactual", "contrast", "intensity"],
        ["data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=1"],
    ),
    "snippets_tweets_counterfactual_contrast_quantifiers_intensity_soft_retain": (
        ["snippets", "tweets_soft", "counterfactual", "contrast", "quantifiers", "intensity"],
        ["data.soft_labels=true", *RETAIN_CORRECT, "train.retain_weight=1"],
    ),
    "snippets_tweets_counterfactual_contrast_articles_intensity_soft_retain": (
        SHIPPED_DATA,
        SHIPPED_SETTINGS,
    ),
    "snippets_tweets_counterfactual_contrast_articles_intensity_vat_soft_retain": (
        SHIPPED_DATA,
        [*SHIPPED_SETTINGS, *VAT_ON_SENTENCES],
    ),
    "snippets_tweets_counterfactual_contrast_articles_intensity_vat02_soft_retain": (
        SHIPPED_DATA,
        [*SHIPPED_SETTINGS, *VAT_ON_SENTENCES, f"train.vat_epsilon={VAT_EPSILON_SMALL}"],
    ),
    "snippets_tweets_counterfactual_contrast_articles_intensity_entmin_soft_retain": (
        SHIPPED_DATA,
        [*SHIPPED_SETTINGS, *UNLABELLED_SENTENCES_SOURCE, f"train.entropy_weight={ENTROPY_WEIGHT}"],
    ),
    f"{COMPARATIVES_ARM}_soft_retain": (COMPARATIVES_DATA, SHIPPED_SETTINGS),
    f"{COMPARATIVES_ARM}_frames_soft_retain": ([*COMPARATIVES_DATA, "frames"], SHIPPED_SETTINGS),
    f"{COMPARATIVES_ARM}_frames_short_soft_retain": (
        [*COMPARATIVES_DATA, "frames_short"],
        SHIPPED_SETTINGS,
    ),
    **{
        f"snippets_tweets_counterfactual_contrast_articles{repeats}_intensity_soft_retain": (
            [*SHIPPED_DATA, *["quantifiers_articles"] * (repeats - 1)],
            SHIPPED_SETTINGS,
        )
        for repeats in QUANTIFIER_REPEATS
    },
    f"{COMPARATIVES_ARM}_subjects_soft_retain": (
        [*COMPARATIVES_DATA, "subjects"],
        SHIPPED_SETTINGS,
    ),
    f"{COMPARATIVES_ARM}_products_soft_retain": (
        [*COMPARATIVES_DATA, "products"],
        SHIPPED_SETTINGS,
    ),
    f"{COMPARATIVES_ARM}_subjects_products_soft_retain": (
        [*COMPARATIVES_DATA, "subjects", "products"],
        SHIPPED_SETTINGS,
    ),
    f"{COMPARATIVES_ARM}_products3_soft_retain": (
        [*COMPARATIVES_DATA, *["products"] * 3],
        SHIPPED_SETTINGS,
    ),
    f"{COMPARATIVES_ARM}_frames_short_products_soft_retain": (
        [*COMPARATIVES_DATA, "frames_short", "products"],
        SHIPPED_SETTINGS,
    ),
    f"{COMPARATIVES_ARM}_frames_short_subjects_products_soft_retain": (
        [*COMPARATIVES_DATA, "frames_short", "subjects", "products"],
        SHIPPED_SETTINGS,
    ),
    f"{COMPARATIVES_ARM}_frames_short_subjects_products3_soft_retain": (
        [*COMPARATIVES_DATA, "frames_short", "subjects", *["products"] * 3],
        SHIPPED_SETTINGS,
    ),
    **{
        f"{COMPARATIVES_ARM}_frames_short_subjects_products3_{context}_soft_retain": (
            [*COMPARATIVES_DATA, "frames_short", "subjects", *["products"] * 3, context],
            SHIPPED_SETTINGS,
        )
        for context in ("context", "context_short")
    },
    **{
        f"{COMPARATIVES_ARM}_frames_short_subjects_products3_nbrefit_soft_retain{suffix}": (
            [*COMPARATIVES_DATA, "frames_short", "subjects", *["products"] * 3],
            [*SHIPPED_SETTINGS, REFIT_NB, *seed],
        )
        for suffix, seed in (("", []), *((f"_seed{s}", [f"train.seed={s}"]) for s in SEEDS))
    },
    **{
        f"{COMPARATIVES_ARM}_frames_short_subjects_products3_nbrefit_human_soft_retain{suffix}": (
            [*COMPARATIVES_DATA, "frames_short", "subjects", *["products"] * 3],
            [*SHIPPED_SETTINGS, REFIT_NB, HUMAN_TEXTS_RATIOS, *seed],
        )
        for suffix, seed in (("", []), *((f"_seed{s}", [f"train.seed={s}"]) for s in SEEDS))
    },
    **{
        f"{COMPARATIVES_ARM}_frames_short_subjects_products3_nbrefit_human_unsup_soft_retain"
        f"{suffix}": (
            [*COMPARATIVES_DATA, "frames_short", "subjects", *["products"] * 3, "unsup"],
            [*SHIPPED_SETTINGS, REFIT_NB, UNSUP_HUMAN_RATIOS, *seed],
        )
        for suffix, seed in (("", []), *((f"_seed{s}", [f"train.seed={s}"]) for s in SEEDS))
    },
    **{
        f"{COMPARATIVES_ARM}_frames_short_subjects_products3_x2_nbrefit_human_unsup_soft_retain"
        f"{suffix}": (
            [*[*COMPARATIVES_DATA, "frames_short", "subjects", *["products"] * 3] * 2, "unsup"],
            [*SHIPPED_SETTINGS, REFIT_NB, UNSUP_HUMAN_RATIOS, *seed],
        )
        for suffix, seed in (("", []), *((f"_seed{s}", [f"train.seed={s}"]) for s in SEEDS))
    },
    **{
        f"{COMPARATIVES_ARM}_frames_short_subjects_products3_x{reads}_nbrefit_human_unsup_{name}"
        f"_soft_retain{suffix}": (
            [
                *[*COMPARATIVES_DATA, "frames_short", "subjects", *["products"] * 3, *more] * reads,
                "unsup",
                source,
            ],
            [*SHIPPED_SETTINGS, REFIT_NB, UNSUP_HUMAN_RATIOS, *seed],
        )
        for reads, name, source, more in (
            (2, "reviewsent", "review_sentences", []),
            (2, "reviewsentall", "review_sentences_all", []),
            (3, "reviewsentall", "review_sentences_all", []),
            (2, "reviewsentof", "review_sentences_other_films", []),
            (3, "reviewsentall_names", "review_sentences_all", ["names"]),
            (3, "reviewsentall_neutral", "review_sentences_all", ["tweets_neutral"]),
        )
        for suffix, seed in (("", []), *((f"_seed{s}", [f"train.seed={s}"]) for s in SEEDS))
    },
    **{
        f"{COMPARATIVES_ARM}_frames_short_subjects_products3_x2_nbrefit_human_unsup_tweetsrest"
        f"_soft_retain{suffix}": (
            [
                *[*COMPARATIVES_DATA, "frames_short", "subjects", *["products"] * 3] * 2,
                "unsup",
                "tweets_rest_soft",
            ],
            [*SHIPPED_SETTINGS, REFIT_NB, REST_HUMAN_RATIOS, *seed],
        )
        for suffix, seed in (("", []), *((f"_seed{s}", [f"train.seed={s}"]) for s in SEEDS))
    },
    f"{COMPARATIVES_ARM}_frames_short_subjects_products3_unsup_soft_retain": (
        [*COMPARATIVES_DATA, "frames_short", "subjects", *["products"] * 3, "unsup"],
        SHIPPED_SETTINGS,
    ),
    f"{COMPARATIVES_ARM}_frames_short_subjects_soft_retain": (
        [*COMPARATIVES_DATA, "frames_short", "subjects"],
        SHIPPED_SETTINGS,
    ),
    **{
        f"{COMPARATIVES_ARM}{suffix}_soft_retain_seed{seed}": (
            [*COMPARATIVES_DATA, *extra],
            [*SHIPPED_SETTINGS, f"train.seed={seed}"],
        )
        for suffix, extra in SEEDED.items()
        for seed in SEEDS
    },
    "snippets_sentences_counterfactual_soft": (
        ["snippets", "sentences_soft", "counterfactual_negated"],
        ["data.soft_labels=true"],
    ),
}
"""Arm → (its extra training files, its config overrides). The control (``reviews_only``)
fine-tunes on the training reviews alone: what any further training costs or gains. The
``retain`` arms add the pull toward the shipped model's predictions (``train.retain_weight``,
learning without forgetting), so the sentences may teach negation without costing reviews;
``retain_correct`` only where the shipped model is right (not on the sentences it misreads).
The ``wide`` arms fine-tune the 128-unit student instead: does capacity make room for both?
The ``tweets`` arms add human-labelled tweets from other domains (``everyday_tweets.py``).
``sentences_soft`` trains toward each sentence's label at its recorded confidence
(``data.soft_labels``: a sentence the teacher gave 0.8 pulls toward 0.8, not 1); the
``tweets_soft`` arms do the same with the tweets' annotator confidence. The ``snippets`` arms
add the human-rated sentences of the VADER paper (``everyday_snippets.py``) at their raters'
soft labels; the ``_gate`` arms let the model learn how much a text of each length reads
its NB n-gram path (``model.nb_length_gate``). The ``counterfactual`` arms add negated copies
of confident sentences and snippets that carry no negation (``everyday_counterfactual.py``):
alone as source + copy pairs, or the copies beside the sentences and snippets; ``_verbs``
also negates a sentiment verb after a pronoun ("I loved it" → "I didn't love it"); ``_contrast``
adds two opposite sentences joined so the later decides (``everyday_contrast.py``);
``_quantifiers`` adds negations at quantifiers, opening articles and universal subjects ("some
problems" → "no problems", ``everyday_quantifiers.py``; ``_articles`` also after a verb of
having: "had a problem" → "had no problem") and ``_intensity`` a sentence with an
intensifier and a diminisher added (``everyday_intensity.py``). The ``_vat`` arms add
virtual adversarial training on unlabelled sentences to the shipped arm (``_vat02`` at a
smaller ε); ``_entmin`` adds entropy minimisation on them instead. ``_articles3`` and
``_articles5`` read the quantifier pairs three and five times; ``_comparatives`` adds negated
comparatives ("couldn't have been friendlier", ``everyday_comparatives.py``) and ``_frames``
negating frames ("I don't think the plot was clever", ``everyday_frames.py``; ``_frames_short``:
5,000 of them, around sentences of at most 12 words); ``_seed17`` and ``_seed18`` repeat an arm
at another training seed; ``_subjects`` adds negated subjects ("None of the actors were
convincing", ``everyday_subjects.py``) and ``_products`` labelled product and restaurant texts
(``everyday_products.py``; ``_products3``: read three times); ``_context`` adds short
sentences beside a neutral one at their own label (``everyday_context.py``; ``_context_short``:
the snippets and product texts as the sources, not the review sentences); ``_nbrefit``
fits the NB path's log-count ratios again on the fine-tune's training texts (review-only
n-gram statistics read "cracked", "broke" or "keeps" as a film review does; ``_human``: from
the reviews and the human-labelled short texts only; ``_unsup``: and the unsup reviews, read
in training too; ``_x2``: every other extra file read twice, so the pairs keep their share
beside the unsup reviews); ``_products3_unsup`` is its control (the unsup reviews read, the saved
ratios kept); ``_reviewsent`` adds sentences of the training reviews at their review's label
(``everyday_review_sentences.py``: the kind of text of the benchmark's IMDB single sentences;
not counted in the re-fitted ratios; ``_reviewsentof``: only from films without a validation
review, so the validation score sees no film twice; ``_reviewsentall``: all 232,449 of them;
``_x3``: the other extra files read three times, to keep their share beside them;
``_names``: and name swaps of the review sentences, snippets and tweets, ``everyday_names.py``;
``_neutral``: and the corpus's neutral tweets at one half for each label, a two-class model's
answer to a text without sentiment, ``everyday_tweets.py``, not counted in the ratios);
``_tweetsrest`` adds the human-labelled
tweets that the balancing left out (``everyday_tweets.py``: 8,700 more negative ones, most of
them complaints to airlines' customer service), counted in the re-fitted ratios too."""
