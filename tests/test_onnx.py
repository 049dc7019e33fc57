"""ONNX export and the onnxruntime scorer: parity with torch, int8, runtimes, refusals, and a
predict path that never imports torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from conftest import TOY_WORDS, tiny_config_dict
from lstm_sentiment.bundle import read_header, verify_manifest
from lstm_sentiment.cli import main
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.export.onnx_export import export_onnx
from lstm_sentiment.kinds.neural_model import Bundle, save_bundle
from lstm_sentiment.models.registry import build_model
from lstm_sentiment.predict import SentimentModel, default_model_path
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.tokenize import WordTokenizer
from lstm_sentiment.text.vocab import Vocabulary

PARITY = 1e-4
WORDS = [*TOY_WORDS, "not", "bad", "at", "all", "!", "?"]


def varied_texts(count: int = 36, seed: int = 3) -> list[str]:
    """Texts of 1 to ~60 words, some with unknown words and punctuation."""
    rng = np.random.default_rng(seed)
    texts = ["ok", "great", "not bad at all!", "zzz qqq", "the the the"]
    while len(texts) < count:
        n = int(rng.integers(1, 60))
        words = rng.choice([*WORDS, "unseenword"], size=n)
        texts.append(" ".join(words))
    return texts


def tiny_bundle(
    path: Path, model_settings: dict, text_settings: dict | None = None, seed: int = 0
) -> Path:
    """An untrained tiny classifier with random weights (NB tables included), saved."""
    raw = tiny_config_dict("tiny.csv", "vectors.txt")
    raw["model"].update(model_settings)
    raw["text"].update(text_settings or {})
    raw["text"]["max_length"] = 40
    config = RunConfig.from_dict(raw)
    vocab = Vocabulary(["<pad>", "<unk>", *WORDS])
    torch.manual_seed(seed)
    model = build_model(
        config.model, vocab_size=len(vocab), embedding_dim=8, num_classes=2, pad_id=vocab.pad_id
    )
    with torch.no_grad():
        for tensor in [*model.parameters(), *model.buffers()]:
            if tensor.is_floating_point():
                tensor.normal_(0.0, 0.5)
    if model.standardizer is not None:  # frequencies must stay a distribution
        model.standardizer.set_counts(list(range(1, len(vocab) + 1)))
    encoder = TextEncoder(WordTokenizer(), vocab, 40, "head+tail")
    bundle = Bundle(model.eval(), encoder, ["negative", "positive"], config, temperature=1.3)
    return save_bundle(path, bundle)


@pytest.fixture(scope="module")
def tiny_onnx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tiny_bundle(
        tmp_path_factory.mktemp("onnx") / "model",
        {"nb_ngrams": 3, "nb_buckets": 64, "ngram_buckets": 16, "ngram_dim": 4},
    )
    export_onnx(path, quantize="int8")
    return path


def test_export_adds_files_header_and_checksums(tiny_onnx: Path) -> None:
    header = read_header(tiny_onnx)
    info = header["onnx"]
    assert info["opset"] == 17 and info["default"] == "fp32"
    assert info["files"]["fp32"]["path"] == "model.onnx"
    assert info["files"]["int8"]["path"] == "model.int8.onnx"
    manifest = json.loads((tiny_onnx / "manifest.json").read_text())["files"]
    assert {"model.onnx", "model.int8.onnx", "model.safetensors", "vocab.json"} <= set(manifest)
    verify_manifest(tiny_onnx)
    assert "## Runtimes" in (tiny_onnx / "README.md").read_text()
    # re-exporting keeps one runtime section and replaces the files
    export_onnx(tiny_onnx, quantize="int8")
    assert (tiny_onnx / "README.md").read_text().count("## Runtimes") == 1


@pytest.mark.parametrize("batch_size", [1, 7, 128])
def test_onnx_fp32_matches_torch(tiny_onnx: Path, batch_size: int) -> None:
    texts = varied_texts()
    reference = SentimentModel.load(tiny_onnx, runtime="torch").predict_proba(texts)
    onnx = SentimentModel.load(tiny_onnx, runtime="onnx", threads=1)
    assert onnx.runtime == "onnx"
    onnx.batch_size = batch_size
    scorer = onnx.scorer
    got = (
        np.concatenate([onnx.predict_proba([t]) for t in texts])
        if batch_size == 1
        else softmax_of(scorer, texts, batch_size, onnx.temperature)
    )
    assert np.abs(got - reference).max() < PARITY


def softmax_of(scorer: object, texts: list[str], batch_size: int, temperature: float) -> np.ndarray:
    from lstm_sentiment.inference.probabilities import softmax

    flat, lengths = scorer.encode(texts)  # type: ignore[attr-defined]
    logits = scorer.logits_of_encoded(flat, lengths, batch_size)  # type: ignore[attr-defined]
    return softmax(logits, temperature)


def test_int8_runs_and_mostly_agrees(tiny_onnx: Path) -> None:
    texts = varied_texts(60, seed=5)
    fp32 = SentimentModel.load(tiny_onnx, precision="fp32").predict_proba(texts)
    int8 = SentimentModel.load(tiny_onnx, precision="int8").predict_proba(texts)
    assert int8.shape == fp32.shape and np.isfinite(int8).all()
    assert (int8.argmax(1) == fp32.argmax(1)).mean() >= 0.8


def test_auto_uses_onnx_when_the_bundle_carries_it(tiny_onnx: Path, tmp_path: Path) -> None:
    assert SentimentModel.load(tiny_onnx).runtime == "onnx"
    plain = tiny_bundle(tmp_path / "plain", {})
    assert SentimentModel.load(plain).runtime == "torch"
    with pytest.raises(ConfigError, match="carries no ONNX"):
        SentimentModel.load(plain, runtime="onnx")
    # what needs the network (explanations) still gets the torch bundle
    assert isinstance(SentimentModel.load(tiny_onnx).bundle, Bundle)


def test_export_cli_and_runtime_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tiny_bundle(tmp_path / "m", {"nb_ngrams": 2, "nb_buckets": 32})
    assert main(["-q", "export", "--model", str(path), "--format", "onnx", "--opset", "18"]) == 0
    assert json.loads(capsys.readouterr().out)["onnx"]["opset"] == 18
    args = ["-q", "predict", "--model", str(path), "--format", "json", "great film"]
    outputs = {}
    for runtime in ("torch", "onnx"):
        assert main([*args, "--runtime", runtime, "--threads", "1"]) == 0
        outputs[runtime] = json.loads(capsys.readouterr().out)["probabilities"]
    for label, p in outputs["torch"].items():
        assert outputs["onnx"][label] == pytest.approx(p, abs=PARITY)
    assert main([*args, "--precision", "int8"]) == 2
    assert "no int8 ONNX model" in capsys.readouterr().err


def test_export_refuses_nbsvm_and_ensemble(tmp_path: Path) -> None:
    from lstm_sentiment.export.onnx_export import refuse_kind

    with pytest.raises(ConfigError, match="no torch network"):
        refuse_kind("nbsvm", tmp_path)
    with pytest.raises(ConfigError, match="export each neural member"):
        refuse_kind("ensemble", tmp_path)


@pytest.mark.slow
def test_shipped_model_onnx_matches_torch() -> None:
    path = default_model_path()
    if "onnx" not in read_header(path, verify=False):
        pytest.skip("the shipped model carries no ONNX file")
    texts = [
        *varied_texts(30, seed=11),
        "A wonderful, moving film with brilliant acting. I loved every minute of it! " * 20,
        "Not bad at all.",
    ]
    reference = SentimentModel.load(path, runtime="torch").predict_proba(texts)
    onnx = SentimentModel.load(path, runtime="onnx", precision="fp32", threads=1)
    assert np.abs(onnx.predict_proba(texts) - reference).max() < PARITY
    single = np.concatenate([onnx.predict_proba([t]) for t in texts[:8]])
    assert np.abs(single - reference[:8]).max() < PARITY


TORCH_FREE_CHECK = """
import atexit, runpy, sys
HEAVY = ("torch", "pandas", "matplotlib", "optuna", "gensim", "sklearn", "scipy", "onnx")
def report():
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
    sys.stderr.write("HEAVY=" + ",".join(loaded) + "\\n")
