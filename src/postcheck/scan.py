"""``postcheck scan DIR``: which files in a folder make up which posts, and which are left out, and why.

How files become posts:

- **A subfolder is one post**: its draft (``.txt``, ``.md``, ``.markdown``, ``.docx``) with the
  photos and videos directly in it, named by the folder (``drafts/sports-day``). A subfolder
  inside it is a post of its own. A subfolder with photos and no draft is a photo-only post.
- **A subfolder with several drafts** is one post per draft, named by the draft
  (``drafts/trip/day-1.txt``). Photos whose names start with a draft's stem go with that draft
  (as for loose files below); the other photos go with *every* draft, because the folder says
  they are published together and each draft must be checked with the photos beside it.
- **Loose files in DIR itself**: a draft is a post with the photos and videos whose names start
  with its stem followed by a separator, a digit or the extension (``sports-day.txt`` takes
  ``sports-day.jpg``, ``sports-day-2.png``, ``sports-day_team.heic``, ``Sports-Day 3.JPG``, but
  not ``sports-dayout.jpg``). When stems overlap the longest wins (``fair-night.jpg`` goes with
  ``fair-night.txt``, not ``fair.txt``). Two drafts with one stem (``fair.txt``, ``fair.docx``)
  are two posts that share those photos. A loose photo or video that matches no draft is a post
  of its own.

Post and file names are paths as the user typed DIR: ``postcheck scan drafts`` gives
``drafts/sports-day``.

Nothing is skipped silently: every file and folder that is not checked is in
``Discovery.ignored`` with the reason (hidden files and folders, Word lock files ``~$...``,
``Thumbs.db`` and ``desktop.ini``, ``__MACOSX``, empty folders, folders that cannot be read, broken
symlinks, symlinks pointing outside DIR, and symlinks to folders, which are scanned where they really are).

Any other file is part of a post, whatever its extension: a ``.pdf`` or ``.pptx`` beside a draft may be
published with it, and fails the post as ``postcheck check`` fails it (``image.unreadable``: nothing in it
can be checked). A post gets one verdict whichever command checks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from postcheck.errors import InputError
from postcheck.post import DRAFT_SUFFIXES, VIDEO_SUFFIXES, Post

SYSTEM_FILES = {
    "thumbs.db": "Windows thumbnail cache",
    "ehthumbs.db": "Windows thumbnail cache",
    "desktop.ini": "Windows folder settings file",
}
_AFTER_STEM = set("-_ .(") | set("0123456789")
"""What may follow a draft's stem in a photo's name for the photo to belong to the draft."""


@dataclass(frozen=True)
class Discovery:
    """The posts found under a folder, and every file or folder left out with the reason."""

    posts: tuple[Post, ...]
    """Sorted by name."""
    ignored: tuple[tuple[Path, str], ...]
    """(file or folder, reason it is not checked), sorted by path."""


def discover(root: Path) -> Discovery:
    """Group the files under ``root`` into posts; raise InputError if ``root`` is not a folder."""
    root = Path(root)
    if not root.exists():
        raise InputError(f"{root} does not exist")
    if not root.is_dir():
        raise InputError(f"{root} is not a folder: to check one file, use postcheck check {root}")
    posts: list[Post] = []
    ignored: list[tuple[Path, str]] = []
    _walk(root, root.resolve(), posts, ignored, top=True)
    return Discovery(
        posts=tuple(sorted(posts, key=lambda p: p.name)),
        ignored=tuple(sorted(ignored, key=lambda item: str(item[0]))),
    )


def _walk(folder: Path, real_root: Path, posts: list[Post], ignored: list[tuple[Path, str]], *, top: bool) -> None:
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        ignored.append((folder, f"folder cannot be read ({exc.strerror or exc})"))
        return
    if not entries:
        ignored.append((folder, "empty folder"))
        return
    drafts: list[Path] = []
    media: list[Path] = []
    subfolders: list[Path] = []
    for entry in entries:
        reason = skip_reason(entry, real_root)
        if reason is not None:
            ignored.append((entry, reason))
        elif entry.is_dir():
            subfolders.append(entry)
        elif entry.suffix.casefold() in DRAFT_SUFFIXES:
            drafts.append(entry)
        else:
            media.append(entry)
    for subfolder in subfolders:
        _walk(subfolder, real_root, posts, ignored, top=False)
    if top:
        posts.extend(_group_by_stem(drafts, media, share_unmatched=False))
    elif len(drafts) > 1:
        posts.extend(_group_by_stem(drafts, media, share_unmatched=True))
    elif drafts or media:
        posts.append(_post(str(folder), drafts[0] if drafts else None, media))
    elif not subfolders:
        ignored.append((folder, "no draft, photo or video in this folder"))


def name_skip_reason(name: str, is_dir: bool) -> str | None:
    """Why a file or folder is never a post's, by its name alone (a lock, hidden or system file), or None."""
    if name.startswith("~$"):
        return "Word lock file (left while the document is open in Word)"
    if name.startswith("."):
        return f"hidden {'folder' if is_dir else 'file'}"
    if name.casefold() in SYSTEM_FILES:
        return SYSTEM_FILES[name.casefold()]
    if name == "__MACOSX":
        return "macOS archive metadata folder"
    return None


