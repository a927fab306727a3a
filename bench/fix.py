"""Measure ``postcheck fix``: are the hidden faces really gone, and are the consented ones still recognised?

    uv run python bench/fix.py

Register: obama has photo consent, biden has none; every other face is unknown, so it is hidden too.
For each shared photo with faces, the real session checks the original, writes the safe copy, and
the real detector and encoder look at the copy:

- hidden faces still detected: a face found in the copy whose centre lies in a hidden face's box
  (grown by half its size) and that is matched to the hidden person (or, for an unknown, detected at all);
- consented faces still matched: obama found in the copy and cleared as obama;
- labelled faces missed: faces in labels.json that the detector never found, so fix could not hide them
  (the limit of detection, not of pixelation).

Everything is written to a temporary folder; ../shared/faces is only read.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"
REGISTER = """\
pupil_id,first_name,last_name,known_as,role,photo_consent,name_consent,consent_expires
P010,Barack,Obama,,pupil,yes,yes,2030-07-31
P011,Joe,Biden,,pupil,no,yes,2030-07-31
"""
HIDDEN = ("faces.no-consent", "faces.unknown", "faces.unverifiable")


def inside(face, box: tuple[int, int, int, int], margin: float = 0.5) -> bool:
    top, right, bottom, left = box
    cy, cx = face.center
    gx, gy = (right - left) * margin, (bottom - top) * margin
    return left - gx <= cx <= right + gx and top - gy <= cy <= bottom + gy


def main() -> int:
    if not (SHARED / "labels.json").is_file():
        print(f"shared photos not found at {SHARED}", file=sys.stderr)
        return 2
    from postcheck import vision
    from postcheck.post import Post
    from postcheck.session import Session

    labels = json.loads((SHARED / "labels.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="postcheck-bench-fix-"))
    os.environ["POSTCHECK_CACHE_DIR"] = str(work / "cache")
    photos = work / "consent_data" / "photos"
    photos.mkdir(parents=True)
    (work / "consent_data" / "register.csv").write_text(REGISTER)
    shutil.copy(SHARED / "people" / "obama.jpg", photos / "P010.jpg")
    shutil.copy(SHARED / "people" / "biden.jpg", photos / "P011.jpg")
    (work / "rules.yaml").write_text("faces:\n  unknown: fail\n")
    session = Session.open(work / "consent_data", work / "rules.yaml", on=date(2026, 6, 1), channel="social")
    references = session.pipeline.references()

    names = ["groups/two_people.jpg", "people/biden.jpg", "people/obama-720p.jpg"]
    names += sorted(n for n in labels if n.startswith("detection/"))
    totals = {key: 0 for key in ("hidden", "hidden_left", "consented", "consented_kept", "labelled", "missed",
                                 "copies_failing")}
    print(f"{'photo':34} hidden  still-found  consented  still-matched  labelled-missed  copy")
    for name in names:
        source = SHARED / name
        out = work / "safe" / Path(name).parent
        result = session.check(Post(name=str(source), images=(source,)), fix=out)
        hidden = [f.box for f in result.findings if f.rule in HIDDEN and f.box]
        consented = [f for f in result.findings if f.rule == "faces.consented"]
        copy = out / source.name
        pixels = np.asarray(Image.open(copy).convert("RGB"))
        faces = vision.detect_faces(pixels)
        left = 0
        for box, finding in zip(hidden, [f for f in result.findings if f.rule in HIDDEN and f.box]):
            near = [f for f in faces if inside(f, box)]
            if not near:
                continue
            if finding.pupil_id is None:
                left += 1  # an unknown face detected again at all counts against us
                continue
            encodings = vision.encode_faces(pixels, near)
            known = references[finding.pupil_id]
            if any(float(vision.face_distances(known, e).min()) <= 0.6 for e in encodings):
                left += 1
        recheck = session.check(Post(name=str(copy), images=(copy,)))
        kept = sum(any(f.rule == "faces.consented" and f.pupil_id == c.pupil_id for f in recheck.findings)
                   for c in consented)
        boxes = labels[name].get("boxes", [])
        missed = 0
        for top, left_px, width, height in ((b["top"], b["left"], b["width"], b["height"]) if isinstance(b, dict) else b
                                            for b in boxes):
            centre = (top + height / 2, left_px + width / 2)
            found = [f.box for f in result.findings if f.box and f.rule.startswith("faces.")]
            if not any(t <= centre[0] <= b and l <= centre[1] <= r for t, r, b, l in found):
                missed += 1
        totals["hidden"] += len(hidden)
        totals["hidden_left"] += left
        totals["consented"] += len(consented)
        totals["consented_kept"] += kept
        totals["labelled"] += len(boxes)
        totals["missed"] += missed
        totals["copies_failing"] += recheck.failed
        print(f"{name:34} {len(hidden):6}  {left:11}  {len(consented):9}  {kept:13}  {missed:7} of {len(boxes):<5}  "
              f"{recheck.verdict}")
    print()
    print(f"hidden faces still detected/matched: {totals['hidden_left']} of {totals['hidden']} (target 0)")
    print(f"consented faces still matched: {totals['consented_kept']} of {totals['consented']} (target all)")
    print(f"labelled faces the detector never found (fix cannot hide them): {totals['missed']} of {totals['labelled']}")
    print(f"safe copies that still fail: {totals['copies_failing']} of {len(names)}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if totals["hidden_left"] == 0 and totals["consented_kept"] == totals["consented"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
