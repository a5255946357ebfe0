from mention_insight.text import Normalizer, normalise


def test_social_media_tokens_are_normalised():
    toks = Normalizer().tokens(
        "@GMP_Didsbury thanks sooooo much!!! 🙏 #OpRetrieve https://t.co/abc &amp; mail a.b@example.com or 07700 900123, ring 101"
    )
    assert toks[:4] == ["@user", "thanks", "soo", "much"]
    assert "🙏" in toks
    assert ["op", "retrieve"] == toks[toks.index("🙏") + 1 : toks.index("🙏") + 3]
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

    words = ["hello", "THANKS", "Thanksss", "cannot", "dont", "gonna", "RT", "101", "07700", "Didsbury", "x", "OK",
             "lol", "Im", "ain", "wanna", "ABC", "sooooo", "B", "i"]
    n = Normalizer()
    for w in words:
        fast = n._chunk(w)
        # the spaCy path, forced by adding punctuation that spaCy splits off again
        slow_tokens, slow_shouted = n._chunk(w + "!")
        assert fast == (slow_tokens[:-1], slow_shouted), w
    assert "cannot" in _special_cases()