def skip_reason(entry: Path, real_root: Path) -> str | None:
    """Why ``entry`` is not checked, or None if it is a folder to scan or a draft, photo or video."""
    reason = name_skip_reason(entry.name, entry.is_dir())
    if reason is not None:
        return reason
    if entry.is_symlink():
        try:
            target = entry.resolve(strict=True)
        except (OSError, RuntimeError):  # missing target, or a loop of links
            return "broken symlink"
        if not target.is_relative_to(real_root):
            return "symlink pointing outside the scanned folder"
        if target.is_dir():
            return "symlink to a folder inside the scanned folder, which is scanned where it really is"
    if entry.is_dir():
        return None
    if not entry.is_file():
        return "not a regular file"
    # Any other file (.pdf, .pptx, no extension...) belongs to its post and fails it as `postcheck check`
    # would: it may be published with the post, and nothing in it can be checked.
    return None


def _group_by_stem(drafts: list[Path], media: list[Path], *, share_unmatched: bool) -> list[Post]:
    """One post per draft with the media named after it; unmatched media shared, or posts of their own."""
    stems: dict[str, list[Path]] = {}
    for draft in drafts:
        stems.setdefault(draft.stem.casefold(), []).append(draft)
    by_draft: dict[Path, list[Path]] = {draft: [] for draft in drafts}
    unmatched: list[Path] = []
    for item in media:
        stem = matching_stem(item.name, stems)
        if stem is None:
            unmatched.append(item)
        else:
            for draft in stems[stem]:
                by_draft[draft].append(item)
    if share_unmatched:
        return [_post(str(draft), draft, own + unmatched) for draft, own in by_draft.items()]
    posts = [_post(str(draft), draft, own) for draft, own in by_draft.items()]
    posts += [_post(str(item), None, [item]) for item in unmatched]
    return posts


def matching_stem(file_name: str, stems) -> str | None:
    """The longest stem that ``file_name`` starts with, followed by a separator, digit or the extension."""
    name = file_name.casefold()
    for stem in sorted(stems, key=len, reverse=True):
        if name.startswith(stem) and len(name) > len(stem) and name[len(stem)] in _AFTER_STEM:
            return stem
    return None


def _post(name: str, draft: Path | None, media: list[Path]) -> Post:
    ordered = sorted(media, key=lambda p: p.name)
    return Post(
        name=name,
        draft=draft,
        images=tuple(p for p in ordered if p.suffix.casefold() not in VIDEO_SUFFIXES),
        videos=tuple(p for p in ordered if p.suffix.casefold() in VIDEO_SUFFIXES),
    )
