"""mention-insight suggest: a random share, the uncertain and the diverse; the export untouched."""

import csv
import hashlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from mention_insight.cli import cli
from mention_insight.insight.mentions import Mention
from mention_insight.suggest import choose, k_centre_greedy, margins, near_duplicate_key

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "mentions_export.csv"
ANSWER_KEY = SAMPLE.parent / "mentions_labels.csv"


def _mention(i: int, text: str, score: float) -> Mention:
    return Mention(line=i + 2, text=text, label="thanks", labels=("thanks",), scores={"thanks": score}, id=str(i))


@pytest.fixture(scope="module")
def suggested(tmp_path_factory, sample_classified):
    out = tmp_path_factory.mktemp("suggest") / "to_label.csv"
    result = CliRunner().invoke(cli, ["suggest", str(sample_classified), "-n", "60", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "60 of 406 public mentions suggested (18 random, 21 uncertain, 21 diverse)" in result.output
    with out.open(newline="", encoding="utf-8") as fh:
        return out, list(csv.DictReader(fh))


def test_the_output_has_id_text_empty_labels_and_why(suggested):
    _, rows = suggested
    assert len(rows) == 60
    assert set(rows[0]) == {"id", "text", "labels", "why", "model_id"}
    assert all(r["labels"] == "" for r in rows)
    assert len({r["id"] for r in rows}) == 60
    assert sorted({r["why"] for r in rows}) == ["diverse", "random", "uncertain"]


def test_model_picks_skip_near_duplicates_and_retweets():
    texts = ["RT @NPT_Didsbury great work today"] + [f"@NPT_Didsbury the park gates again {i % 3}" for i in range(9)]
    mentions = [_mention(i, t, 0.5) for i, t in enumerate(texts)]
    picks = choose(mentions, {"thanks": 0.5}, 5, random_share=0.0)
    keys = [near_duplicate_key(s.mention.text) for s in picks]
    assert len(keys) == len(set(keys)) == 3  # three distinct texts; nothing else is left to suggest
    assert not any(s.mention.text.startswith("RT") for s in picks)


def test_uncertain_picks_are_the_ones_closest_to_a_threshold():
    rng = np.random.default_rng(0)
    mentions = [_mention(i, f"mention number {i} about topic {i}", float(rng.random())) for i in range(200)]
    picks = choose(mentions, {"thanks": 0.4}, 20, random_share=0.0)
    gaps = margins(mentions, {"thanks": 0.4})
    uncertain = [s.margin for s in picks if s.why == "uncertain"]
    assert len(uncertain) == 10
    assert max(uncertain) <= np.sort(gaps)[9] + 1e-12


def test_k_centre_greedy_spreads_its_picks():
    vectors = np.array([[1, 0], [0.99, 0.14], [0, 1], [0.1, 0.99], [0.7, 0.7]])
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert k_centre_greedy(vectors, [0], [1, 2, 3, 4], 2) == [2, 4]


def test_the_random_share_is_a_uniform_sample():
    mentions = [_mention(i, f"distinct text {i}", 0.5) for i in range(1000)]
    counts = np.zeros(1000)
    for seed in range(200):
        for s in choose(mentions, {"thanks": 0.5}, 10, random_share=1.0, seed=seed):
            counts[int(s.mention.id)] += 1
    assert counts.sum() == 2000 and counts.max() <= 10  # no mention favoured


def test_the_export_is_never_written(tmp_path, sample_classified):
    before = hashlib.sha256(sample_classified.read_bytes()).hexdigest()
    result = CliRunner().invoke(cli, ["suggest", str(sample_classified), "-o", str(sample_classified)])
    assert result.exit_code == 1
    assert "is the input file" in result.output
    foreign = tmp_path / "notes.csv"
    foreign.write_text("my,own\n1,2\n")
    result = CliRunner().invoke(cli, ["suggest", str(sample_classified), "-o", str(foreign)])
    assert result.exit_code == 1 and "was not written by mention-insight" in result.output
    assert hashlib.sha256(sample_classified.read_bytes()).hexdigest() == before
    assert foreign.read_text() == "my,own\n1,2\n"


def test_labelled_suggestions_feed_the_report_with_their_random_rows_only(suggested, tmp_path, sample_classified):
    out, rows = suggested
    with ANSWER_KEY.open(newline="", encoding="utf-8") as fh:
        key = {r["id"]: r["labels"] for r in csv.DictReader(fh)}
    labelled = tmp_path / "labelled.csv"
    with labelled.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:  # the labeller filled in the random rows and some of the others
            w.writerow({**r, "labels": key[r["id"]] if r["why"] == "random" or r["why"] == "diverse" else ""})
    report = tmp_path / "r.html"
    result = CliRunner().invoke(
        cli,
        ["report", str(sample_classified), "-o", str(report), "--formats", "json", "--labelled-sample", str(labelled)],
    )
    assert result.exit_code == 0, result.output
    assert "labelled.csv (18 labelled mentions of this export; its 42 rows chosen by the model are left out)" in (
        result.output
    )
