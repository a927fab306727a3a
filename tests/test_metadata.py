"""Location metadata: detected by the shared loader in every format, and gone from strip_metadata's copies."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from postcheck.images import _register_heif, load_picture
from postcheck.metadata import MetadataError, strip_metadata

FACES = Path(__file__).resolve().parents[1] / ".." / "shared" / "faces"
REAL_PHOTO = FACES / "people" / "obama.jpg"
needs_photos = pytest.mark.skipif(not REAL_PHOTO.exists(), reason="../shared/faces is not present")

FORMATS = [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp"), ("HEIF", ".heic")]
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def exif_bytes(*, gps: bool = True, orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    return exif.tobytes()


def test_picture() -> Image.Image:
    """64x32, red with a blue top-left corner: any rotation or flip shows."""
    image = Image.new("RGB", (64, 32), (200, 20, 20))
    image.paste((20, 20, 200), (0, 0, 16, 8))
    return image


test_picture.__test__ = False  # a helper, not a test


def save(path: Path, fmt: str, **options) -> Path:
    _register_heif()
    test_picture().save(path, fmt, **options)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gps_of(path: Path) -> dict:
    _register_heif()
    with Image.open(path) as image:
        return dict(image.getexif().get_ifd(GPS_IFD))


@pytest.mark.parametrize(("fmt", "suffix"), FORMATS, ids=[f for f, _ in FORMATS])
def test_gps_is_detected(tmp_path, fmt, suffix):
    path = save(tmp_path / f"gps{suffix}", fmt, exif=exif_bytes())
    assert gps_of(path)[1] == "N"  # the file really carries GPS
    assert load_picture(path).has_location is True


@pytest.mark.parametrize(("fmt", "suffix"), FORMATS, ids=[f for f, _ in FORMATS])
def test_no_gps_is_not_location(tmp_path, fmt, suffix):
    plain = save(tmp_path / f"plain{suffix}", fmt)
    camera_only = save(tmp_path / f"camera{suffix}", fmt, exif=exif_bytes(gps=False))
    assert load_picture(plain).has_location is False
    assert load_picture(camera_only).has_location is False


def test_png_exif_after_the_pixels_is_detected(tmp_path):
    """Some tools write PNG's eXIf chunk after IDAT; the loader reads it there too."""
    data = save(tmp_path / "early.png", "PNG", exif=exif_bytes()).read_bytes()
    chunks, index = [], 8
    while index < len(data):
        length = int.from_bytes(data[index : index + 4], "big")
        chunks.append(data[index : index + 12 + length])
        index += 12 + length
    exif = next(c for c in chunks if c[4:8] == b"eXIf")
    others = [c for c in chunks if c[4:8] != b"eXIf"]
    late = tmp_path / "late.png"
    late.write_bytes(data[:8] + b"".join(others[:-1]) + exif + others[-1])
    assert [c[4:8] for c in others] == [b"IHDR", b"IDAT", b"IEND"]
    assert load_picture(late).has_location is True


def test_xmp_gps_in_jpeg_is_detected_and_stripped(tmp_path):
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>51,30.2N</exif:GPSLatitude></x:xmpmeta>'
    path = save(tmp_path / "xmp.jpg", "JPEG", xmp=xmp)
    assert load_picture(path).has_location is True
    copy = strip_metadata(path, tmp_path / "clean")
    assert load_picture(copy).has_location is False
    assert b"GPSLatitude" not in copy.read_bytes()


@pytest.mark.parametrize(("fmt", "suffix"), FORMATS, ids=[f for f, _ in FORMATS])
@pytest.mark.parametrize("orientation", [None, 6], ids=["upright", "rotated-exif"])
def test_strip_metadata_removes_gps_and_keeps_the_picture(tmp_path, fmt, suffix, orientation):
    original = save(tmp_path / f"photo{suffix}", fmt, exif=exif_bytes(orientation=orientation))
    before = sha256(original)
    seen = load_picture(original)  # what staff see: EXIF orientation applied
    assert seen.has_location

    copy = strip_metadata(original, tmp_path / "clean")

    assert copy == tmp_path / "clean" / f"photo{suffix}"
    assert sha256(original) == before
    assert gps_of(copy) == {}
    cleaned = load_picture(copy)
    assert cleaned.has_location is False
    assert cleaned.pixels.shape == seen.pixels.shape == ((64, 32, 3) if orientation == 6 else (32, 64, 3))
    # Same orientation: the blue corner is where it was, and colours match within lossy tolerance.
    difference = np.abs(cleaned.pixels.astype(int) - seen.pixels.astype(int))
    assert difference.mean() < 4
    with Image.open(copy) as image:
        assert image.format == ("HEIF" if fmt == "HEIF" else fmt)
        assert ORIENTATION not in image.getexif() and 0x010F not in image.getexif()


