"""The faces check through the CLI on every image format and on EXIF-rotated phone photos."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from clirun import run_cli
from conftest import SHARED_FACES, needs_faces

pytestmark = needs_faces

EXPECTED = [("faces.consented", "P010"), ("faces.no-consent", "P011")]


def faces_in(result) -> list[tuple[str, str]]:
    (post,) = json.loads(result.out)["posts"]
    return sorted((f["rule"], f["pupil_id"]) for f in post["findings"] if f["rule"].startswith("faces."))


@pytest.fixture(scope="module")
def group() -> Image.Image:
    return Image.open(SHARED_FACES / "groups" / "two_people.jpg").convert("RGB")


@pytest.mark.parametrize(
    "name, save",
    [
        ("group.heic", lambda im, p: im.save(p, format="HEIF", quality=90)),
        ("group.webp", lambda im, p: im.save(p, quality=90)),
        ("group.png", lambda im, p: im.convert("RGBA").save(p)),
        ("group-cmyk.jpg", lambda im, p: im.convert("CMYK").save(p, quality=92)),
        ("group-grey.jpg", lambda im, p: im.convert("L").save(p, quality=92)),
        ("group-progressive.jpg", lambda im, p: im.save(p, quality=90, progressive=True)),
        ("group.tiff", lambda im, p: im.save(p)),
    ],
)
def test_both_faces_are_judged_in_every_format(school, capsys, group, name, save):
    path = school / name
    save(group, path)
    result = run_cli(capsys, path, "--format", "json")
    assert result.code == 1
    assert faces_in(result) == EXPECTED


@pytest.mark.parametrize("orientation, stored", [(3, 180), (6, 90), (8, 270)])
def test_exif_rotated_phone_photos(school, capsys, group, orientation, stored):
    """A phone stores the pixels sideways and an EXIF tag saying how to turn them."""
    path = school / f"phone-{orientation}.jpg"
    exif = Image.Exif()
    exif[0x0112] = orientation
    group.rotate(stored, expand=True).save(path, quality=92, exif=exif)
    result = run_cli(capsys, path, "--format", "json")
    assert result.code == 1
    assert faces_in(result) == EXPECTED
    # Left to right as a person sees the photo: Obama (consented) first, Biden (refused) second.
    (post,) = json.loads(result.out)["posts"]
    boxes = {f["pupil_id"]: f["box"]["left"] for f in post["findings"] if f.get("box")}
    assert boxes["P010"] < boxes["P011"]
