"""Chinese words in the search index are split fine enough to find a word inside a word."""

from __future__ import annotations

from types import SimpleNamespace

from baodan.models.texts import SearchWords
from baodan.web.search_words import learn_words, pieces, refine, split_word


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


def test_pieces_are_materials_segmentation_refined_cuts_kept_or_not():
    """pieces() keeps each run's cut (a product's name recurs in thousands of entries): what it
    gives equals Material's own segmentation, refined, the first time and again; and a word
    jieba learns after a run was cut changes that run's cut."""
    from material.plugins.search.plugin import SearchIndex

    def plain(text: str) -> str:
        return refine(SearchIndex._segment_chinese(None, text))

    texts = [
        "BD-2026-7K3QX · 平安福终身寿险",
        "人保 PICC-88 年度免赔额",
        "平安福终身寿险",
        "A·B 中文，3 年",
    ]
    for text in texts + texts:
        assert pieces(text) == plain(text)
    before = pieces("保单贷款利率很低")
    # As each build does with the firm's search words: here a word jieba does not know yet.
    words = SimpleNamespace(get=lambda name, model: SearchWords(words=["款利率很"]))
    learn_words(words)
    assert pieces("保单贷款利率很低") == plain("保单贷款利率很低") != before
