"""Benchmark the faces check: detection recall and false alarms, distances and false accepts, speed.

    uv run python bench/faces.py            # everything
    uv run python bench/faces.py recall     # or one part: recall, distances, speed

- recall: ../shared/faces/detection (labelled boxes) and ../shared/faces/wild (labelled centres, scored
  by ../shared/faces/score_detection.py exactly as the project is judged), by tag; boxes on photos with
  no face (wild/no_faces and the scikit-image sample pictures without people); seconds per photo.
- distances: same-person and different-person distances over every shared portrait and the wild
  pairs, and how many different-person pairs the faces check would clear as each other.
- speed: one 12 MP photo through the whole postcheck process against the face_recognition CLI (the
  baseline the faces issue names), on the same photo and register. The CLI is installed for the run
  into a temporary folder without its dependencies, so it uses the same dlib and models as postcheck.

Everything it makes goes into a temporary folder; ../shared/faces is only read. Not a test: numbers
vary by machine.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"
RUNS = 3
FACE_RECOGNITION = "face-recognition==1.3.0"

RULES = "faces:\n  unknown: fail\n"
REGISTER = """\
pupil_id,first_name,last_name,known_as,role,photo_consent,name_consent,consent_expires
P010,Barack,Obama,,pupil,yes,yes,2030-07-31
P011,Joe,Biden,,pupil,no,yes,2030-07-31
"""
NO_FACE_SAMPLES = (
    "brick", "cell", "chelsea", "coffee", "coins", "colorwheel", "grass", "gravel", "horse", "hubble_deep_field",
    "immunohistochemistry", "logo", "microaneurysms", "moon", "page", "retina", "rocket", "text", "clock",
)
"""scikit-image's bundled sample pictures with no human face (astronaut and camera have one)."""

# Both sides run as on a user's machine, where Python caches compiled modules after the first run.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def load(path: Path) -> np.ndarray:
    return np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))


def recall() -> None:
    from postcheck import vision

    vision.detect_faces(np.zeros((64, 64, 3), np.uint8))  # load the network outside the timing
    labels = json.loads((SHARED / "labels.json").read_text())
    found = total = 0
    for name, label in labels.items():
        if name.startswith("detection/"):
            boxes = vision.detect_faces(load(SHARED / name))
            for b in label["boxes"]:
                cx, cy = b["left"] + b["width"] / 2, b["top"] + b["height"] / 2
                found += any(x.left <= cx <= x.right and x.top <= cy <= x.bottom for x in boxes)
                total += 1
    print(f"detection/: {found}/{total} labelled faces found")

    wild = json.loads((SHARED / "wild" / "labels.json").read_text())
    boxes, seconds = {}, []
    for entry in wild["photos"] + wild["no_faces"]:
        image = load(SHARED / "wild" / entry["file"])
        start = time.perf_counter()
        found_boxes = vision.detect_faces(image)
        seconds.append(time.perf_counter() - start)
        boxes[entry["file"]] = [[b.left, b.top, b.right, b.bottom] for b in found_boxes]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        json.dump(boxes, out)
    scored = subprocess.run([sys.executable, str(SHARED / "score_detection.py"), out.name], capture_output=True, text=True)
    os.unlink(out.name)
    print("wild/ (scored by ../shared/faces/score_detection.py):")
    print(scored.stdout.rstrip())
    print(f"  seconds per photo: median {statistics.median(seconds):.2f}, max {max(seconds):.2f}")

    from skimage import data

    alarms = []
    for name in NO_FACE_SAMPLES:
        image = np.asarray(getattr(data, name)())
        if image.dtype != np.uint8:
            image = (image * (255 / max(1, image.max()))).astype(np.uint8)
        image = np.stack([image] * 3, -1) if image.ndim == 2 else image[..., :3]
        alarms += [f"{name} ({b.width} px, score {b.score:.2f})" for b in vision.detect_faces(np.ascontiguousarray(image))]
    no_face_photos = len(NO_FACE_SAMPLES) + len(wild["no_faces"])
    wild_alarms = sum(len(boxes[e["file"]]) for e in wild["no_faces"])
    print(f"photos without a face: {wild_alarms + len(alarms)} boxes on {no_face_photos} photos "
          f"(wild/no_faces {wild_alarms}, scikit-image {len(alarms)}{': ' + ', '.join(alarms) if alarms else ''})")


