"""The checks: one module each, every one a class with an ``id`` and ``run(post)``."""

from __future__ import annotations

from typing import ClassVar, Iterator, Protocol

from postcheck.findings import Finding
from postcheck.post import LoadedPost


class Check(Protocol):
    id: ClassVar[str]
    """"names", "faces", "links", ...: the rules.yaml key and the rule id prefix."""

    def run(self, post: LoadedPost) -> Iterator[Finding]: ...
