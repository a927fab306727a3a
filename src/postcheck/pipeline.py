"""One post through every check: load the inputs once, run the checks, apply waivers.

Data flows one way: Post -> LoadedPost (draft decoded, pictures decoded once) -> checks -> PostResult.
The checks are those registered in the catalogue (``postcheck.catalogue``), each run on what it reads:
the draft's text, or the pictures (photos, animations, video frames). Each is built lazily, once per
process: a text-only run never loads dlib, an image-only run never loads spaCy.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import traceback
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

import numpy as np

from postcheck import catalogue
from postcheck.catalogue import PICTURES, TEXT, CheckSpec, Rule
from postcheck.checks import Check
from postcheck.checks.image import unreadable
from postcheck.drafts import DraftError, load_draft
from postcheck.findings import Finding, PostResult, Severity
from postcheck.images import ImageError, load_picture, word_pictures
from postcheck.post import IMAGE_SUFFIXES, Draft, LoadedPost, Picture, Post
from postcheck.register import Register
from postcheck.rules import Rules, Waiver
from postcheck.video import load_video
from postcheck.wording import Quoted, Sensitive, Wording

if TYPE_CHECKING:
    from postcheck.checks.names import FileNamesCheck, NamesCheck

References = Mapping[str, Sequence[np.ndarray]]

RULES = catalogue.declare(
    Rule("text.unreadable", Severity.ERROR, "A draft that cannot be read",
         "The draft could not be decoded (empty, damaged, not text or a Word document), so nothing in it could "
         "be checked.",
         "Save it again as plain text (.txt), Markdown (.md) or Word (.docx)."),
    Rule(f"<check>{catalogue.CHECK_FAILED}", Severity.ERROR, "The {check} check could not finish",
         "The {check} check stopped with an error on this post, so the post cannot be called safe.",
         "Check the post by hand, and report the problem (run with POSTCHECK_DEBUG=1 to see the cause)."),
    check="pipeline",
)


@dataclass
class Pipeline:
    """Everything a check needs, decided once per run; ``check(post)`` is called per post."""

    rules: Rules
    register: Register
    on: date
    channel: str
    references: Callable[[], References]
    """Reference face encodings per pupil_id, loaded (and the cache refreshed) only when a photo is checked."""

    @functools.cached_property
    def _text_lock(self) -> threading.Lock:
        return threading.Lock()

    def prepare(self, posts: Sequence[Post]) -> None:
        """Build the checks these posts need before they are checked in parallel (once, in order)."""
        if any(post.draft is not None for post in posts):
            self.text_checks
        if any(post.images or post.videos or _is_docx(post.draft) for post in posts):
            self.picture_checks

    @functools.cached_property
    def _built(self) -> dict[str, Check]:
        return {}

    def _check(self, spec: CheckSpec) -> Check:
        if spec.name not in self._built:
            self._built[spec.name] = spec.build(self)
        return self._built[spec.name]

    @functools.cached_property
    def names_check(self) -> NamesCheck:
        return self._check(next(spec for spec in catalogue.checks() if spec.name == "names"))

    @functools.cached_property
    def _file_names(self) -> FileNamesCheck:
        from postcheck.checks.names import FileNamesCheck

        return FileNamesCheck(self.names_check)

    @functools.cached_property
    def text_checks(self) -> list[Check]:
        """The registered checks that read a draft's text, built for this run."""
        return [self._check(spec) for spec in catalogue.checks() if TEXT in spec.reads]

    @functools.cached_property
    def picture_checks(self) -> list[Check]:
        """The registered checks that read photos and video frames (the face models load here)."""
        return [self._check(spec) for spec in catalogue.checks() if PICTURES in spec.reads]

    def load(self, post: Post) -> tuple[LoadedPost, list[Finding]]:
        """Decode the draft and every picture once; what cannot be decoded becomes a failing finding."""
        problems: list[Finding] = []
        draft = None
        if post.draft is not None:
            try:
                draft = load_draft(post.draft, str(post.draft))
            except DraftError as exc:
                problems.append(
                    Finding(
                        rule="text.unreadable",
                        severity=Severity.ERROR,
                        wording=Wording.of("{draft} {reason}; nothing in it could be checked.",
                                           draft=Quoted(str(post.draft)), reason=Quoted(str(exc))),
                        file=str(post.draft),
                    )
                )
        pictures: list[Picture] = []
        if post.images or post.videos:
            from postcheck import vision

            vision.prepare()  # the face models load while the photos decode
        for path in post.images:
            try:
                pictures.append(load_picture(path, str(path)))
            except ImageError as exc:
                reason = str(exc)
                if path.suffix.casefold() not in IMAGE_SUFFIXES and reason.startswith("is not an image"):
                    reason = "is neither a draft (.txt, .md, .docx) nor a photo postcheck can read"
                problems.append(unreadable(str(path), reason))
        for path in post.videos:
            try:
                pictures.append(load_video(path, str(path)))
            except ImageError as exc:
                problems.append(unreadable(str(path), str(exc)))
        if draft is not None and _is_docx(post.draft):
            # Photos pasted into a Word draft are published with it: every face in them is checked.
            for name, picture in word_pictures(post.draft):
                if isinstance(picture, ImageError):
                    problems.append(unreadable(f"{post.draft}:{name}", str(picture)))
                else:
                    pictures.append(picture)
        return LoadedPost(post.name, draft, tuple(pictures)), problems

    def run(self, loaded: LoadedPost, problems: list[Finding]) -> PostResult:
        findings = list(problems)
        if loaded.pictures:
            for check in self.picture_checks:
                findings.extend(run_fail_closed(check, loaded))
        # A scan checks several posts at a time: spaCy and the names check's answer for the last
        # draft serve one post at a time, text checks and the name-with-photo cross-check together.
        with self._text_lock:
            if loaded.draft is not None:
                for check in self.text_checks:
                    findings.extend(run_fail_closed(check, loaded))
            if loaded.pictures:
                findings.extend(run_fail_closed(self._file_names, loaded))
            if loaded.draft is not None and loaded.pictures and self.rules.with_photo != "off":
                cross = NameWithPhoto(self.names_check, findings, self.register, self.rules.with_photo)
                findings.extend(run_fail_closed(cross, loaded))
        text = loaded.draft.text if loaded.draft is not None else ""
        if loaded.draft is not None:
            findings = [with_end(finding, loaded.draft) for finding in findings]
        return PostResult.of(loaded.name, apply_waivers(findings, self.rules.waivers, loaded.name, self.on, text))


