"""``postcheck register validate``: the problems with the reference photos that the office can fix.

Schema problems in register.csv stop earlier (exit 2, see register.py). These are the rest, each
naming the file and the pupil: errors (exit 1) for photos that cannot serve as a reference, and
warnings (exit 0) for consents that have run out or soon will.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path

import numpy as np

from postcheck.enroll import EnrollResult
from postcheck.findings import Finding, Severity
from postcheck.post import IMAGE_SUFFIXES
from postcheck.register import Register

EXPIRY_NOTICE = timedelta(days=30)


@dataclass(frozen=True)
class Validation:
    problems: tuple[Finding, ...]

    @property
    def failed(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


def validate(
    register: Register, enrolled: EnrollResult, *, on: date, lookalike_distance: float, unknown_faces: str = "fail"
) -> Validation:
    problems: list[Finding] = []
    csv = str(register.csv_path)

    def problem(rule: str, severity: Severity, message: str, file: str, pupil_id: str | None = None, line=None):
        problems.append(Finding(rule, severity, message, file, line=line, pupil_id=pupil_id))

    photos_dir = register.root / "photos"
    ids = {p.pupil_id.casefold(): p.pupil_id for p in register.people}
    for stray in register.stray_photos:
        # photos/<id>.<ext> or photos/<id>/<any name>.<ext>: the pupil_id it was filed under
        filed_as = stray.stem if stray.parent == photos_dir else stray.parent.name
        owner = ids.get(filed_as.casefold())
        if owner is None and stray.suffix.casefold() in IMAGE_SUFFIXES:
            problem("register.unknown-pupil", Severity.ERROR,
                    f"{stray} is a photo for pupil_id '{filed_as}', who is not in register.csv: "
                    f"rename it to <pupil_id>{stray.suffix} or remove it.",
                    str(stray))
        else:
            problem("register.not-a-photo", Severity.ERROR,
                    f"{stray}{f' ({owner})' if owner else ''} is not a photo postcheck reads "
                    "(use .jpg, .jpeg, .png, .heic or .webp named by pupil_id).",
                    str(stray), owner)

    for person in register.people:
        photos = register.photos.get(person.pupil_id, ())
        usable = 0
        for path in photos:
            entry = enrolled.by_digest.get(enrolled.photo_digests.get(path, ""))
            if entry is None:
                continue
            if entry.error is not None:
                problem("register.unreadable", Severity.ERROR,
                        f"{path} ({person.pupil_id}) {entry.error}: replace it with a clear JPEG or PNG photo.",
                        str(path), person.pupil_id)
            elif not entry.encodings:
                problem("register.no-face", Severity.ERROR,
                        f"{path} ({person.pupil_id}) shows no face postcheck can find: use a clear, front-facing photo.",
                        str(path), person.pupil_id)
            elif len(entry.encodings) > 1:
                problem("register.several-faces", Severity.ERROR,
                        f"{path} ({person.pupil_id}) shows {len(entry.encodings)} faces: a reference photo must show only "
                        "this pupil; crop it.",
                        str(path), person.pupil_id)
            else:
                usable += 1
        consents_photo = person.photo_consent.everywhere or bool(person.photo_consent.channels)
        if consents_photo and not person.expired_on(on) and usable == 0 and not photos:
            problem("register.no-photo", Severity.ERROR,
                    f"{person.pupil_id} has photo consent but no reference photo in photos/: their face can never be "
                    f"recognised and will show as unknown. Add photos/{person.pupil_id}.jpg.",
                    csv, person.pupil_id, person.row)
        elif consents_photo and not person.expired_on(on) and usable == 1:
            # A face is cleared on the mean of its distances to the person's two nearest reference photos
            # (see checks/faces.py): with one photo, a stranger who happens to resemble it is cleared.
            problem("register.one-photo", Severity.WARNING,
                    f"{person.pupil_id} has photo consent and only one reference photo: add a second, different photo "
                    f"(photos/{person.pupil_id}/ can hold several) so a lookalike is not taken for them.",
                    csv, person.pupil_id, person.row)
        elif unknown_faces == "warn" and not consents_photo and not person.is_staff and not photos:
            # Without a reference photo a refused pupil can only ever be an "unknown" face, which
            # faces.unknown: warn lets through with a warning: the office should know.
            problem("register.refused-no-photo", Severity.WARNING,
                    f"{person.pupil_id} has no photo consent and no reference photo: with faces: {{unknown: warn}} in "
                    f"rules.yaml their face would only be a warning. Add photos/{person.pupil_id}.jpg so they are "
                    "recognised and fail the post.",
                    csv, person.pupil_id, person.row)
        if person.consent_expires is not None:
            if person.expired_on(on):
                problem("register.expired", Severity.WARNING,
                        f"{person.pupil_id}: consent expired on {person.consent_expires.isoformat()}; it now counts as no "
                        "until a new form is recorded.",
                        csv, person.pupil_id, person.row)
            elif person.consent_expires - on <= EXPIRY_NOTICE:
                days = (person.consent_expires - on).days
                when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
                problem("register.expiring", Severity.WARNING,
                        f"{person.pupil_id}: consent expires on {person.consent_expires.isoformat()} "
                        f"({when}): ask the family to renew it.",
                        csv, person.pupil_id, person.row)

    # Lookalikes are compared photo by photo, so the message can name the two files to look at.
    faces: dict[str, list[tuple[Path, np.ndarray]]] = {}
    for pupil_id, paths in sorted(register.photos.items()):
        for path in paths:
            entry = enrolled.by_digest.get(enrolled.photo_digests.get(path, ""))
            if entry is not None and entry.error is None and len(entry.encodings) == 1:
                faces.setdefault(pupil_id, []).append((path, np.asarray(entry.encodings[0], dtype=np.float64)))
    for (a, faces_a), (b, faces_b) in combinations(faces.items(), 2):
        distance, path_a, path_b = min(
            (float(np.linalg.norm(x - y)), pa, pb) for pa, x in faces_a for pb, y in faces_b
        )
        if distance <= lookalike_distance:
            problem("register.lookalike", Severity.ERROR,
                    f"{a} ({path_a}) and {b} ({path_b}) have near-identical reference faces (distance {distance:.2f}): "
                    "twins, or a photo filed under the wrong pupil? postcheck cannot tell them apart, so the stricter "
                    "consent applies to both.",
                    str(path_a), a)
    return Validation(tuple(sorted(problems, key=Finding.sort_key)))
