"""Run the ``lstm-sentiment`` CLI and SIGKILL the process at a chosen file event.

    python kill_at.py EVENT NAME N -- CLI ARGS...

EVENT is ``replace`` (the N-th ``os.replace`` onto a file called NAME, killed just before
the rename, so the new file is complete but not in place), ``replaced`` (just after it) or
``step`` (the N-th optimizer step); ``none`` runs the CLI as it is. Test-only: production
code has no kill hooks.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install(event: str, name: str, nth: int) -> None:
    count = 0
    if event == "none":
        return
    if event in ("replace", "replaced"):
        real_replace = os.replace

        def replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal count
            if Path(dst).name == name:
                count += 1
                if count == nth and event == "replace":
                    _die()
                real_replace(src, dst, *args, **kwargs)
                if count == nth:
                    _die()
                return None
            return real_replace(src, dst, *args, **kwargs)

        os.replace = replace
    elif event == "step":
        from torch.optim.optimizer import register_optimizer_step_post_hook

        def after_step(*_: object) -> None:
            nonlocal count
            count += 1
            if count == nth:
                _die()

        register_optimizer_step_post_hook(after_step)
    else:
        raise SystemExit(f"unknown event {event}")


if __name__ == "__main__":
    event, name, nth, separator, *cli_args = sys.argv[1:]
    assert separator == "--"
    install(event, name, int(nth))
    from lstm_sentiment.cli import main

    sys.exit(main(cli_args))
