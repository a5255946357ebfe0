"""Saving and loading model directories.

A model directory holds ``config.json`` (format version, labels, precedence,
thresholds, calibration, training settings, package versions, a fingerprint of the
training data, held-out metrics and the SHA-256 of every weights file), the backend's
weights and a ``README.md`` model card. Loading checks the format version and every
hash *before* reading any weights, so a tampered or truncated file is refused.
Writes go to a temporary directory that replaces the target in one rename.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import MentionInsightError, ModelError
from .output import set_default_mode
from .text import NORMALIZER_VERSION

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
CARD_FILE = "README.md"
#: Packages whose versions are recorded with a model and compared on load.
TRACKED_PACKAGES = ("mention_insight", "scikit-learn", "numpy", "spacy", "transformers", "onnxruntime", "torch")


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


def save_model(clf, path, *, metrics=None, training=None, overwrite: bool = True) -> Path:
    """Write ``clf`` to the directory ``path`` atomically; return the path.

    Never changes ``clf``. With ``overwrite=False`` an existing directory is an error.
    """
    from .card import render_card

    clf._check_fitted()
    target = Path(path)
    if target.exists() and not overwrite:
        raise ModelError(f"{target} already exists; choose another directory or allow overwriting.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    set_default_mode(tmp, directory=True)
    try:
        files = clf.backend_.to_disk(tmp)
        hashes = {name: sha256_file(tmp / name) for name in files}
        weights_id = hashlib.sha256("".join(hashes[n] for n in sorted(hashes)).encode()).hexdigest()[:10]
        config = {
            "format_version": FORMAT_VERSION,
            "model_id": f"{target.name}@{weights_id}",
            "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "backend": clf.backend,
            "labels": list(clf.classes_),
            "fallback_label": clf.fallback_label,
            "precedence": list(clf.precedence_),
            "thresholds": {c: round(float(t), 6) for c, t in clf.thresholds_.items()},
            "calibration": {c: [float(a), float(b)] for c, (a, b) in zip(clf.classes_, clf.calibration_)},
            "params": clf.get_params(),
            "backend_params": clf.backend_.get_params(),
            "training": {
                "n_train": clf.n_train_,
                "n_validation": clf.n_validation_,
                "data_fingerprint": clf.data_fingerprint_,
                **(training or {}),
            },
            "metrics": metrics or {},
            "package_versions": package_versions(),
            "normalizer_version": NORMALIZER_VERSION,
            "files": hashes,
        }
        (tmp / CONFIG_FILE).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", "utf-8")
        (tmp / CARD_FILE).write_text(render_card(config), "utf-8")
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def read_config(path) -> dict:
    """The checked ``config.json`` of a model directory (hashes not yet verified)."""
    path = Path(path)
    if not path.is_dir():
        raise ModelError(f"no model directory at {path}; train one with 'mention-insight train' or pass another --model.")
    cfg_path = path / CONFIG_FILE
    if not cfg_path.is_file():
        raise ModelError(f"{path} has no {CONFIG_FILE}: it is not a mention_insight model directory.")
    try:
        config = json.loads(cfg_path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{cfg_path} is not valid JSON ({exc}); the model is corrupt: retrain it or restore a copy.") from exc
    version = config.get("format_version") if isinstance(config, dict) else None
    if not isinstance(version, int):
        raise ModelError(f"{cfg_path} has no integer format_version; the model is corrupt: retrain it or restore a copy.")
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
    for name in ("scikit-learn", "numpy", "spacy", "transformers", "onnxruntime"):
        if name in saved and name in now and _minor(saved[name]) != _minor(now[name]):
            warnings.warn(
                f"model {path} was saved with {name} {saved[name]} but {now[name]} is installed; "
                "predictions may differ slightly. Retrain with 'mention-insight train' to silence this.",
                stacklevel=3,
            )


def load_model(path):
    """Load a model directory, checking its format version and weights' hashes."""
    from .model import MentionClassifier, backend_from_disk

    path = Path(path)
    config = read_config(path)
    verify_files(path, config)
    _warn_versions(path, config)
    params = dict(config.get("params", {}))
    params.pop("backend", None)
    clf = MentionClassifier(backend=config["backend"], **params)
    try:
        backend_params = dict(config.get("backend_params", {}))
        if config["backend"] == "linear":
            backend_params.setdefault("features", "tfidf")  # saved before the 'features' setting existed
        clf.backend_ = backend_from_disk(config["backend"], path, backend_params)
    except MentionInsightError:
        raise
    except Exception as exc:  # hash matched but the content is unusable
        raise ModelError(f"could not read the weights in {path}: {exc}. Retrain the model or restore a copy.") from exc
    clf.classes_ = tuple(config["labels"])
    clf.precedence_ = tuple(config["precedence"])
    clf.fallback_label = config.get("fallback_label", clf.fallback_label)
    clf.thresholds_ = {c: float(config["thresholds"][c]) for c in clf.classes_}
    clf.calibration_ = np.array([config["calibration"][c] for c in clf.classes_], dtype=np.float64)
    clf._threshold_array = np.array([clf.thresholds_[c] for c in clf.classes_])
    training = config.get("training", {})
    clf.n_train_ = training.get("n_train", 0)
    clf.n_validation_ = training.get("n_validation", 0)
    clf.data_fingerprint_ = training.get("data_fingerprint", "")
    clf.config_ = config
    clf.path_ = path
    return clf
