"""``postcheck fix``: a safe copy of a post, never touching the original.

Photos: every face that is not cleared (no consent, unknown, unverifiable) is pixelated beyond
recognition: a coarse mosaic over the face and a margin around it, then a blur, so neither a person
nor a face detector can recover it. Consented faces are left as they are. The copy carries no metadata.
Draft: each disallowed name is replaced by what the finding suggests (the first name or the initials,
as consent allows). A .docx draft's fixed text is written as .txt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from postcheck import catalogue
from postcheck.catalogue import Rule
from postcheck.findings import Finding, PostResult, Severity
from postcheck.post import LoadedPost, Picture
from postcheck.wording import Quoted, Wording

RULES = catalogue.declare(
    Rule("image.not-copied", Severity.ERROR, "A file left out of the safe copy",
         "postcheck fix could not write a safe copy of this file (a video, an animation or a file it could "
         "not read), so the copy of the post is incomplete.",
         "Edit the file by hand, or leave it out of the post."),
    check="fix",
)
MARGIN = 0.35
"""Extra border around a face box that is pixelated too (hair, ears and the box's own error)."""
BLOCKS = 5
"""Mosaic cells across a face: few enough that no identity survives."""


def output_path(original: Path, out_dir: Path, suffix: str | None = None) -> Path:
    """A path in ``out_dir`` named after the original that is never the original itself."""
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = suffix or original.suffix
    # A converted copy keeps the original's extension in its name (photo.heic -> photo.heic.jpg),
    # so photo.heic and photo.jpg of one post never write the same file.
    name = original.stem if suffix.casefold() == original.suffix.casefold() else original.name
    candidate = out_dir / f"{name}{suffix}"
    if candidate.resolve() == original.resolve():
        candidate = out_dir / f"{original.stem}.safe{suffix}"
    return candidate


def pixelate(pixels: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """A copy of ``pixels`` with each (top, right, bottom, left) box and its margin hidden."""
    image = Image.fromarray(pixels)
    height, width = pixels.shape[:2]
    for top, right, bottom, left in boxes:
        margin_x = int((right - left) * MARGIN) + 2
        margin_y = int((bottom - top) * MARGIN) + 2
        box = (max(0, left - margin_x), max(0, top - margin_y), min(width, right + margin_x), min(height, bottom + margin_y))
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        region = image.crop(box)
        cells = max(2, BLOCKS)
        small = region.resize((cells, max(2, round(cells * region.height / max(region.width, 1)))), Image.Resampling.BOX)
        mosaic = small.resize(region.size, Image.Resampling.NEAREST)
        radius = max(2, min(region.size) // 12)
        image.paste(mosaic.filter(ImageFilter.GaussianBlur(radius)), box[:2])
    return np.asarray(image)


def fix_picture(picture: Picture, findings: list[Finding], out_dir: Path, index: int = 1) -> Path | None:
    """Write the safe copy of a still photo; None for a video (it must be edited by hand).

    A file name that names a pupil (a names finding about the file itself) becomes ``photo-<index>``."""
    if len(picture.frames) != 1 or picture.frame_times and picture.frame_times[0] is not None:
        return None
    boxes = [f.box for f in findings
             if catalogue.hides_face(f.rule) and f.box is not None and f.file == picture.display]  # faces.py says which
    fixed = pixelate(picture.pixels, boxes)
    suffix = picture.path.suffix.casefold()
    if suffix in (".heic", ".heif", ".gif", ".tif", ".tiff", ".bmp"):
        suffix = ".jpg"  # a copy every site accepts
    named = any(f.rule.startswith("names.") and f.file == picture.display and f.line is None for f in findings)
    original = picture.path.with_name(f"photo-{index}{picture.path.suffix}") if named else picture.path
    path = output_path(original, out_dir, suffix)
    image = Image.fromarray(fixed)
    if suffix in (".jpg", ".jpeg"):
        image.save(path, quality=95)
    else:
        image.save(path)
    return path


def fix_text(text: str, findings: list[Finding]) -> str:
    """Apply every suggestion, last first so earlier offsets stay right; overlapping ones keep the first."""
    edits = sorted(
        {(f.span, f.suggestion) for f in findings if f.span is not None and f.suggestion is not None},
        key=lambda edit: (edit[0][0], -edit[0][1]),
    )
    chosen: list[tuple[tuple[int, int], str]] = []
    end = -1
    for span, suggestion in edits:
        if span[0] >= end:
            chosen.append((span, suggestion))
            end = span[1]
    for (start, stop), suggestion in reversed(chosen):
        if _starts_sentence(text, start):
            suggestion = suggestion[:1].upper() + suggestion[1:]  # "a pupil" at a sentence's start
        text = text[:start] + suggestion + text[stop:]
    return text


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n"


@dataclass(frozen=True)
class SafeCopy:
    """What ``postcheck fix`` wrote, and a failing finding for every file of the post it could not copy safely."""

    written: tuple[Path, ...]
    left_out: tuple[Finding, ...]


def fix_post(loaded: LoadedPost, result: PostResult, out_dir: Path) -> SafeCopy:
    """Write the safe copies; a photo, animation or video with no safe copy is named, never dropped silently."""
    written: list[Path] = []
    left_out: list[Finding] = []
    findings = list(result.findings)
    if loaded.draft is not None:
        draft = loaded.draft
        suffix = ".txt" if draft.path.suffix.casefold() == ".docx" else draft.path.suffix
        path = output_path(draft.path, out_dir, suffix)
        own = [f for f in findings if f.file == draft.display]
        path.write_text(fix_text(draft.text, own), encoding="utf-8")
        written.append(path)
    for index, picture in enumerate(loaded.pictures, 1):
        path = fix_picture(picture, findings, out_dir, index)
        if path is not None:
            written.append(path)
        elif picture.frame_times and picture.frame_times[0] is not None:
            left_out.append(not_copied(picture.display, out_dir, "it is a video, and postcheck does not edit videos"))
        else:
            left_out.append(not_copied(picture.display, out_dir, f"it is an animation ({len(picture.frames)} frames)"))
    for finding in findings:
        if finding.rule in ("image.unreadable", "text.unreadable"):
            left_out.append(not_copied(finding.file, out_dir, "it could not be read"))
    return SafeCopy(tuple(written), tuple(left_out))


def not_copied(file: str, out_dir: Path, reason: str) -> Finding:
    return Finding(
        rule="image.not-copied",
        severity=Severity.ERROR,
        wording=Wording.of("{file} is not in the safe copy in {out_dir}: {reason}. Edit it by hand, or leave it out "
                           "of the post.", file=Quoted(file), out_dir=Quoted(str(out_dir)), reason=reason),
        file=file,
    )
