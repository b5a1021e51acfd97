"""Finer Chinese words in Material's search index, so a word inside a longer one is found.

Material (``search: lang: zh``) splits Chinese text with jieba's accurate mode and separates
the words with zero-width spaces; the browser then matches each query word against the start
of an indexed word. 恶性肿瘤 stays one word, so a search for 肿瘤 finds nothing. Here every
word longer than two characters is split again into the dictionary words it is made of
(恶性|肿瘤, 被|保险|人). The text reads exactly as before (the separators are invisible), and
Material's in-browser segmentation of a longer query (it greedily matches query pieces
against indexed words) still finds the whole word.

Both depend on jieba knowing the words a reader types. Insurance words it lacks
(data/search_words.yaml) are added to its dictionary first (``learn_words``): otherwise
年度免赔额 is cut 年度|免|赔额 and a search for 免赔额 does not find it.
"""

from __future__ import annotations

import json
import math
import re
import sys
from functools import lru_cache
from pathlib import Path

from baodan.core.rules import Rules
from baodan.models.texts import SearchWords
from baodan.web import jieba_dictionary

SEPARATOR = "\u200b"
HAN_WORD = re.compile(r"[\u4e00-\u9fff]{3,}")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# How common an added word is to jieba: as an everyday word (免 1786, 额 2464), so it is
# kept whole, and a longer word splits around it (免赔|额, not 免|赔额).
WORD_FREQ = 1000


def import_jieba() -> None:
    """Import jieba, unless something has, without importing pkg_resources for it: jieba
    only opens its own dictionary file with it, which it also does without, and importing
    pkg_resources reads the metadata of every installed package (0.1 s of every build).
    Material's search plugin imports jieba when MkDocs loads the configuration: call this
    before."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        return
    sys.modules["pkg_resources"] = None  # an import of it raises ImportError
    try:
        import jieba  # noqa: F401
    finally:
        del sys.modules["pkg_resources"]


def learn_words(rules: Rules) -> None:
    """Add the firm's search words (data/search_words.yaml) to jieba's dictionary (once a
    process)."""
    import jieba

    jieba_dictionary.initialize()
    words = rules.get("search_words", SearchWords).words
    if all(jieba.dt.FREQ.get(w) == WORD_FREQ for w in words):
        return
    for word in words:
        jieba.add_word(word, WORD_FREQ)
    for kept in (split_word, cut_run, refined_run):
        kept.cache_clear()


def refine_search_index(
    path: Path, extra: list[dict] = (), complete=None, memo: dict[str, str] | None = None
) -> None:
    """Rewrite search/search_index.json in place with the finer words, adding ``extra``
    entries (their text segmented here, unless marked ``whole``: cut already). ``complete``
    turns the (refined) entries written by this build into the whole site's, and ``memo``
    holds the extra entries' texts as the previous build indexed them, by text (`baodan
    serve`: segmenting every client page's text again was most of a rebuild; the memo keeps
    only this build's texts)."""
    if not path.is_file():
        return
    data = json.loads(path.read_text("utf-8"))
    docs = data.get("docs", [])
    for doc in docs:
        _refine_doc(doc)
    known = memo if memo is not None else {}
    made: dict[str, str] = {}

    def indexed(text: str) -> str:
        if text not in made:
            made[text] = known[text] if text in known else pieces(text)
        return made[text]

    for doc in extra:  # in order: a page's entry comes before its sections' (Material needs it)
        if doc.get("whole"):  # cut already (staff_pages.client_search_text)
            docs.append({k: v for k, v in doc.items() if k != "whole"})
        else:
            docs.append({**doc, "title": indexed(doc["title"]), "text": indexed(doc["text"])})
    data["docs"] = docs
    if memo is not None:
        memo.clear()
        memo.update(made)
    if complete is not None:
        data["docs"] = complete(data["docs"])
    path.write_text(json.dumps(data, separators=(",", ":")), "utf-8")


def _refine_doc(doc: dict) -> dict:
    for key in ("title", "text"):
        if isinstance(doc.get(key), str):
            doc[key] = refine(doc[key])
    return doc


@lru_cache(maxsize=65536)
def cut_run(run: str) -> str:
    """A run of Han characters cut into jieba's words, separated and surrounded by zero-width
    spaces. Kept (and refined_run): the same product, insurer and family names recur across
    thousands of search entries; learn_words forgets them when jieba's dictionary changes."""
    import jieba

    jieba_dictionary.initialize()
    return SEPARATOR + SEPARATOR.join(jieba.cut(run)) + SEPARATOR


def pieces(text: str) -> str:
    """``text`` in the finer words Material's index holds: as Material's search plugin
    segments it with lang: zh (runs of Han characters cut into jieba's words, separated and
    surrounded by zero-width spaces), then refined. Made a run at a time: what ``refine``
    splits lies within one run's cut."""
    return HAN_RUN.sub(lambda match: refined_run(match.group(0)), text).strip(SEPARATOR)


@lru_cache(maxsize=65536)
def refined_run(run: str) -> str:
    return refine(cut_run(run))


def refine(text: str) -> str:
    """Split every run of three or more Han characters between separators into smaller words."""
    return HAN_WORD.sub(lambda m: SEPARATOR.join(split_word(m.group(0))), text)


@lru_cache(maxsize=65536)
def split_word(word: str) -> tuple[str, ...]:
    """A word of three or more characters as the dictionary words it is made of, never itself
    (jieba's most probable route through the word without the whole-word edge); pieces
    still longer than two characters are split again."""
    if len(word) <= 2:
        return (word,)
    import jieba

    jieba_dictionary.initialize()
    dt = jieba.dt
    last = len(word) - 1
    dag = dt.get_DAG(word)
    dag[0] = [end for end in dag[0] if end != last] or [0]
    route: dict[int, tuple[float, int]] = {len(word): (0.0, 0)}
    log_total = math.log(dt.total)
    for i in range(last, -1, -1):
        route[i] = max(
            (math.log(dt.FREQ.get(word[i : end + 1]) or 1) - log_total + route[end + 1][0], end)
            for end in dag[i]
        )
    pieces, i = [], 0
    while i <= last:
        end = route[i][1]
        pieces.extend(split_word(word[i : end + 1]))
        i = end + 1
    return tuple(pieces)
