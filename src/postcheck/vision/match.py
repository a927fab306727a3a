"""Compare a face's encoding with the register's reference encodings."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def face_distances(known: np.ndarray | list[np.ndarray], encoding: np.ndarray) -> np.ndarray:
    """Euclidean distance from ``encoding`` to each known encoding (the metric dlib's encoder was trained for)."""
    known = np.asarray(known, dtype=np.float64).reshape(-1, 128)
    if len(known) == 0:
        return np.empty(0)
    return np.linalg.norm(known - encoding, axis=1)


def person_distances(references: Mapping[str, np.ndarray], encoding: np.ndarray) -> dict[str, float]:
    """Distance to each person: the nearest of their reference photos."""
    return {pid: float(face_distances(known, encoding).min()) for pid, known in references.items() if len(known)}
