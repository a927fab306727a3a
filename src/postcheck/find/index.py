"""The archive's face index: every face's encoding per file, keyed by the file's content (SHA-256).

Built once (the slow part: decoding and detecting), then brought up to date incrementally: only new or
changed files are read again, so a second search for another pupil decodes no photo. A file whose size,
modification and change times and inode are what the index recorded is not even hashed again (as git
does); anything else is hashed, and an unknown hash is decoded.

Face encodings are biometric data, so the index has the encodings cache's protections (``enroll.py``):
owner-only (0600 in a 0700 folder), written atomically, a ``.gitignore`` of ``*`` beside it, serialised
by a lock file, and never trusted when corrupt, truncated or written by another version: it is rebuilt.
It lives in ``ARCHIVE/.postcheck-index/`` or, when the archive is read-only, in the user's cache folder.
"""

from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from postcheck.enroll import (
    MODEL_ID,
    digest_file,
    lock_private_dir,
    private_dir,
    write_private_json,
)

INDEX_VERSION = 1
"""Bump when detection or encoding changes: an index of another version is rebuilt."""
INDEX_FOLDER = ".postcheck-index"
INDEX_NAME = "faces.json"
FILES_IN_FLIGHT = 3
"""Files decoded and searched at once: one decodes while two keep both cores detecting (as scan)."""
SAVE_EVERY_SECONDS = 60.0
"""An interrupted first run keeps what it has done: the index is saved this often while it is built."""


@dataclass(frozen=True)
class IndexedFace:
    box: tuple[int, int, int, int]
    """(top, right, bottom, left) in the picture's pixels."""
    encoding: np.ndarray | None
    """None when the face could not be encoded (too small, cut off): it cannot be compared."""
    time: float | None = None
    part: str | None = None
    """The photo inside a Word file (``image1.png``), None for the file itself."""


@dataclass(frozen=True)
class IndexedFile:
    faces: tuple[IndexedFace, ...] = ()
    error: str | None = None
    """Why the file could not be read (it is listed as unreadable)."""


def index_dir_for(archive: Path) -> Path:
    """``ARCHIVE/.postcheck-index``, or a folder in the user's cache when the archive cannot be written."""
    return private_dir(archive, INDEX_FOLDER, cache_prefix="find-")


@dataclass
class FaceIndex:
    """What ``update`` returns: the index entry for every file asked about, and how it was obtained."""

    entries: dict[Path, IndexedFile]
    decoded: int
    reused: int
    path: Path | None
    note: str | None = None
    """Why the index could not be kept (the search still ran, just without it)."""
    rebuilt: bool = False
    """The stored index was corrupt or of another version and was not trusted."""


