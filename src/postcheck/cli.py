"""The command line: the only place that prints errors or chooses an exit code.

Exit codes: 0 every post passes; 1 at least one post fails; 2 postcheck could not do its job
(bad rules.yaml, invalid register, a named file that does not exist, bad usage).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.exceptions import TyperException

from postcheck.errors import InputError, PostcheckError
from postcheck.formats import Format

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # a traceback's locals would print pupil data
    help="Check a school social media post (draft text and photos) against the consent register and policy.",
)
register_app = typer.Typer(no_args_is_help=True, help="Validate and enroll the consent register (consent_data/).")
app.add_typer(register_app, name="register")

RegisterOpt = Annotated[
    Path, typer.Option("--register", envvar="POSTCHECK_REGISTER", help="Consent register folder.", show_default=True)
]
RulesOpt = Annotated[Path, typer.Option("--rules", envvar="POSTCHECK_RULES", help="Policy file.", show_default=True)]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]
DateOpt = Annotated[
    Optional[str],
    typer.Option("--date", help="Check consent as on this day (YYYY-MM-DD or DD/MM/YYYY); default today."),
]
ChannelOpt = Annotated[str, typer.Option("--channel", help="Where the post goes: website, social, newsletter, press...")]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file.")]
FixDirOpt = Annotated[
    Optional[Path],
    typer.Option("--fix-dir", help="Write safe copies (faces without consent pixelated, names cut) into this folder."),
]
RedactOpt = Annotated[
    Optional[bool],
    typer.Option("--redact/--no-redact",
                 help="Hide pupils' names in the output (default on in CI and for sarif, junit and github output)."),
]


def parse_day(value: str | None) -> date:
    if value is None:
        return date.today()
    from postcheck.dates import DateError, parse_date

    try:
        return parse_date(value)
    except DateError as exc:
        raise InputError(f"--date '{value}' {exc}") from None


def parse_channel(value: str) -> str:
    from postcheck.register import CHANNEL_ALIASES, CHANNELS

    key = value.strip().casefold()
    key = CHANNEL_ALIASES.get(key, key)
    if key not in CHANNELS:
        raise InputError(f"--channel '{value}' is not one of {', '.join(CHANNELS)}")
    return key


CI_VARIABLES = (
    "CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "JENKINS_HOME", "TF_BUILD", "BUILDKITE", "TEAMCITY_VERSION",
    "CIRCLECI", "TRAVIS", "BITBUCKET_BUILD_NUMBER", "CODEBUILD_BUILD_ID", "DRONE", "APPVEYOR", "SEMAPHORE",
    "bamboo_buildKey", "WOODPECKER", "CI_NAME",
)
"""Environment variables by which CI services announce themselves (each service's documented variable, as
collected by the ci-info project's vendor list). Any one set means output is likely to be stored in a log."""

STORED_FORMATS = (Format.sarif, Format.junit, Format.github)
"""Formats that end up as stored artefacts (code scanning alerts, test reports, workflow logs)."""


def in_ci() -> bool:
    """Whether a CI service runs us: any of CI_VARIABLES set (``CI=false`` or ``CI=0`` says it is not)."""
    for name in CI_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value and not (name == "CI" and value.casefold() in ("false", "0", "no")):
            return True
    return False


def redact_default(flag: bool | None, fmt: Format = Format.text) -> bool:
    """Hide pupils' names unless told not to: always in CI logs and in formats that are stored; ``--no-redact`` wins."""
    if flag is not None:
        return flag
    return fmt in STORED_FORMATS or in_ci()


@app.command("check")
def check_command(
    files: Annotated[list[Path], typer.Argument(help="The draft (.txt, .md, .docx) and its photos.", show_default=False)],
    register: RegisterOpt = Path("consent_data"),
    rules: RulesOpt = Path("rules.yaml"),
    fmt: FormatOpt = Format.text,
    on: DateOpt = None,
    channel: ChannelOpt = "social",
    output: OutputOpt = None,
    redact: RedactOpt = None,
    annotate: Annotated[
        Optional[Path], typer.Option("--annotate", help="Write copies of the photos with every face boxed and labelled.")
    ] = None,
    strip_metadata: Annotated[
        Optional[Path], typer.Option("--strip-metadata", help="Write copies of the photos without location metadata.")
    ] = None,
    fix_dir: FixDirOpt = None,
) -> None:
    """Check one post: a draft and its photos (a photo alone is fine)."""
    from postcheck.session import Session
    from postcheck.post import post_from_files

    post = post_from_files(files)
    session = Session.open(register, rules, on=parse_day(on), channel=parse_channel(channel))
    result = session.check(post, annotate=annotate, strip_metadata=strip_metadata, fix=fix_dir)
    finish(session, [result], fmt, output, redact_default(redact, fmt))


@app.command("scan")
def scan_command(
    folder: Annotated[Path, typer.Argument(help="The shared drafts folder.", show_default=False)],
    register: RegisterOpt = Path("consent_data"),
    rules: RulesOpt = Path("rules.yaml"),
    fmt: FormatOpt = Format.text,
    on: DateOpt = None,
    channel: ChannelOpt = "social",
    output: OutputOpt = None,
    redact: RedactOpt = None,
    annotate: Annotated[
        Optional[Path], typer.Option("--annotate", help="Write copies of the photos with every face boxed and labelled.")
    ] = None,
    watch: Annotated[bool, typer.Option("--watch", help="Keep watching the folder; re-check a post when it changes.")] = False,
    watch_for: Annotated[
        Optional[float], typer.Option("--watch-for", hidden=True, help="Stop watching after this many seconds.")
    ] = None,
    fix_dir: FixDirOpt = None,
) -> None:
    """Check every post in a folder: each subfolder, or each loose draft with the photos named after it."""
    from postcheck.scan import discover
    from postcheck.session import Session

    if watch and (fmt is not Format.text or output is not None):
        given = "--output" if output is not None else f"--format {fmt.value}"
        raise InputError(
            f"--watch prints one line per post as it changes and cannot write {given}: for a report (as a CI job "
            "needs), run postcheck scan DIR without --watch"
        )
    discovery = discover(folder)
    session = Session.open(register, rules, on=parse_day(on), channel=parse_channel(channel))
    hide_names = redact_default(redact, fmt)
    # Copies go to one subfolder per post: two posts' photo.jpg must not overwrite each other.
    annotate_for = _per_post(annotate, folder)
    fix_for = _per_post(fix_dir, folder)
    if watch:
        failing = _watch(folder, session, hide_names, annotate_for, fix_for, watch_for)
        raise typer.Exit(EXIT_FAIL if failing else EXIT_PASS)
    results = _check_all(session, discovery.posts, annotate_for, hide_names, fix_for)
    finish(session, results, fmt, output, hide_names, ignored=discovery.ignored)


def _per_post(out_dir: Path | None, folder: Path):
    """post -> its own subfolder of ``out_dir`` (None when the option was not given)."""
    if out_dir is None:
        return lambda post: None
    return lambda post: out_dir / _relative_name(post.name, folder)


def _relative_name(name: str, folder: Path) -> Path:
    """A post's --fix-dir subfolder: its name inside the scanned folder (``drafts/trip/day-1.txt`` -> ``trip/day-1.txt``)."""
    path = Path(name)
    try:
        relative = path.relative_to(folder)
    except ValueError:
        relative = Path(path.name)
    return relative if relative.parts else Path(path.name or "post")


def _check_all(session, posts, annotate_for, hide_names: bool, fix_for):
    """Every post once, with a progress bar on a terminal and plain lines in CI or a pipe."""
    from postcheck.findings import redact_words

    def shown(post) -> str:
        return redact_words(post.name, session.pupil_names) if hide_names else post.name

    interactive = sys.stderr.isatty() and not in_ci()
    checked = session.check_all(posts, annotate_for=annotate_for, fix_for=fix_for)
    results = []
    if interactive and posts:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task("Checking posts", total=len(posts))
            for post, result in zip(posts, checked):
                progress.update(task, description=f"Checked {shown(post)}")
                results.append(result)
                progress.advance(task)
        return results
    from postcheck.formats.github import neutralise

    for index, (post, result) in enumerate(zip(posts, checked), 1):
        # A CI runner reads these lines too: a file name must not start a workflow command.
        sys.stderr.write(neutralise(f"[{index}/{len(posts)}] {result.verdict.upper()} {shown(post)}") + "\n")
        sys.stderr.flush()
        results.append(result)
    return results


def _watch(folder: Path, session, hide_names: bool, annotate_for, fix_for, watch_for) -> bool:
    """Check each post when it changes until stopped; True if a post still fails when watching ends."""
    from postcheck.scan import discover
    from postcheck.watch import watch

    failed: dict[str, bool] = {}

    def on_post(post) -> None:
        result = session.check(post, annotate=annotate_for(post), fix=fix_for(post))
        failed[post.name] = result.failed
        if hide_names:
            result = session.report([result]).redacted(session.pupil_names).results[0]
        failing = [f for f in result.findings if f.fails]
        reasons = "; ".join(f"{f.rule}: {f.message}" for f in failing)
        line = f"{result.verdict.upper()} {result.post}" + (f" ({len(failing)}) {reasons}" if failing else "")
        print(line, flush=True)

    print(f"Watching {folder} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    watch(folder, lambda root: discover(root).posts, on_post, on_gone=lambda name: failed.pop(name, None),
          stop_after=watch_for)
    return any(failed.values())


@app.command("fix")
def fix_command(
    files: Annotated[list[Path], typer.Argument(help="The draft and its photos.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Folder for the safe copies (created if needed).")],
    register: RegisterOpt = Path("consent_data"),
    rules: RulesOpt = Path("rules.yaml"),
    fmt: FormatOpt = Format.text,
    on: DateOpt = None,
    channel: ChannelOpt = "social",
    redact: RedactOpt = None,
) -> None:
    """Write a safe copy of a post: faces without consent pixelated, names cut to first names or initials.

    Exits 0 when the safe copy passes every check, 1 when something in it still needs a person.
    """
    from postcheck.findings import redact_words
    from postcheck.post import post_from_files
    from postcheck.session import Session

    post = post_from_files(files)
    session = Session.open(register, rules, on=parse_day(on), channel=parse_channel(channel))
    written, result = session.fix(post, out)
    hide_names = redact_default(redact, fmt)
    for path in written:
        shown = redact_words(str(path), session.pupil_names) if hide_names else str(path)
        sys.stderr.write(f"wrote {shown}\n")
    finish(session, [result], fmt, None, hide_names)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; only this PC unless changed.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8150,
    register: RegisterOpt = Path("consent_data"),
    rules: RulesOpt = Path("rules.yaml"),
) -> None:
    """A page in the browser where staff paste a draft and drop its photos to check them (Ctrl-C stops it)."""
    from postcheck.serve import serve

    serve(host, port, register, rules)


