"""``postcheck register validate``: the problems with the reference photos that the office can fix.

Schema problems in register.csv stop earlier (exit 2, see register.py). These are the rest, each
naming the file and the pupil: errors (exit 1) for photos that cannot serve as a reference, and
warnings (exit 0) for consents that have run out or soon will.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations

import numpy as np

from postcheck.enroll import EnrollResult
from postcheck.findings import Finding, Severity
from postcheck.images import IMAGE_EXTENSIONS
from postcheck.register import Register

EXPIRY_NOTICE = timedelta(days=30)


@dataclass(frozen=True)
class Validation:
    problems: tuple[Finding, ...]

    @property
    def failed(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


def validate(register: Register, enrolled: EnrollResult, *, on: date, lookalike_distance: float) -> Validation:
    problems: list[Finding] = []
    csv = str(register.csv_path)

    def problem(rule: str, severity: Severity, message: str, file: str, pupil_id: str | None = None, line=None):
        problems.append(Finding(rule, severity, message, file, line=line, pupil_id=pupil_id))

    for stray in register.stray_photos:
        if stray.suffix.casefold() in IMAGE_EXTENSIONS:
            problem("register.unknown-pupil", Severity.ERROR,
                    f"{stray} belongs to no pupil_id in register.csv: rename it to <pupil_id>{stray.suffix} or remove it.",
                    str(stray))
        else:
            problem("register.not-a-photo", Severity.ERROR,
                    f"{stray} is not a photo postcheck reads (use .jpg, .jpeg, .png, .heic or .webp named by pupil_id).",
                    str(stray))

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
        if person.consent_expires is not None:
            if person.expired_on(on):
                problem("register.expired", Severity.WARNING,
                        f"{person.pupil_id}: consent expired on {person.consent_expires.isoformat()}; it now counts as no "
                        "until a new form is recorded.",
                        csv, person.pupil_id, person.row)
            elif person.consent_expires - on <= EXPIRY_NOTICE:
                problem("register.expiring", Severity.WARNING,
                        f"{person.pupil_id}: consent expires on {person.consent_expires.isoformat()} "
                        f"(in {(person.consent_expires - on).days} days): ask the family to renew it.",
                        csv, person.pupil_id, person.row)

    references = enrolled.references()
    for (a, encs_a), (b, encs_b) in combinations(sorted(references.items()), 2):
        distance = min(float(np.linalg.norm(x - y)) for x in encs_a for y in encs_b)
        if distance <= lookalike_distance:
            problem("register.lookalike", Severity.ERROR,
                    f"{a} and {b} have near-identical reference faces (distance {distance:.2f}): twins, or a photo filed "
                    "under the wrong pupil? postcheck cannot tell them apart, so the stricter consent applies to both.",
                    csv, f"{a},{b}")
    return Validation(tuple(sorted(problems, key=Finding.sort_key)))
