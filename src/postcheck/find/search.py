"""Find where pupils appear in an archive: faces from the index, names from the text of drafts and pages.

Faces: a face counts for a pupil when its distance to the nearest of their reference photos is within
``NEAR_DISTANCE`` (0.6, the lenient distance ``check`` uses for refused pupils: recall first, since a
person reviews the list). A face too unclear for ``check`` to clear is still encoded and compared here.

Names: what ``check`` flags for that pupil (full name, initial and surname, a name without consent, a
surname alone, a name in a file's name), every mention the names check attributes to them (a consented
first name too), and their first name or the name they are known by standing alone as a capitalised
word, even where the names check would not call it theirs (another pupil with the same first name, a
headline): a takedown list errs towards showing a person too much.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import numpy as np

from postcheck.checks.faces import NEAR_DISTANCE
from postcheck.find.archive import PAGE_SUFFIXES, Archive
from postcheck.find.index import FaceIndex, IndexedFace, IndexedFile, update_index
from postcheck.findings import box_json
from postcheck.post import LoadedPost, Picture
from postcheck.register import Person, Register

NAME_RULES = {
    "names.full-name": "full name",
    "names.initial-surname": "initial and surname",
    "names.no-name-consent": "named without name consent",
    "names.surname-only": "surname",
}


@dataclass(frozen=True, order=True)
class Match:
    file: str
    pupil_id: str
    kind: str
    """"face" or "name"."""
    time: float | None = None
    line: int | None = None
    column: int | None = None
    box: tuple[int, int, int, int] | None = None
    distance: float | None = field(default=None, compare=False)
    how: str = field(default="", compare=False)
    """For text output: "full name", "first name", "in the file name"..."""

    def to_json(self) -> dict:
        data: dict = {"file": self.file, "pupil_id": self.pupil_id, "kind": self.kind}
        if self.box is not None:
            data["box"] = box_json(self.box)
        for key in ("time", "line", "column", "distance"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class Outcome:
    matches: list[Match]
    files_checked: int
    unreadable: list[tuple[str, str]]
    """(file, why) for files that could not be read."""
    not_searched: list[str]
    """Files that are neither photos, videos, drafts nor pages."""
    no_photo: list[str]
    """Pupils searched for whose faces could not be, for want of a reference photo."""
    index_note: str | None = None
    index_rebuilt: bool = False
    decoded: int = 0


def refused_pupils(register: Register, on: date, channel: str) -> list[str]:
    """Pupils whose photo or name consent is no, or has expired, on ``on`` for ``channel``."""
    return [p.pupil_id for p in register.people if not p.is_staff
            and not (p.photo_consent_on(on, channel) and p.name_consent_on(on, channel))]


def search(
    archive: Archive,
    register: Register,
    pupils: list[str],
    references: dict[str, list[np.ndarray]],
    *,
    on: date,
    channel: str,
    index_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    targets = {pid: register.person(pid) for pid in pupils}
    known = {pid: np.asarray(references[pid], dtype=np.float64).reshape(-1, 128)
             for pid in targets if len(references.get(pid, ()))}
    matches: set[Match] = set()
    unreadable: dict[str, str] = {}
    docx = tuple(p for p in archive.drafts if p.suffix.casefold() == ".docx")
    pictured = (*archive.photos, *archive.videos, *docx)
    index = _update_indexes(archive, pictured, index_dir, progress)
    for path, entry in index.entries.items():
        if entry.error is not None:
            unreadable[str(path)] = entry.error  # a Word file's text is still searched below
        for face in entry.faces:
            matches.update(_face_matches(str(path), face, known))
    names = _names_check(register, on, channel)
    for path in (*archive.drafts, *archive.pages):
        try:
            draft, position = _read_text(path)
        except Exception as exc:  # noqa: BLE001 - each reader raises its own error type; the file is listed
            unreadable[str(path)] = str(exc) or type(exc).__name__
            continue
        matches.update(_name_matches(names, draft, position, targets))
    for path in (*pictured, *archive.drafts, *archive.pages, *archive.other):
        picture = Picture(path=path, display=str(path), frames=())
        for finding in names.file_name_findings(picture):
            if finding.pupil_id in targets:
                matches.add(Match(str(path), finding.pupil_id, "name", how="in the file name"))
    checked = archive.searched - len(unreadable)
    return Outcome(sorted(matches), checked, sorted(unreadable.items()), [str(p) for p in archive.other],
                   sorted(pid for pid in targets if pid not in known), index.note, index.rebuilt, index.decoded)


def _update_indexes(archive: Archive, files, index_dir: Path | None, progress) -> FaceIndex:
    """Each file's faces from the index of the folder it belongs to: a folder inside the archive with an index
    of its own (a school's, kept by the school's own job) is read, and kept up to date, through that index."""
    groups: dict[Path, list[Path]] = {}
    for path in files:
        groups.setdefault(archive.index_root(path), []).append(path)
    merged = FaceIndex({}, decoded=0, reused=0, path=None)
    notes = []
    for root, paths in sorted(groups.items()):
        own_dir = index_dir if root == archive.root else None
        part = update_index(root, paths, read_faces, index_dir=own_dir, progress=progress)
        merged.entries.update(part.entries)
        merged.decoded += part.decoded
        merged.reused += part.reused
        merged.rebuilt = merged.rebuilt or part.rebuilt
        notes += [part.note] if part.note else []
    merged.note = "; ".join(notes) or None
    return merged


def _face_matches(file: str, face: IndexedFace, known: dict[str, np.ndarray]):
    if face.encoding is None:
        return
    from postcheck import vision

    shown = f"{file}:{face.part}" if face.part else file
    for pupil_id, measured in vision.person_distances(known, face.encoding).items():
        distance = measured.nearest
        if distance <= NEAR_DISTANCE:
            yield Match(shown, pupil_id, "face", time=face.time, box=face.box, distance=round(distance, 3), how="face")


def _names_check(register: Register, on: date, channel: str):
    from postcheck.checks.names import NamesCheck

    return NamesCheck(register, on=on, channel=channel)


def _read_text(path: Path):
    if path.suffix.casefold() in PAGE_SUFFIXES:
        from postcheck.find.pages import read_page

        return read_page(path, str(path))
    from postcheck.drafts import load_draft

    draft = load_draft(path, str(path))
    return draft, draft.position


def _name_matches(names, draft, position, targets: dict[str, Person]):
    for finding in names.run(LoadedPost(draft.display, draft, ())):
        if finding.pupil_id in targets and finding.rule in NAME_RULES and finding.span is not None:
            line, column = position(finding.span[0])
            yield Match(draft.display, finding.pupil_id, "name", line=line, column=column, how=NAME_RULES[finding.rule])
    for pupil_id, (offset, _written) in names.named_pupils(draft).items():
        if pupil_id in targets:
            line, column = position(offset)
            yield Match(draft.display, pupil_id, "name", line=line, column=column, how="named")
    for pupil_id, person in targets.items():
        for word in {person.first_name, *person.known_as}:
            for found in _alone(word).finditer(draft.text):
                line, column = position(found.start())
                yield Match(draft.display, pupil_id, "name", line=line, column=column, how="first name")


def _alone(word: str) -> re.Pattern:
    """The word as a capitalised name on its own (``Oliver``, ``Oliver's``; not ``olive`` or ``Olivers``)."""
    first, rest = word[:1], word[1:]
    return re.compile(rf"(?<![^\W\d_]){re.escape(first.upper())}(?i:{re.escape(rest)})(?![^\W\d_])")


def read_faces(path: Path) -> IndexedFile:
    """Decode one photo, video or Word file and find and encode every face in it (the index's ``read``)."""
    from postcheck.images import ImageError, word_pictures
    from postcheck.video import load_media

    try:
        if path.suffix.casefold() == ".docx":
            faces, problems = [], []
            for name, picture in word_pictures(path):
                if isinstance(picture, ImageError):
                    problems.append(f"its picture {name} {picture}")
                else:
                    faces.extend(_faces_in(picture, part=name))
            return IndexedFile(tuple(faces), "; ".join(problems) or None)
        return IndexedFile(tuple(_faces_in(load_media(path))))
    except ImageError as exc:
        return IndexedFile(error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a detector failure must never read as "no faces": listed unreadable
        return IndexedFile(error=f"could not be searched for faces ({type(exc).__name__})")


def _faces_in(picture: Picture, part: str | None = None) -> list[IndexedFace]:
    from postcheck import vision

    faces = []
    for index, frame in enumerate(picture.frames):
        height, width = frame.shape[:2]
        boxes = vision.detect_faces(frame)
        for box, encoding in zip(boxes, _encode_each(frame, boxes), strict=True):  # a short answer fails the file
            faces.append(IndexedFace(tuple(int(v) for v in box.clipped(height, width)), encoding,
                                     picture.time_of(index), part))
    return faces


def _encode_each(frame: np.ndarray, boxes) -> list[np.ndarray | None]:
    """Every face's encoding, however unclear the face (recall first); None where dlib cannot encode one."""
    from postcheck import vision

    try:
        return vision.encode_faces(frame, list(boxes))
    except Exception:  # noqa: BLE001 - one face dlib cannot place must not hide the others
        out = []
        for box in boxes:
            try:
                out.append(vision.encode_faces(frame, [box])[0])
            except Exception:  # noqa: BLE001
                out.append(None)
        return out
