"""Shared fixtures: the real shared photos, a clean environment for CLI runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from pillow_heif import register_heif_opener
from PIL import Image

register_heif_opener()  # tests write HEIC files before postcheck has opened one

ROOT = Path(__file__).resolve().parent.parent
SHARED_FACES = ROOT.parent / "shared" / "faces"
EXAMPLES = ROOT / "examples"

needs_faces = pytest.mark.skipif(
    not (SHARED_FACES / "labels.json").is_file(),
    reason=f"real test photos not found at {SHARED_FACES} (see README, 'Tests')",
)


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory) -> Path:
    """One encodings cache for the whole run (keyed by photo content, so sharing it is safe)."""
    return tmp_path_factory.mktemp("encodings-cache")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, session_cache_dir):
    """CLI behaviour depends on CI, POSTCHECK_* and the cache folder: start every test from a known state."""
    from postcheck.cli import CI_VARIABLES

    for name in ("POSTCHECK_REGISTER", "POSTCHECK_RULES", "NO_COLOR", *CI_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(session_cache_dir))


@pytest.fixture(scope="session")
def shared_faces() -> Path:
    if not (SHARED_FACES / "labels.json").is_file():
        pytest.skip(f"real test photos not found at {SHARED_FACES}")
    return SHARED_FACES


@pytest.fixture(scope="session")
def labels(shared_faces) -> dict:
    return json.loads((shared_faces / "labels.json").read_text())


@pytest.fixture(scope="session")
def reference_encodings(shared_faces) -> dict[str, list[np.ndarray]]:
    """Reference encodings for obama and biden, computed once per session with the real model."""
    from postcheck import vision

    return {
        name: vision.encode_reference(np.asarray(Image.open(shared_faces / "people" / f"{name}.jpg").convert("RGB")))
        for name in ("obama", "biden")
    }


@pytest.fixture(scope="session")
def big_two_people(shared_faces, tmp_path_factory) -> Path:
    """groups/two_people.jpg upscaled to 4000x3000 (12 MP), in a temporary folder."""
    out = tmp_path_factory.mktemp("big") / "two_people_12mp.jpg"
    Image.open(shared_faces / "groups" / "two_people.jpg").convert("RGB").resize(
        (4000, 3000), Image.Resampling.BICUBIC
    ).save(out, quality=92)
    return out


RULES = """\
links:
  allow: [exampleprimary.sch.uk, gov.uk]
faces:
  unknown: fail
text:
  allow_emails: [office@exampleprimary.sch.uk]
"""
REGISTER = """\
pupil_id,first_name,last_name,known_as,role,photo_consent,name_consent,consent_expires
P001,Oliver,Bennett,Ollie,pupil,yes,yes,2030-07-31
P002,Zoë,Hughes,,pupil,yes,no,2030-07-31
P010,Barack,Obama,,pupil,yes,yes,2030-07-31
P011,Joe,Biden,,pupil,no,yes,2030-07-31
S001,Helen,Clarke,,staff,yes,yes,
"""


def make_school(root: Path) -> Path:
    """rules.yaml and consent_data/ in ``root``, with real reference photos for P010 (obama) and P011 (biden)."""
    (root / "rules.yaml").write_text(RULES)
    photos = root / "consent_data" / "photos"
    photos.mkdir(parents=True)
    (root / "consent_data" / "register.csv").write_text(REGISTER, encoding="utf-8")
    if SHARED_FACES.is_dir():
        shutil.copy(SHARED_FACES / "people" / "obama.jpg", photos / "P010.jpg")
        shutil.copy(SHARED_FACES / "people" / "biden.jpg", photos / "P011.jpg")
    return root


@pytest.fixture
def school(tmp_path, monkeypatch) -> Path:
    """A school folder: rules.yaml and consent_data/ with real reference photos, as the defaults expect."""
    make_school(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def draft(folder: Path, text: str, name: str = "draft.txt") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