@dataclass
class NameWithPhoto:
    """``names.with-photo``: a pupil named in the text (even by first name) whose face is in a photo.

    Many schools' policies say "if we name a pupil, we do not use their photograph". A cross-check
    of two independent checks' results: the names check says who the draft names, the faces
    findings say who is in the pictures.
    """

    id = "names"
    names: NamesCheck
    """The NamesCheck that already read this draft (it answers from its cache)."""
    findings: list[Finding]
    register: Register
    setting: str
    """rules.yaml names.with_photo: fail or warn."""

    def run(self, post: LoadedPost) -> list[Finding]:
        draft = post.draft
        named = self.names.named_pupils(draft)
        seen: dict[str, Finding] = {}
        for face in sorted(self.findings, key=Finding.sort_key):
            if face.rule.startswith("faces.") and face.pupil_id in named and face.pupil_id not in seen:
                seen[face.pupil_id] = face
        severity = Severity.ERROR if self.setting == "fail" else Severity.WARNING
        out = []
        for pupil_id, face in sorted(seen.items()):
            offset, written = named[pupil_id]
            person = self.register.person(pupil_id)
            photo = face.file if face.time is None else f"{face.file} at {face.time:.0f}s"
            line, column = draft.position(offset)
            out.append(Finding(
                rule="names.with-photo",
                severity=severity,
                wording=Wording.of('"{written}" ({pupil_id}) is named in the text and their face is in {photo}: the '
                                   "policy does not name a pupil whose photo is used, so remove the name or the photo.",
                                   written=Sensitive(" ".join(written.split()), person.initials), pupil_id=pupil_id,
                                   photo=Quoted(photo)),
                file=draft.display, line=line, column=column, pupil_id=pupil_id,
                span=(offset, offset + len(written)),
            ))
        return out


def with_end(finding: Finding, draft: Draft) -> Finding:
    """The finding with where its match ends (SARIF endLine/endColumn), from its span in ``draft``.

    Checks give the start of a match and its span; the end position is the same arithmetic for all of them.
    """
    if finding.span is None or finding.line is None or finding.file != draft.display or finding.end_line is not None:
        return finding
    end_line, end_column = draft.position(finding.span[1])
    return replace(finding, end_line=end_line, end_column=end_column)


def _is_docx(path: Path | None) -> bool:
    return path is not None and path.suffix.casefold() == ".docx"


def run_fail_closed(check: Check, post: LoadedPost) -> list[Finding]:
    """A check that crashes fails the post with a finding that says so; it never passes it."""
    try:
        return list(check.run(post))
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:  # fail closed: an unchecked post must never pass
        if os.environ.get("POSTCHECK_DEBUG"):
            traceback.print_exc(file=sys.stderr)
        return [
            Finding(
                rule=f"{check.id}.check-failed",
                severity=Severity.ERROR,
                wording=Wording.of(
                    "The {check} check could not finish on this post ({error}), so it cannot be "
                    "called safe: check it by hand or report the problem.",
                    check=check.id, error=type(exc).__name__,
                ),
                file=post.name,
            )
        ]


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], post: str, on: date, text: str = ""
) -> list[Finding]:
    """Mark findings an in-date waiver accepts; they still show, but no longer fail the post.

    ``text`` is the draft's text: a links waiver is matched against the link as written there.
    """
    out = []
    for finding in findings:
        waiver = next((w for w in waivers if _waives(w, finding, post, on, text)), None)
        if waiver is not None:
            finding = replace(finding, waived_by=waiver.approved_by)
        out.append(finding)
    return out


def _waives(waiver: Waiver, finding: Finding, post: str, on: date, text: str) -> bool:
    if on > waiver.expires or waiver.rule != finding.rule:
        return False
    if waiver.pupil_id is not None and waiver.pupil_id != finding.pupil_id:
        return False
    if waiver.link is not None:
        from postcheck.checks.links import waiver_covers

        # Only the link as written where the finding points, parsed: never a substring of the message.
        if finding.span is None or not waiver_covers(waiver.link, text[finding.span[0]:finding.span[1]]):
            return False
    if waiver.post is not None and Path(waiver.post) != Path(post) and waiver.post not in (post, Path(post).name):
        return False
    return True
