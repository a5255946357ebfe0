"""Compare ways of shipping the fine-tuned MiniLM: float ONNX, dynamic int8, static int8 (per calibration).

    python -m training.quantisation_study [--models build/transformer] [--threads 2]

Needs ``transformer-float/`` and ``transformer/`` written by ``training/build_transformer.py``.
The float model is exported to ONNX once and quantised each way; every variant is then
calibrated and thresholded on the validation data (as a model trained with it would be)
and scored on the validation and gold test splits. Also reported: the largest change of
a logit between scoring the validation texts in length-sorted batches and one at a time
(0 means batch-independent up to float rounding), the file size and the throughput on
the test split. Static quantisation is calibrated on a seeded sample of the training
texts, exactly as :meth:`TransformerBackend.fit` does.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=str(ROOT / "build" / "transformer"))
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "external"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--variants",
        default="float,dynamic,static",
        help="Comma-separated: float, dynamic, static (what ships), nbitsB-accA-bN (MatMulNBits; needs onnx-ir).",
    )
    parser.add_argument("--calibration-size", type=int, default=256)
    parser.add_argument("--batch-check", type=int, default=300, help="Validation texts scored both ways.")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch

    from mention_insight import load_model
    from mention_insight.backends.transformer.export import export_onnx, quantize_onnx
    from mention_insight.backends.transformer.meanpool import load_float_model
    from mention_insight.evaluate import evaluate_model
    from training.build_transformer import default_data

    torch.set_num_threads(args.threads)
    models = Path(args.models)
    data, validation, test = default_data(
        args.data_dir, HERE / "gold" / "gold.csv", HERE / "data" / "seed_mentions.csv", 0
    )
    shipped = load_model(models / "transformer", cache=False)
    backend = shipped.backend_
    backend.num_threads = args.threads
    rng = np.random.default_rng(0)
    encoded = backend.encode(data.texts)
    sample = rng.choice(len(encoded), size=min(len(encoded), args.calibration_size), replace=False)
    calibration = [encoded[i] for i in sorted(sample)]

    rows = {}
    with tempfile.TemporaryDirectory(prefix="mention_insight_qstudy_") as tmp:
        tmp = Path(tmp)
        model = load_float_model(models / "transformer-float")
        model.eval()
        export_onnx(model, tmp / "float.onnx")
        for variant in args.variants.split(","):
            started = time.perf_counter()
            target = tmp / f"{variant}.onnx"
            if variant == "float":
                target = tmp / "float.onnx"
            elif variant == "dynamic":
                from onnxruntime.quantization import QuantType, quantize_dynamic

                quantize_dynamic(str(tmp / "float.onnx"), str(target), weight_type=QuantType.QInt8, per_channel=True)
            elif variant.startswith("nbits"):  # e.g. nbits8-acc4-b32: weight-only blockwise MatMulNBits
                import onnx
                from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

                bits, acc, block = (
                    int(part[len(prefix) :]) for part, prefix in zip(variant.split("-"), ("nbits", "acc", "b"))
                )
                q = MatMulNBitsQuantizer(
                    onnx.load(str(tmp / "float.onnx")),
                    bits=bits,
                    block_size=block,
                    is_symmetric=True,
                    accuracy_level=acc,
                    op_types_to_quantize=("MatMul", "Gather"),
                )
                q.process()
                q.model.save_model_to_file(str(target))
            elif variant == "static":
                quantize_onnx(tmp / "float.onnx", target, calibration)
            else:
                parser.error(f"unknown variant {variant!r}")
            seconds = time.perf_counter() - started
            clf = copy.copy(shipped)
            clf.backend_ = copy.copy(backend)
            clf.backend_.set_weights(target.read_bytes())
            clf.tune(validation.texts, validation.labels)
            check = validation.texts[: args.batch_check]
            batched = clf.backend_.decision_function(check)
            single = np.vstack([clf.backend_.decision_function([t]) for t in check])
            t = time.perf_counter()
            clf.backend_.decision_function(test.texts)
            rate = len(test.texts) / (time.perf_counter() - t)
            val = evaluate_model(clf, validation.texts, validation.labels)
            tst = evaluate_model(clf, test.texts, test.labels)
            rows[variant] = {
                "validation_macro_f1": val["macro_f1"],
                "validation_primary_macro_f1": val["primary"]["macro_f1"],
                "test_macro_f1": tst["macro_f1"],
                "test_primary_macro_f1": tst["primary"]["macro_f1"],
                "max_batch_vs_single": float(np.abs(batched - single).max()),
                "size_mb": target.stat().st_size / 1e6,
                "mentions_per_s": rate,
                "quantise_seconds": seconds,
            }
            print(variant, json.dumps(rows[variant]), flush=True)
    print(
        "| variant | val label F1 | val primary F1 | test label F1 | test primary F1 | max batch-vs-single | MB | mentions/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['validation_macro_f1']:.3f} | {r['validation_primary_macro_f1']:.3f} | "
            f"{r['test_macro_f1']:.3f} | {r['test_primary_macro_f1']:.3f} | {r['max_batch_vs_single']:.1e} | "
            f"{r['size_mb']:.1f} | {r['mentions_per_s']:,.0f} |"
        )
    (models / "quantisation_study.json").write_text(json.dumps(rows, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
