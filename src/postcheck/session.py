"""A checking session: rules and register validated first, then posts checked one by one.

Validation comes before any model loads, so a typo in rules.yaml or register.csv fails in
milliseconds. The face encodings are loaded (and the cache refreshed) the first time a photo
is checked, once per session.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from postcheck.findings import PostResult, Report
from postcheck.pipeline import Pipeline
from postcheck.post import LoadedPost, Post, post_from_files
from postcheck.register import Register, load_register
from postcheck.errors import RulesError
from postcheck.rules import Rules, load_rules


POSTS_IN_FLIGHT = 3
"""Posts checked at the same time by a scan (measured best on 2 cores with bench/scan.py)."""


@dataclass
class Session:
    rules: Rules
    register: Register
    pipeline: Pipeline

    @classmethod
    def open(cls, register_dir: Path, rules_path: Path, *, on: date, channel: str) -> Session:
        rules = load_rules(rules_path)
        check_waivers(rules, on)
        register = load_register(register_dir)
        loader = functools.cache(lambda: _references(register))
        return cls(rules, register, Pipeline(rules, register, on=on, channel=channel, references=loader))

    def check(
        self, post: Post, *, annotate: Path | None = None, strip_metadata: Path | None = None, fix: Path | None = None
    ) -> PostResult:
        """Check one post; optionally write annotated copies, copies without metadata, and safe copies."""
        loaded, result = self.run(post)
        if fix is not None:
            from postcheck.fix import fix_post

            fix_post(loaded, result, fix)
        if annotate is not None:
            from postcheck.annotate import annotate as draw

            for picture in loaded.pictures:
                draw(picture, [f for f in result.findings if f.file == picture.display], annotate)
        if strip_metadata is not None:
            from postcheck.metadata import strip_metadata as strip

            for picture in loaded.pictures:
                if picture.path in post.images:  # stills that decoded; unreadable ones are already findings
                    strip(picture.path, strip_metadata)
        return result

    def run(self, post: Post) -> tuple[LoadedPost, PostResult]:
        """Decode the post once and check it, timed: the decoded post is kept for copies made from it."""
        started = time.perf_counter()
        loaded, problems = self.pipeline.load(post)
        return loaded, replace(self.pipeline.run(loaded, problems), seconds=time.perf_counter() - started)

    def check_all(self, posts, *, annotate_for=None, fix_for=None):
        """Results in the order of ``posts``, a few posts in flight at a time, so that one post's
        decoding, encoding and text checks overlap another's face detection and both cores stay busy."""
        from concurrent.futures import ThreadPoolExecutor

        posts = list(posts)
        self.pipeline.prepare(posts)

        def one(post: Post) -> PostResult:
            return self.check(post, annotate=annotate_for(post) if annotate_for else None,
                              fix=fix_for(post) if fix_for else None)

        with ThreadPoolExecutor(max_workers=POSTS_IN_FLIGHT, thread_name_prefix="postcheck-post") as pool:
            yield from pool.map(one, posts)

    def fix(self, post: Post, out_dir: Path) -> tuple[tuple[Path, ...], PostResult]:
        """Write a safe copy of the post into ``out_dir`` (the originals are never touched), then check it.

        Returns the files written and the copy's result. Videos cannot be fixed here: they are checked again as
        they are. Every file with no safe copy (a video, an animation, an unreadable photo) fails the result."""
        from postcheck.fix import fix_post

        loaded, result = self.run(post)
        copy = fix_post(loaded, result, out_dir)
        recheck = [*copy.written, *post.videos]
        findings = self.check(post_from_files(recheck)).findings if recheck else ()
        return copy.written, PostResult.of(str(copy.written[0]) if copy.written else post.name,
                                           (*findings, *copy.left_out))

    @property
    def pupil_names(self) -> tuple[tuple[str, str], ...]:
        """Every way each pupil in the register is named (``Register.pupil_names``): ``--redact`` hides them all."""
        return self.register.pupil_names

    def report(self, results, ignored=()) -> Report:
        return Report(tuple(results), tuple((str(path), reason) for path, reason in ignored))


def check_waivers(rules: Rules, on: date) -> None:
    """An expired waiver is an error: someone must renew the approval or remove it."""
    for index, waiver in enumerate(rules.waivers):
        if on > waiver.expires:
            raise RulesError(
                f"{rules.path}: waivers[{index}] ({waiver.rule}, approved by {waiver.approved_by}) expired on "
                f"{waiver.expires.isoformat()}: renew it with a new approval and date, or remove it"
            )


def _references(register: Register):
    from postcheck.enroll import enroll

    return enroll(register).references()
