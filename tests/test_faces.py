"""The faces check end to end with the real model and photos; consent logic with a fake register."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from conftest import EXAMPLES
from facekit import FakePerson, FakeRegister, picture, post, rgb
from postcheck import vision
from postcheck.annotate import annotate
from postcheck.checks.faces import DEFAULT_TOLERANCE, FacesCheck, classify
from postcheck.findings import Severity
from postcheck.post import Draft, LoadedPost, Picture

ON = date(2025, 3, 14)
OBAMA = FakePerson("P001", "Barack", "Obama")
BIDEN_REFUSED = FakePerson("P002", "Joe", "Biden", consent=frozenset())


def check(references, *people, on=ON, **options) -> FacesCheck:
    options.setdefault("tolerance", DEFAULT_TOLERANCE)
    options.setdefault("unknown", "fail")
    refs = {p.pupil_id: references[p.last_name.lower()] for p in people}
    return FacesCheck(FakeRegister(people), refs, on=on, channel="facebook", **options)


def summary(findings) -> list[tuple[str, Severity, str | None]]:
    return [(f.rule, f.severity, f.pupil_id) for f in findings]


@pytest.fixture(scope="module")
def two_people(shared_faces):
    return picture(shared_faces / "groups" / "two_people.jpg")


@pytest.mark.parametrize(
    "name",
    ["obama2.jpg", "obama3.jpg", "32bit.png", "obama_partial_face.jpg", "obama_partial_face2.jpg",
     "obama_small.jpg", "obama-240p.jpg", "obama-1080p.jpg"],
)
def test_consented_pupil_is_cleared_and_named(shared_faces, reference_encodings, name):
    findings = list(check(reference_encodings, OBAMA, BIDEN_REFUSED).run(post(picture(shared_faces / "people" / name))))
    assert summary(findings) == [("faces.consented", Severity.INFO, "P001")]
    assert findings[0].message.startswith(f"In {name}, the only face (box at ")
    assert findings[0].message.endswith("is Barack Obama (pupil P001), who has photo consent for facebook.")
    assert not findings[0].fails


def test_two_people_refused_one_is_reported_with_the_right_box(two_people, reference_encodings):
    findings = list(check(reference_encodings, OBAMA, BIDEN_REFUSED).run(post(two_people)))
    assert summary(findings) == [
        ("faces.consented", Severity.INFO, "P001"),
        ("faces.no-consent", Severity.ERROR, "P002"),
    ]
    obama_box, biden_box = (b.clipped(661, 1126) for b in vision.detect_faces(two_people.pixels))
    assert findings[0].box == obama_box and findings[1].box == biden_box
    assert biden_box[3] > 1126 / 2  # biden is on the right
    top, right, bottom, left = biden_box
    assert findings[1].message == (
        f"In two_people.jpg, the 2nd face from the left (box at {left},{top}, {right - left}x{bottom - top} pixels) "
        "looks like Joe Biden (pupil P002), who has no photo consent for facebook: remove the photo or crop or blur "
        "this face; if you think consent was given, check with the office."
    )
    assert findings[1].wording.names() == (("Joe Biden", "J.B."),)
    redacted = findings[1].redacted().message
    assert "Biden" not in redacted and "J.B. (pupil P002)" in redacted


def test_refused_pupil_is_not_let_off_by_a_strict_tolerance(two_people, reference_encodings):
    findings = list(check(reference_encodings, OBAMA, BIDEN_REFUSED, tolerance=0.02).run(post(two_people)))
    # Obama is no longer close enough to clear, but Biden is still reported as Biden.
    assert summary(findings) == [("faces.unknown", Severity.ERROR, None), ("faces.no-consent", Severity.ERROR, "P002")]


def test_staff_with_consent_is_cleared(two_people, reference_encodings):
    staff = FakePerson("S001", "Joe", "Biden", role="staff")
    findings = list(check(reference_encodings, OBAMA, staff).run(post(two_people)))
    assert summary(findings) == [("faces.consented", Severity.INFO, "P001"), ("faces.consented", Severity.INFO, "S001")]
    assert "is Joe Biden (staff S001)" in findings[1].message


def test_stranger_is_unknown_and_fails_by_default(shared_faces, reference_encodings):
    stranger = picture(shared_faces / "people" / "lin-manuel-miranda.png")
    (finding,) = check(reference_encodings, OBAMA, BIDEN_REFUSED).run(post(stranger))
    assert (finding.rule, finding.severity, finding.pupil_id) == ("faces.unknown", Severity.ERROR, None)
    assert "matches nobody in the consent register and could be a child whose parents said no" in finding.message
    assert finding.fails


def test_stranger_is_a_warning_with_unknown_warn(shared_faces, reference_encodings):
    stranger = picture(shared_faces / "people" / "lin-manuel-miranda.png")
    (finding,) = check(reference_encodings, OBAMA, unknown="warn").run(post(stranger))
    assert (finding.rule, finding.severity) == ("faces.unknown", Severity.WARNING)
    assert not finding.fails


def test_the_example_astronaut_is_one_face_and_unverifiable_faces_are_amber(tmp_path, reference_encodings):
    pic = picture(EXAMPLES / "photo.jpg")
    (finding,) = check(reference_encodings, OBAMA).run(post(pic))
    # The round mission patch on her suit is not taken for a face: she is "the only face".
    assert finding.rule == "faces.unknown"
    assert finding.message.startswith("In photo.jpg, the only face (box at 165,41, 120x152 pixels) matches nobody")
    tiny = tmp_path / "tiny.png"
    Image.open(EXAMPLES / "photo.jpg").convert("RGB").resize((120, 120)).save(tiny)
    small = picture(tiny)
    (unverifiable,) = check(reference_encodings, OBAMA).run(post(small))
    assert unverifiable.rule == "faces.unverifiable"
    drawn = np.asarray(Image.open(annotate(small, [unverifiable], tmp_path)).convert("RGB"))
    top, right, bottom, left = unverifiable.box
    assert tuple(drawn[(top + bottom) // 2, left]) == (255, 165, 0)


def test_image_without_faces_has_no_findings(tmp_path, reference_encodings):
    path = tmp_path / "poster.png"
    Image.radial_gradient("L").convert("RGB").resize((800, 600)).save(path)
    assert list(check(reference_encodings, OBAMA).run(post(picture(path)))) == []


def test_consent_expired_the_day_before_is_no_consent(shared_faces, reference_encodings):
    expired = FakePerson("P001", "Barack", "Obama", consent_expires=ON - timedelta(days=1))
    (finding,) = check(reference_encodings, expired).run(post(picture(shared_faces / "people" / "obama-480p.jpg")))
    assert (finding.rule, finding.severity, finding.pupil_id) == ("faces.no-consent", Severity.ERROR, "P001")
    assert "whose photo consent expired on 2025-03-13: remove the photo or crop or blur this face, and check consent with the office." in finding.message


def test_consent_expiring_on_the_day_still_counts(shared_faces, reference_encodings):
    today = FakePerson("P001", "Barack", "Obama", consent_expires=ON)
    (finding,) = check(reference_encodings, today).run(post(picture(shared_faces / "people" / "obama-480p.jpg")))
    assert (finding.rule, finding.pupil_id) == ("faces.consented", "P001")


def test_consent_for_another_channel_only_is_no_consent(shared_faces, reference_encodings):
    website_only = FakePerson("P001", "Barack", "Obama", consent=frozenset({"website"}))
    (finding,) = check(reference_encodings, website_only).run(post(picture(shared_faces / "people" / "obama-480p.jpg")))
    assert (finding.rule, finding.pupil_id) == ("faces.no-consent", "P001")


def test_tiny_face_is_unverifiable(shared_faces, tmp_path, reference_encodings):
    face = Image.open(shared_faces / "people" / "obama-480p.jpg").convert("RGB").resize((260, 146), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (400, 300), (120, 140, 160))
    canvas.paste(face, (100, 100))
    canvas.save(path := tmp_path / "tiny.png")
    (finding,) = check(reference_encodings, OBAMA).run(post(picture(path)))
    assert (finding.rule, finding.severity) == ("faces.unverifiable", Severity.ERROR)
    assert "cannot be checked against the consent register because it is too small" in finding.message


def test_blurred_face_is_unverifiable(shared_faces, tmp_path, reference_encodings):
    path = tmp_path / "blurred.jpg"
    Image.open(shared_faces / "people" / "obama.jpg").convert("RGB").filter(ImageFilter.GaussianBlur(11)).save(path)
    (finding,) = check(reference_encodings, OBAMA).run(post(picture(path)))
    assert (finding.rule, finding.severity) == ("faces.unverifiable", Severity.ERROR)
    assert finding.message.endswith(
        "because it is blurred: crop or blur this face, or use a larger, sharper photo where the face looks at the camera."
    )


def test_12_megapixel_photo(big_two_people, reference_encodings):
    findings = list(check(reference_encodings, OBAMA, BIDEN_REFUSED).run(post(picture(big_two_people))))
    assert summary(findings) == [("faces.consented", Severity.INFO, "P001"), ("faces.no-consent", Severity.ERROR, "P002")]


def test_video_frames_carry_their_time(shared_faces, reference_encodings):
    frames = (rgb(shared_faces / "people" / "obama-240p.jpg"), np.zeros((240, 427, 3), np.uint8))
    video = Picture(path=shared_faces / "clip.mp4", display="clip.mp4", frames=frames, frame_times=(12.5, 13.0))
    (finding,) = check(reference_encodings, BIDEN_REFUSED, OBAMA).run(post(video))
    assert (finding.rule, finding.time) == ("faces.consented", 12.5)
    assert finding.message.startswith("In clip.mp4 at 0:12, the only face")


def test_detector_failure_fails_closed(shared_faces, reference_encodings, monkeypatch):
    def broken(rgb):
        raise RuntimeError("Unsupported image type")

    monkeypatch.setattr(vision, "detect_faces", broken)
    (finding,) = check(reference_encodings, OBAMA).run(post(picture(shared_faces / "people" / "obama-240p.jpg")))
    assert (finding.rule, finding.severity) == ("faces.check-failed", Severity.ERROR)
    assert finding.message == (
        "obama-240p.jpg could not be checked for faces (RuntimeError: Unsupported image type); "
        "check the photo by hand, or re-save it as a JPEG and run postcheck again."
    )


def test_options_are_validated(reference_encodings):
    with pytest.raises(ValueError, match='faces option "unknown"'):
        check(reference_encodings, OBAMA, unknown="ignore")
    with pytest.raises(ValueError, match='faces option "tolerance"'):
        check(reference_encodings, OBAMA, tolerance=0)
    with pytest.raises(ValueError, match="not in the consent register"):
        FacesCheck(FakeRegister(()), {"P009": reference_encodings["obama"]}, on=ON, channel="facebook", tolerance=0.5, unknown="fail")


@pytest.mark.parametrize(
    "nearest, clearing, consented, expected",
    [
        ({"a": 0.3}, None, {"a": True}, ("consented", "a")),
        ({"a": 0.5}, None, {"a": True}, ("unknown", None)),  # near but not within tolerance: not cleared
        ({"a": 0.55}, None, {"a": False}, ("no-consent", "a")),  # near a refused pupil: reported as them
        ({"a": 0.2, "b": 0.58}, None, {"a": True, "b": False}, ("no-consent", "b")),  # the riskier one wins
        ({"a": 0.2, "b": 0.65}, None, {"a": True, "b": False}, ("consented", "a")),
        ({"a": 0.44, "b": 0.3}, None, {"a": True, "b": True}, ("consented", "b")),  # nearest, by a clear margin
        ({"a": 0.38, "b": 0.33}, None, {"a": True, "b": True}, ("ambiguous", "b")),  # two look-alikes: not cleared
        ({"a": 0.5, "b": 0.4}, None, {"a": False, "b": False}, ("no-consent", "b")),
        # One reference photo close by chance, the person's second one far: the mean is what clears.
        ({"a": 0.3}, {"a": 0.52}, {"a": True}, ("unknown", None)),
        ({}, None, {}, ("unknown", None)),
    ],
)
def test_classify(nearest, clearing, consented, expected):
    verdict = classify(nearest, clearing or nearest, consented, tolerance=0.45, near=0.6)
    assert (verdict.kind, verdict.pupil_id) == expected


def test_a_pupils_line_tells_two_look_alikes_apart():
    nearest = {"a": 0.38, "b": 0.33}
    assert classify(nearest, nearest, {"a": True, "b": True}, tolerance=0.45, declared=frozenset({"a"})).kind == "consented"
    assert classify(nearest, nearest, {"a": True, "b": True}, tolerance=0.45, declared=frozenset({"a"})).pupil_id == "a"
    # naming both, or someone refused nearby, decides nothing
    assert classify(nearest, nearest, {"a": True, "b": True}, tolerance=0.45, declared=frozenset({"a", "b"})).kind == "ambiguous"
    assert classify(nearest, nearest, {"a": True, "b": False}, tolerance=0.45, declared=frozenset({"a"})).kind == "no-consent"


def test_consented_face_carries_distance_and_margin(shared_faces, reference_encodings):
    (finding,) = check(reference_encodings, OBAMA, BIDEN_REFUSED).run(post(picture(shared_faces / "people" / "obama-480p.jpg")))
    assert finding.rule == "faces.consented"
    assert 0 <= finding.distance <= 0.45 and finding.margin >= 0.1
    data = finding.to_json()
    assert data["distance"] == finding.distance and data["margin"] == finding.margin


def test_a_face_too_close_to_two_people_is_not_cleared(shared_faces, reference_encodings):
    # Obama's own reference filed under a second consented pupil too: which of the two is it?
    twin = FakePerson("P003", "Barry", "Twin")
    register = FakeRegister((OBAMA, twin))
    faces = FacesCheck(register, {"P001": reference_encodings["obama"], "P003": reference_encodings["obama"]},
                       on=ON, channel="facebook", tolerance=0.45, unknown="fail")
    (finding,) = faces.run(post(picture(shared_faces / "people" / "obama-480p.jpg")))
    assert (finding.rule, finding.severity) == ("faces.unknown", Severity.ERROR)
    assert "but almost as much like" in finding.message and finding.margin == 0
    # A draft whose "pupils:" line names one of them says who it is.
    draft = Draft.of(Path("post.txt"), "post.txt", "pupils: P001\n\nBarack at the science fair.\n")
    photo = picture(shared_faces / "people" / "obama-480p.jpg")
    (named,) = faces.run(LoadedPost(name="post", draft=draft, pictures=(photo,)))
    assert (named.rule, named.pupil_id) == ("faces.consented", "P001")


def test_annotate_writes_a_new_file_and_leaves_the_original(tmp_path, shared_faces, reference_encodings):
    original = tmp_path / "two_people.jpg"
    original.write_bytes((shared_faces / "groups" / "two_people.jpg").read_bytes())
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    pic = picture(original)
    findings = list(check(reference_encodings, OBAMA, BIDEN_REFUSED).run(post(pic)))
    out = annotate(pic, findings, tmp_path)  # same folder as the original
    assert out == tmp_path / "two_people.faces.png"
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before
    drawn = np.asarray(Image.open(out).convert("RGB"))
    assert drawn.shape == pic.pixels.shape
    (top, right, bottom, left), (top2, right2, bottom2, left2) = (f.box for f in findings)
    # Box edges in the label colours: green for consent, red for no consent.
    assert tuple(drawn[(top + bottom) // 2, left]) == (0, 170, 60)
    assert tuple(drawn[(top2 + bottom2) // 2, left2]) == (220, 20, 20)


def test_annotating_an_annotated_copy_writes_another_file(tmp_path, shared_faces):
    source = tmp_path / "x.faces.png"
    Image.open(shared_faces / "people" / "obama-240p.jpg").save(source)
    before = source.read_bytes()
    out = annotate(picture(source), [], tmp_path)
    assert out != source and out.exists()
    assert source.read_bytes() == before
