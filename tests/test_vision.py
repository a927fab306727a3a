"""vision: detection, encodings and face quality, through the real dlib models and real photos."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

from conftest import EXAMPLES
from facekit import rgb
from postcheck import vision
from postcheck.checks.faces import DEFAULT_TOLERANCE, NEAR_DISTANCE

OBAMA_PHOTOS = [
    "obama.jpg", "obama2.jpg", "obama3.jpg", "32bit.png", "obama_partial_face.jpg", "obama_partial_face2.jpg",
    "obama_small.jpg", "obama-240p.jpg", "obama-480p.jpg", "obama-720p.jpg", "obama-1080p.jpg",
]


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    top, bottom = max(a[0], b[0]), min(a[2], b[2])
    left, right = max(a[3], b[3]), min(a[1], b[1])
    inter = max(0, bottom - top) * max(0, right - left)
    area = lambda x: (x[2] - x[0]) * (x[1] - x[3])  # noqa: E731
    return inter / (area(a) + area(b) - inter)


def matches(label: tuple, box: vision.FaceBox) -> bool:
    cy, cx = (label[0] + label[2]) / 2, (label[1] + label[3]) / 2
    return iou(label, box.as_tuple()) >= 0.3 or (box.top <= cy <= box.bottom and box.left <= cx <= box.right)


def obama_face_of_width(shared_faces, width: int) -> Image.Image:
    """obama-480p.jpg (face 107 px wide) shrunk so the face is about ``width`` px wide."""
    image = Image.open(shared_faces / "people" / "obama-480p.jpg").convert("RGB")
    f = width / 107
    return image.resize((round(image.width * f), round(image.height * f)), Image.Resampling.LANCZOS)


def test_every_labelled_face_is_found_without_false_positives(shared_faces, labels):
    found = missed = extra = 0
    for name, label in labels.items():
        if not name.startswith("detection/"):
            continue
        boxes = vision.detect_faces(rgb(shared_faces / name))
        truth = [(b["top"], b["left"] + b["width"], b["top"] + b["height"], b["left"]) for b in label["boxes"]]
        hits = [any(matches(t, b) for b in boxes) for t in truth]
        found += sum(hits)
        missed += len(hits) - sum(hits)
        extra += sum(not any(matches(t, b) for t in truth) for b in boxes)
    assert (found, missed, extra) == (29, 0, 0)


@pytest.mark.parametrize("name", OBAMA_PHOTOS + ["biden.jpg", "lin-manuel-miranda.png"])
def test_one_face_per_portrait(shared_faces, name):
    boxes = vision.detect_faces(rgb(shared_faces / "people" / name))
    assert len(boxes) == 1
    assert boxes[0].score > 0


@pytest.mark.parametrize("name", OBAMA_PHOTOS)
def test_obama_matches_across_sizes_and_crops(shared_faces, reference_encodings, name):
    image = rgb(shared_faces / "people" / name)
    (box,) = vision.detect_faces(image)
    assert vision.assess(image, box) is None
    (encoding,) = vision.encode_faces(image, [box])
    assert encoding.shape == (128,)
    assert vision.face_distances(reference_encodings["obama"], encoding).min() <= DEFAULT_TOLERANCE
    assert vision.face_distances(reference_encodings["biden"], encoding).min() > NEAR_DISTANCE


def test_two_people_left_to_right(shared_faces, reference_encodings):
    image = rgb(shared_faces / "groups" / "two_people.jpg")
    left, right = vision.detect_faces(image)
    assert left.right < right.left
    obama, biden = vision.encode_faces(image, [left, right])
    assert vision.face_distances(reference_encodings["obama"], obama).min() <= DEFAULT_TOLERANCE
    assert vision.face_distances(reference_encodings["biden"], biden).min() <= DEFAULT_TOLERANCE
    assert vision.face_distances(reference_encodings["biden"], obama).min() > NEAR_DISTANCE


def test_encode_reference_returns_every_face(shared_faces):
    assert len(vision.encode_reference(rgb(shared_faces / "groups" / "two_people.jpg"))) == 2
    assert len(vision.encode_reference(rgb(shared_faces / "people" / "biden.jpg"))) == 1


def test_12_megapixel_photo_finds_both_faces_where_they_are(shared_faces, big_two_people, reference_encodings):
    small = vision.detect_faces(rgb(shared_faces / "groups" / "two_people.jpg"))
    image = rgb(big_two_people)
    assert image.shape == (3000, 4000, 3)
    boxes = vision.detect_faces(image)
    sx, sy = 4000 / 1126, 3000 / 661
    expected = [(round(b.top * sy), round(b.right * sx), round(b.bottom * sy), round(b.left * sx)) for b in small]
    assert len(boxes) == 2
    assert all(iou(e, b.as_tuple()) >= 0.5 for e, b in zip(expected, boxes))
    obama, biden = vision.encode_faces(image, boxes)
    assert vision.face_distances(reference_encodings["obama"], obama).min() <= DEFAULT_TOLERANCE
    assert vision.face_distances(reference_encodings["biden"], biden).min() <= DEFAULT_TOLERANCE


@pytest.mark.parametrize("where", [(2500, 1800), (1969, 1400), (30, 2900)])
def test_70_pixel_face_in_12_megapixel_canvas_is_found(shared_faces, where):
    # (1969, 1400) puts the face across the border between the two fine strips.
    face = obama_face_of_width(shared_faces, 70)
    canvas = Image.new("RGB", (4000, 3000), (120, 140, 160))
    canvas.paste(face, where)
    boxes = vision.detect_faces(np.asarray(canvas))
    assert len(boxes) == 1
    (box,) = boxes
    assert where[0] <= box.left and box.right <= where[0] + face.width
    assert where[1] <= box.top and box.bottom <= where[1] + face.height
    assert 55 <= box.width <= 95


def test_plain_image_has_no_faces():
    gradient = np.linspace(0, 255, 640 * 480 * 3).reshape(480, 640, 3).astype(np.uint8)
    assert vision.detect_faces(gradient) == []
    assert vision.detect_faces(np.zeros((3000, 4000, 3), np.uint8)) == []


def test_rejects_non_rgb_input():
    with pytest.raises(ValueError, match="RGB uint8"):
        vision.detect_faces(np.zeros((100, 100), np.uint8))


def test_tiny_face_is_too_small(shared_faces):
    canvas = Image.new("RGB", (400, 300), (120, 140, 160))
    canvas.paste(obama_face_of_width(shared_faces, 33), (100, 100))
    image = np.asarray(canvas)
    (box,) = vision.detect_faces(image)
    assert vision.assess(image, box) == "it is too small (36 pixels wide; at least 40 are needed)"


def test_blurred_face_is_blurred(shared_faces):
    image = Image.open(shared_faces / "people" / "obama.jpg").convert("RGB")
    blurred = np.asarray(image.filter(ImageFilter.GaussianBlur(11)))  # sigma 4% of the 268 px face
    (box,) = vision.detect_faces(blurred)
    assert vision.sharpness(blurred, box) < vision.BLUR_THRESHOLD
    assert vision.assess(blurred, box) == "it is blurred"


def test_face_largely_outside_the_frame_is_cut_off(shared_faces):
    image = rgb(shared_faces / "people" / "obama.jpg")
    (box,) = vision.detect_faces(image)
    cropped = np.ascontiguousarray(image[:, box.left + int(0.3 * box.width) :])
    (cut,) = vision.detect_faces(cropped)
    assert cut.left < 0
    assert vision.assess(cropped, cut) == "it is cut off at the edge of the picture"


def test_sharpness_does_not_depend_on_resolution(shared_faces, big_two_people):
    for image in (rgb(shared_faces / "groups" / "two_people.jpg"), rgb(big_two_people)):
        assert all(vision.assess(image, box) is None for box in vision.detect_faces(image))


def test_plan_strips_overlap_by_more_than_the_coarse_pass_minimum():
    coarse, *strips = vision._plan(3000, 4000, 2)
    assert coarse.scale == pytest.approx(1024 / 4000)
    assert [(s.left, s.right) for s in strips][0][0] == 0 and strips[-1].right == 4000
    assert strips[0].right - strips[1].left >= vision.HOG_WINDOW / coarse.scale
    assert all(s.scale == pytest.approx(1.0) for s in strips)  # 12 MP is scanned as it is, not enlarged
    (single,) = vision._plan(480, 640, 2)
    assert single.scale == 2.0


MISSION_PATCH = (336, 216, 426, 127)
"""The round patch on the astronaut's suit in examples/photo.jpg, which HOG scores 0.13."""


