"""Model directories on disk: writing, checking, and the model card.

A model directory holds ``config.json`` (format version, labels, precedence,
thresholds, calibration, training settings, package versions, a fingerprint of the
training data, held-out metrics and the SHA-256 of every weights file), the backend's
weights and a ``README.md`` model card. :func:`open_model_dir` checks the format version
and every hash *before* anything reads the weights, so a tampered or truncated file is
refused. Writes go to a temporary directory that replaces the target in one rename
(:func:`mention_insight.io.atomic.atomic_directory`).

This module knows directories, files and JSON, not classifiers: :mod:`mention_insight.model`
assembles the config and reads the weights through the backend registry.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .errors import ModelError
from .evaluate import format_metrics
from .io.atomic import atomic_directory
from .text import NORMALIZER_VERSION

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
CARD_FILE = "README.md"
#: Packages whose versions are recorded with a model and compared on load.
TRACKED_PACKAGES = (
    "mention_insight",
    "scikit-learn",
    "numpy",
    "spacy",
    "onnxruntime",
    "tokenizers",
    "transformers",
    "torch",
)
#: The recorded packages that take part in *loading and predicting*; a different minor version of
#: one of these warns on load. torch and transformers only train (serving is ONNX), so they do not.
SERVING_PACKAGES = ("scikit-learn", "numpy", "spacy", "onnxruntime", "tokenizers")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_versions() -> dict[str, str]:
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def write_model_dir(path, config: dict, write_weights: Callable[[Path], list[str]], *, overwrite: bool = False) -> Path:
    """Write a model directory atomically: the weights (``write_weights(tmp_dir)`` returns the
    file names it wrote), then ``config.json`` completed with the format version, model id,
    creation time, package versions and file hashes, then the card. Returns the path.

    With ``overwrite=False`` an existing directory is an error and nothing is written.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise ModelError(f"{target} already exists; choose another directory or allow overwriting.")
    with atomic_directory(target, overwrite=overwrite) as tmp:
        files = write_weights(tmp)
        hashes = {name: sha256_file(tmp / name) for name in files}
        weights_id = hashlib.sha256("".join(hashes[n] for n in sorted(hashes)).encode()).hexdigest()[:10]
        full = {
            "format_version": FORMAT_VERSION,
            "model_id": f"{target.name}@{weights_id}",
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **config,
            "package_versions": package_versions(),
            "normalizer_version": NORMALIZER_VERSION,
            "files": hashes,
        }
        (tmp / CONFIG_FILE).write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", "utf-8")
        (tmp / CARD_FILE).write_text(render_card(full), "utf-8")
    return target


