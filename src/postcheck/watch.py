"""``postcheck scan DIR --watch``: re-check a post whenever one of its files changes.

watchdog delivers the file events (inotify on Linux, FSEvents on macOS, polling elsewhere), which is
more dependable than hand-written polling on a shared drive. Events are debounced, so a post saved in
several steps (Word writes a temp file, then renames it) is checked once, after it settles.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable

from postcheck.post import Post


def fingerprint(post: Post) -> tuple:
    """What a post looks like on disk: its files with their sizes and modification times."""
    parts = []
    for path in (post.draft, *post.images, *post.videos):
        if path is None:
            continue
        try:
            stat = path.stat()
            parts.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            parts.append((str(path), -1, -1))
    return tuple(sorted(parts))


def watch(
    root: Path,
    discover: Callable[[Path], tuple[Post, ...]],
    on_post: Callable[[Post], None],
    *,
    on_gone: Callable[[str], None] = lambda name: None,
    settle: float = 0.5,
    stop_after: float | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Check every post once, then each post again when its files change, until Ctrl-C or ``stop_after`` seconds.

    ``on_gone`` hears the name of a post whose files are no longer there."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    changed = threading.Event()
    stop = stop or threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            changed.set()

    seen: dict[str, tuple] = {}

    def sweep() -> None:
        posts = discover(root)
        current = {post.name for post in posts}
        for name in list(seen):
            if name not in current:
                del seen[name]
                on_gone(name)
        for post in posts:
            state = fingerprint(post)
            if seen.get(post.name) != state:
                seen[post.name] = state
                on_post(post)

    observer = Observer()
    observer.schedule(Handler(), os.fspath(root), recursive=True)
    observer.start()
    deadline = None if stop_after is None else time.monotonic() + stop_after
    try:
        sweep()
        while not stop.is_set():
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                break
            if changed.wait(timeout=0.2 if remaining is None else min(0.2, remaining)):
                # Debounce: wait until no event has arrived for `settle` seconds.
                while True:
                    changed.clear()
                    if not changed.wait(timeout=settle):
                        break
                sweep()
    finally:
        observer.stop()
        observer.join(timeout=5)
