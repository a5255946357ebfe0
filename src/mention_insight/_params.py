"""``get_params()`` read from ``__init__``'s signature, as scikit-learn's ``BaseEstimator`` does.

Every estimator-like class here stores its settings under the names of its ``__init__``
arguments; this mixin lists them, so no class mirrors its own signature by hand. Values
come back JSON-ready: tuples as lists, dicts copied.
"""

from __future__ import annotations

import inspect
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class ParamsMixin:
    """Adds :meth:`get_params`: the ``__init__`` settings by name."""

    @classmethod
    def param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [n for n, p in sig.parameters.items() if n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD]

    def get_params(self) -> dict[str, Any]:
        out = {}
        for name in self.param_names():
            value = getattr(self, name)
            out[name] = {} if value is None and name.endswith("_params") else _plain(value)
        return out
