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
    The face matches nobody in the register closely and clearly enough. It could be a child whose
    parents said no, so it fails the post unless the school has chosen ``unknown: warn`` (for
    example for photos of visitors). Crop or blur the face, or have the office add the person's
    consent and photo.
``faces.unverifiable`` (error)
    A face was found but cannot be matched reliably: too small (under 40 pixels wide), cut off at
    the edge of the picture, turned to the side, or blurred. It is never cleared as someone with
    consent. Crop or blur the face, or use a larger, sharper photo where the face looks at the camera.
``faces.check-failed`` (error)
    The face detector could not read the picture at all. Check the photo by hand, or re-save it
    as a JPEG and run postcheck again.
``faces.consented`` (info)
    A pupil or member of staff with photo consent for this channel. Never fails a post.

Options (``faces:`` in rules.yaml)
----------------------------------
``tolerance`` (default 0.45)
    How close (face distance) a face must be to someone's reference photos to be cleared as that
    person. Measured with this detector and encoder on the shared test photos (bench/faces.py): the
    same person 0.05 to 0.44 apart (76 pairs), different people 0.48 or more (452 pairs; 0.48 is a
    brother and sister), so face_recognition's usual 0.6 is far too loose for children.
``unknown`` (``fail`` or ``warn``, default ``fail``)
    Whether a face matching nobody fails the post or is only shown as a warning.

How a face is decided
---------------------
A face within 0.6 of anyone *without* consent (of any one of their reference photos) is reported
as that person, even when someone with consent is nearer: when in doubt, the riskier answer wins,
and a stricter ``tolerance`` never turns a refused child into a mere "unknown".

Clearing a face needs more. Its distance to a person with consent is the mean of its distances to
that person's two nearest reference photos (a stranger may by chance resemble one photo of someone,
rarely two; with a single reference photo, that photo, and ``register validate`` warns). It is
cleared as that person only when that distance is within ``tolerance`` *and* everyone else in the
register is at least ``MARGIN`` further away; otherwise it is unknown, unless the draft's ``pupils:``
line (see the README) names exactly one of the two look-alikes. It never clears a face that is not
within ``tolerance``, nor overrides a refusal. JSON output carries each matched face's ``distance`` and
``margin``.

Every face the detector finds is reported, however unsure the detector was: it looks at each photo
at several sizes and turned four ways, so faces from about 12 pixels, in profile, behind masks and
of children lying down are found. ``--annotate`` writes a copy of each photo with every face boxed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

import numpy as np

from postcheck.catalogue import PICTURES, FaceMark, Option, Rule, register_check
from postcheck.checks.names.candidates import declared_pupils
from postcheck.findings import Finding, Severity
from postcheck.rules import DEFAULT_TOLERANCE
from postcheck.post import LoadedPost, Picture, clock
from postcheck.wording import Quoted, Sensitive, Value, Wording

if TYPE_CHECKING:
    from postcheck import vision

NEAR_DISTANCE = 0.6
"""face_recognition's usual threshold: a face this near a person without consent is reported as them."""
MARGIN = 0.1
"""How much nearer the cleared person must be than anyone else in the register. On the shared photos
the nearest wrong person is at least 0.2 further than the right one for every face that is cleared,
while a brother and sister are 0.48 apart: between two look-alikes, 0.1 is too close to call."""
UNKNOWN_CHOICES = ("fail", "warn")

RULES = (
    Rule("faces.no-consent", Severity.ERROR, "A pupil without photo consent is in a photo",
         "A face in a photo matches a pupil (or member of staff) whose photo consent is no, or has expired, "
         "for this channel.",
         "Remove the photo, crop the pupil out, or blur their face.",
         face=FaceMark("NO CONSENT", "red", hide=True)),
    Rule("faces.unknown", Severity.ERROR, "A face that matches nobody in the register",
         "A face in a photo matches no one in the consent register; it may be a child whose parents said no.",
         "Check who it is; remove, crop or blur the face if you cannot confirm consent.",
         setting="faces.unknown", face=FaceMark("unknown", "amber", hide=True)),
    Rule("faces.unverifiable", Severity.ERROR, "A face too small or unclear to check",
         "A face was found but is too small, cut off, turned to the side or blurred to compare with the "
         "register, so consent cannot be confirmed.",
         "Use a photo where the face is clear, or crop or blur it.",
         face=FaceMark("cannot check", "amber", hide=True)),
    Rule("faces.consented", Severity.INFO, "A pupil with photo consent is in a photo",
         "A face matches a pupil or member of staff whose photo consent covers this channel.",
         "Nothing to do.", face=FaceMark("consent", "green", hide=False)),
)
OPTIONS = (
    Option("unknown", "choice", "fail", "a face that matches nobody in the register", choices=UNKNOWN_CHOICES,
           attr="unknown_faces"),
    Option("tolerance", "number", DEFAULT_TOLERANCE, "how close a face must be to count as a person",
           low=0.3, high=0.6, range_words=("strict", "loose"), attr="tolerance"),
)


