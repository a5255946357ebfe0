"""ONNX export and static int8 quantisation of a fine-tuned classifier (the ``training`` extra).

Quantisation is *static*: the weights of every linear layer get per-channel int8 scales
and their inputs fixed uint8 scales, calibrated once here on a sample of the training
texts (one text per calibration run, so no padding enters the ranges). Nothing is
scaled per batch, so a text's scores do not depend on its batch.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...errors import ModelError
from .serving import FLOAT_ONNX_FILE, ONNX_FILE, pad_batch


def export_int8(model, calibration: Sequence[Sequence[int]], quantize: bool = True) -> bytes:
    """The bytes of ``model`` as ONNX (dynamic batch and sequence axes), int8-quantised unless told not to."""
    with tempfile.TemporaryDirectory(prefix="mention_insight_onnx_") as tmp:
        folder = Path(tmp)
        export_onnx(model, folder / FLOAT_ONNX_FILE)
        if not quantize:
            return (folder / FLOAT_ONNX_FILE).read_bytes()
        quantize_onnx(folder / FLOAT_ONNX_FILE, folder / ONNX_FILE, calibration)
        return (folder / ONNX_FILE).read_bytes()


def export_onnx(model, path: Path) -> None:
    """Write a float Hugging Face sequence classifier as ONNX (dynamic batch and sequence axes)."""
    import torch

    dummy = torch.tensor([[101, 7592, 102], [101, 7592, 102]], dtype=torch.long)
    axes = {
        "input_ids": {0: "batch", 1: "sequence"},
        "attention_mask": {0: "batch", 1: "sequence"},
        "logits": {0: "batch"},
    }
    with torch.no_grad(), warnings_ignored():
        torch.onnx.export(
            model,
            (dummy, torch.ones_like(dummy)),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


class _CalibrationTexts:
    """Feeds encoded texts to ONNX Runtime's calibrator one at a time (no padding in the ranges)."""

    def __init__(self, encodings: Sequence[Sequence[int]], input_names: set[str]):
        self._items = iter(encodings)
        self._names = input_names

    def get_next(self) -> dict | None:
        item = next(self._items, None)
        if item is None:
            return None
        ids, mask = pad_batch([item])
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        return feeds


def quantize_onnx(source: Path, target: Path, calibration: Sequence[Sequence[int]]) -> None:
    """Static int8 quantisation of a float ONNX classifier, calibrated on ``calibration`` encodings.

    Quantised: the weight matrices of the linear layers (per-channel int8, QDQ format) with
    fixed uint8 scales on their inputs, and the embedding tables. Attention scores, the
    mask, softmax, layer norms and GELU stay float. Every scale is fixed here, so a text's
    scores do not depend on its batch.
    """
    import logging

    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    if not calibration:
        raise ModelError("static quantisation needs at least one calibration text; pass training texts.")
    graph = onnx.load(str(source)).graph
    names = {i.name for i in graph.input}
    constants = {i.name for i in graph.initializer} | {
        o for n in graph.node if n.op_type == "Constant" for o in n.output
    }
    # Attention's own products (query x key, weights x value) multiply two activations: they stay float.
    activation_products = [n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] not in constants]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quantize_static logs a pre-processing hint at WARNING
    try:
        quantize_static(
            str(source),
            str(target),
            _CalibrationTexts(calibration, names),
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=["MatMul", "Gemm", "Gather"],
            nodes_to_exclude=activation_products,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            # MinMax: on the gold validation split it keeps float's macro-F1 within 0.01
            # (training/quantisation_study.py). Histogram methods cannot take one-text runs.
            calibrate_method=CalibrationMethod.MinMax,
            # Outputs stay float (int8 x int8 -> float with the bias), so only inputs are rounded.
            # Dedicated pairs: the residual path reads the float tensor, not its int8 copy.
            extra_options={
                "MatMulConstBOnly": True,
                "OpTypesToExcludeOutputQuantization": ["MatMul", "Gemm"],
                "DedicatedQDQPair": True,
            },
        )
    finally:
        root.setLevel(level)


@contextlib.contextmanager
def warnings_ignored():
    """Hide the exporter's tracer warnings (they concern code paths the model never takes)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
