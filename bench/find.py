"""Benchmark ``postcheck find``: the first search (which builds the face index) against a second search for
another pupil on the unchanged archive (which must decode no photo again).

    uv run python bench/find.py [--photos N] [--keep DIR]

The archive holds N photos (default 500) made from every photo in ../shared/faces: each a copy with one
pixel changed and re-saved, so no two files have the same content and each is decoded and searched,
plus 20 saved web pages. The encodings cache is warmed first, so both runs measure searching, not enrolling.
Prints photos/s for the first run and the ratio of the two times; the target is 0.05 or less.
Everything is made in a temporary folder; ../shared/faces is only read. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"
TARGET = 0.05
REGISTER = """\
pupil_id,first_name,last_name,known_as,role,photo_consent,name_consent,consent_expires
P001,Oliver,Bennett,Ollie,pupil,yes,yes,2030-07-31
P010,Barack,Obama,,pupil,yes,yes,2030-07-31
P011,Joe,Biden,,pupil,no,yes,2030-07-31
"""
PAGE = "<html><body><h1>News {n}</h1><p>Well done Oliver on sports day.</p><img src='p.jpg' alt='Joe at the line'></body></html>\n"


def make_archive(root: Path, photos: int) -> Path:
    (root / "consent_data" / "photos").mkdir(parents=True)
    (root / "consent_data" / "register.csv").write_text(REGISTER)
    shutil.copy(SHARED / "people" / "obama.jpg", root / "consent_data" / "photos" / "P010.jpg")
    shutil.copy(SHARED / "people" / "biden.jpg", root / "consent_data" / "photos" / "P011.jpg")
    sources = sorted(p for p in SHARED.rglob("*") if p.suffix.casefold() in (".jpg", ".jpeg", ".png"))
    archive = root / "archive"
    for index in range(photos):
        source = sources[index % len(sources)]
        folder = archive / f"{2020 + index // 100}" / f"event-{index // 10:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        image = Image.open(source).convert("RGB")
        image.putpixel((0, 0), (index % 256, index // 256 % 256, 7))
        image.save(folder / f"photo-{index:04d}.jpg", quality=92)
    pages = archive / "website"
    pages.mkdir()
    for n in range(20):
        (pages / f"news-{n:02d}.html").write_text(PAGE.format(n=n))
    return archive


def run(args: list[str], env: dict) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return elapsed, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--keep", type=Path, help="Build the archive here and leave it (default: a temporary folder).")
    options = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"the shared photos are not at {SHARED}")
    postcheck = shutil.which("postcheck") or sys.exit("postcheck is not installed: run uv sync")
    with tempfile.TemporaryDirectory(prefix="postcheck-bench-find-") as tmp:
        root = options.keep or Path(tmp)
        archive = make_archive(root, options.photos)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(POSTCHECK_CACHE_DIR=str(root / "cache"), CI="true")
        register = ["--register", str(root / "consent_data")]
        subprocess.run([postcheck, "register", "enroll", *register], env=env, stdout=subprocess.DEVNULL, check=True)

        first, found = run([postcheck, "find", str(archive), "--pupil", "P011", "--format", "json", *register], env)
        second, again = run([postcheck, "find", str(archive), "--pupil", "P010", "--format", "json", *register], env)
        faces = {kind: sum(m["kind"] == "face" for m in data["matches"]) for kind, data in (("P011", found), ("P010", again))}
        ratio = second / first
        print(f"archive: {options.photos} photos, 20 pages ({found['files_checked']} files searched, "
              f"{len(found['unreadable'])} unreadable)")
        print(f"first search (builds the index), P011: {first:.1f} s, {options.photos / first:.2f} photos/s, "
              f"{faces['P011']} face matches")
        print(f"second search, P010, unchanged archive: {second:.2f} s, {faces['P010']} face matches")
        print(f"ratio: {ratio:.3f} (target <= {TARGET}) {'OK' if ratio <= TARGET else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
