"""Compare a face's encoding with the register's reference encodings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

CLEARING_PHOTOS = 2
"""How many of a person's nearest reference photos a face must be near, on average, to be cleared as them:
a stranger may by chance resemble one photo of someone, rarely two (see checks/faces.py)."""


@dataclass(frozen=True)
class PersonDistance:
    nearest: float
    """To the person's nearest reference photo: what a refusal (and ``find``) goes by."""
    clearing: float
    """The mean over their ``CLEARING_PHOTOS`` nearest photos (the one photo when they have one)."""


def face_distances(known: np.ndarray | list[np.ndarray], encoding: np.ndarray) -> np.ndarray:
    """Euclidean distance from ``encoding`` to each known encoding (the metric dlib's encoder was trained for)."""
    known = np.asarray(known, dtype=np.float64).reshape(-1, 128)
    if len(known) == 0:
        return np.empty(0)
    return np.linalg.norm(known - encoding, axis=1)


def person_distances(references: Mapping[str, np.ndarray], encoding: np.ndarray) -> dict[str, PersonDistance]:
    """The face's distance to each person with at least one reference encoding."""
    out = {}
    for pid, known in references.items():
        distances = np.sort(face_distances(known, encoding))
        if len(distances):
            out[pid] = PersonDistance(float(distances[0]), float(distances[:CLEARING_PHOTOS].mean()))
    return out
