"""IMDB with the unlabelled reviews: the semi-supervised ablation (a script, not a test).

Every arm is ``configs/imdb_semisup.toml`` (the single model's BiLSTM on IMDB train, without
pseudo-labels) plus overrides, trained in a child process, one at a time:

- ``supervised``: the baseline;
- ``adversarial``: + adversarial training on the embeddings;
- ``vat``: + virtual adversarial training on labelled and unlabelled (unsup) batches;
- ``vat_entmin``: + entropy minimisation on the unlabelled batches; ``entmin``: entropy
  minimisation alone (no VAT); ``vat_std_entmin``: both on standardised embeddings (the
  combination of Sachan et al. 2019, without their adversarial term);
- ``adversarial_std``, ``vat_std``: the same on embeddings standardised per dimension
  (``model.embedding_standardization``, as Miyato et al. 2017 do); ``vat_std_long``: six epochs
  (``supervised_long``: its control);
- ``lm``: the classifier initialised from forward/backward language models pretrained on
  train + unsup (``lstm-sentiment pretrain``), discriminative rates, gradual unfreezing;
- ``lm_vat``: both;
- ``region``: + two-view region embeddings learned on train + unsup (``lstm-sentiment pretrain
  --set pretrain.objective=region``, Johnson & Zhang 2016) as fixed per-token features
  (``model.region_init``); ``region_self_training``: the same on the ``self_training`` recipe;
  ``region_vat_std``: region embeddings with VAT on standardised word vectors (the perturbation
  covers the region features too), ``region_vat_std_long`` six epochs of it (VAT needs
  them); ``--tag T --region-set KEY=VALUE`` pretrains other embeddings
  (``--pretrain-only``: nothing else), and ``--region-with T`` reads a finished pretraining beside
  the arm's own (Johnson & Zhang combine several); ``--region-set pretrain.objective=lstm_region``
  pretrains LSTM region embeddings instead (Johnson & Zhang 2016; ``model.lstm_region_init``);
- ``self_training``: the single model's recipe (``configs/imdb_single.toml``): + the unlabelled
  reviews an ensemble labelled with confidence (``--pseudo``, ``data.extra_train``) and random
  crops; ``vat_self_training``: the same + VAT on standardised embeddings (``vat_std``).
  ``--teacher NAME=BUNDLE ...`` labels them first with an equal-weight ensemble of those
  models (a next round of self-training: the students of one round teach the next), and
  ``--tag`` names the round (arms ``self_training_r2``, teacher ``teacher_r2``).

Choices (ε, weights, which arm is final) are made on validation; every arm's test accuracy is
printed by ``train`` and so listed here (exploratory numbers, as the issue asks). Each step
checkpoints: a killed run continues with ``--reuse`` (finished arms are kept, an unfinished
one resumes from its checkpoint), so the recipe can span sessions.

    python bench/imdb_semisup.py --data ../shared/data/aclImdb.tar.gz --vectors runs/w2v100.bin \
        --arms supervised,vat [--reuse] [--seeds 18,19] [--ensemble-with single=DIR ...]

Writes ``bench/results/imdb_semisup.json`` (every arm so far) and its table in the README.
"""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path
from typing import Any

import benchlib
from imdb_best_measure import bundle_megabytes
from imdb_best_recipe import SPLIT_SEED, THREADS, cli
from imdb_best_steps import Steps, build_ensemble, pseudo_label, run_record, run_train
from imdb_semisup_arms import (
    ARMS,
    REGION_SETTINGS,
    USES_LM,
    USES_PSEUDO,
    USES_REGION,
    USES_UNLABELLED,
)
from imdb_semisup_report import LM_STEP, REGION_STEP, table

NAME = "imdb_semisup"
CONFIG = benchlib.ROOT / "configs" / "imdb_semisup.toml"


def pretrain_step(
    data: str,
    vectors: str,
    work: Path,
    steps: Steps,
    step: str = LM_STEP,
    settings: list[str] | None = None,
) -> dict[str, Any]:
    """The language models (or, with ``settings`` such as :data:`REGION_SETTINGS`, the region
    embeddings) on train + unsup (resumed when a checkpoint is there)."""
    if record := steps.done(step):
        return record
    run_dir = work / step
    command = cli("pretrain", "--config", str(CONFIG), "--data", data, "--unlabelled", data)
    command += ["--output", str(run_dir), "--vectors", vectors]
    command += ["--set", f"data.split_seed={SPLIT_SEED}", "--set", f"pretrain.threads={THREADS}"]
    for setting in settings or []:
        command += ["--set", setting]
    if (run_dir / "checkpoints").is_dir():
        command.append("--resume")
    cost = benchlib.run_child(command)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    record = {
        "command": shlex.join(command),
        **cost,
        "train_seconds": sum(epoch["seconds"] for epoch in metrics["history"]),
        "history": metrics["history"],
        "corpus": metrics["corpus"],
        "model_dir": str(run_dir / "model"),
    }
    return steps.save(step, record)


