"""The cascade backend: the linear model answers the mentions it is sure of, the transformer the rest.

Both sub-models are fitted on the training data and calibrated on the validation data
(one Platt scaling and one F1-tuned threshold per label, as
:class:`~mention_insight.model.MentionClassifier` does). A mention's *linear margin* is
the smallest distance, in log-odds, between a label's calibrated linear probability and
that label's threshold: a large margin means every label is clearly in or clearly out.
Mentions whose margin reaches the *cut-off* are answered by the linear model; the others
go to the transformer. The cut-off is chosen on the validation data (the largest linear
share whose primary-label macro-F1 is within ``tolerance`` of the best) and stored in
``cascade.json`` in the model directory.

Scores are the answering sub-model's calibrated log-odds minus its threshold's log-odds,
so 0 is "at the threshold" for both; the classifier then calibrates these scores once
more, as for any backend.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .._params import ParamsMixin
from ..calibration import Calibration, fit_calibration
from ..errors import BackendUnavailableError, MentionInsightError
from ..evaluate import label_and_primary_f1
from . import backend_class, make_backend
from .linear import LinearBackend

CASCADE_FILE = "cascade.json"
PARTS = ("linear", "transformer")


class CascadeBackend(ParamsMixin):
    """A linear backend in front of a transformer backend.

    Parameters
    ----------
    linear_params, transformer_params:
        Settings of the two sub-backends.
    cutoff:
        Linear margin (log-odds) from which the linear model answers; ``None`` chooses it
        on the validation data.
    max_transformer_share:
        When choosing the cut-off, send at most this share of the validation mentions to
        the transformer (a throughput budget); 1.0 puts no limit.
    tolerance:
        Macro-F1 the choice may give up, relative to the best cut-off, to let the linear
        model answer more mentions.
    """

    name = "cascade"
    #: MentionClassifier.fit passes its validation data to this backend's fit.
    uses_validation = True

    def __init__(
        self,
        linear_params: dict | None = None,
        transformer_params: dict | None = None,
        cutoff: float | None = None,
        max_transformer_share: float = 1.0,
        tolerance: float = 0.005,
    ):
        self.linear_params = linear_params
        self.transformer_params = transformer_params
        self.cutoff = cutoff
        self.max_transformer_share = max_transformer_share
        self.tolerance = tolerance

    # -- fitting --------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[str],
        Y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        validation: tuple[Sequence[str], np.ndarray] | None = None,
    ) -> CascadeBackend:
        if validation is None or len(validation[0]) == 0:
            raise MentionInsightError(
                "the cascade backend needs validation data to calibrate its two models and choose its cut-off; "
                "fit it through MentionClassifier.fit (which holds some out) or pass validation=."
            )
        val_texts, Yv = list(validation[0]), np.asarray(validation[1])
        transformer = make_backend("transformer", self.transformer_params)  # fails early without the extra
        self.linear_ = LinearBackend(**(self.linear_params or {})).fit(texts, Y, sample_weight=sample_weight)
        self.transformer_ = transformer.fit(texts, Y, sample_weight=sample_weight)
        self._calibrate_parts(val_texts, Yv)
        return self

    @classmethod
    def from_parts(cls, linear, transformer, validation: tuple[Sequence[str], np.ndarray], **params) -> CascadeBackend:
        """A cascade of two already fitted parts (e.g. a distilled linear model in front of a
        fine-tuned transformer), calibrated and cut on ``validation`` as :meth:`fit` does."""
        cascade = cls(linear_params=linear.get_params(), transformer_params=transformer.get_params(), **params)
        cascade.linear_, cascade.transformer_ = linear, transformer
        cascade._calibrate_parts(list(validation[0]), np.asarray(validation[1]))
        return cascade

    def _calibrate_parts(self, texts: Sequence[str], Yv: np.ndarray) -> None:
        # Each part is calibrated and tuned exactly as a single-backend classifier would be,
        # so each part alone predicts as its own model would.
        raw_lin = self.linear_.decision_function(texts)
        raw_tra = self.transformer_.decision_function(texts)
        self.linear_calibration_ = fit_calibration(raw_lin, Yv)
        self.transformer_calibration_ = fit_calibration(raw_tra, Yv)
        lin = self.linear_calibration_.relative(raw_lin)
        tra = self.transformer_calibration_.relative(raw_tra)
        margin = np.abs(lin).min(axis=1)
        # Candidate cut-offs: every 5% of the validation mentions sent to the transformer.
        curve = []
        for share in np.linspace(0, 1, 21):
            cut = self._cut_for_share(margin, share)
            mixed = np.where((margin >= cut)[:, None], lin, tra)
            curve.append(
                {
                    "cutoff": cut,
                    "transformer_share": float((margin < cut).mean()),
                    "macro_f1": label_and_primary_f1(Yv.astype(bool), mixed >= 0)[1],
                }
            )
        self.validation_curve_ = curve
        if self.cutoff is not None:
            self.cutoff_ = float(self.cutoff)
            return
        allowed = [c for c in curve if c["transformer_share"] <= self.max_transformer_share + 1e-9] or curve[:1]
        best = max(c["macro_f1"] for c in allowed)
        good = [c for c in allowed if c["macro_f1"] >= best - self.tolerance]
        self.cutoff_ = float(min(good, key=lambda c: c["transformer_share"])["cutoff"])

    @staticmethod
    def _cut_for_share(margin: np.ndarray, share: float) -> float:
        """The cut-off that sends ``share`` of these margins (the smallest) to the transformer."""
        if share <= 0:
            return 0.0
        if share >= 1:
            return float("inf")
        return float(np.quantile(margin, share))

    def part(self, name: str) -> tuple[object, Calibration]:
        """One fitted part (``"linear"`` or ``"transformer"``) and its own calibration."""
        if name not in PARTS:
            raise MentionInsightError(f"a cascade has the parts 'linear' and 'transformer'; got {name!r}.")
        if name == "linear":
            return self.linear_, self.linear_calibration_
        return self.transformer_, self.transformer_calibration_

    # -- inference ------------------------------------------------------------
    def route(self, texts: Sequence[str], cutoff: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Threshold-relative scores and a mask of the mentions the transformer answered."""
        texts = list(texts)
        cut = self.cutoff_ if cutoff is None else cutoff
        scores = self.linear_calibration_.relative(self.linear_.decision_function(texts))
        unsure = np.abs(scores).min(axis=1) < cut if len(texts) else np.zeros(0, dtype=bool)
        if self.transformer_ is None:  # loaded without the transformer extra
            unsure[:] = False
        if unsure.any():
            idx = np.flatnonzero(unsure)
            scores[idx] = self.transformer_calibration_.relative(
                self.transformer_.decision_function([texts[i] for i in idx])
            )
        return scores, unsure

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        return self.route(texts)[0]

    def with_cutoff(self, cutoff: float) -> CascadeBackend:
        """A copy answering with another cut-off (0: all linear; inf: all transformer)."""
        other = copy.copy(self)
        other.cutoff_ = float(cutoff)
        return other

    # -- persistence ----------------------------------------------------------
    def to_disk(self, path: Path) -> list[str]:
        path = Path(path)
        files = self.linear_.to_disk(path) + self.transformer_.to_disk(path)
        state = {
            "cutoff": self.cutoff_,
            "linear_calibration": self.linear_calibration_.platt.tolist(),
            "linear_thresholds": self.linear_calibration_.thresholds.tolist(),
            "transformer_calibration": self.transformer_calibration_.platt.tolist(),
            "transformer_thresholds": self.transformer_calibration_.thresholds.tolist(),
            "validation_curve": [
                {**c, "cutoff": c["cutoff"] if np.isfinite(c["cutoff"]) else "inf"} for c in self.validation_curve_
            ],
        }
        (path / CASCADE_FILE).write_text(json.dumps(state, indent=2) + "\n", "utf-8")
        return files + [CASCADE_FILE]

    @classmethod
    def from_disk(cls, path: Path, params: dict) -> CascadeBackend:
        backend = cls(**params)
        path = Path(path)
        backend.linear_ = LinearBackend.from_disk(path, dict(backend.linear_params or {}))
        try:
            transformer_cls = backend_class("transformer")
        except BackendUnavailableError as exc:
            # The light install (no onnxruntime): keep working on the linear part alone.
            warnings.warn(
                f"{exc} Until then the cascade model {path} answers every mention with its linear part "
                "(less accurate: see the 0% row of its accuracy curve).",
                stacklevel=4,
            )
            backend.transformer_ = None
        else:
            backend.transformer_ = transformer_cls.from_disk(path, dict(backend.transformer_params or {}))
        state = json.loads((path / CASCADE_FILE).read_text("utf-8"))
        backend.cutoff_ = float(state["cutoff"])
        backend.linear_calibration_ = Calibration(
            np.array(state["linear_calibration"], dtype=np.float64),
            np.array(state["linear_thresholds"], dtype=np.float64),
        )
        backend.transformer_calibration_ = Calibration(
            np.array(state["transformer_calibration"], dtype=np.float64),
            np.array(state["transformer_thresholds"], dtype=np.float64),
        )
        backend.validation_curve_ = [{**c, "cutoff": float(c["cutoff"])} for c in state.get("validation_curve", [])]
        return backend
