"""Chinese words in the search index are split fine enough to find a word inside a word."""

from __future__ import annotations

import json
import marshal
import subprocess
import sys
from pathlib import Path
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


def test_jieba_imported_without_pkg_resources_cuts_the_same(tmp_path):
    """import_jieba spares the build importing pkg_resources; jieba then still finds its
    dictionary (here built afresh: no cache in an empty folder) and cuts as before."""
    text = "被保险人在等待期内确诊恶性肿瘤的，保险公司退还已交保费"
    code = (
        "import sys, logging\n"
        "from baodan.web.search_words import import_jieba\n"
        "if sys.argv[1] == 'spared': import_jieba()\n"
        "import jieba\n"
        "jieba.setLogLevel(logging.WARNING)\n"
        "jieba.dt.tmp_dir = sys.argv[2]\n"
        "print('pkg_resources' in sys.modules, '|'.join(jieba.cut(sys.argv[3])))\n"
    )
    cuts = {}
    for how in ("spared", "plain"):
        cache = tmp_path / how
        cache.mkdir()
        done = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", code, how, str(cache), text],
            capture_output=True,
            text=True,
            check=True,
        )
        cuts[how] = done.stdout.split(" ", 1)
        assert list(cache.iterdir()), "jieba built its dictionary"
    assert cuts["spared"][0] == "False" and cuts["plain"][0] == "True"
    assert cuts["spared"][1] == cuts["plain"][1] and "|恶性肿瘤|" in cuts["spared"][1]


CUT_EVERY_WAY = """
import json, logging, sys
from pathlib import Path
import jieba
from baodan.web import jieba_dictionary
from baodan.web.search_words import split_word
jieba.setLogLevel(logging.WARNING)
how, cache, texts = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
if how == "plain":
    jieba.initialize()
else:
    jieba_dictionary.initialize(cache)
sharded = isinstance(jieba.dt.FREQ, jieba_dictionary.ShardedFreq)
assert sharded == (how == "by first character"), how
cuts = [list(jieba.cut(texts[0]))]
jieba.add_word("免赔额", 1000)  # as learn_words does: after the first cut, and before others
jieba.add_word("等待期内", 7)
jieba.add_word("鼹鼠", 5)  # a word of the dictionary, of a character not read yet
for text in texts:
    cuts += [list(jieba.cut(text)), list(jieba.cut(text, HMM=False)), list(jieba.cut_for_search(text))]
    cuts.append([split_word(w) for w in jieba.cut(text) if len(w) > 2])
words = ["鼹鼠", "免赔额", "免赔", "等待期", "等待期内", "保险", "不是一个词"]
print(json.dumps([cuts, jieba.dt.total, [jieba.dt.FREQ.get(w) for w in words], [w in jieba.dt.FREQ for w in words]]))
"""


def test_the_dictionary_read_by_first_character_cuts_as_jieba_does(tmp_path):
    """web/jieba_dictionary.py: the first build writes the cache (and cuts with jieba's
    dictionary), later ones read it by first character; every cut is jieba's own."""
    texts = [p.read_text("utf-8") for p in sorted(Path("records").rglob("*.md"))[:12]]
    texts += ["年度免赔额由被保险人在等待期内承担", "ABC 123 保险 Insurance 〇〇 重疾险理赔"]
    assert len("".join(texts)) > 10_000

    def cut(how: str) -> list:
        done = subprocess.run(
            [sys.executable, "-c", CUT_EVERY_WAY, how, str(tmp_path), json.dumps(texts)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout)

    plain = cut("plain")
    assert not list(tmp_path.iterdir())
    assert cut("first build") == plain  # jieba's own initialisation; writes the cache
    assert [p.name for p in tmp_path.iterdir()] == ["jieba-0.42.1-by-first-character.cache"]
    assert cut("by first character") == plain


def test_a_damaged_dictionary_cache_is_read_as_none(tmp_path):
    from baodan.web import jieba_dictionary

    source = jieba_dictionary._source()
    path = tmp_path / "cache"
    for damaged in (b"", b"\x00garbage", marshal.dumps((source, "parts", 5))):
        path.write_bytes(damaged)
        assert jieba_dictionary._read_cache(path, source) is None
    jieba_dictionary._write_cache(path, source, {"保险": 3, "保": 0, "人": 2}, 5)
    parts, total = jieba_dictionary._read_cache(path, source)
    assert total == 5 and jieba_dictionary._read_cache(path, (*source[:-1], 0)) is None
    freq = jieba_dictionary.ShardedFreq(parts)
    assert dict.__len__(freq) == 0 and freq.get("保险") == 3 and dict.__len__(freq) == 2
    assert "人" in freq and freq["人"] == 2 and "我" not in freq
    freq["保单"] = 1
    assert freq.get("保") == 0 and freq["保单"] == 1
    # A cache folder that cannot be made (here a file is in the way): no cache, no error.
    blocked = tmp_path / "file" / "cache"
    blocked.parent.write_text("", "utf-8")
    jieba_dictionary._write_cache(blocked, source, {"保险": 3}, 3)
    assert not blocked.exists() and sorted(tmp_path.iterdir()) == [path, blocked.parent]


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
