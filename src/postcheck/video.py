"""Videos (.mp4, .mov, .webm, .m4v, .avi): sampled into frames for the faces check.

One frame per second is kept, plus every scene cut (a frame that differs sharply from the last one
kept), so a face that is on screen for a second is seen at least once. Frames are decoded by the
ffmpeg binary that the imageio-ffmpeg package ships (no system install, no download).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from postcheck.images import ImageError
from postcheck.post import Picture

SAMPLE_FPS = 4.0
"""Frames decoded per second of video; one a second is kept, plus scene cuts between them."""
KEEP_EVERY = 1.0
SCENE_CUT = 30.0
"""Mean absolute difference (0-255) of 32x32 grey thumbnails that counts as a cut."""
MAX_SECONDS = 15 * 60
MAX_SIDE = 1920
"""Frames are scaled down to at most this many pixels on the long side (faces stay large enough)."""


def load_video(path: Path, display: str | None = None) -> Picture:
    """Decode ``path`` into sampled frames with their times; raise ImageError when it cannot be checked."""
    import imageio_ffmpeg

    display = display or str(path)
    if path.is_dir():
        raise ImageError("is a folder, not a video")
    try:
        if path.stat().st_size == 0:
            raise ImageError("is an empty file")
    except OSError as exc:
        raise ImageError(f"cannot be read ({exc.strerror or exc})") from None
    scale = f"scale='if(gt(iw,ih),min({MAX_SIDE},iw),-2)':'if(gt(iw,ih),-2,min({MAX_SIDE},ih))'"
    try:
        reader = imageio_ffmpeg.read_frames(
            str(path), pix_fmt="rgb24", output_params=["-vf", f"fps={SAMPLE_FPS},{scale}"]
        )
        meta = next(reader)
    except (RuntimeError, OSError, StopIteration, ValueError) as exc:
        raise ImageError(f"is not a video postcheck can read ({_first_line(exc)})") from None
    width, height = meta.get("size") or (0, 0)
    duration = float(meta.get("duration") or 0.0)
    if duration > MAX_SECONDS:
        reader.close()
        raise ImageError(f"is {duration / 60:.0f} minutes long, more than the {MAX_SECONDS // 60} postcheck can check")
    frames, times = [], []
    last_kept_time, last_thumb = None, None
    try:
        for index, raw in enumerate(reader):
            frame = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)
            when = index / SAMPLE_FPS
            thumb = _thumbnail(frame)
            due = last_kept_time is None or when - last_kept_time >= KEEP_EVERY - 1e-6
            cut = last_thumb is not None and float(np.abs(thumb - last_thumb).mean()) > SCENE_CUT
            if due or cut:
                frames.append(np.ascontiguousarray(frame))
                times.append(when)
                last_kept_time, last_thumb = when, thumb
    except (RuntimeError, OSError, ValueError) as exc:
        raise ImageError(f"is damaged and could not be read to the end ({_first_line(exc)})") from None
    finally:
        reader.close()
    if not frames:
        raise ImageError("has no frames postcheck can read")
    return Picture(path=path, display=display, frames=tuple(frames), frame_times=tuple(times))


def load_media(path: Path, display: str | None = None) -> Picture:
    """A video's sampled frames, or a photo's (every frame of an animation), by the file's extension."""
    from postcheck.images import load_picture
    from postcheck.post import VIDEO_SUFFIXES

    if path.suffix.casefold() in VIDEO_SUFFIXES:
        return load_video(path, display)
    return load_picture(path, display)


def _thumbnail(frame: np.ndarray) -> np.ndarray:
    from PIL import Image

    grey = Image.fromarray(frame).convert("L").resize((32, 32), Image.Resampling.BILINEAR)
    return np.asarray(grey, dtype=np.float32)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__
