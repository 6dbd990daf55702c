"""A hand-written HTTP/1.1 server on a loopback socket, for answers no framework would send.

Each request is answered by a script of raw actions (bytes to send, pauses, hang-ups), so a
test can cut a body anywhere, lie in Content-Length, drip bytes, redirect, or send headers
no well-behaved server would. Requests without a scripted answer get a good one from
`good_answer`, so a test can check the client still works after the bad one.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# A good run-and-wait answer: one UInt8 column, one row.
# The key the hostile suite's clients send (long enough to be redacted, so a leak shows).
KEY = "sk-hostile-suite-0123456789abcdef"

GOOD_RESULT = {
    "query_id": "q-good",
    "column_names": ["x"],
    "column_types": ["UInt8"],
    "result_rows": [[1]],
}


@dataclass
class Request:
    method: str
    path: str  # with the query string, exactly as sent
    headers: dict[str, str]
    body: bytes


@dataclass
class Send:
    data: bytes


@dataclass
class Pause:
    seconds: float


@dataclass
class HangUp:
    """Close the connection (after whatever was sent)."""


Action = Send | Pause | HangUp
Script = Callable[[Request], Iterable[Action]]


def response(
    status: int,
    body: bytes | str | dict | list,
    headers: dict[str, str] | None = None,
    content_length: int | None = None,
) -> list[Action]:
    """A whole response; `content_length` overrides the true length (a lie)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    head = [f"HTTP/1.1 {status} X"]
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    all_headers.setdefault(
        "Content-Length", str(len(body) if content_length is None else content_length)
    )
    head += [f"{k}: {v}" for k, v in all_headers.items()]
    return [Send(("\r\n".join(head) + "\r\n\r\n").encode() + body)]


def cut(body: bytes, at: int) -> list[Action]:
    """A 200 announcing all of `body`, sending its first `at` bytes, then hanging up."""
    head = response(200, b"", {"Content-Length": str(len(body))})
    return [*head, Send(body[:at]), HangUp()]


def drip(body: bytes, piece: int, every: float) -> list[Action]:
    """A 200 whose body comes `piece` bytes at a time, one piece every `every` seconds."""
    actions: list[Action] = list(response(200, b"", {"Content-Length": str(len(body))}))
    for i in range(0, len(body), piece):
        actions += [Pause(every), Send(body[i : i + piece])]
    return actions


def good_answer(req: Request) -> list[Action]:
    """What a healthy Roe, Slateo or AI for Database service would answer."""
    path = req.path.split("?")[0]
    if req.method == "POST" and path == "/v1/database/query/":
        return response(200, [GOOD_RESULT])
    if req.method == "POST" and path == "/v1/database/query/async/":
        return response(200, {"id": "w-good", "query_task_id": "t-good"})
    if path.endswith("/status/"):
        return response(200, {"status": "SUCCESS", "error": None})
    if path.endswith("/result/"):
        return response(200, {"status": "SUCCESS", "results": [GOOD_RESULT]})
    return response(404, {"detail": "Not found."})


class RawServer:
    """`with RawServer() as srv:` serves on 127.0.0.1; `srv.then(script)` queues a script for
    the next request (`srv.then(script, times=3)`, or `match=` a path substring), and
    `srv.requests` lists what arrived."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.requests: list[Request] = []
        self._scripts: list[tuple[Script, str | None, list[int]]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            for conn in self._connections:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
        self._sock.close()

    def then(self, script: Script, times: int = 1, match: str | None = None) -> None:
        with self._lock:
            self._scripts.append((script, match, [times]))

    def clear(self) -> None:
        """Drops the scripts not used yet."""
        with self._lock:
            self._scripts.clear()

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def _script_for(self, req: Request) -> Script:
        with self._lock:
            for entry in self._scripts:
                script, match, left = entry
                if match is None or match in req.path:
                    left[0] -= 1
                    if left[0] <= 0:
                        self._scripts.remove(entry)
                    return script
        return good_answer

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self._connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        try:
            while not self._stop.is_set():
                req, buf = _read_request(conn, buf)
                if req is None:
                    return
                with self._lock:
                    self.requests.append(req)
                for action in self._script_for(req)(req):
                    if isinstance(action, Send):
                        conn.sendall(action.data)
                    elif isinstance(action, Pause):
                        time.sleep(action.seconds)
                    else:
                        return
        except OSError:
            return
        finally:
            conn.close()


def _read_request(conn: socket.socket, buf: bytes) -> tuple[Request | None, bytes]:
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None, buf
        buf += data
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(buf) < length:
        data = conn.recv(65536)
        if not data:
            return None, buf
        buf += data
    return Request(method, path, headers, buf[:length]), buf[length:]


@dataclass
class Answers:
    """Builders for result bodies with chosen columns and raw row text."""

    names: list[str] = field(default_factory=lambda: ["x"])
    types: list[str] = field(default_factory=lambda: ["UInt8"])

    def run_body(self, rows_text: str | bytes) -> bytes:
        """A run-and-wait answer whose `result_rows` is `rows_text` verbatim."""
        if isinstance(rows_text, str):
            rows_text = rows_text.encode()
        head = json.dumps(
            {"query_id": "q-raw", "column_names": self.names, "column_types": self.types}
        )
        return b"[" + head[:-1].encode() + b', "result_rows": ' + rows_text + b"}]"

    def result_body(self, rows_text: str | bytes) -> bytes:
        """The result endpoint's envelope around the same."""
        return b'{"status": "SUCCESS", "results": ' + self.run_body(rows_text) + b"}"
