"""Helpers for the face tests: pictures from files and a small fake register for consent logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

from postcheck.images import load_picture
from postcheck.post import LoadedPost, Picture


def rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def picture(path: Path) -> Picture:
    return load_picture(path, path.name)


def post(*pictures: Picture) -> LoadedPost:
    return LoadedPost(name="post", draft=None, pictures=tuple(pictures))


@dataclass(frozen=True)
class FakePerson:
    """The register.Person attributes the faces check reads, with consent as a set of channels."""

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

    @property
    def redactions(self) -> tuple[tuple[str, str], ...]:
        return ((self.full_name, self.initials),)

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
