"""mention_insight: classify mentions of neighbourhood police accounts and report their impact.

>>> from mention_insight import classify
>>> classify("Thanks for popping round yesterday").label  # doctest: +SKIP
'thanks'
"""

from .api import classify, load_model
from .errors import MentionInsightError
from .model import MentionClassifier, Prediction
from .train import LabelledData, train

__version__ = "0.1.0"

__all__ = [
    "LabelledData",
    "MentionClassifier",
    "MentionInsightError",
    "Prediction",
    "__version__",
    "classify",
    "load_model",
    "train",
]