def read_config(path) -> dict:
    """The checked ``config.json`` of a model directory (hashes not yet verified)."""
    path = Path(path)
    if not path.is_dir():
        raise ModelError(
            f"no model directory at {path}; train one with 'mention-insight train' or pass another --model."
        )
    cfg_path = path / CONFIG_FILE
    if not cfg_path.is_file():
        raise ModelError(f"{path} has no {CONFIG_FILE}: it is not a mention_insight model directory.")
    try:
        config = json.loads(cfg_path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(
            f"{cfg_path} is not valid JSON ({exc}); the model is corrupt: retrain it or restore a copy."
        ) from exc
    version = config.get("format_version") if isinstance(config, dict) else None
    if not isinstance(version, int):
        raise ModelError(
            f"{cfg_path} has no integer format_version; the model is corrupt: retrain it or restore a copy."
        )
    if version > FORMAT_VERSION:
        raise ModelError(
            f"{path} uses model format {version}, newer than this mention_insight reads ({FORMAT_VERSION}); "
            "upgrade mention_insight to load it."
        )
    for key in ("backend", "labels", "precedence", "thresholds", "calibration", "files"):
        if key not in config:
            raise ModelError(f"{cfg_path} lacks {key!r}; the model is corrupt: retrain it or restore a copy.")
    return config


def verify_files(path: Path, config: dict) -> None:
    """Refuse the model unless every weights file matches its recorded SHA-256."""
    for name, expected in config["files"].items():
        file = path / name
        if Path(name).name != name or not file.is_file():
            raise ModelError(f"{path} is missing {name}; the model is incomplete: retrain it or restore a copy.")
        if sha256_file(file) != expected:
            raise ModelError(
                f"{file} does not match the SHA-256 recorded in {CONFIG_FILE}: the file was changed or truncated. "
                "Nothing was loaded; retrain the model or restore it from a copy."
            )


def _warn_versions(path: Path, config: dict) -> None:
    if config.get("normalizer_version", NORMALIZER_VERSION) != NORMALIZER_VERSION:
        warnings.warn(
            f"model {path} was trained with text normalisation version {config['normalizer_version']}, "
            f"this mention_insight uses {NORMALIZER_VERSION}; predictions may differ. Retrain the model.",
            stacklevel=3,
        )
    saved = config.get("package_versions", {})
    now = package_versions()
    for name in SERVING_PACKAGES:
        if name in saved and name in now and _minor(saved[name]) != _minor(now[name]):
            warnings.warn(
                f"model {path} was saved with {name} {saved[name]} but {now[name]} is installed; "
                "predictions may differ slightly. Retrain with 'mention-insight train' to silence this.",
                stacklevel=3,
            )


def open_model_dir(path) -> dict:
    """The config of a model directory whose every weights file matches its hash.

    Refuses a missing or corrupt directory, a newer format and a changed file; warns when
    it was saved with other package or normaliser versions.
    """
    path = Path(path)
    config = read_config(path)
    verify_files(path, config)
    _warn_versions(path, config)
    return config


def render_card(config: dict) -> str:
    """The model card (README.md) written beside every saved model."""
    training = config.get("training", {})
    metrics = config.get("metrics") or {}
    lines = [
        f"# Model card: `{config['model_id']}`",
        "",
        "A mention_insight classifier of social-media mentions to neighbourhood police accounts",
        "(see the project's CODEBOOK: thanks, visit_request, shared_info, complaint, other).",
        "",
        "## Model",
        f"- backend: `{config['backend']}`; format version {config['format_version']}; created {config['created_at']}",
        f"- labels: {', '.join(config['labels'])}; fallback `{config['fallback_label']}` when none passes its threshold",
        f"- primary label precedence: {' > '.join(config['precedence'])}",
        "- thresholds (tuned jointly on validation data for label and primary-label macro-F1): "
        + ", ".join(f"{c} {t:.2f}" for c, t in config["thresholds"].items()),
        f"- backend settings: `{config.get('backend_params', {})}`",
        "",
        "## Training data",
        f"- {training.get('n_train', '?')} training and {training.get('n_validation', '?')} validation mentions; "
        f"data fingerprint `{training.get('data_fingerprint', '')[:16]}`",
    ]
    for source in training.get("sources", []):
        lines.append(f"- source: {source}")
    if training.get("notes"):
        lines.append(f"- notes: {training['notes']}")
    lines += ["", "## Held-out evaluation", ""]
    if not metrics:
        lines.append("No held-out metrics were recorded for this model.")
    for name, m in metrics.items():
        if isinstance(m, dict) and "per_label" in m:
            title = f"held-out test set: {training.get('test_source', '')}" if name == "held_out" else name
            lines.append(format_metrics(m, title=title))
    why = config.get("why") or training.get("why")
    if why:
        lines += ["## Why this model", "", why, ""]
    lines += [
        "",
        "## Use and limits",
        "- Intended for triage and aggregate reporting of mentions, not for decisions about individuals.",
        "- Metrics on sentences written for the project overstate real-world accuracy; prefer the figures",
        "  on real text where given, and check a sample of your own data with `mention-insight evaluate`.",
        f"- Package versions at training time: {config.get('package_versions', {})}",
        "",
    ]
    return "\n".join(lines)
