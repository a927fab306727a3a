"""``--annotate DIR``: copies of the photos (and video frames) where a pupil was found, each matched face boxed
and labelled with the pupil id (never a name: copies are easily forwarded). The originals are never changed."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from postcheck.annotate import RED, stroke_and_font
from postcheck.find.search import Match


def annotate_matches(matches: list[Match], root: Path, out_dir: Path) -> list[Path]:
    """One PNG per photo or video frame with a match, named after its path in the archive ``root``."""
    from PIL import Image, ImageDraw

    from postcheck.video import load_media

    by_file: dict[str, list[Match]] = defaultdict(list)
    for match in matches:
        if match.kind == "face" and ":" not in Path(match.file).name:  # not a picture inside a Word file
            by_file[match.file].append(match)
    written = []
    for file, found in sorted(by_file.items()):
        path = Path(file)
        picture = load_media(path)
        for index, frame in enumerate(picture.frames):
            here = [m for m in found if m.time == picture.time_of(index)]
            if not here:
                continue
            image = Image.fromarray(frame).convert("RGB")
            draw = ImageDraw.Draw(image)
            width, font = stroke_and_font(image)
            for match in here:
                top, right, bottom, left = match.box
                draw.rectangle((left, top, right, bottom), outline=RED, width=width)
                draw.text((left, max(0, top - font.size - 2 * width)), f"{match.pupil_id} {match.distance:.2f}",
                          fill=RED, font=font)
            stamp = "" if picture.time_of(index) is None else f".{picture.time_of(index):06.1f}s"
            try:
                flat = "__".join(path.relative_to(root).with_suffix("").parts)
            except ValueError:
                flat = path.stem
            out = out_dir / f"{flat}{stamp}.found.png"
            out_dir.mkdir(parents=True, exist_ok=True)
            image.save(out, format="PNG")
            written.append(out)
    return written
