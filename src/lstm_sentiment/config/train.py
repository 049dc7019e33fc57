"""The train and nbsvm sections of a run configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_sentiment.config.choices import (
    AUTO,
    DEFAULT_SEED,
    LR_SCHEDULES,
    MONITOR_CHOICES,
    OPTIMIZERS,
    RETAIN_EXAMPLES,
    check_choice,
)
from lstm_sentiment.config.parsing import parse_class_weights
from lstm_sentiment.errors import ConfigError


@dataclass
class TrainConfig:
    """The optimisation loop."""

    @property
    def semi_supervised(self) -> bool:
        """Whether an objective uses unlabelled texts (VAT or entropy minimisation)."""
        return self.vat_epsilon > 0 or self.entropy_weight > 0

    epochs: int = 10
    batch_size: int = AUTO
    """Examples per step; 0 = derived from the number of training examples."""
    lr: float = 2e-3
    weight_decay: float = 0.0
    clip_grad_norm: float = 1.0
    patience: int = 2
    """Epochs without validation improvement before stopping (0 disables early stopping)."""
    monitor: str = "macro_f1"
    """Validation metric of early stopping and of the best epoch: ``macro_f1`` (the default:
    every class counts, whatever its size; equal to accuracy on balanced data), ``accuracy``
    or ``loss``."""
    seed: int = DEFAULT_SEED
    checkpoint_every: int = 200
    """Also checkpoint every N optimisation steps (0 = only at epoch ends)."""
    bucket_size: int = 50
    """Batches per length-sorted pool: larger pools pad less, smaller pools shuffle more."""
    threads: int = 0
    """Torch CPU threads (0 = all cores)."""
    lr_schedule: str = "linear"
    """``constant``, ``linear`` (decay to 0 over all epochs), ``cosine``, ``one_cycle``
    (warm up to ``lr`` over the first 30% of steps, then anneal) or ``reduce_on_plateau``
    (multiply by ``plateau_factor`` after ``plateau_patience`` epochs without improvement)."""
    warmup_steps: int = 100
    """Linear warm-up from 0 (capped at 10% of all steps, so tiny data sets still train)."""
    plateau_factor: float = 0.5
    plateau_patience: int = 1
    optimizer: str = "adam"
    """One of ``sgd``, ``rmsprop``, ``adagrad``, ``adadelta``, ``adam``, ``adamw``, ``adamax``,
    ``nadam``."""
    momentum: float = 0.9
    """Momentum of ``sgd`` and ``rmsprop``."""
    l1: float = 0.0
    """L1 penalty on the weight matrices (embeddings excluded), added to the loss."""
    l2: float = 0.0
    """L2 penalty on the weight matrices (embeddings excluded), added to the loss; unlike
    ``weight_decay`` it is part of the objective for every optimizer."""
    adversarial_epsilon: float = 0.0
    """Adversarial training on the embeddings (Goodfellow 2015; Miyato et al. 2017): each step
    also fits the loss on the embeddings moved by ``ε·g/‖g‖`` (``g`` the loss gradient, norm over
    each text); 0 = off. Costs about one more forward and backward pass per step."""
    vat_epsilon: float = 0.0
    """Virtual adversarial training (Miyato et al. 2016, 2017): each step also fits the KL
    divergence between the predictions on a text's embeddings and on them moved by ``ε`` in the
    direction that changes the prediction most (found by power iteration; the perturbation's
    norm is taken over each whole text). Needs no labels: it runs on the labelled batch and,
    with ``data.unlabelled``, on an unlabelled batch beside it; 0 = off."""
    vat_xi: float = 0.1
    """Norm of the probe perturbation of the power iteration (a finite difference)."""
    vat_power_iterations: int = 1
    vat_weight: float = 1.0
    """Weight of the virtual adversarial loss."""
    entropy_weight: float = 0.0
    """Entropy minimisation (Grandvalet & Bengio 2005): the mean prediction entropy on the
    unlabelled batches, times this weight, is added to the loss; 0 = off."""
    unlabelled_batch_size: int = 0
    """Unlabelled texts per step (0 = the labelled batch size)."""
    discriminative_lr: float = 1.0
    """With ``model.encoder_init``: the encoder learns at ``lr / f`` and the embedding at
    ``lr / f²`` (Howard & Ruder 2018 use 2.6); 1 = one rate for all."""
    gradual_unfreezing: bool = False
    """With ``model.encoder_init``: train the new layers alone in epoch 1, add the pretrained
    encoder in epoch 2 and the embedding from epoch 3 (Howard & Ruder 2018)."""
    init_from: str = ""
    """A trained neural model bundle (a folder, or ``default`` for the shipped model) to
    continue training (fine-tuning): its tokenizer, vocabulary, ``[text]`` and ``[model]``
    settings and weights (NB tables and lexicon features included) replace this run's, and its
    labels must be the data's. Empty = a new network."""
    retain_weight: float = 0.0
    """With ``init_from``: the KL divergence from the saved model's predictions to the new
    model's on every training batch, times this weight, is added to the loss (learning without
    forgetting, Li & Hoiem 2016), so new data teaches what it teaches without the model drifting
    from what the saved one said elsewhere; 0 = off. Costs one forward pass of the saved model
    per step."""
    retain_examples: str = "all"
    """Where the ``retain_weight`` term applies: ``all`` training texts, or only those the
    saved model labels ``correct``ly, so the texts it gets wrong (what the fine-tune is for)
    are learned from their labels alone."""
    retain_temperature: float = 2.0
    """Softmax temperature of both predictions in the ``retain_weight`` term (Hinton et al.
    2015; the term is scaled by its square, so its gradients keep their size)."""
    refit_nb_ratios: bool = False
    """With ``init_from``: fit the NB n-gram path's log-count ratios again on this run's
    training texts (its reviews and ``data.extra_train``) instead of keeping the saved model's,
    so the n-grams of new kinds of text count as they do there ("cracked" in a product review
    is not "cracked me up" in a film review); the learned scales carry over."""
    nb_ratio_extra: list[str] = field(default_factory=list)
    """With ``refit_nb_ratios``: the ``data.extra_train`` sources whose texts count in the
    re-fitted ratios beside the main training data (every time a source is listed there);
    empty = all of them. Training reads leave-one-out ratios as a new network does (a text
    left out of the counts loses one count of its own n-grams there: a small bias against
    memorising, never toward it)."""
    crop_probability: float = 0.0
    """Share of training texts replaced, each epoch, by a random contiguous span of themselves
    (log-uniform length from ``crop_min_tokens`` to the whole text), so that a model trained on
    long reviews also reads single sentences and short posts; 0 = off."""
    crop_min_tokens: int = 4
    """Shortest span a random crop keeps."""
    crop_longer_than: int = 0
    """Only texts of more tokens than this are cropped (0: any text longer than
    ``crop_min_tokens``), so labelled sentences stay whole: a span of "not bad at all" is
    "bad"."""
    log_embeddings: int = 0
    """Write the N most frequent words' learned embeddings for TensorBoard's projector."""
    class_weights: str = "balanced"
    """Loss weight per class: ``balanced`` (the default: inverse class frequency in the training
    data, as scikit-learn's; all 1 on balanced data), ``none`` or explicit
    ``label=weight,...`` (unlisted labels weigh 1)."""
    calibrate: bool = True
    """Fit a softmax temperature on the validation split (saved with the model)."""
    calibration_bins: int = 15
    """Equal-width confidence bins of the expected calibration error and reliability plot."""

    def __post_init__(self) -> None:
        check_choice("train.monitor", self.monitor, MONITOR_CHOICES)
        check_choice("train.lr_schedule", self.lr_schedule, LR_SCHEDULES)
        check_choice("train.optimizer", self.optimizer, OPTIMIZERS)
        check_choice("train.retain_examples", self.retain_examples, RETAIN_EXAMPLES)
        if self.epochs < 1 or self.batch_size < 0:
            raise ConfigError("train.epochs must be >= 1 and train.batch_size >= 1 or 0 (auto)")
        parse_class_weights(self.class_weights)
        if self.calibration_bins < 1:
            raise ConfigError(f"train.calibration_bins must be >= 1, got {self.calibration_bins}")
        if self.adversarial_epsilon < 0:
            raise ConfigError(
                f"train.adversarial_epsilon must be >= 0, got {self.adversarial_epsilon}"
            )
        semi_supervised = (self.vat_epsilon, self.vat_xi, self.vat_weight, self.entropy_weight)
        if min(semi_supervised) < 0 or self.vat_xi == 0 or self.unlabelled_batch_size < 0:
            raise ConfigError(
                "train.vat_epsilon, vat_weight, entropy_weight and unlabelled_batch_size must "
                "be >= 0 and train.vat_xi > 0"
            )
        if self.discriminative_lr < 1:
            raise ConfigError(f"train.discriminative_lr must be >= 1, got {self.discriminative_lr}")
        if self.vat_power_iterations < 1:
            raise ConfigError(
                f"train.vat_power_iterations must be >= 1, got {self.vat_power_iterations}"
            )
        if self.crop_longer_than < 0:
            raise ConfigError(f"train.crop_longer_than must be >= 0, got {self.crop_longer_than}")
        if not 0.0 <= self.crop_probability <= 1.0 or self.crop_min_tokens < 1:
            raise ConfigError(
                "train.crop_probability must be in [0, 1] and train.crop_min_tokens >= 1, got "
                f"{self.crop_probability} and {self.crop_min_tokens}"
            )
        if min(self.lr, self.l1, self.l2, self.weight_decay, self.momentum) < 0 or self.lr == 0:
            raise ConfigError("train.lr must be > 0; l1, l2, weight_decay, momentum >= 0")
        if self.retain_weight < 0 or self.retain_temperature <= 0:
            raise ConfigError(
                "train.retain_weight must be >= 0 and train.retain_temperature > 0, got "
                f"{self.retain_weight} and {self.retain_temperature}"
            )
        if self.retain_weight > 0 and not self.init_from:
            raise ConfigError(
                "train.retain_weight keeps a fine-tuned model near the saved one: set "
                "train.init_from to that model (a bundle folder or 'default')"
            )
        if self.nb_ratio_extra and not self.refit_nb_ratios:
            raise ConfigError(
                "train.nb_ratio_extra chooses the texts of re-fitted NB ratios: set "
                "train.refit_nb_ratios = true, or leave it out"
            )
        if self.refit_nb_ratios and not self.init_from:
            raise ConfigError(
                "train.refit_nb_ratios re-fits a fine-tuned model's NB ratios (a new network "
                "always fits them): set train.init_from, or leave it out"
            )
        if not 0.0 < self.plateau_factor < 1.0:
            raise ConfigError(f"train.plateau_factor must be in (0, 1), got {self.plateau_factor}")


