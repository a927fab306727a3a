"""Which files in an archive tree are searched, and how: photos and videos for faces, drafts and saved
web pages for names. Hidden files and folders (the index's own folder among them) and system files are
left out (as ``scan`` leaves them out); any other file (a ``.pdf``, a stylesheet) is listed as not searched, never skipped silently."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from postcheck.drafts import RASTER_SUFFIXES
from postcheck.errors import InputError
from postcheck.find.index import INDEX_FOLDER
from postcheck.post import DRAFT_SUFFIXES, VIDEO_SUFFIXES
from postcheck.scan import name_skip_reason

PAGE_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class Archive:
    root: Path
    photos: tuple[Path, ...]
    videos: tuple[Path, ...]
    drafts: tuple[Path, ...]
    """.txt, .md and .docx (a .docx is also searched for the photos pasted into it)."""
    pages: tuple[Path, ...]
    other: tuple[Path, ...]
    """Files postcheck cannot search (listed as not searched)."""
    indexed: tuple[Path, ...] = ()
    """Folders inside the archive with a face index of their own (a school's, in a trust's archive)."""

    def index_root(self, path: Path) -> Path:
        """The folder whose index holds ``path``'s faces: the nearest one above it with an index of its own."""
        for folder in sorted(self.indexed, key=lambda f: len(f.parts), reverse=True):
            if folder in path.parents:
                return folder
        return self.root

    @property
    def searched(self) -> int:
        return len(self.photos) + len(self.videos) + len(self.drafts) + len(self.pages)


def walk_archive(root: Path) -> Archive:
    if not root.exists():
        raise InputError(f"{root} does not exist")
    if not root.is_dir():
        raise InputError(f"{root} is not a folder: name the folder of published photos, videos and pages")
    kinds: dict[str, list[Path]] = {"photos": [], "videos": [], "drafts": [], "pages": [], "other": []}
    indexed = []
    for folder, subfolders, files in os.walk(root):
        if INDEX_FOLDER in subfolders and Path(folder) != root:
            indexed.append(Path(folder))
        subfolders[:] = sorted(d for d in subfolders if name_skip_reason(d, is_dir=True) is None)
        for name in sorted(files):
            if name_skip_reason(name, is_dir=False) is not None:
                continue
            path = Path(folder) / name
            if path.is_symlink() and not path.exists():
                continue
            kinds[_kind(path)].append(path)
    return Archive(root, *(tuple(sorted(kinds[k], key=str)) for k in ("photos", "videos", "drafts", "pages", "other")),
                   indexed=tuple(indexed))


def _kind(path: Path) -> str:
    suffix = path.suffix.casefold()
    if suffix in RASTER_SUFFIXES:
        return "photos"
    if suffix in VIDEO_SUFFIXES:
        return "videos"
    if suffix in DRAFT_SUFFIXES:
        return "drafts"
    if suffix in PAGE_SUFFIXES:
        return "pages"
    return "other"
