"""Faces: every face in every photo must belong to someone with photo consent.

postcheck finds every face in every photo (and in every sampled frame of a video) and compares
it with the reference photos in the consent register. It fails closed: a face it cannot place
fails the post, because a missed face could be a child whose parents said no.

Rules
-----
``faces.no-consent`` (error)
    The face looks like a pupil (or member of staff) whose photo consent is "no" for this channel,
    or whose consent had expired on the day of the post. Remove the photo, or crop or blur the
    face; if you believe consent was given, check with the office before posting.
``faces.unknown`` (error; a warning with ``unknown: warn``)
    The face matches nobody in the register. It could be a child whose parents said no, so it
    fails the post unless the school has chosen ``unknown: warn`` (for example for photos of
    visitors). Crop or blur the face, or have the office add the person's consent and photo.
``faces.unverifiable`` (error)
    A face was found but is too small (under 40 pixels wide), blurred or cut off at the edge of
    the picture to be matched reliably. Use a larger or sharper photo, or crop or blur the face.
``faces.uncertain`` (warning)
    Something face-like that the face detector was unsure of (a low score) and that a second,
    independent face detector does not think is a face: usually a logo, badge, pattern or toy. It
    is not compared with the register and does not fail the post, but look at it before posting,
    and crop or blur it if it is a face after all (``--annotate`` boxes it). Only a box that could
    otherwise be matched is ruled uncertain; a small, blurred or cut-off one stays unverifiable.
``faces.check-failed`` (error)
    The face detector could not read the picture at all. Check the photo by hand, or re-save it
    as a JPEG and run postcheck again.
``faces.consented`` (info)
    A pupil or member of staff with photo consent for this channel. Never fails a post.

Options (``faces:`` in rules.yaml)
----------------------------------
``tolerance`` (default 0.5)
    How close (face distance) a face must be to someone's reference photos to be cleared as
    that person. face_recognition's usual 0.6 is looser than we want for children; on the shared
    test photos the same person measured 0.05 to 0.45 apart and different people 0.65 or more.
``unknown`` (``fail`` or ``warn``, default ``fail``)
    Whether a face matching nobody fails the post or is only shown as a warning.

How a face is decided
---------------------
The distance to a person is the smallest distance to any of their reference photos. A face
within 0.6 of anyone *without* consent is reported as that person, even when someone with consent
is nearer: when in doubt, the riskier answer wins, and a stricter ``tolerance`` never turns a
refused child into a mere "unknown". Otherwise a face within ``tolerance`` of someone with
consent is cleared as the nearest of them; anything else is unknown.

Limits: the detector looks for faces of about 40 pixels and larger (about 70 pixels in a 12
megapixel photo) that face the camera; faces turned far to the side or hidden may not be found.
``--annotate`` writes a copy of each photo with every face it found boxed, so you can look for
any face it missed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import ClassVar, Protocol

import numpy as np

from postcheck import vision
from postcheck.findings import Finding, Severity
from postcheck.rules import DEFAULT_TOLERANCE
from postcheck.post import LoadedPost, Picture

NEAR_DISTANCE = 0.6
"""face_recognition's usual threshold: a face this near a person without consent is reported as them."""
UNKNOWN_CHOICES = ("fail", "warn")


class ConsentPerson(Protocol):
    """What the faces check reads from a register entry (``postcheck.register.Person``)."""

    pupil_id: str
    first_name: str
    last_name: str
    role: str
    consent_expires: date | None

    @property
    def full_name(self) -> str: ...

    @property
    def initials(self) -> str: ...

    @property
    def redactions(self) -> tuple[tuple[str, str], ...]:
        """(name, replacement) pairs for every way the person is named, full name first."""

    def photo_consent_on(self, on: date, channel: str) -> bool: ...

    def expired_on(self, on: date) -> bool: ...


class ConsentRegister(Protocol):
    """What the faces check reads from the register (``postcheck.register.Register``)."""

    people: tuple[ConsentPerson, ...]

    def person(self, pupil_id: str) -> ConsentPerson: ...


def classify(
    distances: Mapping[str, float],
    consented: Mapping[str, bool],
    *,
    tolerance: float,
    near: float = NEAR_DISTANCE,
) -> tuple[str, str | None]:
    """("no-consent" | "consented" | "unknown", pupil id) for a face at ``distances`` from each person.

    Asymmetric on purpose: anyone without consent within ``near`` wins over anyone with consent,
    and clearing a face needs the stricter ``tolerance``.
    """
    near = max(near, tolerance)
    refused = sorted((d, pid) for pid, d in distances.items() if not consented[pid] and d <= near)
    if refused:
        return "no-consent", refused[0][1]
    cleared = sorted((d, pid) for pid, d in distances.items() if consented[pid] and d <= tolerance)
    if cleared:
        return "consented", cleared[0][1]
    return "unknown", None


