"""Model directories on disk: writing, checking, and the model card.

A model directory holds ``config.json`` (format version, labels, precedence,
thresholds, calibration, training settings, package versions, a fingerprint of the
training data, held-out metrics and the SHA-256 of every weights file), the backend's
weights, a ``README.md`` model card and ``checksums.sha256`` (the SHA-256 of every other
file, in ``sha256sum`` format: ``sha256sum -c checksums.sha256`` checks it by hand).

The model id is ``<name>@<hash of config.json's content>``, so it changes with any
setting, threshold or weights file. :func:`open_model_dir` checks the format version,
every file's hash and the id *before* anything reads the weights: an edited, truncated
or swapped file is refused with its name, unless the caller trusts the change
(``trust_modified``), which loads it under a new id. Writes go to a temporary directory
that replaces the target in one rename (:func:`mention_insight.io.atomic.atomic_directory`).

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

FORMAT_VERSION = 2
CONFIG_FILE = "config.json"
CARD_FILE = "README.md"
MANIFEST_FILE = "checksums.sha256"
#: Config keys outside the content hash: the id itself and when it was written.
UNHASHED = ("model_id", "created_at")
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
#: The recorded packages that take part in *loading and predicting*; a version outside the range
#: known to work with the saved one (:func:`compatible`) warns on load. torch and transformers only
#: train (serving is ONNX), so they never do.
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


def compatible(saved: str, installed: str) -> bool:
    """Whether a model saved with ``saved`` predicts the same under ``installed``: the same major
    version (the same minor for 0.x packages, whose minor releases may break). The model stores
    weights as NumPy arrays, JSON and ONNX, never pickles, so newer minor releases read it."""
    a, b = saved.split("."), installed.split(".")
    if not a or not b or a[0] != b[0]:
        return False
    return a[0] != "0" or _minor(saved) == _minor(installed)


def content_hash(config: dict) -> str:
    """The hash a model id carries: SHA-256 of the config's canonical JSON, without :data:`UNHASHED`."""
    body = {k: v for k, v in config.items() if k not in UNHASHED}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def seal(path: Path, config: dict, name: str | None = None) -> dict:
    """Give ``config`` its content id, write it, the card and the checksums into ``path``.

    ``config["files"]`` must already hold the weights' hashes. Returns the written config.
    """
    path = Path(path)
    config = {k: v for k, v in config.items() if k != "model_id"}
    config = {"format_version": config.pop("format_version", FORMAT_VERSION), "model_id": "", **config}
    config["model_id"] = f"{name or path.name}@{content_hash(config)}"
    (path / CONFIG_FILE).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (path / CARD_FILE).write_text(render_card(config), "utf-8")
    names = sorted({CONFIG_FILE, CARD_FILE, *config["files"]})
    lines = [f"{sha256_file(path / n)}  {n}" for n in names]
    (path / MANIFEST_FILE).write_text("\n".join(lines) + "\n", "utf-8")
    return config


