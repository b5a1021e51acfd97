"""Read and decrypt record files, a batch at a time: the first half of loading them
(store/loader.py parses them), and what its worker processes need to start."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from baodan.core.errors import Problem, RecordError, Source
from baodan.store.vault import MAX_CIPHERTEXT, decrypt

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def read_file(path: str | Path, limit: int = MAX_CIPHERTEXT) -> bytes:
    """A file's bytes, for half what open().read() costs: loading reads 40,000 small files.
    Of a file larger than ``limit``, only enough to see that it is (callers refuse it)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        parts, size = [], 0
        while size <= limit and (part := os.read(fd, 1 << 16)):
            parts.append(part)
            size += len(part)
        return b"".join(parts)
    finally:
        os.close(fd)


def decrypt_file(rel: str, data: bytes, identities: list) -> bytes | RecordError:
    """The plaintext of record file ``rel`` (relative to the firm), or why it has none."""
    try:
        return decrypt(data, identities)
    except ValueError as e:
        problem = Problem.of(e)
        return RecordError(Source(rel), "", problem.message, problem.hint)


def decrypt_files(root: str, rels: list[str], identities: list) -> list[bytes | RecordError]:
    """Each file's plaintext or error. All files are read before any is decrypted: going
    from the file system to OpenSSL and back for every file costs more (the CPU's caches)."""
    data = [read_file(os.path.join(root, rel)) for rel in rels]
    return [decrypt_file(rel, d, identities) for rel, d in zip(rels, data)]


def default_sigterm() -> None:
    """For a worker process: die of SIGTERM (as Pool.terminate() expects), whatever handler
    the parent had (a build turns SIGTERM into KeyboardInterrupt to clean up; sitebuild)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
