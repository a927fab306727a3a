"""Faces in pictures: detection (``detect``, over the ``centerface`` network), quality (``quality``),
encoding (``encode``, dlib) and comparison (``match``). Models load lazily, once per process."""

from postcheck.vision.detect import FaceBox, detect_faces
from postcheck.vision.encode import encode_faces, encode_reference, prepare
from postcheck.vision.match import face_distances, person_distances
from postcheck.vision.quality import assess

__all__ = [
    "FaceBox", "assess", "detect_faces", "encode_faces", "encode_reference", "face_distances", "person_distances",
    "prepare",
]