@dataclass
class NbsvmConfig:
    """NBSVM (Wang & Manning 2012): logistic regression on binary n-grams scaled by NB ratios.

    Used when ``model.architecture = "nbsvm"``: the longest n-gram and ``C`` are chosen on the
    validation split (``train.monitor``) from the candidates below.
    """

    ngram_orders: list[int] = field(default_factory=lambda: [2, 3])
    """Candidate longest n-grams (features are all 1..n-grams of the tokenizer's tokens)."""
    c_values: list[float] = field(default_factory=lambda: [0.03, 0.1, 0.3, 1.0])
    """Candidate inverse L2 regularisation strengths of the logistic regression."""
    alpha: float = 1.0
    """Smoothing of the naive Bayes log-count ratio ``r``."""
    beta: float = 1.0
    """Interpolation ``w' = (1 - β)·mean|w| + β·w`` (the paper's SVM used 0.25); 1 = none."""
    min_df: int = 2
    """Keep n-grams found in at least this many training texts."""
    max_features: int = 0
    """Keep only the most frequent (document frequency) n-grams; 0 = no limit."""
    max_iter: int = 1000
    """Iterations of the liblinear solver."""
    refit: bool = False
    """After choosing on validation, refit on train + validation. The bundle then records that
    its validation split is not held out, and ensembles refuse to fit weights on it."""

    def __post_init__(self) -> None:
        if not self.ngram_orders or min(self.ngram_orders) < 1:
            raise ConfigError(f"nbsvm.ngram_orders must hold orders >= 1, got {self.ngram_orders}")
        if not self.c_values or min(self.c_values) <= 0:
            raise ConfigError(f"nbsvm.c_values must hold values > 0, got {self.c_values}")
        if self.alpha <= 0 or not 0.0 <= self.beta <= 1.0:
            raise ConfigError("nbsvm.alpha must be > 0 and nbsvm.beta in [0, 1]")
        if self.min_df < 1 or self.max_features < 0 or self.max_iter < 1:
            raise ConfigError("nbsvm.min_df and max_iter must be >= 1, max_features >= 0")
