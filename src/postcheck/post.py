"""What a post is (a draft and its images) and the loaded form the checks read."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Post:
    """A post as found on disk: at most one draft, any number of images and videos."""

    name: str
    draft: Path | None = None
    images: tuple[Path, ...] = ()
    videos: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Draft:
    """A decoded draft. ``text`` has its newlines normalised to ``\\n``; offsets map to the file's lines."""

    path: Path
    display: str
    text: str
    _line_starts: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def of(cls, path: Path, display: str, text: str) -> Draft:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        return cls(path, display, text, tuple(starts))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset into ``text``."""
        starts = self._line_starts or (0,)
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1


@dataclass(frozen=True, eq=False)
class Picture:
    """An image decoded once for every check: RGB uint8 frames, EXIF orientation applied."""

    path: Path
    display: str
    frames: tuple[np.ndarray, ...]
    """One frame for a still; every frame for an animated image; sampled frames for a video."""
    frame_times: tuple[float | None, ...] = ()
    """Seconds into a video per frame (None for stills)."""
    has_location: bool = False
    """The file carries GPS or other location metadata."""

    @property
    def pixels(self) -> np.ndarray:
        return self.frames[0]

    def time_of(self, index: int) -> float | None:
        return self.frame_times[index] if index < len(self.frame_times) else None


def clock(seconds: float) -> str:
    """A time into a video as staff read it: ``1:05``."""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class LoadedPost:
    """What the checks read: the decoded draft (if any) and every picture that decoded."""

    name: str
    draft: Draft | None
    pictures: tuple[Picture, ...]


DRAFT_SUFFIXES = (".txt", ".md", ".markdown", ".docx")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif", ".tif", ".tiff", ".bmp")
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".m4v", ".avi")


def post_from_files(files: list[Path]) -> Post:
    """The files named on the command line as one post; a missing file or a folder is a usage error."""
    from postcheck.errors import InputError

    if not files:
        raise InputError("name a draft and/or photos to check, e.g. postcheck draft.txt photo.jpg")
    drafts, images, videos = [], [], []
    for path in files:
        if not path.exists():
            raise InputError(f"{path} does not exist")
        if path.is_dir():
            raise InputError(f"{path} is a folder: name the draft and photos, or use postcheck scan {path}")
        suffix = path.suffix.casefold()
        if suffix in DRAFT_SUFFIXES:
            drafts.append(path)
        elif suffix in VIDEO_SUFFIXES:
            videos.append(path)
        else:
            # Photos and anything else: the image loader decides by content, and fails the post if it cannot.
            images.append(path)
    if len(drafts) > 1:
        names = " and ".join(str(d) for d in drafts)
        raise InputError(f"one post has one draft, got {names}: check them one at a time, or use postcheck scan DIR")
    first = drafts[0] if drafts else (images or videos)[0]
    return Post(name=str(first), draft=drafts[0] if drafts else None, images=tuple(images), videos=tuple(videos))