def _build(run) -> FacesCheck:
    return FacesCheck(run.register, run.references(), on=run.on, channel=run.channel,
                      tolerance=run.rules.tolerance, unknown=run.rules.unknown_faces)


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

    def photo_consent_on(self, on: date, channel: str) -> bool: ...

    def expired_on(self, on: date) -> bool: ...


class ConsentRegister(Protocol):
    """What the faces check reads from the register (``postcheck.register.Register``)."""

    people: tuple[ConsentPerson, ...]

    def person(self, pupil_id: str) -> ConsentPerson: ...


@dataclass(frozen=True)
class Verdict:
    kind: str
    """"no-consent", "consented", "unknown" or "ambiguous" (cleared but too close to someone else)."""
    pupil_id: str | None = None
    distance: float | None = None
    """To ``pupil_id``: the nearest reference photo for a refusal, two photos' mean for a clearance."""
    margin: float | None = None
    """How much further the next nearest person is."""
    runner_up: str | None = None


def classify(
    nearest: Mapping[str, float],
    clearing: Mapping[str, float],
    consented: Mapping[str, bool],
    *,
    tolerance: float,
    near: float = NEAR_DISTANCE,
    margin: float = MARGIN,
    declared: frozenset[str] = frozenset(),
) -> Verdict:
    """The verdict on a face at ``nearest`` (each person's nearest reference photo) and ``clearing``
    (each person's clearing distance, see the module docstring) from everyone in the register.

    Asymmetric on purpose: anyone without consent within ``near`` wins over anyone with consent;
    clearing a face needs the stricter ``tolerance`` and a clear ``margin`` over everyone else.
    """
    near = max(near, tolerance)
    refused = sorted((d, pid) for pid, d in nearest.items() if not consented[pid] and d <= near)
    if refused:
        distance, pupil_id = refused[0]
        return Verdict("no-consent", pupil_id, distance, _gap(nearest, pupil_id, distance)[0])
    cleared = sorted((d, pid) for pid, d in clearing.items() if consented[pid] and d <= tolerance)
    if not cleared:
        return Verdict("unknown")
    distance, pupil_id = cleared[0]
    gap, runner_up = _gap(nearest, pupil_id, distance)
    if gap is not None and gap < margin:
        # Two look-alikes: the draft's "pupils:" line, where it names exactly one of them, says which.
        named = [(d, pid) for d, pid in cleared if pid in declared and pid in (pupil_id, runner_up)]
        if len(named) == 1 and (pupil_id in declared) != (runner_up in declared):
            distance, pupil_id = named[0]
            return Verdict("consented", pupil_id, distance, _gap(nearest, pupil_id, distance)[0])
        return Verdict("ambiguous", pupil_id, distance, gap, runner_up)
    return Verdict("consented", pupil_id, distance, gap)


def _gap(nearest: Mapping[str, float], pupil_id: str, distance: float) -> tuple[float | None, str | None]:
    """How much further than ``distance`` the nearest other person is, and who that is."""
    others = sorted((d, pid) for pid, d in nearest.items() if pid != pupil_id)
    if not others:
        return None, None
    return others[0][0] - distance, others[0][1]