def write_model_dir(path, config: dict, write_weights: Callable[[Path], list[str]], *, overwrite: bool = False) -> Path:
    """Write a model directory atomically: the weights (``write_weights(tmp_dir)`` returns the
    file names it wrote), then ``config.json`` completed with the format version, creation
    time, package versions and file hashes, and sealed with its content id (:func:`seal`).
    Returns the path.

    With ``overwrite=False`` an existing directory is an error and nothing is written.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise ModelError(f"{target} already exists; choose another directory or allow overwriting.")
    with atomic_directory(target, overwrite=overwrite) as tmp:
        files = write_weights(tmp)
        full = {
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **config,
            "package_versions": package_versions(),
            "normalizer_version": NORMALIZER_VERSION,
            "files": {name: sha256_file(tmp / name) for name in files},
        }
        seal(tmp, full, name=target.name)
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


def _read_manifest(path: Path) -> dict[str, str]:
    manifest = path / MANIFEST_FILE
    if not manifest.is_file():
        raise ModelError(
            f"{path} has no {MANIFEST_FILE}, so its files cannot be checked; the model is incomplete: "
            "retrain it or restore a copy."
        )
    out = {}
    for line in manifest.read_text("utf-8", errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            out[name.strip()] = digest.strip()
    return out


def changed_files(path: Path, config: dict) -> list[str]:
    """The files of a model directory whose content no longer matches what was saved.

    Raises :class:`ModelError` for a missing file. ``config.json`` counts as changed when
    its content no longer gives its model id.
    """
    records = [dict(config["files"])]
    if config["format_version"] >= 2:
        records.append(_read_manifest(path))
    changed: list[str] = []
    for name in dict.fromkeys(n for r in records for n in r):
        file = path / name
        if Path(name).name != name or not file.is_file():
            raise ModelError(f"{path} is missing {name}; the model is incomplete: retrain it or restore a copy.")
        digest = sha256_file(file)
        if any(r.get(name, digest) != digest for r in records):
            changed.append(name)
    stated = str(config.get("model_id", "")).rpartition("@")[2]
    if config["format_version"] >= 2 and CONFIG_FILE not in changed and stated != content_hash(config):
        changed.append(CONFIG_FILE)
    return sorted(changed)


def verify_files(path: Path, config: dict, *, trust_modified: bool = False) -> dict:
    """Refuse the model unless every file matches its recorded SHA-256 and the config its id.

    With ``trust_modified`` a changed model is accepted with a warning and returned under a
    new id (``<name>@<hash of what is there now>``), so its predictions never pass as the
    original's.
    """
    changed = changed_files(path, config)
    if not changed:
        return config
    if not trust_modified:
        what = ", ".join(changed)
        raise ModelError(
            f"{path}: {what} changed since the model was saved (checked against {MANIFEST_FILE} and the "
            "model id), so nothing was loaded. Restore the "
            "model from a copy or retrain it; to use the changed model anyway, pass --trust-modified "
            "(it then gets a new id)."
        )
    now = {**config, "files": {n: sha256_file(path / n) for n in config["files"]}}
    cards = "".join(sha256_file(path / n) for n in (CARD_FILE, MANIFEST_FILE) if (path / n).is_file())
    digest = hashlib.sha256((content_hash(now) + cards).encode()).hexdigest()[:12]
    new_id = f"{str(config.get('model_id', path.name)).rpartition('@')[0] or path.name}@{digest}"
    warnings.warn(
        f"model {path} was modified after it was saved ({', '.join(changed)}); loading it as {new_id}.",
        stacklevel=3,
    )
    return {**now, "model_id": new_id, "modified_from": config.get("model_id")}


def tree_problems(path) -> list[str]:
    """Why the model directory ``path``, or a model directory inside it (an adapted model's
    ``base/``: one with its own :data:`MANIFEST_FILE`), fails its checks: an unreadable config,
    a missing file, a file or config changed since it was saved. Empty when all is sound.
    Nothing is loaded."""
    root = Path(path)
    problems = []
    for config_file in sorted(root.rglob(CONFIG_FILE)):
        folder = config_file.parent
        if folder != root and not (folder / MANIFEST_FILE).is_file():
            continue  # a config.json that is not a model's (e.g. inside a backend's own files)
        where = "" if folder == root else f"{folder.relative_to(root).as_posix()}/"
        try:
            changed = changed_files(folder, read_config(folder))
        except ModelError as exc:
            problems.append(str(exc))
            continue
        if changed:
            problems.append(f"{', '.join(where + n for n in changed)} changed since it was saved")
    return problems


def _warn_versions(path: Path, config: dict) -> None:
    if config.get("normalizer_version", NORMALIZER_VERSION) != NORMALIZER_VERSION:
        warnings.warn(
            f"model {path} was trained with text normalisation version {config['normalizer_version']}, "
            f"this mention_insight uses {NORMALIZER_VERSION}; predictions may differ. Retrain the model.",
            stacklevel=3,
        )
    saved = config.get("package_versions", {})
    now = package_versions()
    bundled = path.resolve().parts[-2:] == ("models", "default")
    fix = (
        "rebuild the bundled model with 'make model' (python -m training.build_transformer)"
        if bundled
        else "retrain it with 'mention-insight train'"
    )
    for name in SERVING_PACKAGES:
        if name in saved and name in now and not compatible(saved[name], now[name]):
            warnings.warn(
                f"model {path} was saved with {name} {saved[name]} but {now[name]} is installed, outside the "
                f"versions known to read it the same; predictions may differ. Install {name}=={saved[name]} or {fix}.",
                stacklevel=3,
            )


def open_model_dir(path, *, trust_modified: bool = False) -> dict:
    """The config of a model directory whose every file matches its hash.

    Refuses a missing or corrupt directory, a newer format and a changed file (unless
    ``trust_modified``: see :func:`verify_files`); warns when it was saved with other
    package or normaliser versions.
    """
    path = Path(path)
    config = read_config(path)
    config = verify_files(path, config, trust_modified=trust_modified)
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
