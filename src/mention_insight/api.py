"""The Python entry points: :func:`classify` and :func:`load_model`.

``classify("text")`` returns one :class:`Prediction`; ``classify([...])`` a list, in
order and equal to one-at-a-time results. Both use the bundled default model unless
``model=`` names a model directory or passes a fitted :class:`MentionClassifier`.
Loaded models are cached per directory (and reloaded when the directory changes). After
the first cached load, the objects then alive are moved out of the garbage collector's
reach with ``gc.freeze()`` (why: ``_gc.py``; ``MENTION_INSIGHT_GC_FREEZE=0`` turns it off).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import overload

from . import persistence
from ._gc import freeze_loaded_objects
from .errors import InputFormatError, ModelError
from .model import MentionClassifier, Prediction

ModelLike = str | os.PathLike | MentionClassifier | None
#: Environment variable naming a model directory to use as the default.
MODEL_ENV = "MENTION_INSIGHT_MODEL"

_cache: dict[Path, tuple[float, MentionClassifier]] = {}
_lock = threading.Lock()


def default_model_path() -> Path:
    """The default model: ``$MENTION_INSIGHT_MODEL``, else the project's ``models/default``."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for candidate in (here.parent / "models" / "default", here.parents[2] / "models" / "default"):
        if (candidate / persistence.CONFIG_FILE).is_file():
            return candidate
    raise ModelError(
        "no default model found: build it with 'make model' (python training/build_default.py), "
        f"set {MODEL_ENV} to a model directory, or pass model=."
    )


def load_model(
    path: str | os.PathLike | None = None, *, cache: bool = True, trust_modified: bool = False
) -> MentionClassifier:
    """Load a model directory (the default model when ``path`` is None), cached.

    A model whose files changed after it was saved is refused, unless ``trust_modified``
    (it then loads under a new id, with a warning).
    """
    target = Path(path) if path is not None else default_model_path()
    if not cache or trust_modified:
        return MentionClassifier.load(target, trust_modified=trust_modified)
    key = target.resolve()
    config = key / persistence.CONFIG_FILE
    stamp = config.stat().st_mtime_ns if config.is_file() else -1
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
    model = MentionClassifier.load(target)
    with _lock:
        _cache[key] = (stamp, model)
    freeze_loaded_objects()  # see _gc.py: keeps full collections from re-scanning the imported libraries
    return model


def resolve_model(model: ModelLike) -> MentionClassifier:
    if isinstance(model, MentionClassifier):
        return model
    return load_model(model)


def _check_texts(texts: list) -> None:
    if all(isinstance(t, str) and t and not t.isspace() for t in texts):  # the common case, one pass
        return
    bad_type = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad_type:
        raise TypeError(
            f"classify() expects strings; items {bad_type[:10]} are not (e.g. {type(texts[bad_type[0]]).__name__})."
        )
    empty = [i for i, t in enumerate(texts) if not t.strip()]
    if empty:
        raise InputFormatError(
            f"cannot classify empty text (items {empty[:10]}); drop them first, or use "
            "'mention-insight classify', which reports them per row."
        )


@overload
def classify(texts: str, *, model: ModelLike = None) -> Prediction: ...  # type: ignore[overload-overlap]


@overload
def classify(texts: Iterable[str], *, model: ModelLike = None) -> list[Prediction]: ...


def classify(texts: str | Iterable[str], *, model: ModelLike = None) -> Prediction | list[Prediction]:
    """Classify one text (-> :class:`Prediction`) or many (-> list, in order)."""
    clf = resolve_model(model)
    if isinstance(texts, str):
        _check_texts([texts])
        return clf.predict([texts])[0]
    items = list(texts)
    _check_texts(items)
    return clf.predict(items)
