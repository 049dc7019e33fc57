"""Training objectives on perturbed embeddings and on unlabelled texts.

- adversarial training (Goodfellow et al. 2015; Miyato et al. 2017): the loss on embeddings
  moved by ``ε·g/‖g‖`` along the loss gradient ``g``;
- virtual adversarial training (Miyato et al. 2016, 2017): the KL divergence between the
  prediction on a text and on its embeddings moved by ``ε`` in the direction that changes the
  prediction most, found by power iteration from a random probe; it needs no labels;
- entropy minimisation (Grandvalet & Bengio 2005): confident predictions on unlabelled texts.

Perturbations are normalised over each whole text (every token and dimension) and never touch
padding. The model must offer ``embed(ids)`` and ``classify(embedded, lengths, ids)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from lstm_sentiment.config import TrainConfig
from lstm_sentiment.inference.batching import Batch, EncodedDataset

NORM_FLOOR = 1e-12
"""Keeps a normalised direction finite when a gradient vanishes."""
UNLABELLED_STREAM = 2
"""Third seed word of the unlabelled batch plan (``[seed, epoch, UNLABELLED_STREAM]``)."""


def token_mask(embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """``[batch, time, 1]``: 1 on real tokens, 0 on padding."""
    steps = torch.arange(embedded.size(1), device=embedded.device)
    return (steps.unsqueeze(0) < lengths.to(embedded.device).unsqueeze(1)).unsqueeze(-1)


def per_text_unit(direction: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``direction`` on real tokens, scaled to norm 1 over each text."""
    direction = direction * mask
    norm = direction.flatten(1).norm(dim=1).clamp_min(NORM_FLOOR)
    return direction / norm.view(-1, *([1] * (direction.dim() - 1)))


def kl_to(target_logits: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Mean KL(p_target ‖ p) over the batch; the target is a constant."""
    target = torch.softmax(target_logits.detach(), dim=-1)
    log_target = torch.log_softmax(target_logits.detach(), dim=-1)
    return (target * (log_target - torch.log_softmax(logits, dim=-1))).sum(-1).mean()


def mean_entropy(logits: torch.Tensor) -> torch.Tensor:
    """Mean entropy of the predicted distributions."""
    log_p = torch.log_softmax(logits, dim=-1)
    return -(log_p.exp() * log_p).sum(-1).mean()


def adversarial_loss(
    model: nn.Module,
    embedded: torch.Tensor,
    lengths: torch.Tensor,
    ids: torch.Tensor,
    loss: torch.Tensor,
    loss_fn: nn.Module,
    labels: torch.Tensor,
    epsilon: float,
) -> torch.Tensor:
    """The loss on embeddings moved by ``ε`` along the gradient of ``loss`` (per text)."""
    (gradient,) = torch.autograd.grad(loss, embedded, retain_graph=True)
    step = per_text_unit(gradient, token_mask(embedded, lengths))
    return loss_fn(model.classify(embedded + epsilon * step.detach(), lengths, ids), labels)


def virtual_adversarial_loss(
    model: nn.Module,
    embedded: torch.Tensor,
    lengths: torch.Tensor,
    ids: torch.Tensor,
    clean_logits: torch.Tensor,
    config: TrainConfig,
) -> torch.Tensor:
    """KL between the clean prediction and the prediction at the virtual adversarial point."""
    mask = token_mask(embedded, lengths)
    base = embedded.detach()
    direction = per_text_unit(torch.randn_like(base), mask)
    for _ in range(config.vat_power_iterations):
        probe = (config.vat_xi * direction).requires_grad_(True)
        divergence = kl_to(clean_logits, model.classify(base + probe, lengths, ids))
        (gradient,) = torch.autograd.grad(divergence, probe)
        direction = per_text_unit(gradient, mask)
    perturbed = embedded + config.vat_epsilon * direction.detach()
    return kl_to(clean_logits, model.classify(perturbed, lengths, ids))


@dataclass
class UnlabelledBatches:
    """Unlabelled batches paired with the labelled steps: each epoch a new seeded, length-
    bucketed plan, cycled when it has fewer batches than the epoch has steps. A resumed epoch
    sees the same batches (the plan is a function of the seed and the epoch)."""

    data: EncodedDataset
    batch_size: int
    seed: int
    bucket_size: int

    def plan(self, epoch: int) -> list[np.ndarray]:
        rng = np.random.default_rng([self.seed, epoch, UNLABELLED_STREAM])
        return self.data.batches(self.batch_size, rng=rng, bucket_size=self.bucket_size)

    def batch(self, plan: list[np.ndarray], step: int, shard: tuple[int, int] = (0, 1)) -> Batch:
        """The batch of labelled step ``step``; with ``shard = (rank, ranks)`` this rank's
        share of it (every rank runs one, so at least one text)."""
        positions = plan[step % len(plan)]
        rank, ranks = shard
        mine = positions[rank::ranks]
        return self.data.make_batch(mine if len(mine) else positions[:1])


class SemiSupervised:
    """The extra loss terms a configuration asks for, computed from a model's embeddings."""

    def __init__(self, config: TrainConfig) -> None:
        self.config = config

    @property
    def perturbs(self) -> bool:
        """Whether the labelled batch needs its embeddings (adversarial or VAT terms)."""
        return self.config.adversarial_epsilon > 0 or self.config.vat_epsilon > 0

    def labelled_terms(
        self,
        model: nn.Module,
        embedded: torch.Tensor,
        batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
        logits: torch.Tensor,
        loss: torch.Tensor,
        loss_fn: nn.Module,
    ) -> torch.Tensor:
        """Adversarial and virtual adversarial terms on the labelled batch ``(ids, lengths,
        labels)``, whose clean ``logits`` and ``loss`` came from ``embedded``."""
        ids, lengths, labels = batch
        cfg = self.config
        total = torch.zeros((), device=logits.device)
        if cfg.adversarial_epsilon > 0:
            total = total + adversarial_loss(
                model, embedded, lengths, ids, loss, loss_fn, labels, cfg.adversarial_epsilon
            )
        if cfg.vat_epsilon > 0:
            vat = virtual_adversarial_loss(model, embedded, lengths, ids, logits, cfg)
            total = total + cfg.vat_weight * vat
        return total

    def unlabelled_terms(
        self, model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """The weighted VAT and entropy terms on an unlabelled batch, and each term's value."""
        cfg = self.config
        embedded = model.embed(ids)
        if cfg.entropy_weight > 0:
            logits = model.classify(embedded, lengths, ids)
        else:
            with torch.no_grad():
                logits = model.classify(embedded, lengths, ids)
        loss = torch.zeros((), device=embedded.device)
        terms: dict[str, float] = {}
        if cfg.vat_epsilon > 0:
            vat = virtual_adversarial_loss(model, embedded, lengths, ids, logits, cfg)
            loss = loss + cfg.vat_weight * vat
            terms["vat"] = float(vat.detach())
        if cfg.entropy_weight > 0:
            entropy = mean_entropy(logits)
            loss = loss + cfg.entropy_weight * entropy
            terms["entropy"] = float(entropy.detach())
        return loss, terms