@needs_photos
def test_real_jpeg_is_stripped_losslessly(tmp_path):
    """A phone JPEG needing no rotation keeps every pixel: only the metadata segments go."""
    data = REAL_PHOTO.read_bytes()
    app1 = b"Exif\x00\x00" + exif_bytes(orientation=1)
    segment = b"\xff\xe1" + (len(app1) + 2).to_bytes(2, "big") + app1
    comment = b"\xff\xfe" + (len(b"Home: 12 Acacia Avenue") + 2).to_bytes(2, "big") + b"Home: 12 Acacia Avenue"
    trailer = b"MPF secondary image with its own Exif GPS"
    original = tmp_path / "obama.jpg"
    original.write_bytes(data[:2] + segment + comment + data[2:] + trailer)
    assert load_picture(original).has_location
    before = sha256(original)

    copy = strip_metadata(original, tmp_path / "out")

    assert sha256(original) == before
    cleaned = copy.read_bytes()
    assert b"Exif\x00\x00" not in cleaned and b"Acacia" not in cleaned and trailer not in cleaned
    assert cleaned.endswith(b"\xff\xd9")
    with Image.open(original) as a, Image.open(copy) as b:
        assert np.array_equal(np.asarray(a), np.asarray(b))
    assert load_picture(copy).has_location is False


def test_copy_into_the_photos_own_folder_does_not_overwrite_it(tmp_path):
    original = save(tmp_path / "photo.jpg", "JPEG", exif=exif_bytes())
    before = sha256(original)
    copy = strip_metadata(original, tmp_path)
    assert copy == tmp_path / "photo.clean.jpg"
    assert sha256(original) == before
    assert load_picture(copy).has_location is False
    # Stripping the clean copy in place again keeps both files.
    again = strip_metadata(copy, tmp_path)
    assert again == tmp_path / "photo.clean.clean.jpg" and copy.exists()


def test_copy_through_a_link_to_the_same_folder_does_not_overwrite_it(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    original = save(folder / "photo.png", "PNG", exif=exif_bytes())
    before = sha256(original)
    link = tmp_path / "link"
    link.symlink_to(folder)
    copy = strip_metadata(original, link)
    assert copy.name == "photo.clean.png"
    assert sha256(original) == before


def test_only_the_target_is_written(tmp_path):
    original = save(tmp_path / "photo.webp", "WEBP", exif=exif_bytes())
    out = tmp_path / "out"
    strip_metadata(original, out)
    assert sorted(p.name for p in out.iterdir()) == ["photo.webp"]  # no temporary files left


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.jpg", b""), ("text.jpg", b"not an image at all"), ("truncated.png", b"\x89PNG\r\n\x1a\n\x00\x00")],
)
def test_unreadable_input_raises_metadata_error(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MetadataError, match=name):
        strip_metadata(path, tmp_path / "out")
    assert not (tmp_path / "out" / name).exists()


def test_missing_input_raises_metadata_error(tmp_path):
    with pytest.raises(MetadataError, match="cannot be read"):
        strip_metadata(tmp_path / "missing.jpg", tmp_path / "out")


def test_animated_gif_keeps_its_frames_and_loses_its_comment(tmp_path):
    frames = [Image.new("RGB", (20, 10), (red, 0, 0)) for red in (10, 120, 240)]
    original = tmp_path / "wave.gif"
    frames[0].save(
        original, save_all=True, append_images=frames[1:], duration=100, loop=0, comment=b"Mia, 12 Acacia Avenue"
    )
    with Image.open(original) as image:
        assert image.n_frames == 3 and image.info["comment"] == b"Mia, 12 Acacia Avenue"
    copy = strip_metadata(original, tmp_path / "out")
    assert b"Acacia" not in copy.read_bytes()
    with Image.open(copy) as image:
        assert image.format == "GIF" and image.n_frames == 3 and image.size == (20, 10)
        assert "comment" not in image.info
        reds = []
        for index in range(3):
            image.seek(index)
            reds.append(image.convert("RGB").getpixel((0, 0))[0])
    assert reds == [10, 120, 240]
