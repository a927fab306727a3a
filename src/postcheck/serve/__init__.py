"""``postcheck serve``: the checks on a local web page, for staff who never open a terminal.

Paste the draft (or drop a .docx), drop the photos, choose where the post goes and press Check: the page
shows PASS or FAIL with every reason, each photo with its faces boxed as ``--annotate`` draws them, and a
button that downloads the safe copy ``postcheck fix`` would write, as a zip.

It listens on 127.0.0.1 unless ``--host`` says otherwise, answers only requests addressed to it (Host
header) and sends no CORS headers; uploads are capped, kept in a temporary folder that is removed before
the answer goes out, and the log holds method, path, status and time only.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from pathlib import Path

from postcheck.errors import InputError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, or a one-line error (port taken, address not on this PC)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        raise InputError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
    sock.listen(64)
    return sock


def serve(host: str, port: int, register_dir: Path, rules_path: Path) -> None:
    """Load the rules, register and models, then answer until Ctrl-C."""
    import uvicorn

    from postcheck.serve.app import create_app
    from postcheck.serve.state import Checker, warm_up

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    checker = Checker(register_dir, rules_path)
    problem, _ = checker.status()
    if problem is not None:
        raise InputError(problem.removeprefix("postcheck: error: "))
    sock = listen(host, port)
    port = sock.getsockname()[1]
    if host not in LOOPBACK:
        sys.stderr.write(
            f"postcheck: warning: listening on {host}, not only on this PC: anyone who can reach it on the network "
            "can check posts here and see their photos. Use the default --host 127.0.0.1 unless that is intended.\n")
    sys.stderr.write("Loading the face and language models...\n")
    sys.stderr.flush()
    warm_up(checker)
    shown = socket.gethostname() if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
    sys.stderr.write(f"postcheck serve: open http://{shown}:{port}/ in a browser (Ctrl-C to stop)\n")
    sys.stderr.flush()
    app = create_app(register_dir, rules_path, host=host, port=port, checker=checker)
    config = uvicorn.Config(app, access_log=False, server_header=False, log_config=None, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


class ServerThread:
    """The server on a free port of 127.0.0.1 in a background thread (for tests, benchmarks, screenshots)::

        with ServerThread(Path("consent_data"), Path("rules.yaml")) as server:
            ...  # server.url is http://127.0.0.1:<port>/
    """

    def __init__(self, register_dir: Path, rules_path: Path) -> None:
        import uvicorn

        from postcheck.serve.app import create_app

        self.sock = listen("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        app = create_app(register_dir, rules_path, host="127.0.0.1", port=self.port)
        self.server = uvicorn.Server(uvicorn.Config(app, access_log=False, log_config=None, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("postcheck serve did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