@register_check(reads=[PICTURES], rules=RULES, options=OPTIONS, build=_build)
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
            _vision().prepare()  # the models load while the first photo is searched for faces
        declared = declared_pupils(post.draft.text) if post.draft is not None else frozenset()
        for picture in post.pictures:
            for index, frame in enumerate(picture.frames):
                yield from self._check_frame(picture, index, frame, declared)

    def _check_frame(self, picture: Picture, index: int, frame: np.ndarray, declared: frozenset[str]) -> Iterator[Finding]:
        time = picture.time_of(index)
        where = picture.display if time is None else f"{picture.display} at {clock(time)}"
        try:
            boxes = _vision().detect_faces(frame)
            problems = [_vision().assess(frame, box) for box in boxes]
            clear = [box for box, problem in zip(boxes, problems) if problem is None]
            encodings = iter(_vision().encode_faces(frame, clear))  # in the order of the clear boxes
        except Exception as error:  # fail closed: a detector failure must never read as "no faces"
            yield Finding(
                rule="faces.check-failed",
                severity=Severity.ERROR,
                wording=Wording.of(
                    "{where} could not be checked for faces ({error}); "
                    "check the photo by hand, or re-save it as a JPEG and run postcheck again.",
                    where=Quoted(where), error=Quoted(f"{type(error).__name__}: {error}"),
                ),
                file=picture.display,
                time=time,
            )
            return
        height, width = frame.shape[:2]
        for ordinal, (box, problem) in enumerate(zip(boxes, problems), start=1):
            face = _describe_face(ordinal, len(boxes), box, height, width)
            common = dict(file=picture.display, box=box.clipped(height, width), time=time)
            if problem is not None:
                yield Finding(
                    rule="faces.unverifiable",
                    severity=Severity.ERROR,
                    wording=_in_photo(
                        where, face, "cannot be checked against the consent register because {problem}: crop or "
                        "blur this face, or use a larger, sharper photo where the face looks at the camera.",
                        problem=problem,
                    ),
                    **common,
                )
                continue
            yield self._match(next(encodings), where, face, common, declared)

    def _match(self, encoding: np.ndarray, where: str, face: str, common: dict, declared: frozenset[str]) -> Finding:
        distances = _vision().person_distances(self._encodings, encoding)
        nearest = {pid: d.nearest for pid, d in distances.items()}
        clearing = {pid: d.clearing for pid, d in distances.items()}
        verdict = classify(nearest, clearing, self._consented, tolerance=self._tolerance, near=self._near,
                           declared=declared)
        measured = dict(distance=_rounded(verdict.distance), margin=_rounded(verdict.margin))
        if verdict.kind in ("unknown", "ambiguous"):
            if verdict.kind == "ambiguous":
                this, other = self._people[verdict.pupil_id], self._people[verdict.runner_up]
                why = Wording.of("looks like {this} ({this_id}) but almost as much like {other} ({other_id}), "
                                 "so postcheck cannot tell who it is",
                                 this=Sensitive(this.full_name, this.initials), this_id=verdict.pupil_id,
                                 other=Sensitive(other.full_name, other.initials), other_id=verdict.runner_up)
            else:
                why = "matches nobody in the consent register"
            return Finding(
                rule="faces.unknown",
                severity=self._unknown_severity,
                wording=_in_photo(
                    where, face, "{why} and could be a child whose parents said no: crop or blur this face or "
                    "remove the photo, or ask the office to add their consent and reference photo.",
                    why=why,
                ),
                **(measured if verdict.kind == "ambiguous" else {}),
                **common,
            )
        pupil_id = verdict.pupil_id
        person = self._people[pupil_id]
        who = Wording.of("{name} ({role} {pupil_id})", name=Sensitive(person.full_name, person.initials),
                         role="staff" if person.role == "staff" else "pupil", pupil_id=pupil_id)
        if verdict.kind == "consented":
            return Finding(
                rule="faces.consented",
                severity=Severity.INFO,
                wording=_in_photo(where, face, "is {who}, who has photo consent for {channel}.",
                                  who=who, channel=self._channel),
                pupil_id=pupil_id,
                **measured,
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
            wording=_in_photo(where, face, "looks like {who}, {reason}: {action}", who=who, reason=reason, action=action),
            pupil_id=pupil_id,
            **measured,
            **common,
        )


def _in_photo(where: str, face: str, rest: str, **values: Value) -> Wording:
    """A face finding's wording: "In photo.jpg, the only face (box ...) " and ``rest``, what is true of the face.

    ``where`` is the photo's file name as given (quoted: --redact hides names in it as words)."""
    return Wording.of("In {where}, {face} " + rest, where=Quoted(where), face=face, **values)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _vision():
    """The vision package, imported with the first photo rather than with the checks: a text-only run never
    imports the detector's modules."""
    from postcheck import vision

    return vision


def _describe_face(ordinal: int, count: int, box: vision.FaceBox, height: int, width: int) -> str:
    top, right, bottom, left = box.clipped(height, width)
    at = f"(box at {left},{top}, {right - left}x{bottom - top} pixels)"
    if count == 1:
        return f"the only face {at}"
    return f"the {_ordinal(ordinal)} face from the left {at}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"

