"""The one image loader every image check uses: decode once, orient, convert to RGB.

EXIF orientation is applied (phone photos), every colour mode becomes 8-bit RGB (grey, RGBA,
CMYK, 16-bit, palette), and JPEG, PNG, WebP, GIF (every frame), TIFF, BMP and iPhone HEIC load.
Anything that cannot be decoded raises ImageError with a reason staff understand; a
decompression bomb is refused before its pixels are decoded.
"""

from __future__ import annotations

import functools
import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from postcheck.post import Picture

MAX_PIXELS = 120_000_000
"""Largest image accepted (120 MP: well above any phone or camera photo)."""
MAX_FRAMES = 300
"""Most frames of an animated image that are checked; a longer animation cannot be verified."""


_GPS_IFD = 0x8825


class ImageError(Exception):
    """The file cannot be checked as an image; the message says why, in plain words."""


@functools.cache
def _register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _is_heif(path: Path) -> bool:
    """An ISO media file (HEIC/HEIF/AVIF): ``ftyp`` at byte 4, whatever the file is called."""
    try:
        with path.open("rb") as handle:
            return handle.read(12)[4:8] == b"ftyp"
    except OSError:
        return False


def load_picture(path: Path, display: str | None = None) -> Picture:
    """Decode ``path`` into a Picture; raise ImageError when it cannot be checked."""
    display = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageError(f"cannot be read ({exc.strerror or exc})") from None
    if path.is_dir():
        raise ImageError("is a folder, not an image")
    if size == 0:
        raise ImageError("is an empty file")
    if _is_heif(path):
        _register_heif()  # importing pillow-heif costs 0.4 s: only for the photos that need it
    return _decode(path, path, display)


def load_picture_data(data: bytes, path: Path, display: str) -> Picture:
    """Decode an image held in memory (a photo inside a Word draft); ``path`` is where it came from."""
    if not data:
        raise ImageError("is an empty file")
    if data[4:8] == b"ftyp":
        _register_heif()
    return _decode(io.BytesIO(data), path, display)


def word_pictures(path: Path):
    """Each photo pasted into a Word file, as ``(name, Picture)``, or ``(name, ImageError)`` when it cannot be
    decoded; shown as ``post.docx:image1.png`` (the name the photo has inside the file)."""
    from postcheck.drafts import docx_pictures

    for name, data in docx_pictures(path):
        try:
            yield name, load_picture_data(data, path.with_name(f"{path.stem}-{name}"), f"{path}:{name}")
        except ImageError as exc:
            yield name, exc


def _decode(source, path: Path, display: str) -> Picture:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                width, height = image.size
                if width * height > MAX_PIXELS or width <= 0 or height <= 0:
                    raise ImageError(
                        f"is {width}x{height} pixels, too large to check safely (a possible decompression bomb)"
                    )
                has_location = _has_location(image)
                frames = tuple(_frames(image))
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("is too large to check safely (a possible decompression bomb)") from None
    except UnidentifiedImageError:
        raise ImageError("is not an image postcheck can read (or the file is damaged)") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError, IndexError, TypeError, KeyError) as exc:
        reason = str(exc).split("\n")[0] or type(exc).__name__
        if "truncated" in reason.lower() or isinstance(exc, EOFError):
            raise ImageError("is truncated or damaged: save or export it again") from None
        raise ImageError(f"cannot be decoded ({reason})") from None
    return Picture(path=path, display=display, frames=frames, frame_times=(None,) * len(frames),
                   has_location=has_location)


def _frames(image: Image.Image):
    count = getattr(image, "n_frames", 1) or 1
    if count > MAX_FRAMES:
        raise ImageError(f"is an animation of {count} frames, more than the {MAX_FRAMES} postcheck can check")
    previous = None
    for index in range(count):
        if count > 1:
            image.seek(index)
        rgb = to_rgb(image if count > 1 else _upright(image))
        # Identical consecutive frames (common in GIFs) are checked once.
        if previous is not None and rgb.shape == previous.shape and np.array_equal(rgb, previous):
            continue
        previous = rgb
        yield rgb


def _upright(image: Image.Image) -> Image.Image:
    """The image as it is meant to be seen (EXIF orientation applied); no copy when already upright."""
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # malformed EXIF: Pillow's own transpose copes or raises a decode error below
        orientation = None
    return image if orientation == 1 else ImageOps.exif_transpose(image)


def to_rgb(image: Image.Image) -> np.ndarray:
    """Any PIL image as a C-contiguous 8-bit RGB array; transparency is flattened onto white."""
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        top = array.max() if array.size else 0
        scale = 255.0 / (65535.0 if mode.startswith("I;16") or top > 255 else max(top, 1.0))
        grey = np.clip(array * scale, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.stack([grey] * 3, axis=-1))
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    rgb = image if mode == "RGB" else image.convert("RGB")
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))


def _has_location(image: Image.Image) -> bool:
    try:
        exif = image.getexif()
        gps = exif.get_ifd(_GPS_IFD) if exif else {}
    except Exception:  # malformed EXIF: the pixels may still be fine; XMP is checked below
        gps = {}
    if gps and any(tag in gps for tag in (1, 2, 3, 4)):  # latitude/longitude refs and values
        return True
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "ignore")
    return b"GPSLatitude" in xmp or b"GPSLongitude" in xmp