class FacesCheck:
    """Match every face in a post against the consent register; see the module docstring."""

    id: ClassVar[str] = "faces"

    def __init__(
        self,
        register: ConsentRegister,
        references: Mapping[str, Sequence[np.ndarray]],
        *,
        on: date,
        channel: str,
        tolerance: float = DEFAULT_TOLERANCE,
        unknown: str = "fail",
        near: float = NEAR_DISTANCE,
    ) -> None:
        if unknown not in UNKNOWN_CHOICES:
            raise ValueError(f'invalid value {unknown!r} for faces option "unknown": expected "fail" or "warn"')
        if not 0 < tolerance <= 1:
            raise ValueError(f'invalid value {tolerance!r} for faces option "tolerance": expected a number above 0 and at most 1')
        self._on = on
        self._channel = channel
        self._tolerance = tolerance
        self._near = max(near, tolerance)
        self._unknown_severity = Severity.ERROR if unknown == "fail" else Severity.WARNING
        self._people: dict[str, ConsentPerson] = {}
        self._encodings: dict[str, np.ndarray] = {}
        for pupil_id, encodings in references.items():
            try:
                person = register.person(pupil_id)
            except KeyError:
                raise ValueError(f"reference photos for {pupil_id!r}, who is not in the consent register") from None
            known = np.asarray(list(encodings), dtype=np.float64).reshape(-1, 128)
            if len(known):
                self._people[pupil_id] = person
                self._encodings[pupil_id] = known
        self._consented = {pid: p.photo_consent_on(on, channel) for pid, p in self._people.items()}

    def run(self, post: LoadedPost) -> Iterator[Finding]:
        if self._encodings and any(picture.frames for picture in post.pictures):
            vision.prepare()  # the models load while the first photo is searched for faces
        for picture in post.pictures:
            for index, frame in enumerate(picture.frames):
                yield from self._check_frame(picture, index, frame)

    def _check_frame(self, picture: Picture, index: int, frame: np.ndarray) -> Iterator[Finding]:
        time = picture.time_of(index)
        where = picture.display if time is None else f"{picture.display} at {_clock(time)}"
        try:
            boxes = vision.detect_faces(frame)
            problems = [vision.assess(frame, box) for box in boxes]
            # Only a box that would otherwise be matched can be ruled uncertain: a small, blurred or
            # cut-off one stays unverifiable (an error), whatever the second detector thinks.
            uncertain = [problem is None and not vision.is_confirmed_face(frame, box) for box, problem in zip(boxes, problems)]
            clear = [box for box, problem, unsure in zip(boxes, problems, uncertain) if problem is None and not unsure]
            encodings = iter(vision.encode_faces(frame, clear))  # in the order of the clear boxes
        except Exception as error:  # fail closed: a detector failure must never read as "no faces"
            yield Finding(
                rule="faces.check-failed",
                severity=Severity.ERROR,
                message=(
                    f"{where} could not be checked for faces ({type(error).__name__}: {error}); "
                    "check the photo by hand, or re-save it as a JPEG and run postcheck again."
                ),
                file=picture.display,
                time=time,
            )
            return
        height, width = frame.shape[:2]
        for box in (box for box, unsure in zip(boxes, uncertain) if unsure):
            top, right, bottom, left = box.clipped(height, width)
            yield Finding(
                rule="faces.uncertain",
                severity=Severity.WARNING,
                message=(
                    f"In {where}, something face-like (box at {left},{top}, {right - left}x{bottom - top} pixels) "
                    "is not a face to a second detector (a logo, pattern or toy?): look at it before posting, "
                    "and crop or blur it if it is a face."
                ),
                file=picture.display,
                box=(top, right, bottom, left),
                time=time,
            )
        faces = [(box, problem) for box, problem, unsure in zip(boxes, problems, uncertain) if not unsure]
        for ordinal, (box, problem) in enumerate(faces, start=1):
            face = _describe_face(ordinal, len(faces), box, height, width)
            common = dict(file=picture.display, box=box.clipped(height, width), time=time)
            if problem is not None:
                yield Finding(
                    rule="faces.unverifiable",
                    severity=Severity.ERROR,
                    message=(
                        f"In {where}, {face} cannot be checked against the consent register because {problem}: "
                        "crop or blur this face, or use a larger, sharper photo."
                    ),
                    **common,
                )
                continue
            yield self._match(next(encodings), where, face, common)

    def _match(self, encoding: np.ndarray, where: str, face: str, common: dict) -> Finding:
        distances = {pid: float(vision.face_distances(known, encoding).min()) for pid, known in self._encodings.items()}
        verdict, pupil_id = classify(distances, self._consented, tolerance=self._tolerance, near=self._near)
        if verdict == "unknown":
            return Finding(
                rule="faces.unknown",
                severity=self._unknown_severity,
                message=(
                    f"In {where}, {face} matches nobody in the consent register and could be a child whose parents said no: "
                    "crop or blur this face or remove the photo, or ask the office to add their consent and reference photo."
                ),
                **common,
            )
        person = self._people[pupil_id]
        name = person.full_name
        who = f"{name} ({'staff' if person.role == 'staff' else 'pupil'} {pupil_id})"
        redactions = tuple(person.redactions) or ((name, person.initials),)
        if verdict == "consented":
            return Finding(
                rule="faces.consented",
                severity=Severity.INFO,
                message=f"In {where}, {face} is {who}, who has photo consent for {self._channel}.",
                pupil_id=pupil_id,
                redactions=redactions,
                **common,
            )
        if person.expired_on(self._on):
            reason = f"whose photo consent expired on {person.consent_expires.isoformat()}" if person.consent_expires else "whose photo consent has expired"
            action = "remove the photo or crop or blur this face, and check consent with the office."
        else:
            reason = f"who has no photo consent for {self._channel}"
            action = "remove the photo or crop or blur this face; if you think consent was given, check with the office."
        return Finding(
            rule="faces.no-consent",
            severity=Severity.ERROR,
            message=f"In {where}, {face} looks like {who}, {reason}: {action}",
            pupil_id=pupil_id,
            redactions=redactions,
            **common,
        )


def _describe_face(ordinal: int, count: int, box: vision.FaceBox, height: int, width: int) -> str:
    top, right, bottom, left = box.clipped(height, width)
    at = f"(box at {left},{top}, {right - left}x{bottom - top} pixels)"
    if count == 1:
        return f"the only face {at}"
    return f"the {_ordinal(ordinal)} face from the left {at}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"
