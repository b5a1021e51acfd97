"""jieba's dictionary read one first character at a time, as the text being cut needs it.

jieba loads its whole dictionary (498,113 words and word prefixes, half a second) before it
cuts the first sentence, and a build's search texts use the words of a few hundred
characters. Every look-up jieba makes is of a piece of the text being cut, and the words a
piece can be are those starting with its first character: so the dictionary is kept in this
user's cache folder split by first character (each part marshalled on its own, 9 MB in all,
written from jieba's own dictionary the first time), and a part is read when jieba first asks
for a word starting with its character. The words, their frequencies and the total are
jieba's, so it cuts every text as before (tests/test_search_words.py compares).

The dictionary is not the firm's data: nothing of a record goes into the cache.
"""

from __future__ import annotations

import marshal
import os
import tempfile
from pathlib import Path

FORMAT = 1


class ShardedFreq(dict):
    """jieba's ``Tokenizer.FREQ``: a dict that adds a first character's words to itself
    before it answers about a word starting with that character. Only the methods jieba
    (and web/search_words.py) use are needed: ``in``, ``[]``, ``get`` and setting a word."""

    __slots__ = ("_parts",)

    def __init__(self, parts: dict[str, bytes]):
        super().__init__()
        self._parts = dict(parts)  # first character -> its words, marshalled; until read

    def _read(self, word: str) -> bool:
        part = self._parts.pop(word[:1], None)
        if part is None:
            return False
        # No word of this character is in the dict yet: setting one reads the part first.
        dict.update(self, marshal.loads(part))
        return True

    def __contains__(self, word) -> bool:
        return dict.__contains__(self, word) or (self._read(word) and dict.__contains__(self, word))

    def __missing__(self, word):
        if self._read(word):
            return dict.__getitem__(self, word)
        raise KeyError(word)

    def get(self, word, default=None):
        if word[:1] in self._parts:
            self._read(word)
        return dict.get(self, word, default)

    def __setitem__(self, word, value) -> None:
        if word[:1] in self._parts:
            self._read(word)
        dict.__setitem__(self, word, value)


def initialize(cache_dir: Path | None = None) -> None:
    """Initialise jieba's default tokenizer with the dictionary read as needed, when it is
    jieba's own dictionary and not initialised yet (else, or when the cache cannot be read or
    written, jieba initialises as it always does)."""
    import jieba

    dt = jieba.dt
    if dt.initialized or dt.dictionary != jieba.DEFAULT_DICT:
        return
    with dt.lock:
        if dt.initialized:
            return
        folder = cache_dir or _cache_dir()
        source = _source()
        path = folder / f"jieba-{jieba.__version__}-by-first-character.cache"
        parts_total = _read_cache(path, source)
        if parts_total is None:
            dt.initialize()  # as jieba does: from its own cache or its dictionary file
            _write_cache(path, source, dt.FREQ, dt.total)
            return
        dt.FREQ = ShardedFreq(parts_total[0])
        dt.total = parts_total[1]
        dt.initialized = True


def _cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("baodan", appauthor=False))


def _source() -> tuple:
    """What the cache was made from: jieba's dictionary file as it is now."""
    import jieba

    dictionary = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)
    stat = dictionary.stat()
    return (FORMAT, jieba.__version__, str(dictionary), stat.st_size, stat.st_mtime_ns)


def _read_cache(path: Path, source: tuple) -> tuple[dict[str, bytes], int] | None:
    try:
        with open(path, "rb") as file:
            made_from, parts, total = marshal.load(file)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if made_from != source or not isinstance(parts, dict) or not isinstance(total, int):
        return None
    return parts, total


def _write_cache(path: Path, source: tuple, freq: dict[str, int], total: int) -> None:
    """The dictionary split by first character, written whole or not at all."""
    by_first: dict[str, dict[str, int]] = {}
    for word, count in freq.items():
        by_first.setdefault(word[:1], {})[word] = count
    parts = {first: marshal.dumps(words) for first, words in by_first.items()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".jieba-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                marshal.dump((source, parts, total), file)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        pass  # no cache: the next build reads the whole dictionary again, as jieba does
