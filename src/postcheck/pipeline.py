"""One post through every check: load the inputs once, run the checks, apply waivers.

Data flows one way: Post -> LoadedPost (draft decoded, pictures decoded once) -> checks -> PostResult.
Checks are built lazily, once per process: a text-only run never loads dlib, an image-only run
never loads spaCy.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from postcheck.checks import Check
from postcheck.checks.image import ImageCheck, unreadable
from postcheck.drafts import DraftError, load_draft
from postcheck.findings import Finding, PostResult, Severity
from postcheck.images import ImageError, load_picture
from postcheck.post import LoadedPost, Picture, Post
from postcheck.register import Register
from postcheck.rules import Rules, Waiver
from postcheck.video import load_video

References = Mapping[str, Sequence[np.ndarray]]


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
    def text_checks(self) -> list[Check]:
        from postcheck.checks.links import LinksCheck
        from postcheck.checks.names import NamesCheck
        from postcheck.checks.text import PersonalDataCheck

        return [
            NamesCheck(self.register, on=self.on, channel=self.channel),
            LinksCheck(self.rules.allow),
            PersonalDataCheck(self.rules),
        ]

    @functools.cached_property
    def picture_checks(self) -> list[Check]:
        from postcheck.checks.faces import FacesCheck

        faces = FacesCheck(
            self.register,
            self.references(),
            on=self.on,
            channel=self.channel,
            tolerance=self.rules.tolerance,
            unknown=self.rules.unknown_faces,
        )
        return [ImageCheck(), faces]

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
                        message=f"{post.draft} {exc}; nothing in it could be checked.",
                        file=str(post.draft),
                    )
                )
        pictures: list[Picture] = []
        for path in post.images:
            try:
                pictures.append(load_picture(path, str(path)))
            except ImageError as exc:
                problems.append(unreadable(str(path), str(exc)))
        for path in post.videos:
            try:
                pictures.append(load_video(path, str(path)))
            except ImageError as exc:
                problems.append(unreadable(str(path), str(exc)))
        return LoadedPost(post.name, draft, tuple(pictures)), problems

    def check(self, post: Post) -> PostResult:
        loaded, problems = self.load(post)
        return self.run(loaded, problems)

    def run(self, loaded: LoadedPost, problems: list[Finding]) -> PostResult:
        findings = list(problems)
        checks: list[Check] = []
        if loaded.draft is not None:
            checks += self.text_checks
        if loaded.pictures:
            checks += self.picture_checks
        for check in checks:
            findings.extend(run_fail_closed(check, loaded))
        return PostResult.of(loaded.name, apply_waivers(findings, self.rules.waivers, loaded.name, self.on))


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
                message=(
                    f"The {check.id} check could not finish on this post ({type(exc).__name__}), so it cannot be "
                    "called safe: check it by hand or report the problem."
                ),
                file=post.name,
            )
        ]


def apply_waivers(findings: Iterable[Finding], waivers: Sequence[Waiver], post: str, on: date) -> list[Finding]:
    """Mark findings an in-date waiver accepts; they still show, but no longer fail the post."""
    out = []
    for finding in findings:
        waiver = next((w for w in waivers if _waives(w, finding, post, on)), None)
        if waiver is not None:
            finding = replace(finding, waived_by=waiver.approved_by)
        out.append(finding)
    return out


def _waives(waiver: Waiver, finding: Finding, post: str, on: date) -> bool:
    if on > waiver.expires or waiver.rule != finding.rule:
        return False
    if waiver.pupil_id is not None and waiver.pupil_id != finding.pupil_id:
        return False
    if waiver.link is not None and waiver.link.casefold() not in finding.message.casefold():
        return False
    if waiver.post is not None and Path(waiver.post) != Path(post) and waiver.post not in (post, Path(post).name):
        return False
    return True
