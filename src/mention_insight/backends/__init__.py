"""Backends: the registry of the models that score mentions.

Each entry names a module and a class that follows the contract in :mod:`.base`. The
module is imported only when its backend is asked for, so the light install (no torch,
no onnxruntime) works as long as only ``linear`` is used. The CLI's ``--backend``
choices and every error message read :data:`BACKENDS`; adding a backend is one module
plus one line here.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import BackendUnavailableError, MentionInsightError
from .base import Backend

#: name -> (module, class, what it needs, one line for help texts).
BACKENDS: dict[str, tuple[str, str, str, str]] = {
    "linear": (
        "mention_insight.backends.linear",
        "LinearBackend",
        "",
        "fast, no torch: pooled word and char n-grams, logistic regression",
    ),
    "transformer": (
        "mention_insight.backends.transformer",
        "TransformerBackend",
        "serving",
        "fine-tuned MiniLM served as int8 ONNX (training needs the 'training' extra)",
    ),
    "cascade": (
        "mention_insight.backends.cascade",
        "CascadeBackend",
        "serving",
        "linear first, the transformer for the mentions it is unsure of",
    ),
    "adapted": (
        "mention_insight.backends.adapted",
        "AdaptedBackend",
        "",
        "a base model's scores stacked with an account's own words (train --base)",
    ),
}


def backend_names() -> tuple[str, ...]:
    return tuple(BACKENDS)


def backend_class(name: str) -> type[Any]:
    """The class of a registered backend; a clear error when unknown or not installed."""
    if name not in BACKENDS:
        names = [repr(n) for n in BACKENDS]
        raise MentionInsightError(f"unknown backend {name!r}: expected {', '.join(names[:-1])} or {names[-1]}.")
    module, cls, extra, _ = BACKENDS[name]
    try:
        return getattr(importlib.import_module(module), cls)
    except ImportError as exc:  # onnxruntime / tokenizers missing
        raise BackendUnavailableError(
            f"the {name} backend needs optional packages ({exc.name} is missing). "
            f"Install them with: pip install 'mention_insight[{extra}]'"
        ) from exc


def make_backend(name: str, params: dict | None = None) -> Any:
    """A fresh, unfitted backend by name."""
    return backend_class(name)(**dict(params or {}))


__all__ = ["BACKENDS", "Backend", "backend_class", "backend_names", "make_backend"]
