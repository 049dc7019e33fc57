"""Fault injection for tests: a training process that dies mid-epoch, on purpose.

``LSTM_SENTIMENT_TEST_FAULT="step=N[,rank=R][,once=PATH][,action=hang]"`` makes a process whose
``RANK`` (torchrun; 0 otherwise) is ``R`` exit abruptly (``os._exit``, no cleanup, as a killed
process) when its training reaches global step ``N``, or hang there (``action=hang``: sleep
until killed, as a stuck process). With ``once=PATH`` only the first process to get
there dies (it creates ``PATH``); later ones, and reruns, train on. Without the variable nothing
is added to training. The tests of DDP and of tuning storages use it to kill a worker.
"""

from __future__ import annotations

import os
import sys
import time

from lstm_sentiment.errors import ConfigError

FAULT_ENV = "LSTM_SENTIMENT_TEST_FAULT"
FAULT_EXIT_CODE = 86
"""Exit status of a process killed by an injected fault."""


class InjectedFault:
    """Trainer callback that ends the process at a given step."""

    def __init__(
        self, step: int, rank: int | None = None, once: str | None = None, hang: bool = False
    ) -> None:
        self.step = step
        self.rank = rank
        self.once = once
        self.hang = hang

    def on_step(self, step: int, loss: float, lr: float) -> None:
        if step != self.step:
            return
        if self.rank is not None and self.rank != int(os.environ.get("RANK", "0")):
            return
        if self.once is not None:
            try:
                os.close(os.open(self.once, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return
        what = "hangs" if self.hang else "exits"
        sys.stderr.write(f"{FAULT_ENV}: process {os.getpid()} {what} at step {step}\n")
        sys.stderr.flush()
        while self.hang:
            time.sleep(1)
        os._exit(FAULT_EXIT_CODE)

    def on_epoch_end(self, record: object) -> None:
        pass

    def on_train_end(self, result: object) -> None:
        pass


def fault_callbacks() -> list[InjectedFault]:
    """The fault the environment asks for (none without :data:`FAULT_ENV`)."""
    spec = os.environ.get(FAULT_ENV, "").strip()
    if not spec:
        return []
    try:
        fields = dict(part.split("=", 1) for part in spec.split(","))
        rank = int(fields["rank"]) if "rank" in fields else None
        if fields.get("action", "exit") not in ("exit", "hang"):
            raise ValueError(fields["action"])
        hang = fields.get("action") == "hang"
        return [InjectedFault(int(fields["step"]), rank, fields.get("once"), hang)]
    except (KeyError, ValueError):
        raise ConfigError(
            f"{FAULT_ENV}={spec!r}: expected step=N[,rank=R][,once=PATH][,action=exit|hang]"
        ) from None
