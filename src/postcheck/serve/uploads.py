"""Uploaded files into a temporary folder, and the results back out of it.

Uploaded names are kept as the person chose them (a photo's file name can name a pupil, and the names
check reads it), reduced to a plain file name: no folders, no control characters, no clashes.
"""

from __future__ import annotations

import base64
import io
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from postcheck.findings import Finding, PostResult

PASTED_DRAFT = "draft.txt"
"""The name a draft pasted into the page is checked under."""
LONGEST_NAME = 120
SHOWN_WIDTH = 1400
"""Boxed photos are shown at most this wide: enough to see every box, small enough for the page."""


class TooLarge(Exception):
    """More bytes, files or draft text than the server accepts for one post."""


def plain_name(raw: str, taken: set[str], fallback: str) -> str:
    """A safe, unique file name for an upload called ``raw`` (a browser may send a path or nothing)."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if name in ("", ".", ".."):
        name = fallback
    if len(name) > LONGEST_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: LONGEST_NAME - len(suffix) - 1] + "." + suffix) if dot and len(suffix) < 10 else name[:LONGEST_NAME]
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    unique, number = name, 1
    while unique.casefold() in taken:
        number += 1
        unique = f"{stem}-{number}" + (f".{suffix}" if suffix else "")
    taken.add(unique.casefold())
    return unique


def as_uploaded(result: PostResult, folder: Path) -> PostResult:
    """The result with the temporary folder taken out of every file name and message: staff know their
    files by the names they dropped. (A presentation step, like redaction: the findings say the same.)"""
    def plain(text: str | None) -> str | None:
        return plain_message(text, folder) if text is not None else None

    findings = [replace(f, file=plain(f.file), wording=f.wording.map_quoted(plain), real_file=plain(f.real_file))
                for f in result.findings]
    return PostResult.of(plain(result.post), findings, result.seconds)


def plain_message(text: str, folder: Path) -> str:
    return text.replace(str(folder) + "/", "")


def zip_of(paths: tuple[Path, ...]) -> bytes:
    """The safe copy as one download: each written file under its own name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in paths:
            # Photos are compressed already: deflating them again only costs time.
            method = zipfile.ZIP_DEFLATED if path.suffix.casefold() in (".txt", ".md") else zipfile.ZIP_STORED
            archive.write(path, arcname=path.name, compress_type=method)
    return buffer.getvalue()


@dataclass(frozen=True)
class ShownPhoto:
    name: str
    data_uri: str
    """The boxed photo as a JPEG ``data:`` address: the page carries it, so no copy stays on the server."""


def shown_photo(name: str, boxed: Image.Image) -> ShownPhoto:
    image = boxed.convert("RGB")
    if image.width > SHOWN_WIDTH:
        image = image.resize((SHOWN_WIDTH, round(image.height * SHOWN_WIDTH / image.width)), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ShownPhoto(name, "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"))


def failing_first(findings: tuple[Finding, ...]) -> list[Finding]:
    """What to fix first, then warnings, then what is fine."""
    return sorted(findings, key=lambda f: (not f.fails, f.severity.rank, f.sort_key()))