def arm_step(
    name: str, overrides: list[str], data: str, vectors: str, work: Path, steps: Steps
) -> dict[str, Any]:
    """One arm: ``train`` in a child process (resumed from its checkpoint when there is one)."""
    if record := steps.done(name):
        return record
    run_dir = work / name
    settings = [f"vectors.source={vectors}", f"data.split_seed={SPLIT_SEED}"]
    settings += [f"train.threads={THREADS}", *overrides]
    command, cost, metrics = run_train(CONFIG, data, run_dir, settings, resume=True)
    record = run_record(name, command, cost, metrics, run_dir)
    record["tokens_per_second"] = metrics.get("train_tokens_per_second")
    record["epochs"] = _epochs(run_dir)
    record["megabytes"] = bundle_megabytes(run_dir / "model")
    return steps.save(name, record)


def _epochs(run_dir: Path) -> list[dict[str, str]]:
    import csv

    with (run_dir / "metrics.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def arm_overrides(
    name: str,
    data: str,
    seed: int | None,
    lm_dir: str | None,
    epsilon: float | None = None,
    pseudo: str | None = None,
    region_dirs: list[str] | None = None,
) -> list[str]:
    """The arm's overrides, with the unlabelled source, the LM or region embeddings, the
    pseudo-labelled reviews, the seed and ε it needs."""
    overrides = list(ARMS[name])
    if name in USES_PSEUDO:
        if not pseudo:
            raise SystemExit(f"error: the {name} arm needs --pseudo (labelled unsup reviews)")
        overrides.append(f'data.extra_train=["{pseudo}"]')
    if epsilon is not None:
        overrides += [
            f"train.{key}={epsilon}"
            for key in ("adversarial_epsilon", "vat_epsilon")
            if any(item.startswith(f"train.{key}=") for item in overrides)
        ]
    if name in USES_UNLABELLED:
        overrides.append(f'data.unlabelled=["{data}"]')
    if name in USES_LM and lm_dir:
        overrides.append(f"model.encoder_init={lm_dir}")
    if name in USES_REGION and region_dirs:
        overrides += region_overrides(region_dirs)
    if seed is not None:
        overrides.append(f"train.seed={seed}")
    return overrides


def region_overrides(region_dirs: list[str]) -> list[str]:
    """``model.region_init`` for the bag-of-words region folders, ``model.lstm_region_init``
    for an LSTM one (``--region-set pretrain.objective=lstm_region``), by their headers."""
    objective = {
        d: json.loads((Path(d) / "config.json").read_text())["objective"] for d in region_dirs
    }
    bags = [folder for folder in region_dirs if objective[folder] == "region"]
    lstms = [f"model.lstm_region_init={d}" for d in region_dirs if objective[d] == "lstm_region"]
    return ([f"model.region_init={','.join(bags)}"] if bags else []) + lstms


def finished_region(steps: Steps, tag: str) -> str:
    """The model folder of the finished region pretraining of ``tag``."""
    record = steps.done(f"{REGION_STEP}_{tag}")
    if record is None:
        raise SystemExit(
            f"error: no finished region pretraining tagged {tag!r}: run it first "
            f"(--tag {tag} --region-set ... --pretrain-only --reuse)"
        )
    return str(record["model_dir"])


def teacher_step(
    name: str, members: list[str], data: str, work: Path, steps: Steps, result: dict[str, Any]
) -> str:
    """An equal-weight ensemble of ``members`` (``NAME=BUNDLE``) labels the unsup reviews; its
    record goes to ``result["teachers"]``. Returns the labelled CSV."""
    bundles = dict(item.split("=", 1) for item in members)
    record = build_ensemble(name, bundles, data, work, steps)
    record["pseudo"] = pseudo_label(f"{name}_labels", record["model_dir"], data, work, steps)
    result.setdefault("teachers", {})[name] = record
    return str(record["pseudo"]["file"])


