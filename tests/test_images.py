"""The shared image loader over every format and colour mode, with real photos."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from postcheck.images import ImageError, load_picture

from conftest import EXAMPLES, SHARED_FACES, needs_faces

pytestmark = needs_faces


@pytest.fixture(scope="module")
def portrait() -> Image.Image:
    """A real photo (obama-240p: 427x240), landscape so that rotation is visible."""
    return Image.open(SHARED_FACES / "people" / "obama-240p.jpg").convert("RGB")


def save(image: Image.Image, path: Path, **params) -> Path:
    image.save(path, **params)
    return path


@pytest.mark.parametrize(
    "name, make",
    [
        ("baseline.jpg", lambda im, p: save(im, p, quality=90)),
        ("progressive.jpg", lambda im, p: save(im, p, quality=90, progressive=True)),
        ("cmyk.jpg", lambda im, p: save(im.convert("CMYK"), p)),
        ("grey.jpg", lambda im, p: save(im.convert("L"), p)),
        ("rgba.png", lambda im, p: save(im.convert("RGBA"), p)),
        ("palette.png", lambda im, p: save(im.convert("P", palette=Image.Palette.ADAPTIVE), p)),
        ("grey16.png", lambda im, p: save(Image.fromarray((np.asarray(im.convert("L"), dtype=np.uint16) * 257)), p)),
        ("photo.webp", lambda im, p: save(im, p, quality=90)),
        ("photo.gif", lambda im, p: save(im, p)),
        ("photo.tiff", lambda im, p: save(im, p)),
        ("photo.bmp", lambda im, p: save(im, p)),
        ("iphone.heic", lambda im, p: save(im, p, format="HEIF", quality=90)),
        ("png-named.jpg", lambda im, p: save(im, p, format="PNG")),
    ],
)
def test_every_format_and_mode_loads_as_rgb(name, make, portrait, tmp_path):
    path = make(portrait, tmp_path / name)
    picture = load_picture(path)
    assert picture.pixels.dtype == np.uint8
    assert picture.pixels.shape == (240, 427, 3)
    # The content survives: close to the original in brightness.
    assert abs(float(picture.pixels.mean()) - float(np.asarray(portrait.convert("L")).mean())) < 12


def test_exif_orientation_is_applied(portrait, tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90° clockwise to display
    path = save(portrait.rotate(90, expand=True), tmp_path / "phone.jpg", exif=exif, quality=95)
    picture = load_picture(path)
    assert picture.pixels.shape == (240, 427, 3)
    difference = np.abs(picture.pixels.astype(int) - np.asarray(portrait).astype(int)).mean()
    assert difference < 10


def test_rgba_png_from_the_shared_photos():
    picture = load_picture(SHARED_FACES / "people" / "32bit.png")
    assert picture.pixels.shape == (1200, 626, 3)


def test_animated_gif_gives_every_distinct_frame(portrait, tmp_path):
    frames = [portrait, portrait, Image.new("RGB", portrait.size, "white"), portrait.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    picture = load_picture(path)
    assert len(picture.frames) == 3  # the repeated first frame is checked once


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "is an empty file"),
        (b"this is a text file called .jpg", "is not an image postcheck can read (or the file is damaged)"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "is not an image postcheck can read (or the file is damaged)"),
    ],
)
def test_bad_files_are_refused_with_a_reason(content, reason, tmp_path):
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    with pytest.raises(ImageError) as caught:
        load_picture(path)
    assert str(caught.value) == reason


def test_truncated_jpeg_is_refused(tmp_path):
    data = (SHARED_FACES / "people" / "obama.jpg").read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="truncated or damaged"):
        load_picture(path)


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (12_000, 12_000)).save(path)  # 144 MP in a few kilobytes
    assert path.stat().st_size < 100_000
    with pytest.raises(ImageError, match="too large to check safely"):
        load_picture(path)


def test_folder_is_refused(tmp_path):
    with pytest.raises(ImageError, match="is a folder"):
        load_picture(tmp_path)


def test_loading_never_changes_the_file():
    path = EXAMPLES / "photo.jpg"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    picture = load_picture(path)
    assert picture.has_location  # the example carries made-up GPS data
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