@app.command("find")
def find_command(
    archive: Annotated[Path, typer.Argument(help="The folder of published photos, videos, drafts and web pages.",
                                            show_default=False)],
    pupil: Annotated[Optional[list[str]], typer.Option("--pupil", help="A pupil id to look for (repeatable).")] = None,
    refused: Annotated[bool, typer.Option("--refused", help="Everyone whose photo or name consent is no or expired.")] = False,
    register: RegisterOpt = Path("consent_data"),
    on: DateOpt = None,
    channel: ChannelOpt = "social",
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: text, json or csv.")] = "text",
    output: OutputOpt = None,
    redact: RedactOpt = None,
    annotate: Annotated[
        Optional[Path], typer.Option("--annotate", help="Write copies of the photos with every match boxed.")
    ] = None,
) -> None:
    """A takedown list: every photo, video and page in ARCHIVE that shows or names a pupil."""
    from postcheck.find.command import run_find

    found = run_find(archive, pupils=pupil or [], refused=refused, register_dir=register, on=parse_day(on),
                     channel=parse_channel(channel), fmt=fmt, annotate=annotate,
                     redact=redact_default(redact), progress=sys.stderr.isatty() and not in_ci())
    emit(found.text, output)
    outcome = found.outcome
    if outcome is not None and outcome.files_checked == 0:
        raise InputError(f"nothing in {archive} could be read ({len(outcome.unreadable)} unreadable files)")
    raise typer.Exit(EXIT_FAIL if outcome is not None and outcome.matches else EXIT_PASS)


