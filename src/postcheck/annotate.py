"""Annotated copies of photos: every face found boxed and labelled, for staff to review.

Green: photo consent. Red: no consent. Amber: unknown or unverifiable. Labels use initials,
never full names, since annotated copies are easily forwarded. The original is never modified.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from postcheck import catalogue
from postcheck.findings import Finding
from postcheck.post import Picture

GREEN = (0, 170, 60)
RED = (220, 20, 20)
AMBER = (255, 165, 0)
COLOURS = {"green": GREEN, "red": RED, "amber": AMBER}
"""The colours a rule's ``FaceMark`` may name (declared with the faces rules in checks/faces.py)."""


def annotated_path(picture: Picture, out_dir: Path) -> Path:
    """``<stem>.faces.png`` in ``out_dir``, never the picture's own path."""
    out = out_dir / f"{picture.path.stem}.faces.png"
    if out.resolve() == picture.path.resolve():
        out = out_dir / f"{picture.path.stem}.faces-annotated.png"
    return out


def annotate(picture: Picture, findings: list[Finding] | tuple[Finding, ...], out_dir: Path) -> Path:
    """Write a copy of ``picture`` with every face finding boxed and labelled; return its path.

    For a video or animation, every frame with a face finding is drawn, stacked top to bottom
    (the first frame when none has one).
    """
    image = boxed_image(picture, findings)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = annotated_path(picture, out_dir)
    image.save(out, format="PNG")
    return out


def boxed_image(picture: Picture, findings: list[Finding] | tuple[Finding, ...]) -> Image.Image:
    """The picture with every face finding boxed and labelled, in memory (``annotate`` writes it)."""
    marks = catalogue.face_marks()
    mine = [f for f in findings if f.file == picture.display and f.box is not None and f.rule in marks]
    frames = [
        i for i in range(len(picture.frames)) if any(_same_time(f.time, picture.time_of(i)) for f in mine)
    ] or [0]
    drawn = [_draw(picture.frames[i], [f for f in mine if _same_time(f.time, picture.time_of(i))], marks)
             for i in frames]
    return drawn[0] if len(drawn) == 1 else _stack(drawn)


def _same_time(a: float | None, b: float | None) -> bool:
    return a == b or (a is not None and b is not None and abs(a - b) < 1e-6)


def stroke_and_font(image: Image.Image) -> tuple[int, ImageFont.ImageFont]:
    """Box line width and label font for a picture of this size (also ``find --annotate``'s boxes)."""
    return max(2, round(max(image.size) / 400)), ImageFont.load_default(size=max(12, round(max(image.size) / 60)))


def _draw(frame: np.ndarray, findings: list[Finding], marks: dict[str, catalogue.FaceMark]) -> Image.Image:
    image = Image.fromarray(frame).convert("RGB")  # a copy: the decoded frame is left as it was
    draw = ImageDraw.Draw(image)
    width, font = stroke_and_font(image)
    for finding in findings:
        colour, word = COLOURS[marks[finding.rule].colour], marks[finding.rule].label
        top, right, bottom, left = finding.box
        draw.rectangle((left, top, right, bottom), outline=colour, width=width)
        names = finding.wording.names()  # a label never shows a name: the first person's hidden form
        who = names[0][1] if names else finding.pupil_id
        label = f"{word}: {who}" if who else word
        x0, y0, x1, y1 = draw.textbbox((0, 0), label, font=font)
        text_h = y1 - y0 + 2 * width
        y = top - text_h if top - text_h >= 0 else bottom
        draw.rectangle((left, y, left + x1 - x0 + 2 * width, y + text_h), fill=colour)
        draw.text((left + width - x0, y + width - y0), label, fill=(0, 0, 0) if colour == AMBER else (255, 255, 255), font=font)
    return image


def _stack(images: list[Image.Image]) -> Image.Image:
    width = max(i.width for i in images)
    sheet = Image.new("RGB", (width, sum(i.height for i in images)), (255, 255, 255))
    y = 0
    for i in images:
        sheet.paste(i, (0, y))
        y += i.height
    return sheet
