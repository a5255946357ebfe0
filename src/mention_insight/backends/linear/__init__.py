"""The linear backend: pooled word and char n-gram features, one logistic regression per label."""

from .backend import LinearBackend

__all__ = ["LinearBackend"]
