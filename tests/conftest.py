"""Shared fixtures: the real photos in ../shared/faces and reference encodings computed once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from postcheck.post import LoadedPost, Picture

SHARED_FACES = (Path(__file__).resolve().parent.parent.parent / "shared" / "faces").resolve()
needs_faces = pytest.mark.skipif(
    not (SHARED_FACES / "labels.json").is_file(),
    reason=f"real test photos not found at {SHARED_FACES} (../shared/faces from the repository root)",
)


def rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def picture(path: Path, display: str | None = None, frames: tuple[np.ndarray, ...] | None = None) -> Picture:
    # Until postcheck.images.load_picture lands on main.
    return Picture(path=path, display=display or path.name, frames=frames or (rgb(path),))


def post(*pictures: Picture) -> LoadedPost:
    return LoadedPost(name="post", draft=None, pictures=tuple(pictures))


@dataclass(frozen=True)
class FakePerson:
    """The register.Person attributes the faces check reads."""

    pupil_id: str
    first_name: str
    last_name: str
    role: str = "pupil"
    consent: frozenset[str] = frozenset({"facebook", "website"})
    consent_expires: date | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self) -> str:
        return f"{self.first_name[0]}.{self.last_name[0]}."

    def expired_on(self, on: date) -> bool:
        return self.consent_expires is not None and on > self.consent_expires

    def photo_consent_on(self, on: date, channel: str) -> bool:
        return channel in self.consent and not self.expired_on(on)


@dataclass(frozen=True)
class FakeRegister:
    people: tuple[FakePerson, ...]
    photos: dict = field(default_factory=dict)

    def person(self, pupil_id: str) -> FakePerson:
        for p in self.people:
            if p.pupil_id == pupil_id:
                return p
        raise KeyError(pupil_id)


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
        name: vision.encode_reference(rgb(shared_faces / "people" / f"{name}.jpg"))
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
