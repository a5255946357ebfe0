from mention_insight.text import Normalizer, normalise


def test_social_media_tokens_are_normalised():
    toks = Normalizer().tokens(
        "@GMP_Didsbury thanks sooooo much!!! 🙏 #OpRetrieve https://t.co/abc &amp; mail a.b@example.com or 07700 900123, ring 101"
    )
    assert toks[:4] == ["@user", "thanks", "soo", "much"]
    assert "🙏" in toks
    assert toks[toks.index("🙏") + 1 : toks.index("🙏") + 3] == ["op", "retrieve"]
    assert "<url>" in toks and "<email>" in toks and "&" in toks
    assert "amp" not in toks
    assert "<num>" in toks and "101" in toks


def test_shouting_is_flagged_and_case_folded():
    toks = Normalizer().tokens("THANKS FOR NOTHING 😡")
    assert toks == ["thanks", "for", "nothing", "😡", "<allcaps>"]
    assert "<allcaps>" not in Normalizer().tokens("RT @x: OK then")


def test_pipe_equals_one_at_a_time():
    texts = ["a &amp; b", "#ASB on Fog Lane", "lol 😂😂", ""]
    n = Normalizer()
    assert list(n.pipe(texts)) == [n.tokens(t) for t in texts]


def test_normalise_joins_tokens():
    assert normalise("Cheers for the heads up @PCSO_Jones") == "cheers for the heads up @user"


def test_fast_path_for_plain_words_matches_spacy():
    """Plain ASCII words and numbers skip spaCy; the result must be what spaCy gives."""
    from mention_insight.text import Normalizer, _special_cases

    words = [
        "hello",
        "THANKS",
        "Thanksss",
        "cannot",
        "dont",
        "gonna",
        "RT",
        "101",
        "07700",
        "Didsbury",
        "x",
        "OK",
        "lol",
        "Im",
        "ain",
        "wanna",
        "ABC",
        "sooooo",
        "B",
        "i",
    ]
    n = Normalizer()
    for w in words:
        assert n._chunk(w) == n._spacy_chunk(w), w
    assert "cannot" in _special_cases()


def test_fast_path_for_words_with_trailing_punctuation_matches_spacy():
    """A word followed by !, ? and , (or one .) skips spaCy; the result must be what spaCy gives."""
    import csv
    from pathlib import Path

    from mention_insight.text import Normalizer

    root = Path(__file__).resolve().parents[1]
    words = {
        "hello",
        "THANKS",
        "Thanksss",
        "cannot",
        "dont",
        "gonna",
        "RT",
        "Didsbury",
        "x",
        "OK",
        "lol",
        "Im",
        "wanna",
        "ABC",
        "B",
        "i",
        "a",
        "p",
        "u",
        "mr",
        "Mr",
        "st",
        "etc",
        "vs",
        "inc",
        "Inc",
        "co",
        "Co",
        "jan",
        "no",
        "ca",
        "don",
        "e",
        "ok",
        "can",
        "let",
        "Dr",
        "dr",
        "Mrs",
        "jr",
        "Jan",
        "Feb",
        "Sept",
        "ft",
        "am",
        "pm",
        "aB",
        "AbC",
        "xY",
        "I",
        "GMP",
        "PCSO",
        "NHS",
        "UK",
        "US",
        "ASB",
    }
    for path in (root / "training/data/seed_mentions.csv", root / "data/samples/mentions_export.csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                words.update(w.strip("!?,.") for w in row["text"].split())
    words = {w for w in words if w.isascii() and w.isalpha()}
    assert len(words) > 1000
    n = Normalizer()
    for w in sorted(words):
        for punct in ("!", "!!", "!!!", "?", "??", "?!", "!?", ",", ",,", ".", "..", "...", ".,", "!.", ".!", "'"):
            chunk = w + punct
            assert n._chunk(chunk) == n._spacy_chunk(chunk), chunk
