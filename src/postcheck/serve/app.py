"""The web page: routes, the guard in front of them, and one check per POST.

Routes: ``GET /`` the form; ``POST /check`` the result (HTML, or ``postcheck --format json``'s JSON when
the request accepts ``application/json``); ``GET /safe-copy/<token>`` the safe copy as a zip.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from postcheck.errors import PostcheckError
from postcheck.serve import LOOPBACK
from postcheck.findings import Finding, PostResult, Report
from postcheck.formats import Format
from postcheck.post import post_from_files
from postcheck.serve.state import Checker, NotReady
from postcheck.serve.uploads import (
    PASTED_DRAFT, ShownPhoto, TooLarge, as_uploaded, failing_first, plain_message, plain_name, shown_photo, zip_of,
)

log = logging.getLogger("postcheck.serve")

MAX_FILES = 20
"""Files in one post: more than a post ever carries, few enough to check in a minute."""
MAX_BYTES = 100 * 1024 * 1024
"""Bytes in one upload (every file together): twenty 5 MB phone photos."""
MAX_DRAFT_CHARS = 200_000
"""A pasted draft: far longer than any post."""
SAFE_COPY_MINUTES = 15
SAFE_COPIES_KEPT = 20

CHANNEL_LABELS = {
    "social": "Social media (Facebook, X, Instagram...)",
    "website": "The school website",
    "newsletter": "The newsletter",
    "press": "The press (newspapers, local news)",
    "prospectus": "The prospectus",
    "display": "A display in school",
}

SECURITY_HEADERS = {
    # No scripts, nothing from elsewhere; photos come inside the page as data: addresses.
    "content-security-policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "cache-control": "no-store",  # children's photos and names must not stay in a browser cache
    # Not no-referrer: with it a browser sends "Origin: null" on the page's own form, which the Origin check refuses.
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


@dataclass(frozen=True)
class Limits:
    files: int = MAX_FILES
    bytes: int = MAX_BYTES
    draft_chars: int = MAX_DRAFT_CHARS

    def message(self) -> str:
        megabytes = self.bytes / (1024 * 1024)
        return (f"This is too much to check at once: at most {self.files} files and {megabytes:g} MB in one post. "
                "Leave some photos out or make them smaller, and check the rest as another post.")


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """Host headers that name this server. Any other is refused: a web page elsewhere whose name is made to
    point at this PC (DNS rebinding) would send its own name."""
    names = {host.casefold()}
    if host in LOOPBACK:
        names |= {"127.0.0.1", "localhost", "[::1]"}
    elif host in ("0.0.0.0", "::"):
        import socket

        names |= {"127.0.0.1", "localhost", "[::1]", socket.gethostname().casefold(), socket.getfqdn().casefold()}
        try:
            names |= {address for *_, (address, *_) in socket.getaddrinfo(socket.gethostname(), None)}
        except OSError:
            pass
    names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
    return frozenset({f"{n}:{port}" for n in names} | ({*names} if port == 80 else set()))


class Guard:
    """In front of every request: the Host and Origin checks, the upload cap, safety headers and the log line.

    The log line is method, path, status and time, nothing else: no query, no client, no file or pupil name.
    """

    def __init__(self, app, hosts: frozenset[str], limits: Limits) -> None:
        self.app, self.hosts, self.limits = app, hosts, limits

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [0]

        async def send_safely(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        received = 0

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limits.bytes:
                    raise TooLarge()
            return message

        headers = Headers(scope=scope)
        try:
            refusal = self.refusal(headers)
            if refusal is not None:
                await refusal(scope, receive, send_safely)
            else:
                await self.app(scope, counted_receive, send_safely)
        except TooLarge:
            if not status[0]:
                await too_large(headers, self.limits)(scope, receive, send_safely)
        except Exception as exc:  # noqa: BLE001 - the log must not carry the exception's text (it may name a pupil)
            log.error("error: %s\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
            if not status[0]:
                await PlainTextResponse("postcheck could not answer this request.", 500)(scope, receive, send_safely)
        finally:
            path = scope.get("path", "")
            shown = path if path in ("/", "/check") else "/safe-copy/..." if path.startswith("/safe-copy/") else "(other)"
            log.info("%s %s %s %.0f ms", scope.get("method", ""), shown, status[0], (time.perf_counter() - started) * 1000)

    def refusal(self, headers: Headers) -> Response | None:
        if headers.get("host", "").casefold() not in self.hosts:
            return PlainTextResponse("postcheck serve answers only at its own address.", 403)
        origin = headers.get("origin")
        if origin is not None and origin.casefold().removeprefix("http://") not in self.hosts:
            return PlainTextResponse("postcheck serve accepts forms only from its own page.", 403)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.limits.bytes:
            return too_large(headers, self.limits)
        return None


def wants_json(headers: Headers) -> bool:
    accept = headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def too_large(headers: Headers, limits: Limits) -> Response:
    if wants_json(headers):
        return JSONResponse({"error": limits.message()}, 413)
    from html import escape

    page = (f"<!doctype html><html lang=en><meta charset=utf-8><title>Too much to check</title>"
            f"<p>{escape(limits.message())}</p><p><a href=\"/\">Back to the page</a></p></html>")
    return HTMLResponse(page, 413)


class SafeCopies:
    """Zips of safe copies, in memory only, for a few minutes: the download link on a result page."""

    def __init__(self) -> None:
        self._zips: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def keep(self, data: bytes) -> str:
        token = secrets.token_urlsafe(24)
        self._zips[token] = (time.monotonic() + SAFE_COPY_MINUTES * 60, data)
        while len(self._zips) > SAFE_COPIES_KEPT:
            self._zips.popitem(last=False)
        return token

    def get(self, token: str) -> bytes | None:
        now = time.monotonic()
        for old in [t for t, (expires, _) in self._zips.items() if expires < now]:
            del self._zips[old]
        kept = self._zips.get(token)
        return kept[1] if kept else None


@dataclass(frozen=True)
class Outcome:
    result: PostResult
    photos: tuple[ShownPhoto, ...]
    safe_copy: bytes | None
    left_out: tuple[Finding, ...]


def check_post(checker: Checker, channel: str, files: list[Path], folder: Path, redact: bool,
               copies: bool = True) -> Outcome:
    """One post through the session's pipeline, with its boxed photos and its safe copy (as check --annotate
    and fix write them) unless ``copies`` is false, everything inside ``folder``."""
    from postcheck.annotate import boxed_image
    from postcheck.fix import fix_post

    session = checker.session(channel)
    try:
        post = post_from_files(files)
    except PostcheckError as exc:  # e.g. two drafts: say it with the names staff gave the files
        raise type(exc)(plain_message(str(exc), folder)) from None
    loaded, result = session.run(post)
    report = Report((result,))
    if redact:
        report = report.redacted(session.pupil_names)
    if not copies:
        return Outcome(as_uploaded(report.results[0], folder), (), None, ())
    copy = fix_post(loaded, result, folder / "safe-copy")
    photos = tuple(shown_photo(plain_message(picture.display, folder), boxed_image(picture, result.findings))
                   for picture in loaded.pictures)
    left_out = as_uploaded(PostResult.of("", copy.left_out), folder).findings
    return Outcome(as_uploaded(report.results[0], folder), photos, zip_of(copy.written) if copy.written else None,
                   left_out)


def create_app(register_dir: Path, rules_path: Path, *, host: str = "127.0.0.1", port: int = 8150,
               limits: Limits = Limits(), checker: Checker | None = None):
    """The ASGI app for ``postcheck serve``; ``checker`` is made (rules and register loaded) when not given."""
    from postcheck.cli import parse_channel, redact_default
    from postcheck.register import CHANNELS

    checker = checker or Checker(register_dir, rules_path)
    templates = Environment(loader=PackageLoader("postcheck.serve"), autoescape=select_autoescape(default=True))
    page = templates.get_template("page.html")
    safe_copies = SafeCopies()
    channels = [(c, CHANNEL_LABELS.get(c, c)) for c in ("social", *[c for c in CHANNELS if c != "social"])]

    def render(status: int = 200, **values) -> HTMLResponse:
        problem, register_problems = checker.status()
        values.setdefault("channel", "social")
        return HTMLResponse(page.render(channels=channels, problem=problem, register_problems=register_problems,
                                        limits=limits, safe_copy_minutes=SAFE_COPY_MINUTES, **values), status)

    def refuse(request: Request, message: str, status: int) -> Response:
        if wants_json(request.headers):
            return JSONResponse({"error": message}, status)
        return render(status, error=message)

    async def index(request: Request) -> Response:
        return render()

    async def check(request: Request) -> Response:
        try:
            async with request.form(max_files=limits.files + 1, max_fields=10,
                                    max_part_size=limits.draft_chars * 4) as form:
                channel = parse_channel(str(form.get("channel") or "social"))
                uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
                pasted = form.get("draft") or ""
                if isinstance(pasted, UploadFile):  # a script sent the draft as a file: check it as one
                    uploads, pasted = [pasted, *uploads] if pasted.filename else uploads, ""
                text = str(pasted)
                if len(uploads) > limits.files or len(text) > limits.draft_chars:
                    raise TooLarge()
                with tempfile.TemporaryDirectory(prefix="postcheck-serve-") as tmp:
                    folder = Path(tmp)
                    files = await save(text, uploads, folder / "post")
                    if not files:
                        return refuse(request, "Paste the text of the post or add its photos, then press Check.", 400)
                    as_json = wants_json(request.headers)
                    redact = redact_default(None, Format.json if as_json else Format.text)
                    # JSON callers get the findings only: no boxed photos or safe copy to make.
                    outcome = await run_in_threadpool(check_post, checker, channel, files, folder / "post", redact,
                                                      not as_json)
        except TooLarge:
            return too_large(request.headers, limits)
        except HTTPException as exc:  # the form parser's refusals
            if exc.status_code == 400 and exc.detail.startswith(("Too many files", "Part exceeded", "Field exceeded")):
                return too_large(request.headers, limits)
            raise
        except NotReady as exc:
            return refuse(request, str(exc), 503)
        except PostcheckError as exc:
            return refuse(request, str(exc), 400)
        if wants_json(request.headers):
            from postcheck.formats.json import render_json

            return Response(render_json(Report((outcome.result,))), media_type="application/json")
        token = safe_copies.keep(outcome.safe_copy) if outcome.safe_copy else None
        result = outcome.result
        return render(result=result, reasons=failing_first(result.findings), failing=sum(f.fails for f in result.findings),
                      photos=outcome.photos, safe_copy=token, left_out=outcome.left_out, channel=channel)

    async def safe_copy(request: Request) -> Response:
        data = safe_copies.get(request.path_params["token"])
        if data is None:
            return PlainTextResponse("This safe copy is no longer kept: check the post again to make a new one.", 404)
        return Response(data, media_type="application/zip",
                        headers={"content-disposition": 'attachment; filename="safe-copy.zip"'})

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/check", check, methods=["POST"]),
        Route("/safe-copy/{token}", safe_copy, methods=["GET"]),
    ]
    return Guard(Starlette(routes=routes), allowed_hosts(host, port), limits)


async def save(text: str, uploads: list[UploadFile], folder: Path) -> list[Path]:
    """The pasted draft and the uploaded files as files in ``folder``, in the order given."""
    folder.mkdir()
    taken: set[str] = set()
    files = []
    if text.strip():
        path = folder / plain_name(PASTED_DRAFT, taken, PASTED_DRAFT)
        path.write_text(text, encoding="utf-8")
        files.append(path)
    for number, upload in enumerate(uploads, 1):
        path = folder / plain_name(upload.filename or "", taken, f"file-{number}")
        with path.open("wb") as out:
            while chunk := await upload.read(1024 * 1024):
                out.write(chunk)
        files.append(path)
    return files
