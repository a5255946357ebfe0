"""Exceptions raised by mention_insight.

Every error says what was expected, what was found and how to fix it. The CLI turns
any :class:`MentionInsightError` into one line on stderr and exit code 1.
"""

from __future__ import annotations


class MentionInsightError(Exception):
    """Base class of every error this package raises on purpose."""


class InputFormatError(MentionInsightError):
    """An input file cannot be read: unknown format, malformed JSON, wrong encoding."""


class ColumnError(InputFormatError):
    """A required column (text, labels) is missing or ambiguous in an input file."""


class EncodingError(InputFormatError):
    """Bytes in an input file cannot be decoded with the chosen encoding."""


class LabelError(MentionInsightError):
    """Training labels are unusable: unknown, empty, contradictory or too rare."""


class ModelError(MentionInsightError):
    """A model directory is missing, corrupt, tampered with or of a newer format."""


class NotFittedError(MentionInsightError):
    """A classifier was used before ``fit`` was called."""


class BackendUnavailableError(MentionInsightError):
    """An optional backend's dependencies (torch, onnxruntime) are not installed."""


class MissingDependencyError(MentionInsightError):
    """An optional dependency a file format needs (pyarrow for Parquet) is not installed."""


class ReportError(MentionInsightError):
    """A report cannot be made as asked: unknown period or grouping, bad date bound, bad key file."""


class DataWarning(UserWarning):
    """Training data was usable but something in it was dropped or looks wrong."""


class OutputPathError(MentionInsightError):
    """An output path would destroy a user's file: it is an input, a directory, or a file of another kind."""
