"""The transformer backend: all-MiniLM-L6-v2 fine-tuned with a multi-label head, served as int8 ONNX.

- :mod:`.serving`: settings, word pieces, ONNX inference and model files (``onnxruntime``,
  ``tokenizers``: the ``serving`` extra); never imports torch;
- :mod:`.finetune`: the fine-tuning loop (``torch``, ``transformers``: the ``training`` extra);
- :mod:`.export`: ONNX export and static int8 quantisation (``onnx``);
- :mod:`.meanpool`: the mean-pooling classification head used when fine-tuning.

:class:`TransformerBackend` is the registered backend: serving, plus ``fit`` and the
float-model helpers, which import :mod:`.finetune` only when called.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .serving import ONNX_FILE, PACKAGED_BASE, TOKENIZER_FILE, TransformerServing, prepare


class TransformerBackend(TransformerServing):
    __doc__ = TransformerServing.__doc__

    def fit(
        self, texts: Sequence[str], Y: np.ndarray, sample_weight: np.ndarray | None = None, validation=None
    ) -> TransformerBackend:
        """Fine-tune, export and quantise (:func:`.finetune.fine_tune`); return ``self``."""
        from .finetune import fine_tune

        fine_tune(self, texts, Y, sample_weight)
        return self

    def save_pretrained(self, path) -> Path:
        """Write the float fine-tuned model in Hugging Face format (only right after fit())."""
        from .finetune import save_pretrained

        return save_pretrained(self, path)

    def float_decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Logits of the float torch model before export and quantisation (only right after fit())."""
        from .finetune import float_logits

        return float_logits(self, texts)


__all__ = ["ONNX_FILE", "PACKAGED_BASE", "TOKENIZER_FILE", "TransformerBackend", "TransformerServing", "prepare"]
