"""Shared fixtures. Every test runs offline with a throw-away HOME."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

TOY = {
    "thanks": [
        "thanks so much for coming round yesterday",
        "great work catching them lads",
        "cheers for the heads up 👍",
        "thank you officer, really reassuring 🙏",
        "brilliant job at the school gates today",
    ],
    "visit_request": [
        "can someone come round please",
        "please patrol the park tonight",
        "can you DM me, need to report something",
        "could an officer call me back",
        "any chance of a visit to the shops later",
    ],
    "shared_info": [
        "kids throwing eggs on Wilmslow Rd",
        "street light out by the tram stop",
        "suspicious van parked outside number 4",
        "motorbikes on the field again",
        "saw two lads trying car doors on Elm St",
    ],
    "complaint": [
        "rang 101 three times nobody came",
        "pointless tweeting if you do nothing",
        "useless, waited hours for a reply 😡",
        "thanks for nothing 🙄",
        "still no response after a week, disgraceful",
    ],
    "other": [
        "what time is the match on",
        "lol",
        "RT @someone: road closed",
        "nice weather today",
        "anyone know a good plumber",
    ],
}


def toy_data(n_per_label: int = 24, seed: int = 0):
    """Small labelled data: variants of the TOY sentences, every label present."""
    rng = random.Random(seed)
    texts, labels = [], []
    for label, examples in TOY.items():
        for i in range(n_per_label):
            base = examples[i % len(examples)]
            extra = rng.choice(["", " mate", " x", "!!", " #Didsbury", " @NPT_Didsbury"])
            texts.append(f"{base}{extra} {i}")
            labels.append([label])
    return texts, labels


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.delenv("MENTION_INSIGHT_MODEL", raising=False)


@pytest.fixture(scope="session")
def toy_model_dir(tmp_path_factory):
    """A small linear model trained on toy data and saved (shared by many tests)."""
    from mention_insight import MentionClassifier

    texts, labels = toy_data()
    clf = MentionClassifier(random_state=0).fit(texts, labels, validation=(texts, labels))
    path = tmp_path_factory.mktemp("models") / "toy"
    clf.save(path)
    return path


@pytest.fixture
def toy_model(toy_model_dir):
    from mention_insight import load_model

    return load_model(toy_model_dir, cache=False)


SAMPLE_EXPORT = Path(__file__).resolve().parents[1] / "data" / "samples" / "mentions_export.csv"


@pytest.fixture(scope="session")
def sample_classified(tmp_path_factory):
    """The bundled sample export classified once by the bundled model (``mention-insight classify``)."""
    from click.testing import CliRunner

    from mention_insight.cli import cli

    out = tmp_path_factory.mktemp("classified") / "classified.csv"
    result = CliRunner().invoke(cli, ["classify", str(SAMPLE_EXPORT), "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    return out