def update_index(
    archive: Path,
    files: Iterable[Path],
    read: Callable[[Path], IndexedFile],
    *,
    index_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FaceIndex:
    """Bring the index up to date for ``files`` (paths under ``archive``) and return every file's faces.

    ``read`` decodes one file and finds its faces; it is called only for content not in the index."""

    files = list(files)
    index_dir = index_dir or index_dir_for(archive)
    lock, note = lock_private_dir(index_dir, "the face index", timeout=600)
    path = index_dir / INDEX_NAME
    try:
        stored = _read(path) if lock is not None else None
        rebuilt = lock is not None and path.exists() and stored is None
        by_digest, stats = stored or ({}, {})
        digests: dict[Path, str] = {}
        new_stats: dict[str, list] = {}
        entries: dict[Path, IndexedFile] = {}
        for file in files:
            key = _relative(archive, file)
            try:
                stat = _stat_key(file)
                known = stats.get(key)
                digest = known[-1] if known and known[:-1] == stat and known[-1] in by_digest else digest_file(file)
            except OSError as exc:
                entries[file] = IndexedFile(error=f"cannot be read ({exc.strerror or exc})")
                continue
            digests[file] = digest
            new_stats[key] = [*stat, digest]
        todo = {}
        for file, digest in digests.items():
            if digest not in by_digest and digest not in todo:
                todo[digest] = file
        last_save = time.monotonic()
        done = 0
        if progress and todo:
            progress(0, len(todo))
        pool = ThreadPoolExecutor(max_workers=FILES_IN_FLIGHT, thread_name_prefix="postcheck-find")
        try:
            for digest, entry in zip(todo, pool.map(read, todo.values()), strict=True):
                by_digest[digest] = entry
                done += 1
                if progress:
                    progress(done, len(todo))
                if lock is not None and time.monotonic() - last_save > SAVE_EVERY_SECONDS:
                    note = _save(path, by_digest, {**stats, **new_stats}) or note
                    last_save = time.monotonic()
        except BaseException:
            # Ctrl-C on a long first run: stop reading, keep what was read for the next run.
            pool.shutdown(wait=False, cancel_futures=True)
            if lock is not None:
                _save(path, by_digest, {**stats, **new_stats})
            raise
        finally:
            pool.shutdown(wait=True)
        for file, digest in digests.items():
            entries[file] = by_digest[digest]
        if lock is not None and (todo or rebuilt or stats != new_stats or not path.exists()):
            # Files no longer in the archive are dropped: the index holds nothing the archive does not.
            wanted = set(digests.values())
            note = _save(path, {d: e for d, e in by_digest.items() if d in wanted}, new_stats) or note
    finally:
        if lock is not None:
            lock.release()
    return FaceIndex(entries, decoded=len(todo), reused=len(digests) - len(todo),
                     path=path if lock is not None else None, note=note, rebuilt=rebuilt)


def _relative(archive: Path, file: Path) -> str:
    try:
        return file.relative_to(archive).as_posix()
    except ValueError:
        return str(file)


def _stat_key(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _save(path: Path, by_digest: dict[str, IndexedFile], stats: dict[str, list]) -> str | None:
    try:
        _write(path, by_digest, stats)
    except OSError as exc:
        return f"the face index {path} could not be written ({exc.strerror or exc})"
    return None


def _encode(encoding: np.ndarray | None) -> str | None:
    if encoding is None:
        return None
    return base64.b64encode(np.asarray(encoding, dtype="<f4").tobytes()).decode("ascii")


def _decode(text) -> np.ndarray | None:
    if text is None:
        return None
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 128 * 4:
        raise ValueError("not a face encoding")
    encoding = np.frombuffer(raw, dtype="<f4").astype(np.float64)
    if not np.all(np.isfinite(encoding)):
        raise ValueError("not a face encoding")
    return encoding


def _write(path: Path, by_digest: dict[str, IndexedFile], stats: dict[str, list]) -> None:
    files = {}
    for digest, entry in sorted(by_digest.items()):
        faces = [{"box": list(face.box), "encoding": _encode(face.encoding), "time": face.time, "part": face.part}
                 for face in entry.faces]
        files[digest] = {"faces": faces, "error": entry.error}
    data = {"version": INDEX_VERSION, "model": MODEL_ID, "files": files, "paths": dict(sorted(stats.items()))}
    write_private_json(path, data)


def _read(path: Path) -> tuple[dict[str, IndexedFile], dict[str, list]] | None:
    """The stored index, or None when it is missing, corrupt or of another version (never half-trusted)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("version") != INDEX_VERSION or data.get("model") != MODEL_ID:
        return None
    files, paths = data.get("files"), data.get("paths")
    if not isinstance(files, dict) or not isinstance(paths, dict):
        return None
    by_digest: dict[str, IndexedFile] = {}
    try:
        for digest, entry in files.items():
            if len(digest) != 64 or not isinstance(entry["error"], (str, type(None))):
                return None
            faces = []
            for face in entry["faces"]:
                box = tuple(int(v) for v in face["box"])
                when, part = face["time"], face["part"]
                if len(box) != 4 or not isinstance(when, (int, float, type(None))) or not isinstance(part, (str, type(None))):
                    return None
                faces.append(IndexedFace(box, _decode(face["encoding"]), None if when is None else float(when), part))
            by_digest[digest] = IndexedFile(tuple(faces), entry["error"])
        stats = {}
        for key, value in paths.items():
            if not (isinstance(value, list) and len(value) == 5 and all(isinstance(v, int) for v in value[:4])
                    and isinstance(value[4], str)):
                return None
            stats[key] = value
    except (TypeError, KeyError, ValueError, AttributeError, OverflowError, base64.binascii.Error):
        return None
    return by_digest, stats
