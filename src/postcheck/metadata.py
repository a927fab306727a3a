"""Clean copies of photos: no EXIF, GPS, XMP, IPTC or comments, and the original left untouched.

A JPEG that needs no rotation is copied losslessly, dropping only its metadata segments
(APP1 EXIF/XMP, APP13 IPTC, COM and the other application segments; the JFIF header, the ICC
colour profile and the Adobe colour marker are kept) and anything after the end of the image
(an iPhone's extra MPF images carry their own EXIF). Any other photo is decoded, turned upright
by its EXIF orientation, and saved again in the same format from its pixels alone (JPEG at
quality 95). The copy is checked before it is kept: if it still carried location data, no copy
is written and MetadataError is raised.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from postcheck.errors import PostcheckError
from postcheck.images import _has_location, _register_heif

_ORIENTATION = 0x0112
_KEPT_INFO = ("icc_profile", "transparency", "dpi")
"""Image info that describes how the pixels look, not where or by whom they were taken."""


class MetadataError(PostcheckError):
    """A photo could not be read, or its clean copy could not be written."""


def strip_metadata(path: Path, out_dir: Path) -> Path:
    """Write a copy of ``path`` without metadata into ``out_dir`` and return the copy's path.

    The copy keeps the file name; when that would be the original itself (``out_dir`` is the
    photo's own folder), it is named ``photo.clean.jpg`` instead. The original is never written.
    """
    _register_heif()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MetadataError(f"{path} cannot be read ({exc.strerror or exc})") from None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            clean = _clean_bytes(image, data)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise MetadataError(f"{path} is not an image postcheck can read, so no clean copy was written") from None
    target = _target(path, out_dir)
    _write_atomically(target, clean)
    return target


def _clean_bytes(image: Image.Image, data: bytes) -> bytes:
    fmt = "JPEG" if image.format in ("JPEG", "MPO") else image.format
    if fmt is None:
        raise ValueError("unknown format")
    orientation = image.getexif().get(_ORIENTATION, 1)
    if fmt == "JPEG" and orientation == 1:
        lossless = _strip_jpeg_segments(data)
        if lossless is not None and _is_clean(lossless, image.size):
            return lossless
    out = _reencode(image, fmt)
    if not _is_clean(out, None):
        raise MetadataError("the clean copy still carried metadata, so it was not written")
    return out


def _reencode(image: Image.Image, fmt: str) -> bytes:
    frames = []
    durations = []
    count = getattr(image, "n_frames", 1) or 1
    for index in range(count):
        if count > 1:
            image.seek(index)
            frame = image.copy()
        else:
            frame = ImageOps.exif_transpose(image)  # a copy, turned upright
        durations.append(image.info.get("duration", 0))
        # A copy's info still holds the EXIF/XMP/comment bytes that savers fall back on: keep only looks.
        frame.info = {key: image.info[key] for key in _KEPT_INFO if key in image.info}
        frames.append(frame)
    options: dict = {}
    if fmt == "JPEG":
        options.update(quality=95, subsampling=0)
        if frames[0].mode not in ("RGB", "L", "CMYK"):
            frames = [f.convert("RGB") for f in frames]
    if count > 1:
        options.update(save_all=True, append_images=frames[1:], duration=durations, loop=image.info.get("loop", 0))
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, **options)
    return buffer.getvalue()


def _is_clean(data: bytes, size: tuple[int, int] | None) -> bool:
    with Image.open(io.BytesIO(data)) as copy:
        copy.load()
        if size is not None and copy.size != size:
            return False
        exif = copy.getexif()
        if _has_location(copy) or any(tag in exif for tag in _METADATA_TAGS):
            return False
        return not any(copy.info.get(key) for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"))


_METADATA_TAGS = (0x8769, 0x8825, 0x010E, 0x010F, 0x0110, 0x0112, 0x0131, 0x0132, 0x013B, 0x8298, 700, 33723)
"""EXIF/GPS pointers, description, make, model, orientation, software, date, artist, copyright, XMP, IPTC.
(A TIFF's own layout tags, such as its width, are not metadata.)"""


_KEEP_APP = {0xE0: b"", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
"""APP segments kept (with the prefix their payload must start with): JFIF, ICC profile, Adobe."""


def _strip_jpeg_segments(data: bytes) -> bytes | None:
    """The JPEG without metadata segments, byte for byte otherwise; None if its structure is unusual."""
    if data[:2] != b"\xff\xd8":
        return None
    out = bytearray(b"\xff\xd8")
    i, size = 2, len(data)
    while i < size:
        if data[i] != 0xFF:
            return None
        while i < size and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= size:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:  # end of image: anything after it (MPF images, trailers) is dropped
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += bytes((0xFF, marker))
            continue
        if i + 2 > size:
            return None
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2 or i + length > size:
            return None
        payload = data[i + 2 : i + length]
        segment = bytes((0xFF, marker)) + data[i : i + length]
        i += length
        is_app = 0xE0 <= marker <= 0xEF
        if marker == 0xFE or (is_app and not (marker in _KEEP_APP and payload.startswith(_KEEP_APP[marker]))):
            continue  # COM, EXIF, XMP, IPTC, MPF and other application data
        out += segment
        if marker == 0xDA:  # start of scan: copy the entropy-coded data up to the next real marker
            j = i
            while True:
                j = data.find(b"\xff", j)
                if j < 0 or j + 1 >= size:
                    return None
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    j += 2
                elif following == 0xFF:
                    j += 1
                else:
                    break
            out += data[i:j]
            i = j
    return None


def _target(path: Path, out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MetadataError(f"cannot create {out_dir} for the clean copies ({exc.strerror or exc})") from None
    target = out_dir / path.name
    same_folder = out_dir.resolve() == path.resolve().parent
    if same_folder or _same_file(target, path):
        target = out_dir / f"{path.stem}.clean{path.suffix}"
    while _same_file(target, path):  # photo.clean.jpg was itself the original
        target = out_dir / f"{target.stem}.clean{target.suffix}"
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _write_atomically(target: Path, data: bytes) -> None:
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".postcheck-", suffix=target.suffix)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        raise MetadataError(f"cannot write {target} ({exc.strerror or exc})") from None
