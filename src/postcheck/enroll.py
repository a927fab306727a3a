"""The face encodings cache: reference photos encoded once, keyed by the photo's content.

Face encodings are biometric data (GDPR special category), so the cache is written atomically,
owner-only (0600 in a 0700 folder), and never inside a file the office edits. It lives in
``consent_data/.postcheck-cache/`` or, where that folder is read-only, in the user's cache folder
(``POSTCHECK_CACHE_DIR`` overrides both). A corrupt, truncated or foreign cache is never trusted:
it is rebuilt. Two processes enrolling at once serialise on a lock file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from postcheck.register import Register

CACHE_VERSION = 1
CACHE_NAME = "encodings.json"
MODEL_ID = "dlib_face_recognition_resnet_model_v1+centerface-landmarks"
"""What made the encodings: dlib's encoder, aligned from CenterFace's landmarks (vision/encode.py). A cache
made any other way (the HOG-boxed alignment before it) is encoded again, never mixed."""


@dataclass(frozen=True)
class PhotoEncoding:
    """What one reference photo yields: every face's encoding, or why it could not be read."""

    digest: str
    encodings: tuple[tuple[float, ...], ...] = ()
    error: str | None = None


@dataclass
class EnrollResult:
    by_digest: dict[str, PhotoEncoding]
    photo_digests: dict[Path, str]
    encoded: int = 0
    """Photos encoded in this run (0 when nothing changed: the cache was used)."""
    reused: int = 0
    dropped: int = 0
    cache_path: Path | None = None
    cache_note: str | None = None
    """Why the cache could not be written, if it could not (the run still works, just slower)."""
    per_pupil: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def references(self) -> dict[str, list[np.ndarray]]:
        """pupil_id -> encodings from reference photos that show exactly one face."""
        return self.per_pupil


def cache_dir_for(register: Register) -> Path:
    override = os.environ.get("POSTCHECK_CACHE_DIR")
    if override:
        return Path(override)
    return private_dir(register.root, ".postcheck-cache")


def private_dir(owner: Path, name: str, *, cache_prefix: str = "") -> Path:
    """``owner/name`` where it can be written; otherwise (a read-only register or archive) a folder of the
    user's cache, named after ``owner``'s path."""
    local = owner / name
    if _writable_dir(local) or (not local.exists() and os.access(owner, os.W_OK)):
        return local
    key = hashlib.sha256(str(owner.resolve()).encode()).hexdigest()[:16]
    return user_cache_folder() / f"{cache_prefix}{key}"


def user_cache_folder() -> Path:
    """postcheck's folder in the user's cache, where each system keeps it (platformdirs): ``$XDG_CACHE_HOME/postcheck``
    or ``~/.cache/postcheck`` on Linux, ``~/Library/Caches/postcheck`` on macOS, ``%LOCALAPPDATA%\\postcheck\\Cache``
    on Windows."""
    import platformdirs

    return platformdirs.user_cache_path("postcheck", appauthor=False)


GITIGNORE = "# Face encodings: biometric data, never to be committed (written by postcheck).\n*\n"


def lock_private_dir(folder: Path, what: str, *, timeout: float):
    """Make ``folder`` owner-only and out of git, and hold its lock: (the acquired lock, None), or
    (None, why ``what`` in it cannot be used) so the caller goes on without it."""
    from filelock import FileLock, Timeout

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        keep_out_of_git(folder)
        lock = FileLock(str(folder / ".lock"), timeout=timeout)
        lock.acquire()
    except (OSError, Timeout) as exc:
        return None, f"{what} in {folder} cannot be used ({getattr(exc, 'strerror', None) or exc})"
    return lock, None


def keep_out_of_git(cache_dir: Path) -> None:
    """A ``.gitignore`` of ``*`` in the cache: a drafts or register repository must never commit face encodings."""
    marker = cache_dir / ".gitignore"
    if not marker.exists():
        marker.write_text(GITIGNORE, encoding="utf-8")


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK)