def distances() -> None:
    """Same-person and different-person distances: the tolerance's basis, and false accepts."""
    from postcheck import vision
    from postcheck.checks.faces import MARGIN
    from postcheck.rules import DEFAULT_TOLERANCE

    faces = []
    for name, label in json.loads((SHARED / "labels.json").read_text()).items():
        if name.startswith("detection/"):
            continue
        image = load(SHARED / name)
        encodings = vision.encode_reference(image)
        faces += [(identity, name, e) for identity, e in zip(label["identities"], encodings)]
    wild = json.loads((SHARED / "wild" / "labels.json").read_text())
    for entry in wild["people"]:
        (encoding,) = vision.encode_reference(load(SHARED / "wild" / entry["file"]))
        faces.append((entry["identity"], "wild/" + entry["file"], encoding))
    same, different = [], []
    for (a, _, ea), (b, _, eb) in itertools.combinations(faces, 2):
        (same if a == b else different).append(float(np.linalg.norm(ea - eb)))
    print(f"distances over {len(faces)} faces (num_jitters={vision.encode.ENCODING_JITTERS}):")
    print(f"  same person       n={len(same):3d}  min {min(same):.3f}  mean {statistics.mean(same):.3f}  max {max(same):.3f}")
    print(f"  different people  n={len(different):3d}  min {min(different):.3f}  mean {statistics.mean(different):.3f}  "
          f"max {max(different):.3f}")
    print(f"  at tolerance {DEFAULT_TOLERANCE}: same person cleared {sum(d <= DEFAULT_TOLERANCE for d in same)}/{len(same)}, "
          f"different people within it (false accepts if only one of them is in the register) "
          f"{sum(d <= DEFAULT_TOLERANCE for d in different)}/{len(different)}")
    # With both people in the register, a clearance also needs MARGIN over the other person.
    people: dict[str, list[np.ndarray]] = {}
    for identity, _, e in faces:
        people.setdefault(identity, []).append(e)
    wrong = right = 0
    for identity, name, e in faces:
        nearest = {}
        for other, encodings in people.items():
            ds = sorted(float(np.linalg.norm(x - e)) for x in encodings if x is not e)
            if ds:
                nearest[other] = (ds[0], statistics.mean(ds[:2]))
        cleared = sorted((clear, pid) for pid, (_, clear) in nearest.items() if clear <= DEFAULT_TOLERANCE)
        if cleared:
            clear, pid = cleared[0]
            gap = min((d for other, (d, _) in nearest.items() if other != pid), default=1.0) - clear
            if gap >= MARGIN:
                right += pid == identity
                wrong += pid != identity
    print(f"  every face against everyone else's photos (leave one out, margin {MARGIN}): cleared as the right "
          f"person {right}, as someone else {wrong}")


def timed(command: list[str], **kwargs) -> tuple[float, str]:
    kwargs.setdefault("env", ENV)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode not in (0, 1):
        sys.exit(f"bench/faces.py: {command[0]} failed:\n{result.stderr}")
    return time.perf_counter() - start, result.stdout


def median_time(command: list[str], **kwargs) -> tuple[float, str]:
    runs = [timed(command, **kwargs) for _ in range(RUNS)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def speed(tmp: Path) -> None:
    photo = tmp / "two_people_12mp.jpg"
    Image.open(SHARED / "groups" / "two_people.jpg").convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC).save(
        photo, quality=92
    )
    known = tmp / "known"  # the face_recognition CLI's register: one photo per person, named after them
    known.mkdir()
    school = tmp / "school"  # postcheck's: rules.yaml and consent_data/ with the same two photos
    (school / "consent_data" / "photos").mkdir(parents=True)
    (school / "rules.yaml").write_text(RULES)
    (school / "consent_data" / "register.csv").write_text(REGISTER)
    for name, pupil_id in (("obama", "P010"), ("biden", "P011")):
        (known / f"{name}.jpg").symlink_to(SHARED / "people" / f"{name}.jpg")
        (school / "consent_data" / "photos" / f"{pupil_id}.jpg").symlink_to(SHARED / "people" / f"{name}.jpg")

    cli = tmp / "face_recognition_cli"
    subprocess.run(["uv", "pip", "install", "--quiet", "--no-deps", "--target", str(cli), FACE_RECOGNITION], check=True)
    baseline_cli = [sys.executable, "-c", "from face_recognition.face_recognition_cli import main; main()", str(known), str(photo)]
    baseline_env = {**ENV, "PYTHONPATH": str(cli)}
    postcheck = [str(Path(sys.executable).parent / "postcheck"), str(photo), "--format", "json"]
    timed(baseline_cli, env=baseline_env)  # first runs compile and cache both sides' modules
    timed(postcheck, cwd=school, env={**ENV, "POSTCHECK_CACHE_DIR": str(tmp / "cache-first")})
    env = {**ENV, "POSTCHECK_CACHE_DIR": str(tmp / "cache-warm")}
    timed(postcheck, cwd=school, env=env)  # fill the cache
    warm, out = median_time(postcheck, cwd=school, env=env)
    baseline, base_out = median_time(baseline_cli, env=baseline_env)

    findings = [(f["rule"], f["pupil_id"]) for f in json.loads(out)["posts"][0]["findings"]]
    theirs = sorted(line.split(",")[1] for line in base_out.splitlines())
    print(f"12 MP photo (4000x3000), register of 2, median of {RUNS} whole-process runs on {os.cpu_count()} cores:")
    print(f"  face_recognition CLI     {baseline:5.2f} s  found {theirs}")
    print(f"  postcheck, cached refs   {warm:5.2f} s  ratio {warm / baseline:.2f}  (target <= 0.50)  {findings}")

    one_k = tmp / "post"
    one_k.mkdir()
    Image.open(SHARED / "groups" / "two_people.jpg").convert("RGB").resize((1000, 587)).save(one_k / "photo.jpg")
    (one_k / "draft.txt").write_text("Well done to everyone in Year 4 for a brilliant sports day!\n")
    draft_run = [str(Path(sys.executable).parent / "postcheck"), str(one_k / "draft.txt"), str(one_k / "photo.jpg")]
    timed(draft_run, cwd=school, env=env)
    seconds, _ = median_time(draft_run, cwd=school, env=env)
    print(f"  a draft with one 1,000 px photo: {seconds:.2f} s wall (target < 2 s)")


def main() -> None:
    if not (SHARED / "labels.json").is_file():
        sys.exit(f"bench/faces.py: the shared photos are not at {SHARED}")
    parts = sys.argv[1:] or ["recall", "distances", "speed"]
    if "recall" in parts:
        recall()
    if "distances" in parts:
        distances()
    if "speed" in parts:
        with tempfile.TemporaryDirectory() as tmp:
            speed(Path(tmp))


if __name__ == "__main__":
    main()
