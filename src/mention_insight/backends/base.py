"""The backend contract: what :class:`~mention_insight.model.MentionClassifier` needs of a backend.

A backend turns texts into one raw score per label; calibration, thresholds and the
primary label are the classifier's job, the same for every backend
(:mod:`mention_insight.calibration`). A backend:

- stores its settings in ``__init__`` under the argument names (``get_params()`` lists
  them; :class:`~mention_insight._params.ParamsMixin` provides it);
- ``fit(texts, Y, sample_weight=None, validation=None)`` learns from an ``(n, k)`` 0/1
  label matrix whose columns are labels in precedence order (the linear and transformer
  backends also take soft targets in [0, 1], e.g. a teacher's probabilities), and returns ``self``
  (``validation`` is ``(texts, Y)``; backends that need it set ``uses_validation = True``);
- ``decision_function(texts)`` returns a float ``(len(texts), k)`` array; a text's row
  never depends on the other texts of the call;
- ``to_disk(path)`` writes its weights into an existing directory and returns the file
  names (each gets hashed into the model's ``config.json``); ``from_disk(path, params)``
  builds a fitted backend from them without running code from the files.

The registry in :mod:`mention_insight.backends` maps names to these classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Backend(Protocol):
    name: ClassVar[str]
    #: Whether ``fit`` needs the validation data (the cascade calibrates its parts on it).
    uses_validation: ClassVar[bool]

    def get_params(self) -> dict[str, Any]: ...

    def fit(
        self,
        texts: Sequence[str],
        Y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        validation: tuple[Sequence[str], np.ndarray] | None = None,
    ) -> Backend: ...

    def decision_function(self, texts: Sequence[str]) -> np.ndarray: ...

    def to_disk(self, path: Path) -> list[str]: ...

    @classmethod
    def from_disk(cls, path: Path, params: dict) -> Backend: ...
