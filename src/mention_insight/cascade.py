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

import json
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .errors import BackendUnavailableError, MentionInsightError
from .linear import LinearBackend

CASCADE_FILE = "cascade.json"
_EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def _calibrated(raw: np.ndarray, calibration: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(raw * calibration[:, 0] + calibration[:, 1])))


def primary_macro_f1(scores: np.ndarray, Y: np.ndarray) -> float:
    """Primary-label macro-F1 of threshold-relative scores (columns in precedence order).

    The primary label is the first column with a score >= 0, else a fallback column; the
    macro average runs over the labels present in ``Y`` (fallback included).
    """
    k = Y.shape[1]

    def primary(mask: np.ndarray) -> np.ndarray:
        first = np.argmax(mask, axis=1)
        return np.where(mask.any(axis=1), first, k)

    true, pred = primary(Y.astype(bool)), primary(scores >= 0)
    f1s = []
    for c in range(k + 1):
        support = (true == c).sum()
        if not support:
            continue
        tp = ((true == c) & (pred == c)).sum()
        fp = ((true != c) & (pred == c)).sum()
        f1s.append(2 * tp / (2 * tp + fp + (support - tp)))
    return float(np.mean(f1s)) if f1s else 0.0


class CascadeBackend:
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

    def get_params(self) -> dict:
        return {
            "linear_params": dict(self.linear_params or {}),
            "transformer_params": dict(self.transformer_params or {}),
            "cutoff": self.cutoff,
            "max_transformer_share": self.max_transformer_share,
            "tolerance": self.tolerance,
        }

    # -- fitting --------------------------------------------------------------
    def fit(self, texts: Sequence[str], Y: np.ndarray, sample_weight: np.ndarray | None = None,
            validation: tuple[Sequence[str], np.ndarray] | None = None) -> CascadeBackend:
        from .model import make_backend

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

    def _calibrate_parts(self, texts: Sequence[str], Yv: np.ndarray) -> None:
        from .model import MentionClassifier

        k = Yv.shape[1]
        columns = tuple(str(j) for j in range(k))
        label_sets = [[columns[j] for j in np.flatnonzero(row)] for row in Yv]
        parts = {}
        for name, backend in (("linear", self.linear_), ("transformer", self.transformer_)):
            # Calibrate and tune exactly as a single-backend classifier would (columns keep
            # their precedence order), so each part alone predicts as its own model would.
            tuner = MentionClassifier(backend=name)
            tuner.classes_, tuner.backend_ = columns, backend
            tuner._tune(texts, label_sets)
            thr = np.array([tuner.thresholds_[c] for c in columns], dtype=np.float64)
            parts[name] = (backend.decision_function(texts), np.asarray(tuner.calibration_, np.float64), thr)
        self.linear_calibration_, self.linear_thresholds_ = parts["linear"][1], parts["linear"][2]
        self.transformer_calibration_, self.transformer_thresholds_ = parts["transformer"][1], parts["transformer"][2]
        lin = self._relative(parts["linear"][0], "linear")
        tra = self._relative(parts["transformer"][0], "transformer")
        margin = np.abs(lin).min(axis=1)
        # Candidate cut-offs: every 5% of the validation mentions sent to the transformer.
        shares = np.linspace(0, 1, 21)
        curve = []
        for share in shares:
            cut = self._cut_for_share(margin, share)
            mixed = np.where((margin >= cut)[:, None], lin, tra)
            curve.append({"cutoff": cut, "transformer_share": float((margin < cut).mean()),
                          "macro_f1": primary_macro_f1(mixed, Yv)})
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

    def _relative(self, raw: np.ndarray, part: str) -> np.ndarray:
        cal = self.linear_calibration_ if part == "linear" else self.transformer_calibration_
        thr = self.linear_thresholds_ if part == "linear" else self.transformer_thresholds_
        return _logit(_calibrated(raw, cal)) - _logit(thr)

    # -- inference ------------------------------------------------------------
    def route(self, texts: Sequence[str], cutoff: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Threshold-relative scores and a mask of the mentions the transformer answered."""
        texts = list(texts)
        cut = self.cutoff_ if cutoff is None else cutoff
        scores = self._relative(self.linear_.decision_function(texts), "linear")
        unsure = np.abs(scores).min(axis=1) < cut if len(texts) else np.zeros(0, dtype=bool)
        if self.transformer_ is None:  # loaded without the transformer extra
            unsure[:] = False
        if unsure.any():
            idx = np.flatnonzero(unsure)
            scores[idx] = self._relative(self.transformer_.decision_function([texts[i] for i in idx]), "transformer")
        return scores, unsure

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        return self.route(texts)[0]

    def with_cutoff(self, cutoff: float) -> CascadeBackend:
        """A copy answering with another cut-off (0: all linear; inf: all transformer)."""
        import copy

        other = copy.copy(self)
        other.cutoff_ = float(cutoff)
        return other

    # -- persistence ----------------------------------------------------------
    def _state(self) -> dict:
        return {
            "cutoff": self.cutoff_,
            "linear_calibration": self.linear_calibration_.tolist(),
            "linear_thresholds": self.linear_thresholds_.tolist(),
            "transformer_calibration": self.transformer_calibration_.tolist(),
            "transformer_thresholds": self.transformer_thresholds_.tolist(),
            "validation_curve": self.validation_curve_,
        }

    def to_disk(self, path: Path) -> list[str]:
        path = Path(path)
        files = self.linear_.to_disk(path) + self.transformer_.to_disk(path)
        state = self._state()
        state["validation_curve"] = [
            {**c, "cutoff": c["cutoff"] if np.isfinite(c["cutoff"]) else "inf"} for c in state["validation_curve"]
        ]
        (path / CASCADE_FILE).write_text(json.dumps(state, indent=2) + "\n", "utf-8")
        return files + [CASCADE_FILE]

    @classmethod
    def from_disk(cls, path: Path, params: dict) -> CascadeBackend:
        from .model import make_backend

        backend = cls(**params)
        path = Path(path)
        backend.linear_ = LinearBackend.from_disk(path, dict(backend.linear_params or {}))
        try:
            transformer_cls = type(make_backend("transformer", backend.transformer_params))
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
        backend.linear_calibration_ = np.array(state["linear_calibration"], dtype=np.float64)
        backend.linear_thresholds_ = np.array(state["linear_thresholds"], dtype=np.float64)
        backend.transformer_calibration_ = np.array(state["transformer_calibration"], dtype=np.float64)
        backend.transformer_thresholds_ = np.array(state["transformer_thresholds"], dtype=np.float64)
        backend.validation_curve_ = [
            {**c, "cutoff": float(c["cutoff"])} for c in state.get("validation_curve", [])
        ]
        return backend


def standalone(clf, part: str):
    """A fitted single-backend classifier (``"linear"`` or ``"transformer"``) taken out of a cascade.

    It has the sub-model's own calibration and thresholds (fitted on the same validation
    data the cascade used), so it predicts exactly as that sub-model does inside the
    cascade; it can be saved and shipped like any other model.
    """
    from .model import MentionClassifier

    backend = clf.backend_
    if getattr(backend, "name", None) != "cascade" or part not in ("linear", "transformer"):
        raise MentionInsightError(f"standalone() takes a cascade classifier and 'linear' or 'transformer'; got {part!r}.")
    sub = backend.linear_ if part == "linear" else backend.transformer_
    params = clf.get_params()
    params["backend"] = part
    params["backend_params"] = sub.get_params()
    out = MentionClassifier(**params)
    out.backend_ = sub
    out.classes_ = clf.classes_
    out.precedence_ = clf.precedence_
    cal = backend.linear_calibration_ if part == "linear" else backend.transformer_calibration_
    thr = backend.linear_thresholds_ if part == "linear" else backend.transformer_thresholds_
    out.calibration_ = np.array(cal, dtype=np.float64)
    out.thresholds_ = {c: float(t) for c, t in zip(clf.classes_, thr)}
    out._threshold_array = np.array(thr, dtype=np.float64)
    out.n_train_, out.n_validation_, out.data_fingerprint_ = clf.n_train_, clf.n_validation_, clf.data_fingerprint_
    return out
