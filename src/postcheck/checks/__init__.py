"""The checks: one module (or small package) each, every one a class with an ``id`` and ``run(post)``.

A check registers itself with ``postcheck.catalogue.register_check`` (what it reads, its rules and
its rules.yaml options); importing this package imports every module in ``CHECK_MODULES``, so the
pipeline, rules.yaml validation and the rule listings all see it. Imports stay cheap: spaCy, dlib
and onnxruntime load only when a check first needs them.
"""

from __future__ import annotations

import importlib
from typing import ClassVar, Iterator, Protocol

from postcheck.findings import Finding
from postcheck.post import LoadedPost

CHECK_MODULES = ("links", "faces", "names", "text", "profanity", "image")
"""Every check module, in the order the checks run and rules.yaml's sections are listed in messages."""


class Check(Protocol):
    id: ClassVar[str]
    """"names", "faces", "links", ...: the rules.yaml section and the rule id prefix."""

    def run(self, post: LoadedPost) -> Iterator[Finding]: ...


for _module in CHECK_MODULES:
    importlib.import_module(f"{__name__}.{_module}")
