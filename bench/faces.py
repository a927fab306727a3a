"""Benchmark the faces check: speed against the face_recognition CLI, detection recall, distances.

    uv run python bench/faces.py

Everything it makes (a 12 MP upscale of groups/two_people.jpg, a known-faces folder, an encodings
cache) goes into a temporary folder; ../shared/faces is only read. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
from PIL import Image

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"
RUNS = 3

# postcheck's face path in a fresh process. TODO: once the postcheck CLI lands on this branch,
# time `postcheck check PHOTO` with a register of these two pupils instead of this snippet.
POSTCHECK_FACES = textwrap.dedent(
    """
    import sys
    from datetime import date
    from pathlib import Path
    import numpy as np
    from PIL import Image
    from postcheck import vision
    from postcheck.checks.faces import FacesCheck
    from postcheck.post import LoadedPost, Picture

    photo, known, cache = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])

    class Person:
        def __init__(self, pupil_id, name, consent):
            self.pupil_id, self.first_name, self.last_name = pupil_id, name, "Test"
            self.role, self.consent_expires, self.consent = "pupil", None, consent
        full_name = property(lambda self: f"{self.first_name} {self.last_name}")
        initials = property(lambda self: f"{self.first_name[0]}.T.")
        def photo_consent_on(self, on, channel): return self.consent
        def expired_on(self, on): return False

    class Register:
        people = (Person("obama", "Obama", True), Person("biden", "Biden", False))
        def person(self, pupil_id): return next(p for p in self.people if p.pupil_id == pupil_id)

    if cache.exists():  # what the register's encodings cache gives a second run
        references = {k: list(v) for k, v in np.load(cache).items()}
    else:
        references = {
            p.stem: vision.encode_reference(np.asarray(Image.open(p).convert("RGB"))) for p in sorted(known.iterdir())
        }
    picture = Picture(photo, photo.name, (np.asarray(Image.open(photo).convert("RGB")),))
    check = FacesCheck(Register(), references, on=date.today(), channel="facebook", tolerance=0.5, unknown="fail")
    for finding in check.run(LoadedPost("bench", None, (picture,))):
        print(finding.rule, finding.pupil_id)
    """
)


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, result.stdout


def median_time(command: list[str]) -> tuple[float, str]:
    runs = [timed(command) for _ in range(RUNS)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def speed(tmp: Path) -> None:
    photo = tmp / "two_people_12mp.jpg"
    Image.open(SHARED / "groups" / "two_people.jpg").convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC).save(
        photo, quality=92
    )
    known = tmp / "known"
    known.mkdir()
    for name in ("obama", "biden"):
        (known / f"{name}.jpg").symlink_to(SHARED / "people" / f"{name}.jpg")
    cache = tmp / "encodings.npz"

    postcheck = [sys.executable, "-c", POSTCHECK_FACES, str(photo), str(known), str(cache)]
    cold, out = median_time(postcheck)
    from postcheck import vision

    np.savez(cache, **{p.stem: np.array(vision.encode_reference(np.asarray(Image.open(p).convert("RGB")))) for p in known.iterdir()})
    warm, warm_out = median_time(postcheck)
    baseline, base_out = median_time([str(Path(sys.executable).parent / "face_recognition"), str(known), str(photo)])

    ours = sorted(line.split()[1] for line in out.splitlines() if line.split()[1] != "None")
    theirs = sorted(line.split(",")[1] for line in base_out.splitlines())
    print(f"12 MP photo (4000x3000), register of 2, median of {RUNS} whole-process runs on {_cores()} cores:")
    print(f"  face_recognition CLI      {baseline:5.2f} s  found {theirs}")
    print(f"  postcheck, encoding refs  {cold:5.2f} s  ratio {cold / baseline:.2f}  found {ours}")
    print(f"  postcheck, cached refs    {warm:5.2f} s  ratio {warm / baseline:.2f}  (target <= 0.50)")
    print(f"  postcheck findings: {out.split(chr(10))[:-1]}")
    print(f"  every face found: {ours == ['biden', 'obama'] and warm_out == out}")


def recall() -> None:
    from postcheck import vision

    labels = json.loads((SHARED / "labels.json").read_text())
    vision.detect_faces(np.zeros((100, 100, 3), np.uint8))  # load the detector outside the timing
    found = total = extra = 0
    seconds = 0.0
    for name, label in labels.items():
        if not name.startswith("detection/"):
            continue
        image = np.asarray(Image.open(SHARED / name).convert("RGB"))
        start = time.perf_counter()
        boxes = vision.detect_faces(image)
        seconds += time.perf_counter() - start
        truth = [(b["top"], b["left"] + b["width"], b["top"] + b["height"], b["left"]) for b in label["boxes"]]
        total += len(truth)
        found += sum(any(_matches(t, b) for b in boxes) for t in truth)
        extra += sum(not any(_matches(t, b) for t in truth) for b in boxes)
    print(f"detection/: recall {found}/{total} ({found / total:.0%}), {extra} false positives, {seconds:.2f} s for 7 photos")
    big = np.asarray(Image.open(SHARED / "groups" / "two_people.jpg").convert("RGB").resize((4000, 3000)))
    start = time.perf_counter()
    boxes = vision.detect_faces(big)
    print(f"12 MP detection alone: {time.perf_counter() - start:.2f} s, {len(boxes)} faces")


def distances() -> None:
    """Same-person and different-person distances over every shared portrait: the tolerance's basis."""
    from postcheck import vision

    labels = json.loads((SHARED / "labels.json").read_text())
    faces = []
    for name, label in labels.items():
        if name.startswith("detection/"):
            continue
        image = np.asarray(Image.open(SHARED / name).convert("RGB"))
        encodings = vision.encode_faces(image, vision.detect_faces(image))
        faces += [(identity, name, e) for identity, e in zip(label["identities"], encodings)]
    same, different = [], []
    for (a, _, ea), (b, _, eb) in itertools.combinations(faces, 2):
        (same if a == b else different).append(float(np.linalg.norm(ea - eb)))
    print(f"distances over {len(faces)} faces (num_jitters={vision.ENCODING_JITTERS}):")
    print(f"  same person       n={len(same):3d}  min {min(same):.3f}  mean {statistics.mean(same):.3f}  max {max(same):.3f}")
    print(f"  different people  n={len(different):3d}  min {min(different):.3f}  mean {statistics.mean(different):.3f}  max {max(different):.3f}")


def _matches(label, box) -> bool:
    top, bottom = max(label[0], box.top), min(label[2], box.bottom)
    left, right = max(label[3], box.left), min(label[1], box.right)
    inter = max(0, bottom - top) * max(0, right - left)
    union = (label[2] - label[0]) * (label[1] - label[3]) + box.width * box.height - inter
    cy, cx = (label[0] + label[2]) / 2, (label[1] + label[3]) / 2
    return inter / union >= 0.3 or (box.top <= cy <= box.bottom and box.left <= cx <= box.right)


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def main() -> None:
    if not (SHARED / "labels.json").is_file():
        sys.exit(f"bench/faces.py: the shared photos are not at {SHARED}")
    with tempfile.TemporaryDirectory() as tmp:
        speed(Path(tmp))
    recall()
    distances()


if __name__ == "__main__":
    main()
