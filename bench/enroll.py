"""Benchmark ``postcheck register enroll``: first enroll against re-enroll of an unchanged register.

    uv run python bench/enroll.py

Builds a register of 12 reference photos (copies from ../shared/faces, several sizes) in a temporary
folder, runs the real CLI as a subprocess twice with an empty cache folder, and prints both wall
times, their ratio (target <= 0.5) and encodings per second on the first run. Not a test: numbers
vary by machine. ../shared/faces is only read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"
PHOTOS = (
    "people/obama.jpg", "people/obama2.jpg", "people/obama3.jpg", "people/obama_small.jpg",
    "people/obama-240p.jpg", "people/obama-480p.jpg", "people/obama-720p.jpg", "people/obama-1080p.jpg",
    "people/32bit.png", "people/obama_partial_face.jpg", "people/biden.jpg", "people/lin-manuel-miranda.png",
)
TARGET_RATIO = 0.5


def build_register(folder: Path) -> None:
    (folder / "photos").mkdir(parents=True)
    rows = ["pupil_id,first_name,last_name,photo_consent,name_consent"]
    for number, source in enumerate(PHOTOS, 1):
        pupil_id = f"P{number:03d}"
        rows.append(f"{pupil_id},Pupil,Number{number},yes,yes")
        shutil.copyfile(SHARED / source, folder / "photos" / f"{pupil_id}{Path(source).suffix}")
    (folder / "register.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def enroll(register: Path, env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, photos encoded (from the CLI's own report) and its output line."""
    command = [sys.executable, "-m", "postcheck", "register", "enroll", "--register", str(register)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"enroll failed ({done.returncode}):\n{done.stderr}")
    encoded = int(re.search(r"(\d+) photo\(s\) encoded", done.stdout)[1])
    return seconds, encoded, done.stdout.strip()


def main() -> None:
    if not (SHARED / "labels.json").is_file():
        sys.exit(f"real test photos not found at {SHARED}")
    with tempfile.TemporaryDirectory(prefix="postcheck-bench-enroll-") as tmp:
        register, cache = Path(tmp) / "consent_data", Path(tmp) / "cache"
        build_register(register)
        env = {k: v for k, v in os.environ.items() if k != "CI"} | {"POSTCHECK_CACHE_DIR": str(cache)}
        first, encoded, first_line = enroll(register, env)
        again, re_encoded, again_line = enroll(register, env)
    ratio = again / first
    print(f"register: {len(PHOTOS)} reference photos, {os.cpu_count()} CPU(s)")
    print(f"first enroll (empty cache):    {first:6.2f} s  {first_line}")
    print(f"re-enroll (nothing changed):   {again:6.2f} s  {again_line}")
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"ratio re-enroll / first:       {ratio:6.2f}  (target <= {TARGET_RATIO}: {verdict})")
    print(f"first run: {encoded / first:.2f} encodings per second (wall time, process start-up included)")
    if re_encoded:
        print(f"re-enroll encoded {re_encoded} photo(s): it should encode none")


if __name__ == "__main__":
    main()