@app.command("rules")
def rules_command(
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: text or json.")] = "text",
    output: OutputOpt = None,
) -> None:
    """Every rule postcheck reports: its check, default severity, title and what to do; then rules.yaml's options."""
    from postcheck.formats.rules import render_rules

    if fmt.casefold() not in ("text", "json"):
        raise InputError(f"--format '{fmt}' is not one of text, json")
    emit(render_rules(fmt.casefold()), output)
    raise typer.Exit(EXIT_PASS)


def emit(text: str, output: Path | None) -> None:
    """``text`` to ``--output FILE`` or, without it, to standard output."""
    if output is not None:
        write_output(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def finish(session, results, fmt: Format, output: Path | None, redact: bool, ignored=()) -> None:
    from postcheck.formats import render

    report = session.report(results, ignored=ignored)
    if redact:
        report = report.redacted(session.pupil_names)
    color = output is None and fmt is Format.text and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    text = render(report, fmt, color=color)
    if output is not None:
        write_output(output, text)
        if fmt is not Format.text:
            summary = render(report, Format.text)
            if fmt is Format.github:  # the runner reads this summary as well as the annotations
                from postcheck.formats.github import neutralise

                summary = neutralise(summary)
            sys.stdout.write(summary)
    else:
        sys.stdout.write(text)
    sys.stdout.flush()
    raise typer.Exit(EXIT_FAIL if report.failed else EXIT_PASS)


def write_output(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


SUBCOMMANDS = {"check", "scan", "register", "fix", "serve", "find", "rules"}


def main(argv: list[str] | None = None) -> None:
    """Console entry point: ``postcheck DRAFT [IMAGE ...]`` is short for ``postcheck check ...``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in SUBCOMMANDS and args[0] not in ("--help", "-h"):
        args.insert(0, "check")
    try:
        code = app(args=args, prog_name="postcheck", standalone_mode=False)
    except PostcheckError as exc:
        _error(str(exc))
        sys.exit(EXIT_ERROR)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _error("interrupted")
        sys.exit(130)
    except TyperException as exc:  # usage errors: typer's own message, then exit 2
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            _error(str(exc))
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_PASS)


def _error(message: str) -> None:
    sys.stderr.write(f"postcheck: error: {message}\n")
    sys.stderr.flush()


def _progress_enroll(register, label: str):
    """Enroll with a rich progress bar on a terminal, silently elsewhere."""
    from postcheck.enroll import enroll

    if not sys.stderr.isatty() or in_ci():
        return enroll(register)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task(label, total=None)
        return enroll(register, progress=lambda done, total: progress.update(task, completed=done, total=total))


@register_app.command("validate")
def register_validate(
    register: RegisterOpt = Path("consent_data"),
    rules: Annotated[
        Optional[Path], typer.Option("--rules", envvar="POSTCHECK_RULES", help="Policy file (for faces.tolerance).")
    ] = None,
    on: DateOpt = None,
) -> None:
    """Check register.csv and the reference photos; exit 1 if a photo needs fixing."""
    from postcheck.register import load_register
    from postcheck.rules import DEFAULT_TOLERANCE, load_rules
    from postcheck.validate import validate

    day = parse_day(on)
    reg = load_register(register)
    tolerance, unknown_faces = DEFAULT_TOLERANCE, "fail"
    rules_path = rules if rules is not None else Path("rules.yaml")
    if rules is not None or rules_path.is_file():
        policy = load_rules(rules_path)
        tolerance, unknown_faces = policy.tolerance, policy.unknown_faces
    enrolled = _progress_enroll(reg, "Reading reference photos")
    result = validate(reg, enrolled, on=day, lookalike_distance=tolerance, unknown_faces=unknown_faces)
    from rich.console import Console
    from rich.markup import escape  # file names such as "P7 [old].jpg" must print as they are

    console = Console(highlight=False, soft_wrap=True)
    marks = {"error": "[bold red]✗[/]", "warning": "[yellow]![/]", "info": "i"}
    for problem in result.problems:
        console.print(f"  {marks[problem.severity.value]} {problem.rule}  {escape(problem.message)}", markup=True)
    people = len(reg.people)
    photos = sum(len(p) for p in reg.photos.values())
    errors = sum(p.severity.value == "error" for p in result.problems)
    if enrolled.cache_note:
        console.print(f"  [yellow]![/] {escape(enrolled.cache_note)}")
    verdict = "[bold red]problems to fix[/]" if result.failed else "[bold green]OK[/]"
    console.print(f"{escape(str(reg.csv_path))}: {people} people, {photos} reference photos: {verdict}"
                  + (f" ({errors} error{'s' if errors != 1 else ''})" if errors else ""))
    raise typer.Exit(EXIT_FAIL if result.failed else EXIT_PASS)


@register_app.command("enroll")
def register_enroll(register: RegisterOpt = Path("consent_data")) -> None:
    """Encode the reference photos into the cache; only new or changed photos are encoded."""
    from postcheck.register import load_register

    reg = load_register(register)
    result = _progress_enroll(reg, "Encoding reference photos")
    if result.cache_note:
        sys.stderr.write(f"postcheck: warning: {result.cache_note}\n")
    print(
        f"Enrolled {len(reg.people)} people: {result.encoded} photo(s) encoded, {result.reused} unchanged, "
        f"{result.dropped} dropped" + (f"; cache {result.cache_path}" if result.cache_path else "")
    )
    raise typer.Exit(EXIT_PASS)


@register_app.command("status")
def register_status(
    register: RegisterOpt = Path("consent_data"),
    expiring: Annotated[bool, typer.Option("--expiring", help="Only consents that have run out or do within 30 days.")] = False,
    on: DateOpt = None,
) -> None:
    """A table of everyone in the register with their consents (names shown on this terminal only)."""
    from rich.console import Console
    from rich.markup import escape  # a name such as "Sam [twin]" must print as it is
    from rich.table import Table

    from postcheck.register import load_register
    from postcheck.validate import EXPIRY_NOTICE

    day = parse_day(on)
    reg = load_register(register)
    people = reg.people
    if expiring:
        people = tuple(p for p in people if p.consent_expires is not None and p.consent_expires - day <= EXPIRY_NOTICE)
    table = Table(title=escape(f"{reg.csv_path} on {day.isoformat()}"))
    for heading in ("id", "name", "role", "photo", "name consent", "expires", "photos"):
        table.add_column(heading)
    for person in people:
        expires = person.consent_expires.isoformat() if person.consent_expires else ""
        if person.expired_on(day):
            expires += " (expired)"
        table.add_row(person.pupil_id, escape(person.full_name), person.role, str(person.photo_consent),
                      str(person.name_consent), expires, str(len(reg.photos.get(person.pupil_id, ()))))
    Console(highlight=False).print(table)
    if expiring and not people:
        print("No consent runs out in the next 30 days.")
    raise typer.Exit(EXIT_PASS)