def test_low_scoring_detections_are_shown_to_the_cnn_detector():
    image = rgb(EXAMPLES / "photo.jpg")
    boxes = vision.detect_faces(image)
    assert [b.as_tuple() for b in boxes if vision.needs_confirmation(b)] == [MISSION_PATCH]
    patch, face = boxes
    assert not vision.is_confirmed_face(image, patch)
    assert vision.is_confirmed_face(image, face)


def test_cnn_confirms_every_labelled_face(shared_faces, labels, monkeypatch):
    # Ask the CNN about every box, not only the low-scoring ones: it must call each real face a face.
    monkeypatch.setattr(vision, "CONFIRM_BELOW", float("inf"))
    confirmed = []
    for name, label in labels.items():
        if name.startswith("detection/"):
            image = rgb(shared_faces / name)
            confirmed += [vision.is_confirmed_face(image, box) for box in vision.detect_faces(image)]
    assert confirmed == [True] * 29


def test_the_lowest_scoring_real_face_is_confirmed(shared_faces):
    # detection/2007_007763.jpg holds a real face that HOG scores 0.17, close to the patch's 0.13.
    image = rgb(shared_faces / "detection" / "2007_007763.jpg")
    (low,) = [b for b in vision.detect_faces(image) if vision.needs_confirmation(b)]
    assert low.score < 0.2
    assert vision.is_confirmed_face(image, low)


def test_photos_searched_at_the_same_time_give_the_same_answers(shared_faces, big_two_people):
    """A scan checks posts in parallel: each thread's detector and borrowed encoder must give exactly
    what one photo alone gives (a 12 MP photo alone is split over the cores; in company it is not)."""
    from concurrent.futures import ThreadPoolExecutor

    photos = [rgb(shared_faces / "groups" / "two_people.jpg"), rgb(big_two_people),
              rgb(shared_faces / "detection" / "2008_002470.jpg"), rgb(shared_faces / "people" / "biden.jpg")]
    alone = [vision.detect_faces(p) for p in photos]
    alone_codes = [vision.encode_faces(p, b) for p, b in zip(photos, alone)]

    def both(p):
        boxes = vision.detect_faces(p)
        return boxes, vision.encode_faces(p, boxes)

    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(both, photos * 2))
    for (boxes, codes), expected, expected_codes in zip(together, alone * 2, alone_codes * 2):
        assert len(boxes) == len(expected)
        for box, code, want, want_code in zip(boxes, codes, expected, expected_codes):
            if box.as_tuple() == want.as_tuple():  # same box: the very same encoding
                assert np.linalg.norm(code - want_code) < 1e-6
            else:  # the 12 MP photo: found by the whole-photo pass instead of the coarse pass
                assert iou(box.as_tuple(), want.as_tuple()) > 0.5
                assert np.linalg.norm(code - want_code) < 0.2