atexit.register(report)
sys.argv = ["lstm-sentiment", "predict", "--model", sys.argv[1], "--format", "json",
            "one sentence"]
runpy.run_module("lstm_sentiment", run_name="__main__")
"""


def test_predict_on_an_onnx_bundle_never_imports_torch(tiny_onnx: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", TORCH_FREE_CHECK, str(tiny_onnx)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["label"] in ("negative", "positive")
    heavy = next(line for line in result.stderr.splitlines() if line.startswith("HEAVY="))
    assert heavy == "HEAVY=", heavy  # onnxruntime is loaded; torch, pandas, onnx, ... are not


def test_ensemble_members_carrying_onnx_run_on_onnxruntime(tiny_onnx: Path, tmp_path: Path) -> None:
    from lstm_sentiment.ensemble.build import build_ensemble

    plain = tiny_bundle(tmp_path / "plain", {"hidden_size": 4})
    build_ensemble([tiny_onnx, plain], tmp_path / "ensemble")
    texts = varied_texts(12)
    auto = SentimentModel.load(tmp_path / "ensemble")
    runtimes = [member.scorer.runtime for member in auto.scorer.members]  # type: ignore[attr-defined]
    assert runtimes == ["onnx", "torch"]
    on_torch = SentimentModel.load(tmp_path / "ensemble", runtime="torch")
    assert np.abs(auto.predict_proba(texts) - on_torch.predict_proba(texts)).max() < PARITY
    with pytest.raises(ConfigError, match="carries no ONNX"):
        SentimentModel.load(tmp_path / "ensemble", runtime="onnx")


def test_parallel_batches_match_sequential_ones_in_order(tiny_onnx: Path) -> None:
    """With 2 threads and several batches per thread, batches run side by side on one-thread
    sessions: the same logits, each in its text's row."""
    texts = varied_texts(count=80, seed=11)
    sequential = SentimentModel.load(tiny_onnx, runtime="onnx", threads=1).scorer
    parallel = SentimentModel.load(tiny_onnx, runtime="onnx", threads=2).scorer
    flat, lengths = parallel.encode(texts)  # type: ignore[attr-defined]
    expected = sequential.logits_of_encoded(flat, lengths, 8)  # type: ignore[attr-defined]
    got = parallel.logits_of_encoded(flat, lengths, 8)  # type: ignore[attr-defined]
    assert parallel._single_thread_session is not None  # type: ignore[attr-defined]
    assert np.abs(got - expected).max() < PARITY