def digest_file(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def encode_photo(path: Path) -> PhotoEncoding:
    """Encode every face in one reference photo."""
    from postcheck.images import ImageError, load_picture
    from postcheck.vision import encode_reference

    digest = digest_file(path)
    try:
        picture = load_picture(path)
    except ImageError as exc:
        return PhotoEncoding(digest, error=str(exc))
    try:
        encodings = encode_reference(picture.pixels)
    except Exception as exc:  # dlib's errors have no common base; one bad photo must not stop enrolment
        return PhotoEncoding(digest, error=f"could not be read by the face detector ({type(exc).__name__})")
    return PhotoEncoding(digest, tuple(tuple(float(x) for x in e) for e in encodings))


def enroll(
    register: Register,
    *,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EnrollResult:
    """Bring the cache up to date with the register's photos; encode only what changed."""

    cache_dir = cache_dir or cache_dir_for(register)
    cache_path = cache_dir / CACHE_NAME
    photos = [p for paths in register.photos.values() for p in paths]
    photo_digests: dict[Path, str] = {}
    unreadable: dict[str, PhotoEncoding] = {}
    for path in photos:
        try:
            photo_digests[path] = digest_file(path)
        except OSError as exc:
            key = f"unreadable:{path}"
            photo_digests[path] = key
            unreadable[key] = PhotoEncoding(key, error=f"cannot be read ({exc.strerror or exc})")

    lock, note = lock_private_dir(cache_dir, "the encodings cache", timeout=120)
    try:
        cached = _read_cache(cache_path) if lock is not None else {}
        wanted = {d for d in photo_digests.values() if d not in unreadable}
        # One path per digest: the same photo filed under two pupils is encoded once.
        first_path = {d: p for p, d in sorted(photo_digests.items(), key=lambda item: str(item[0]), reverse=True)}
        todo = sorted((first_path[d] for d in wanted if d not in cached), key=str)
        fresh = _encode_all(todo, progress)
        by_digest = {d: cached[d] for d in wanted if d in cached}
        by_digest.update({e.digest: e for e in fresh})
        dropped = len(set(cached) - wanted)
        if lock is not None and (fresh or dropped or not cache_path.exists()):
            try:
                _write_cache(cache_path, by_digest)
            except OSError as exc:
                note = f"the encodings cache {cache_path} could not be written ({exc.strerror or exc})"
        by_digest.update(unreadable)
    finally:
        if lock is not None:
            lock.release()
    result = EnrollResult(by_digest, photo_digests, encoded=len(fresh), reused=len(wanted) - len(fresh),
                          dropped=dropped, cache_path=cache_path if lock is not None else None, cache_note=note)
    for pupil_id, paths in register.photos.items():
        encodings = []
        for path in paths:
            entry = by_digest.get(photo_digests[path])
            if entry is not None and entry.error is None and len(entry.encodings) == 1:
                encodings.append(np.asarray(entry.encodings[0], dtype=np.float64))
        if encodings:
            result.per_pupil[pupil_id] = encodings
    return result


def _encode_all(paths: list[Path], progress) -> list[PhotoEncoding]:
    """Encode in this process: detection already runs on both cores (see vision.py), and a second
    process measured no faster while it cost a second copy of the models."""
    out: list[PhotoEncoding] = []
    for index, path in enumerate(paths):
        out.append(encode_photo(path))
        if progress:
            progress(index + 1, len(paths))
    return out


def _read_cache(path: Path) -> dict[str, PhotoEncoding]:
    """Entries of a valid cache; anything malformed yields an empty cache (rebuilt, never trusted)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: JSON nested too deep to parse
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or data.get("model") != MODEL_ID:
        return {}
    photos = data.get("photos")
    if not isinstance(photos, dict):
        return {}
    entries = {}
    for digest, entry in photos.items():
        try:
            encodings = tuple(tuple(float(x) for x in e) for e in entry["encodings"])
            error = entry.get("error")
        except (TypeError, KeyError, ValueError, OverflowError):  # OverflowError: an integer too large for a float
            continue
        if any(len(e) != 128 or not all(np.isfinite(e)) for e in encodings) or not isinstance(error, (str, type(None))):
            continue
        if len(digest) != 64:
            continue
        entries[digest] = PhotoEncoding(digest, encodings, error)
    return entries


def _write_cache(path: Path, entries: dict[str, PhotoEncoding]) -> None:
    data = {
        "version": CACHE_VERSION,
        "model": MODEL_ID,
        "photos": {
            d: {"encodings": [list(e) for e in entry.encodings], "error": entry.error}
            for d, entry in sorted(entries.items())
        },
    }
    write_private_json(path, data)


def write_private_json(path: Path, data: object) -> None:
    """Write ``data`` as JSON readable by the owner only, atomically: a reader sees the old file or the new
    one, never half of one (biometric data: the enrol cache and ``find``'s index)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
