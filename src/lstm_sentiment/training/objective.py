"""What a training step minimises: cross-entropy with the model's own penalties, the
adversarial and virtual adversarial terms on the labelled batch, the pull toward a saved model
when fine-tuning (``train.retain_weight``), and the semi-supervised terms on an unlabelled batch
beside it (:mod:`.semisup`)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import torch
import torch.nn.functional as F
from torch import nn

from lstm_sentiment.config import TrainConfig
from lstm_sentiment.config.choices import RETAIN_CORRECT
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.training.optim import penalized_weights, weight_penalty
from lstm_sentiment.training.semisup import SemiSupervised


class TrainingObjective:
    """The loss of one step of ``model`` under ``config``.

    Args:
        model: Returns logits for ``(ids, lengths)``; the perturbing terms also need its
            ``embed`` and ``classify``.
        config: Which terms, and their weights.
        class_weights: Cross-entropy weight per class id (``None``: all 1).
        reference: The saved model a fine-tune starts from, frozen (``train.retain_weight``).
    """

    def __init__(
        self,
        model: nn.Module,
        config: TrainConfig,
        class_weights: torch.Tensor | None = None,
        reference: nn.Module | None = None,
    ) -> None:
        self.model = model
        self.config = config
        if config.retain_weight > 0 and reference is None:
            raise ConfigError("train.retain_weight needs the saved model (train.init_from)")
        self.reference = None if reference is None else reference.eval().requires_grad_(False)
        self.loss_fn = nn.CrossEntropyLoss(weight=class_weights)
        self.penalized = penalized_weights(model) if config.l1 or config.l2 else []
        self.semi_supervised = SemiSupervised(config)
        if self.semi_supervised.perturbs and not hasattr(model, "classify"):
            raise ConfigError(
                "train.adversarial_epsilon and train.vat_epsilon perturb word embeddings: "
                "this model has none to perturb"
            )
        self.last_terms: dict[str, float] = {}
        """The unlabelled terms of the last step (shown beside the loss)."""

    def __call__(
        self,
        ids: torch.Tensor,
        lengths: torch.Tensor,
        labels: torch.Tensor,
        unlabelled_ids: torch.Tensor | None = None,
        unlabelled_lengths: torch.Tensor | None = None,
        targets: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Logits and loss of a labelled batch (with its adversarial and VAT terms), and the
        terms of the unlabelled batch beside it (zero without one). With ``targets`` (label
        distributions, ``data.soft_labels``) the cross-entropy is taken against them; the
        adversarial term and the NB counts keep the labels."""
        with self._leave_out(labels):
            logits, loss = self._labelled(ids, lengths, labels, targets)
        extra = torch.zeros((), device=loss.device)
        if unlabelled_ids is not None and unlabelled_lengths is not None:
            # Outside the leave-out block: unlabelled texts are not in the NB counts.
            extra, self.last_terms = self.semi_supervised.unlabelled_terms(
                self.model, unlabelled_ids, unlabelled_lengths
            )
        return logits, loss, extra

    def _leave_out(self, labels: torch.Tensor) -> AbstractContextManager[None]:
        """Leave-one-out NB ratios for the batch's own texts (a model with an NB n-gram path)."""
        nb_path = getattr(self.model, "nb", None)
        return nb_path.leave_out(labels) if nb_path is not None else nullcontext()

    def _labelled(
        self,
        ids: torch.Tensor,
        lengths: torch.Tensor,
        labels: torch.Tensor,
        targets: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.semi_supervised.perturbs:
            logits = self.model(ids, lengths)
            retained = self.retained(ids, lengths, labels, logits, targets)
            return logits, self.supervised_loss(logits, labels, targets) + retained
        embedded = self.model.embed(ids)
        if not embedded.requires_grad:  # frozen embeddings: still differentiate w.r.t. them
            embedded.requires_grad_(True)
        logits = self.model.classify(embedded, lengths, ids)
        loss = self.supervised_loss(logits, labels, targets)
        extra = self.semi_supervised.labelled_terms(
            self.model, embedded, (ids, lengths, labels), logits, loss, self.loss_fn
        )
        return logits, loss + extra + self.retained(ids, lengths, labels, logits, targets)

    def retained(
        self,
        ids: torch.Tensor,
        lengths: torch.Tensor,
        labels: torch.Tensor,
        logits: torch.Tensor,
        targets: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``retain_weight · T² · KL(reference ‖ model)`` at temperature ``T``, averaged over
        the batch's texts (with ``retain_examples = "correct"``, over those the reference gets
        right; the others count 0, and so does a soft target whose top classes tie: it has no
        label to get right); zero without a reference."""
        if self.reference is None or self.config.retain_weight == 0:
            return torch.zeros((), device=logits.device)
        temperature = self.config.retain_temperature
        with torch.no_grad():
            reference_logits = self.reference(ids, lengths)
            target = F.log_softmax(reference_logits / temperature, dim=-1)
        predicted = F.log_softmax(logits / temperature, dim=-1)
        divergence = F.kl_div(predicted, target, reduction="none", log_target=True).sum(dim=-1)
        if self.config.retain_examples == RETAIN_CORRECT:
            correct = reference_logits.argmax(dim=-1) == labels
            if targets is not None:
                top_two = targets.topk(2, dim=-1).values
                correct &= top_two[:, 0] > top_two[:, 1]
            divergence = divergence * correct
        return self.config.retain_weight * temperature**2 * divergence.mean()

    def supervised_loss(
        self, logits: torch.Tensor, labels: torch.Tensor, targets: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Cross-entropy (against ``targets`` when given: soft labels, one row per text)
        plus the model's auxiliary loss and the weight penalties."""
        loss = self.loss_fn(logits, labels if targets is None else targets)
        auxiliary = getattr(self.model, "auxiliary_loss", None)
        if auxiliary is not None:
            loss = loss + auxiliary()
        if self.penalized:
            loss = loss + weight_penalty(self.penalized, self.config.l1, self.config.l2)
        return loss
