import pytest

from mention_insight.errors import LabelError
from mention_insight.labels import check_label_name, order_labels, parse_labels, primary_label, resolve_precedence


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("visit_request;complaint", ["visit_request", "complaint"]),
        (" Thanks | shared_info ", ["thanks", "shared_info"]),
        ("thanks,thanks", ["thanks"]),
        (["a", "b"], ["a", "b"]),
        ("", []),
        (None, []),
    ],
)
def test_parse_labels(cell, expected):
    assert parse_labels(cell) == expected


def test_codebook_precedence_picks_the_action_first():
    order = resolve_precedence(["thanks", "visit_request", "complaint", "shared_info"])
    assert order == ("visit_request", "complaint", "shared_info", "thanks", "other")
    assert primary_label({"thanks", "visit_request"}, order) == "visit_request"
    assert primary_label({"shared_info", "complaint"}, order) == "complaint"
    assert primary_label(set(), order) == "other"


def test_new_categories_go_after_the_named_ones_and_before_the_fallback():
    order = resolve_precedence(["thanks", "lost_property", "complaint", "abuse"])
    assert order == ("complaint", "thanks", "abuse", "lost_property", "other")
    assert order_labels(["other", "abuse", "complaint"], order) == ("complaint", "abuse", "other")


def test_custom_precedence_is_respected():
    order = resolve_precedence(["thanks", "complaint"], precedence=["thanks", "complaint"])
    assert primary_label({"thanks", "complaint"}, order) == "thanks"


def test_invalid_label_name_says_how_to_fix():
    with pytest.raises(LabelError, match="not a valid label name: use lower-case letters"):
        check_label_name("Visit Request")