def main() -> None:
    """Run the arms asked for and write the results so far."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder")
    parser.add_argument("--vectors", required=True, help="own word2vec vectors (imdb_best.py)")
    parser.add_argument("--arms", default=",".join(ARMS), help="comma-separated arms to run")
    parser.add_argument("--seeds", default="", help="repeat the arms with these seeds, e.g. 18,19")
    parser.add_argument(
        "--epsilon",
        type=float,
        default=None,
        help="another ε for the adversarial and VAT arms (their names get _eps<ε>)",
    )
    parser.add_argument(
        "--ensemble-with",
        nargs="*",
        default=[],
        metavar="NAME=BUNDLE",
        help="after the arms, an equal-weight ensemble of the arms run and these earlier "
        "models (e.g. single=runs/imdb_best/single/model), measured on validation and test",
    )
    parser.add_argument(
        "--ensemble-name",
        default="ensemble",
        help="the ensemble's step and record name (another name keeps the earlier ensembles)",
    )
    parser.add_argument(
        "--pseudo",
        help="for the self-training arms: the unsup reviews an ensemble labelled, as written by "
        "`predict --split unsup --format csv --min-confidence 0.8` (abstentions are skipped)",
    )
    parser.add_argument(
        "--teacher",
        nargs="*",
        default=[],
        metavar="NAME=BUNDLE",
        help="instead of --pseudo: an equal-weight ensemble of these models labels the unsup "
        "reviews (abstaining below 0.8 confidence), measured on validation and test",
    )
    parser.add_argument(
        "--tag", default="", help="suffix of the arm, teacher and region-pretraining names"
    )
    parser.add_argument(
        "--region-set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="for the region arms: a pretraining setting on top of REGION_SETTINGS (e.g. "
        "pretrain.region_dim=256); give a --tag so the pretraining and arms get their own names",
    )
    parser.add_argument(
        "--region-with",
        action="append",
        default=[],
        metavar="TAG",
        help="for the region arms: also read the embeddings of the finished pretraining of "
        "this --tag, side by side (needs --reuse; the arms are named TAG1+TAG2)",
    )
    parser.add_argument(
        "--pretrain-only",
        action="store_true",
        help="run the region pretraining of --tag and stop (for a later --region-with)",
    )
    parser.add_argument("--work", default=str(benchlib.ROOT / "bench" / "work" / NAME))
    parser.add_argument("--reuse", action="store_true", help="keep and resume finished steps")
    args = parser.parse_args()
    malformed = [item for item in args.teacher + args.ensemble_with if "=" not in item]
    if malformed:
        parser.error(f"{malformed[0]!r} is not NAME=BUNDLE: name each model, e.g. st=runs/st/model")
    if args.region_set and not args.tag:
        parser.error("--region-set needs a --tag: the pretraining it changes gets its own name")
    if args.region_with and not args.reuse:
        parser.error("--region-with reads finished pretraining steps: add --reuse")
    arms = [a.strip() for a in args.arms.split(",") if a.strip()]
    unknown = sorted(set(arms) - set(ARMS))
    if unknown:
        parser.error(f"unknown arms {', '.join(unknown)}; known: {', '.join(ARMS)}")
    work = Path(args.work)
    steps = Steps(work, args.reuse)
    results_path = benchlib.RESULTS_DIR / f"{NAME}.json"
    result: dict[str, Any] = json.loads(results_path.read_text()) if results_path.exists() else {}
    result.setdefault("arms", {})
    lm_dir = None
    if USES_LM & set(arms) and not args.pretrain_only:
        result[LM_STEP] = pretrain_step(args.data, args.vectors, work, steps)
        lm_dir = result[LM_STEP]["model_dir"]
    tag = f"_{args.tag}" if args.tag else ""
    region_dirs = []
    if USES_REGION & set(arms) or args.pretrain_only:
        step = REGION_STEP + tag
        region_settings = [*REGION_SETTINGS, *args.region_set]
        result[step] = pretrain_step(args.data, args.vectors, work, steps, step, region_settings)
        region_dirs.append(result[step]["model_dir"])
        benchlib.write_results(NAME, result)
        if args.pretrain_only:
            return
        region_dirs += [finished_region(steps, other) for other in args.region_with]
        tag += "".join(f"+{other}" for other in args.region_with)
    pseudo = args.pseudo
    if args.teacher:
        pseudo = teacher_step(f"teacher{tag}", args.teacher, args.data, work, steps, result)
    seeds = [None] + [int(s) for s in args.seeds.split(",") if s.strip()]
    run_labels = []
    for seed in seeds:
        for name in arms:
            label = name + tag if seed is None else f"{name}{tag}_seed{seed}"
            if args.epsilon is not None:
                label += f"_eps{args.epsilon:g}"
            overrides = arm_overrides(
                name, args.data, seed, lm_dir, args.epsilon, pseudo, region_dirs
            )
            result["arms"][label] = arm_step(label, overrides, args.data, args.vectors, work, steps)
            run_labels.append(label)
            result.update(benchlib.header(NAME))
            benchlib.write_results(NAME, result)
    if args.ensemble_with:
        members = {label: result["arms"][label]["model_dir"] for label in run_labels}
        members |= dict(item.split("=", 1) for item in args.ensemble_with)
        record = build_ensemble(args.ensemble_name, members, args.data, work, steps)
        if args.ensemble_name == "ensemble":
            result["ensemble"] = record
        else:
            result.setdefault("ensembles", {})[args.ensemble_name] = record
        benchlib.write_results(NAME, result)
    benchlib.replace_readme_section(NAME, "IMDB with the unlabelled reviews", [table(result)])
    print(table(result))


if __name__ == "__main__":
    main()
