"""Streaming report summaries: partials of parts of an export merge into the summary of the whole."""

import json
import pickle
from pathlib import Path

import pytest

from mention_insight.impact import load_mentions, make_report, match_sample, read_labelled
from mention_insight.insight import partial as partial_module
from mention_insight.insight.pseudonym import Pseudonymiser
from mention_insight.insight.summary import new_partial, summarise
from mention_insight.model import MentionClassifier
from mention_insight.report.tables import summary_to_dict

KEY = bytes(range(32))
LABELLED = Path(__file__).resolve().parents[1] / "data" / "samples" / "mentions_labelled_sample.csv"


def _summary(partial, data, labelled):
    return summary_to_dict(
        summarise(
            partial,
            source=data.source,
            model_id=data.model_id,
            model_config=data.model_config,
            pseudonymiser=Pseudonymiser(KEY),
            sample=match_sample(labelled, partial.candidates),
        )
    )


@pytest.fixture(scope="module")
def data(sample_classified):
    return load_mentions(sample_classified)


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_partials_of_parts_merge_into_the_summary_of_the_whole(data, parts):
    labelled = read_labelled(LABELLED, data.labels)
    whole = new_partial(data.labels, sample_keys=labelled.keys())
    for m in data.mentions:
        whole.add(m)
    pieces = [new_partial(data.labels, sample_keys=labelled.keys(), chunk=i) for i in range(parts)]
    size = -(-len(data.mentions) // parts)
    for i, piece in enumerate(pieces):
        for m in data.mentions[i * size : (i + 1) * size]:
            piece.add(m)
    # as Dask or another process would hand them back: pickled, merged in any order of arrival
    shipped = [pickle.loads(pickle.dumps(p)) for p in reversed(pieces)]
    merged = shipped[0]
    for p in shipped[1:]:
        merged.merge(p)
    expected = _summary(whole, data, labelled)
    got = _summary(merged, data, labelled)
    assert got == expected
    assert got["totals"]["mentions"] > 400  # a real summary, its estimates corrected by the labelled sample
    assert got["overall"]["estimated"]["complaint"]["corrected"] is True
    assert got["overall"]["replies"]["replied"] > 0 and got["repeat_contacts"]


def test_partials_read_with_other_options_refuse_to_merge(data):
    a = new_partial(data.labels, by="account")
    b = new_partial(data.labels, by="area")
    with pytest.raises(ValueError, match="partials read with different labels or options cannot be merged"):
        a.merge(b)


def test_a_classified_export_is_reported_without_loading_a_model(tmp_path, sample_classified, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(MentionClassifier, "load", refuse)
    out = tmp_path / "r.html"
    result = make_report(sample_classified, out, formats=("json",), labelled_sample=LABELLED)
    summary = json.loads(out.with_suffix(".json").read_text())
    assert summary["totals"]["mentions"] == result.summary.mentions > 400
    assert summary["model_id"].startswith("default@")
    assert summary["method"]["error_rates"]  # the named model's held-out rates, read from its config alone


def test_themes_of_a_large_label_come_from_a_sample_and_say_so(data, monkeypatch):
    monkeypatch.setattr(partial_module, "THEME_SAMPLE", 20)
    p = new_partial(data.labels)
    for m in data.mentions:
        p.add(m)
    assert all(len(heap) <= 20 for heap in p.themes.values())
    s = summarise(p, pseudonymiser=Pseudonymiser(KEY))
    label = max(s.overall.counts, key=s.overall.counts.get)
    themes = s.themes[label]
    assert (themes.read, themes.of) == (20, s.overall.counts[label]) and themes.sampled
    assert summary_to_dict(s)["themes"][label]["estimated_from_sample"] == {"read": 20, "of": themes.of}


def test_only_csv_cells_are_unescaped_when_read_back(tmp_path):
    """classify escapes formula-like CSV cells with a leading apostrophe; JSON Lines is written as it is."""
    row = {
        "id": "1",
        "text": "'=A1 is what the sign said",
        "label": "other",
        "labels": ["other"],
        "score_other": 0.9,
        "model_id": "toy@1",
        "error": None,
    }
    path = tmp_path / "classified.jsonl"
    path.write_text(json.dumps(row) + "\n")
    assert load_mentions(path).mentions[0].text == "'=A1 is what the sign said"
    csv_path = tmp_path / "classified.csv"
    csv_path.write_text(
        "id,text,label,labels,score_other,model_id,error\n1,'=A1 is what the sign said,other,other,0.9,toy@1,\n"
    )
    assert load_mentions(csv_path).mentions[0].text == "=A1 is what the sign said"
