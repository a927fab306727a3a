"""Faces in real event photos (../shared/faces/wild): every kind of face a parent would recognise is
found, whatever the pose, and a refused child in a group photo fails the post."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from PIL import Image, ImageOps

from conftest import SHARED_FACES, needs_faces
from facekit import FakePerson, FakeRegister, post
from postcheck import vision
from postcheck.checks.faces import FacesCheck
from postcheck.findings import Severity
from postcheck.post import Picture

WILD = SHARED_FACES / "wild"
pytestmark = needs_faces


def load(name: str) -> np.ndarray:
    return np.asarray(ImageOps.exif_transpose(Image.open(WILD / name)).convert("RGB"))


@pytest.fixture(scope="module")
def wild_labels() -> dict:
    return json.loads((WILD / "labels.json").read_text())


@pytest.fixture(scope="module")
def wild_boxes(wild_labels) -> dict[str, list[vision.FaceBox]]:
    """Every group and no-face photo's boxes, found once for the module."""
    return {entry["file"]: vision.detect_faces(load(entry["file"])) for entry in wild_labels["photos"] + wild_labels["no_faces"]}


def hits(faces: list[dict], boxes: list[vision.FaceBox]) -> list[bool]:
    """Which labelled faces a box holds the centre of, each box finding at most one face (the nearest),
    as ../shared/faces/score_detection.py judges."""
    pairs = sorted(
        (((b.left + b.right) / 2 - f["center"][0]) ** 2 + ((b.top + b.bottom) / 2 - f["center"][1]) ** 2, bi, fi)
        for bi, b in enumerate(boxes) for fi, f in enumerate(faces)
        if b.left <= f["center"][0] <= b.right and b.top <= f["center"][1] <= b.bottom
    )
    found, used = [False] * len(faces), set()
    for _, bi, fi in pairs:
        if bi not in used and not found[fi]:
            used.add(bi)
            found[fi] = True
    return found


def test_at_least_97_percent_of_wild_faces_are_found(wild_labels, wild_boxes):
    found = [hit for entry in wild_labels["photos"] for hit in hits(entry["faces"], wild_boxes[entry["file"]])]
    assert sum(found) / len(found) >= 0.97, f"{sum(found)}/{len(found)}"


@pytest.mark.parametrize("tag, least", [("profile", 0.85), ("masked", 1.0), ("rotated", 1.0), ("child", 1.0),
                                        ("hat", 0.9), ("occluded", 0.9), ("turned", 0.95), ("small", 0.95)])
def test_every_kind_of_face_is_found(wild_labels, wild_boxes, tag, least):
    found = []
    for entry in wild_labels["photos"]:
        found += [hit for face, hit in zip(entry["faces"], hits(entry["faces"], wild_boxes[entry["file"]]))
                  if tag in face.get("tags", [])]
    assert found and sum(found) / len(found) >= least, f"{tag}: {sum(found)}/{len(found)}"


def test_at_most_one_box_on_the_photos_without_faces(wild_labels, wild_boxes):
    # The gorilla's face is the one box (score 0.75): an animal face, shown for a person to look at.
    assert sum(len(wild_boxes[entry["file"]]) for entry in wild_labels["no_faces"]) <= 1
    assert wild_boxes["no_faces/scream_painting.jpg"] == [] and wild_boxes["no_faces/figurine.jpg"] == []


@pytest.mark.parametrize("name", ["groups/kids_thumbs_up.jpg", "groups/family_group.jpg", "groups/friends_hands_in.jpg"])
@pytest.mark.parametrize("turns", [1, 2, 3])
def test_faces_lying_down_or_upside_down_are_found(wild_labels, name, turns):
    """A child lying on the grass, a photo stored on its side: the photo turned 90, 180 and 270 degrees."""
    (entry,) = [e for e in wild_labels["photos"] if e["file"] == name]
    image = load(name)
    height, width = image.shape[:2]
    turned = np.ascontiguousarray(np.rot90(image, turns))
    moved = []
    for face in entry["faces"]:
        x, y = face["center"]
        x, y = {1: (y, width - 1 - x), 2: (width - 1 - x, height - 1 - y), 3: (height - 1 - y, x)}[turns]
        moved.append({**face, "center": [x, y]})
    found = hits(moved, vision.detect_faces(turned))
    assert sum(found) >= len(found) - 1, f"{sum(found)}/{len(found)}"


def test_a_profile_is_found_and_unverifiable(wild_boxes):
    image = load("groups/meeting_table.jpg")
    (box,) = [b for b in wild_boxes["groups/meeting_table.jpg"] if b.left <= 824 <= b.right and b.top <= 118 <= b.bottom]
    assert vision.assess(image, box) == "it is turned to the side (a profile)"


def test_a_40_pixel_face_and_a_2000_pixel_face_in_one_12_megapixel_photo():
    portrait = Image.open(SHARED_FACES / "people" / "obama.jpg").convert("RGB")
    (face,) = vision.detect_faces(np.asarray(portrait))
    margin = face.width // 4
    crop = portrait.crop((face.left - margin, face.top - margin, face.right + margin, face.bottom + margin))
    scale = 2000 / face.width
    canvas = Image.new("RGB", (4000, 3000), (120, 140, 160))
    canvas.paste(crop.resize((round(crop.width * scale), round(crop.height * scale))), (200, 0))
    scale = 40 / face.width
    canvas.paste(crop.resize((round(crop.width * scale), round(crop.height * scale)), Image.Resampling.LANCZOS), (3600, 2600))
    boxes = vision.detect_faces(np.asarray(canvas))
    widths = sorted(b.width for b in boxes)
    assert len(boxes) == 2, widths
    assert 35 <= widths[0] <= 70 and 1500 <= widths[1] <= 2800, widths


def test_a_refused_child_in_a_family_photo_fails_the_post(wild_labels):
    """family_beach.jpg: Microsoft's Face sample identifies its faces against wild/people/family1_*."""
    people = [FakePerson("P1", "Sam", "Dad", role="staff"), FakePerson("P2", "Kim", "Mum", role="staff"),
              FakePerson("P3", "Tom", "Son", consent=frozenset()), FakePerson("P4", "Amy", "Daughter")]
    references = {}
    for pid, who in zip(("P1", "P2", "P3", "P4"), ("dad", "mom", "son", "daughter")):
        references[pid] = [vision.encode_reference(load(f"people/family1_{who}_{n}.jpg"))[0] for n in (1, 2)]
    faces = FacesCheck(FakeRegister(tuple(people)), references, on=date(2026, 6, 1), channel="facebook",
                       tolerance=0.45, unknown="fail")
    beach = Picture(path=WILD / "groups" / "family_beach.jpg", display="family_beach.jpg",
                    frames=(load("groups/family_beach.jpg"),))
    findings = list(faces.run(post(beach)))
    refused = [f for f in findings if f.rule == "faces.no-consent"]
    assert [f.pupil_id for f in refused] == ["P3"] and refused[0].severity is Severity.ERROR
    assert not any(f.rule == "faces.consented" and f.pupil_id == "P3" for f in findings)