def test_one_batch_is_split_across_threads_with_the_same_logits(tiny_onnx: Path) -> None:
    """With 2 threads, a call that is one batch (a micro-batch of the service) is dealt to both
    threads' one-thread sessions: each text keeps its own logits, in order."""
    texts = varied_texts(count=9, seed=5)
    sequential = SentimentModel.load(tiny_onnx, runtime="onnx", threads=1).scorer
    split = SentimentModel.load(tiny_onnx, runtime="onnx", threads=2).scorer
    flat, lengths = split.encode(texts)  # type: ignore[attr-defined]
    parts, _, parallel = split._batches(flat, lengths, 256)  # type: ignore[attr-defined]
    assert parallel and sorted(len(p) for p in parts) == [4, 5]
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(texts)))
    expected = sequential.logits_of_encoded(flat, lengths)  # type: ignore[attr-defined]
    got = split.logits_of_encoded(flat, lengths)  # type: ignore[attr-defined]
    assert np.abs(got - expected).max() < PARITY
    one = split.logits_of_encoded(flat[: lengths[0]], lengths[:1])  # type: ignore[attr-defined]
    assert np.abs(one - expected[:1]).max() < PARITY  # one text: nothing to split


def test_encoding_overlaps_the_forward_passes_with_the_same_logits(
    tiny_onnx: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many texts with several threads: chunks are encoded while earlier chunks run, and every
    text still gets its own logits, in order."""
    import lstm_sentiment.export.runtime as runtime

    monkeypatch.setattr(runtime, "PIPELINE_CHUNK_TEXTS", 16)
    texts = varied_texts(count=150, seed=21)
    plain = SentimentModel.load(tiny_onnx, runtime="onnx", threads=1).scorer
    pipelined = SentimentModel.load(tiny_onnx, runtime="onnx", threads=2).scorer
    expected = plain.logits_of_encoded(*plain.encode(texts))  # type: ignore[attr-defined]
    calls: list[int] = []
    encode = pipelined.encode  # type: ignore[attr-defined]
    monkeypatch.setattr(
        pipelined, "encode", lambda chunk: calls.append(len(chunk)) or encode(chunk)
    )
    got = pipelined.logits(texts)
    assert calls == [16] * 9 + [6]
    assert np.abs(got - expected).max() < PARITY


def test_int8_graph_shares_the_float_tables_with_the_weights_file(tmp_path: Path) -> None:
    """int8 quantises the recurrent and dense weights only; its look-up tables (here a 256 KB
    NB table) are read from model.safetensors, not copied into the ONNX file."""
    import onnx

    path = tiny_bundle(tmp_path / "model", {"nb_ngrams": 2, "nb_buckets": 65536})
    info = export_onnx(path, quantize="int8", default="int8")
    assert info["files"]["int8"]["external_data"] == "model.safetensors"
    graph = onnx.load(str(path / "model.int8.onnx"), load_external_data=False).graph
    external = [t for t in graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
    assert external and (path / "model.int8.onnx").stat().st_size < 65536 * 4
    assert {n.op_type for n in graph.node} >= {"DynamicQuantizeLSTM"}
    model = SentimentModel.load(path)
    assert model.scorer.precision == "int8"  # type: ignore[attr-defined]
    texts = varied_texts(40, seed=9)
    fp32 = SentimentModel.load(path, precision="fp32").predict_proba(texts)
    assert (model.predict_proba(texts).argmax(1) == fp32.argmax(1)).mean() >= 0.8


def test_an_onnx_model_pickles_to_another_process_without_its_session(tiny_onnx: Path) -> None:
    """What Ray does with a loaded model: the copy opens its own session from the bundle."""
    import pickle

    model = SentimentModel.load(tiny_onnx, "onnx", threads=1)
    texts = varied_texts()
    expected = model.predict_proba(texts)
    copy = pickle.loads(pickle.dumps(model))
    assert copy.runtime == "onnx" and copy.scorer.session is not model.scorer.session
    np.testing.assert_allclose(copy.predict_proba(texts), expected, atol=1e-6)


def test_standardized_embeddings_export_and_match_torch(tmp_path: Path) -> None:
    path = tiny_bundle(tmp_path / "model", {"embedding_standardization": True})
    export_onnx(path)
    texts = varied_texts()
    reference = SentimentModel.load(path, runtime="torch").predict_proba(texts)
    got = SentimentModel.load(path, runtime="onnx", threads=1).predict_proba(texts)
    assert np.abs(got - reference).max() < PARITY


def test_a_batch_of_short_and_long_texts_runs_in_passes_cut_at_the_jump(tiny_onnx: Path) -> None:
    """Short texts are not padded to a long one's length: the call is cut into passes where
    padding would cost more than a pass, and every text keeps its own logits, in order."""
    texts = ["good film"] * 12 + [" ".join(["a dull and boring film"] * 30)] * 12
    texts = [texts[i] for i in np.random.default_rng(3).permutation(len(texts))]
    scorer = SentimentModel.load(tiny_onnx, runtime="onnx", threads=1).scorer
    widths: list[int] = []
    session = scorer.session  # type: ignore[attr-defined]
    real_run = session.run

    def counting_run(outputs: object, feeds: dict[str, np.ndarray]) -> object:
        widths.append(next(iter(feeds.values())).shape[1])
        return real_run(outputs, feeds)

    scorer.session = SimpleNamespace(run=counting_run)  # type: ignore[attr-defined]
    flat, lengths = scorer.encode(texts)  # type: ignore[attr-defined]
    got = scorer.logits_of_encoded(flat, lengths)  # type: ignore[attr-defined]
    assert sorted(widths) == [int(lengths.min()), int(lengths.max())]
    one_by_one = np.concatenate([scorer.logits([text]) for text in texts])  # type: ignore[attr-defined]
    assert np.abs(got - one_by_one).max() < PARITY
