"""Chinese words in the search index are split fine enough to find a word inside a word."""

from __future__ import annotations

import subprocess
import sys

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
