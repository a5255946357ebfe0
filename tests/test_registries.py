"""The extension points: one registry each, read by the CLI and the error messages."""

import pytest
from click.testing import CliRunner

from mention_insight.backends import BACKENDS, backend_class, make_backend
from mention_insight.backends.base import Backend
from mention_insight.cli import cli
from mention_insight.errors import MentionInsightError
from mention_insight.io import FORMATS


def test_every_backend_follows_the_contract():
    for name in BACKENDS:
        cls = backend_class(name)
        assert cls.name == name
        assert isinstance(make_backend(name), Backend)


def test_backend_params_round_trip_through_get_params():
    backend = make_backend("linear", {"C": 2.0, "char_range": (3, 4)})
    assert backend.get_params()["C"] == 2.0 and backend.get_params()["char_range"] == [3, 4]
    assert make_backend("linear", backend.get_params()).get_params() == backend.get_params()


def test_unknown_backend_lists_the_registry():
    with pytest.raises(
        MentionInsightError, match=r"unknown backend 'svm': expected 'linear', 'transformer', 'cascade' or 'adapted'"
    ):
        make_backend("svm")


def test_cli_choices_come_from_the_registries():
    train_help = CliRunner().invoke(cli, ["train", "--help"]).output
    for name in BACKENDS:
        assert name in train_help
    classify_help = CliRunner().invoke(cli, ["classify", "--help"]).output
    for name in FORMATS:
        assert name in classify_help
