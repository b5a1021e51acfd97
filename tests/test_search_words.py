"""Chinese words in the search index are split fine enough to find a word inside a word."""

from __future__ import annotations

from baodan.web.search_words import refine, split_word


def test_long_words_become_the_words_they_are_made_of():
    assert split_word("恶性肿瘤") == ("恶性", "肿瘤")
    for word in ("被保险人", "重大疾病保险", "偿付能力充足率"):
        pieces = split_word(word)
        assert "".join(pieces) == word
        assert all(len(p) <= 2 for p in pieces)


def test_text_reads_the_same_only_the_invisible_separators_change():
    text = "<p>\u200b重大疾病\u200b保险\u200b（\u200b简称\u200b重疾险\u200b）</p>"
    refined = refine(text)
    assert refined.replace("\u200b", "") == text.replace("\u200b", "")
    assert "\u200b重大\u200b疾病\u200b保险\u200b" in refined
