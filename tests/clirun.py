"""Run the postcheck CLI in-process (models load once per test session) and capture what it prints."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from postcheck.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture, *args: str) -> Run:
    capsys.readouterr()
    try:
        main([str(a) for a in args])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    else:
        code = 0
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)
