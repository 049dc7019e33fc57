"""The arms of ``bench/imdb_semisup.py``: each arm's overrides on top of
``configs/imdb_semisup.toml`` and the inputs it reads (unlabelled reviews, pseudo-labels, a
language model, region embeddings)."""

from __future__ import annotations

ADVERSARIAL_EPSILON = 0.6
VAT_EPSILON = 0.6
"""Perturbation norms over each whole text. Miyato et al. (2017) use 5.0 on embeddings
normalised to unit variance per dimension (256 dimensions: word norms near 16); the own
word2vec vectors here have norms near 2 (median 1.8), so the same relative size is ~0.6.
Other values run as extra arms (``--arms vat --epsilon 1.5``) and are chosen on validation."""
STANDARDIZED_EPSILON = 3.0
"""ε on standardised embeddings (``model.embedding_standardization``: unit variance per
dimension, word norms near 10 over 100 dimensions): Miyato's 5.0 at 256 dimensions, scaled."""
STANDARDIZED = ["model.embedding_standardization=true"]
ENTROPY_WEIGHT = 1.0
UNLABELLED_BATCH = 64
LONG_EPOCHS = 6
"""``vat_std_long``: ``vat_std``'s validation accuracy still rose at its fourth (last) epoch."""
REGION_LONG_EPOCHS = 8
"""``region_long``: ``region_r256e5``'s validation loss still fell at its fourth (last) epoch
(0.2125 → 0.2043) while training accuracy (0.931) stayed near validation's."""
REGION_SETTINGS = [
    "pretrain.objective=region",
    "pretrain.region_size=5",
    "pretrain.region_dim=128",
    "pretrain.epochs=2",
    "pretrain.batch_size=128",
    "pretrain.chunk_tokens=128",
    "pretrain.lr=0.005",
]
"""Regions of five words predicting the five words on each side (J&Z's bow regions), 128
dimensions (a 60,000-word table stays near 30 MB), two passes over train + unsup."""
FULL_LENGTH = 1000
"""``region_full``: tokens read per review (the config's 400 drop 11% of the training tokens,
the middles of the 14% of reviews longer than that; 1,000 keeps all but 1% of reviews whole)."""
WIDE_UNITS = 256
"""``region_wide``: units per direction (the config's 128; Johnson & Zhang's LSTM had 500)."""
BIG = [
    "model.hidden_size=512",
    f"text.max_length={FULL_LENGTH}",
    "train.epochs=10",
    "train.lr=1e-3",
    "train.patience=3",
    "model.dropout=0.5",
    "model.embedding_dropout=0.5",
]
"""``region_big``: the largest BiLSTM the 3-hour cap leaves room for. bench/literature_cost.py
measured Sachan et al.'s 512-unit BiLSTM at ~10,000 tokens/s here (~10 minutes an epoch of
whole reviews), so ten epochs fit; their other choices kept: whole reviews, dropout 0.5, a
smaller learning rate for the wider network."""
SELF_TRAINING = ["train.crop_probability=0.5", "train.crop_min_tokens=4"]
"""The single model's crops (configs/imdb_single.toml); its pseudo-labels come from ``--pseudo``."""
ARMS: dict[str, list[str]] = {
    "supervised": [],
    "supervised_long": [f"train.epochs={LONG_EPOCHS}"],
    "adversarial": [f"train.adversarial_epsilon={ADVERSARIAL_EPSILON}"],
    "vat": [f"train.vat_epsilon={VAT_EPSILON}", f"train.unlabelled_batch_size={UNLABELLED_BATCH}"],
    "vat_entmin": [
        f"train.vat_epsilon={VAT_EPSILON}",
        f"train.entropy_weight={ENTROPY_WEIGHT}",
        f"train.unlabelled_batch_size={UNLABELLED_BATCH}",
    ],
    "entmin": [
        f"train.entropy_weight={ENTROPY_WEIGHT}",
        f"train.unlabelled_batch_size={UNLABELLED_BATCH}",
    ],
    "adversarial_std": [*STANDARDIZED, f"train.adversarial_epsilon={STANDARDIZED_EPSILON}"],
    "vat_std": [
        *STANDARDIZED,
        f"train.vat_epsilon={STANDARDIZED_EPSILON}",
        f"train.unlabelled_batch_size={UNLABELLED_BATCH}",
    ],
    "vat_std_entmin": [
        *STANDARDIZED,
        f"train.vat_epsilon={STANDARDIZED_EPSILON}",
        f"train.entropy_weight={ENTROPY_WEIGHT}",
        f"train.unlabelled_batch_size={UNLABELLED_BATCH}",
    ],
    "vat_std_long": [
        *STANDARDIZED,
        f"train.vat_epsilon={STANDARDIZED_EPSILON}",
        f"train.unlabelled_batch_size={UNLABELLED_BATCH}",
        f"train.epochs={LONG_EPOCHS}",
    ],
    "self_training": SELF_TRAINING,
    "vat_self_training": [
        *SELF_TRAINING,
        *STANDARDIZED,
        f"train.vat_epsilon={STANDARDIZED_EPSILON}",
        f"train.unlabelled_batch_size={UNLABELLED_BATCH}",
    ],
    "lm": ["train.discriminative_lr=2.6", "train.gradual_unfreezing=true"],
    "region": [],
    "region_self_training": SELF_TRAINING,
    "region_long": [f"train.epochs={REGION_LONG_EPOCHS}"],
    "region_full": [f"text.max_length={FULL_LENGTH}"],
    "region_wide": [f"model.hidden_size={WIDE_UNITS}"],
    "region_big": BIG,
    "region_vat_std": [
        *STANDARDIZED,
        f"train.vat_epsilon={STANDARDIZED_EPSILON}",
        f"train.unlabelled_batch_size={UNLABELLED_BATCH}",
    ],
    "region_vat_std_long": [
        *STANDARDIZED,
        f"train.vat_epsilon={STANDARDIZED_EPSILON}",
        f"train.unlabelled_batch_size={UNLABELLED_BATCH}",
        f"train.epochs={LONG_EPOCHS}",
    ],
    "lm_vat": [
        "train.discriminative_lr=2.6",
        "train.gradual_unfreezing=true",
        f"train.vat_epsilon={VAT_EPSILON}",
        f"train.unlabelled_batch_size={UNLABELLED_BATCH}",
    ],
}
"""Overrides of each arm on top of the config."""
USES_UNLABELLED = {
    "vat",
    "vat_std",
    "vat_std_long",
    "vat_entmin",
    "entmin",
    "vat_std_entmin",
    "lm_vat",
    "vat_self_training",
    "region_vat_std",
    "region_vat_std_long",
}
USES_PSEUDO = {"self_training", "vat_self_training", "region_self_training"}
USES_LM = {"lm", "lm_vat"}
USES_REGION = {
    "region",
    "region_self_training",
    "region_long",
    "region_full",
    "region_wide",
    "region_big",
    "region_vat_std",
    "region_vat_std_long",
}
