"""What the server checks with: rules and register loaded once, reloaded when they change on disk.

Before every check the rules file and the register (register.csv and photos/) are compared with what
was loaded; a change reloads them, so the office can fix a consent and press Check again without
restarting anything. A rules or register file that no longer loads is kept as a one-line problem
(the same line the CLI prints) and every check is refused until it is fixed: the server never checks
against a register it could not read. The face and language models are process-wide and load once.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from postcheck.errors import PostcheckError
from postcheck.findings import Finding, Severity
from postcheck.pipeline import Pipeline
from postcheck.register import Register, load_register
from postcheck.rules import Rules, load_rules
from postcheck.session import Session, check_waivers


class NotReady(PostcheckError):
    """rules.yaml or the register cannot be used as they are on disk now."""


@dataclass(frozen=True)
class Loaded:
    """One version of the rules and the register, with what ``register validate`` says about it."""

    rules: Rules
    register: Register
    references: dict
    """pupil_id -> reference face encodings."""
    problems: tuple[Finding, ...]
    """``register validate``'s problems with the reference photos (they do not stop a check)."""


class Checker:
    """Hands out a Session for a channel, on today's date, over the current rules and register."""

    def __init__(self, register_dir: Path, rules_path: Path, *, today: Callable[[], date] = date.today) -> None:
        self.register_dir = register_dir
        self.rules_path = rules_path
        self._today = today
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._loaded: Loaded | None = None
        self._problem: str | None = None
        self._sessions: dict[tuple[str, date], Session] = {}

    def status(self) -> tuple[str | None, tuple[Finding, ...]]:
        """(the problem that stops every check, or None; register validate's problems), after a reload if needed."""
        with self._lock:
            self._refresh()
            return self._problem, self._loaded.problems if self._loaded and not self._problem else ()

    def session(self, channel: str) -> Session:
        """The session for ``channel`` today; raises NotReady while the rules or register cannot be loaded."""
        with self._lock:
            self._refresh()
            if self._problem is not None:
                raise NotReady(self._problem)
            day = self._today()
            key = (channel, day)
            if key not in self._sessions:
                try:
                    check_waivers(self._loaded.rules, day)
                except PostcheckError as exc:
                    raise NotReady(str(exc)) from None
                # Sessions of earlier days are dropped: consent is always judged as on today.
                self._sessions = {k: s for k, s in self._sessions.items() if k[1] == day}
                loaded = self._loaded
                pipeline = Pipeline(loaded.rules, loaded.register, on=day, channel=channel,
                                    references=lambda: loaded.references)
                self._sessions[key] = Session(loaded.rules, loaded.register, pipeline)
            return self._sessions[key]

    def _refresh(self) -> None:
        stamp = disk_stamp(self.register_dir, self.rules_path)
        if stamp == self._stamp:
            return
        self._stamp, self._sessions = stamp, {}
        try:
            self._loaded, self._problem = load(self.register_dir, self.rules_path, self._today()), None
        except PostcheckError as exc:
            self._loaded, self._problem = None, str(exc)


def load(register_dir: Path, rules_path: Path, day: date) -> Loaded:
    """Rules and register validated first (a typo fails before any model loads), then the reference photos."""
    from postcheck.enroll import enroll
    from postcheck.validate import validate

    rules = load_rules(rules_path)
    register = load_register(register_dir)
    enrolled = enroll(register)
    checked = validate(register, enrolled, on=day, lookalike_distance=rules.tolerance,
                       unknown_faces=rules.unknown_faces)
    problems = tuple(p for p in checked.problems if p.severity is Severity.ERROR)
    return Loaded(rules, register, enrolled.references(), problems)


def disk_stamp(register_dir: Path, rules_path: Path) -> tuple:
    """What the rules and register are on disk now: the two text files by content, photos by size and time."""
    def content(path: Path):
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            return type(exc).__name__

    photos = []
    folder = register_dir / "photos"
    try:
        for path in sorted(folder.rglob("*")):
            info = path.stat()
            photos.append((str(path), info.st_size, info.st_mtime_ns))
    except OSError as exc:
        photos.append(type(exc).__name__)
    return content(rules_path), content(register_dir / "register.csv"), tuple(photos)


def warm_up(checker: Checker, channel: str = "social") -> None:
    """Check a made-up post once, so the language model, the face models and their first run are all loaded
    before the first member of staff presses Check."""
    import tempfile

    from PIL import Image

    from postcheck.post import post_from_files

    with tempfile.TemporaryDirectory(prefix="postcheck-warm-up-") as tmp:
        folder = Path(tmp)
        draft = folder / "warm-up.txt"
        draft.write_text("Our class visited the library today. See https://www.gov.uk/ for more.\n", encoding="utf-8")
        photo = folder / "warm-up.jpg"
        Image.new("RGB", (640, 480), (128, 128, 128)).save(photo)
        # Safe copy and boxed photo too: the first real check should not wait for their code and font.
        checker.session(channel).check(post_from_files([draft, photo]), fix=folder / "fix", annotate=folder / "boxed")
