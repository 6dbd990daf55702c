"""A small JSON-over-HTTP server base with bearer auth, a request log and faults.

Subclasses of `JsonApp` implement `route(request) -> Reply`; everything
protocol-level (keep-alive, compression, auth, fault injection, logging) lives here.
"""

from __future__ import annotations

import json
import socket
import socketserver
import ssl
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import _compression


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it (the Authorization value redacted)."""

    method: str
    path: str
    query: dict
    body: dict | None
    headers: dict
    # Unique per request; an app may show it to clients (e.g. as X-Request-Id).
    request_id: str = ""


@dataclass(frozen=True)
class Reply:
    """`body` is bytes, or a callable giving an iterable of byte pieces: a streamed body,
    sent with chunked transfer encoding as it is produced (never held whole), for results
    larger than memory. `encoded` holds the body already compressed, by encoding name:
    used instead of compressing it again (large canned bodies)."""

    status: int
    body: bytes | Callable[[], Iterable[bytes]]
    headers: dict = field(default_factory=dict)
    encoded: dict = field(default_factory=dict)


def json_reply(status: int, payload, headers: dict | None = None) -> Reply:
    return Reply(status, json.dumps(payload).encode(), headers or {})


def json_splice(head: dict, key: str, raw: bytes, tail: dict) -> bytes:
    """JSON for {**head, key: raw, **tail} with `raw` (JSON text) copied in as is.

    Result rows can be a hundred megabytes: they are never re-serialised.
    """
    parts = [json.dumps(head)[:-1].encode(), b", " if head else b""]
    parts += [json.dumps(key).encode(), b": ", raw]
    parts += [b", " + json.dumps(tail)[1:].encode() if tail else b"}"]
    return b"".join(parts)


def method_not_allowed(method: str) -> Reply:
    return json_reply(405, {"detail": f'Method "{method}" not allowed.'})


def iso_utc(unix: float) -> str:
    """ISO 8601 in UTC with microseconds and a Z, as Django REST framework writes it."""
    seconds = int(unix)
    micros = round((unix - seconds) * 1e6)
    if micros == 1_000_000:
        seconds, micros = seconds + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{micros:06d}Z"


@dataclass
class Fault:
    status: int | None
    count: int
    path_contains: str | None
    method: str | None
    retry_after: float | str | None
    body: dict | bytes | str | None
    delay: float
    drop_connection: bool
    truncate_body: bool

    def matches(self, method: str, path: str) -> bool:
        return (
            self.count > 0
            and (self.method is None or self.method.upper() == method)
            and (self.path_contains is None or self.path_contains in path)
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address, app: JsonApp) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self):
        sock, address = super().get_request()
        context = self.app.tls
        if context is not None:
            # The handshake happens on the handler's thread, at its first read: one client
            # failing it does not hold up the accept loop.
            sock = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def process_request(self, request, client_address) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        # Clients pool keep-alive connections; without this a stopped server
        # would go on answering on them.
        with self._open_lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def handle_error(self, request, client_address) -> None:
        # A client hanging up mid-response is routine here (timeouts, fault
        # tests); anything else still gets the default traceback.
        # So is a TLS client refusing the certificate (the TLS tests' point).
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            super().handle_error(request, client_address)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall for
        # seconds on machines with slow DNS; nothing here needs the name.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 plus an exact Content-Length on every reply keeps connections alive.
    protocol_version = "HTTP/1.1"
    # Head and body go out in separate writes: with Nagle on, the second waits for the
    # client's delayed ACK, 40 ms on every request of a kept-alive connection.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, *args) -> None:
        pass  # one stderr line per request would drown test output

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        app = self.server.app
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body, body_error = _parse_body(raw)
        headers = {
            k: ("<redacted>" if k.lower() == "authorization" else v)
            for k, v in self.headers.items()
        }
        record = RequestRecord(self.command, url.path, query, body, headers, app.new_request_id())
        app._log_request(record)

        fault = app._take_fault(self.command, url.path)
        if fault is not None and fault.delay > 0:
            time.sleep(fault.delay)
        if fault is not None and fault.drop_connection:
            self.close_connection = True  # closed with no response at all
            return
        if fault is not None and fault.status is not None and not fault.truncate_body:
            headers_out = {}
            if fault.retry_after is not None:
                headers_out["Retry-After"] = str(fault.retry_after)
            payload = fault.body
            if payload is None:
                reply = app.error_reply(record, fault.status, "injected fault", headers_out)
            elif isinstance(payload, (bytes, str)):
                # Raw bodies let tests serve malformed JSON or hand-made result shapes.
                raw = payload.encode() if isinstance(payload, str) else payload
                reply = Reply(fault.status, raw, headers_out)
            else:
                reply = json_reply(fault.status, payload, headers_out)
            self._send(app.finalize(record, reply))
            return

        reply = app.handle(record, self.headers.get("Authorization"), body_error)
        self._send(app.finalize(record, reply), truncate=fault is not None and fault.truncate_body)

    def _send(self, reply: Reply, truncate: bool = False) -> None:
        if callable(reply.body):
            self._send_streamed(reply, truncate)
            return
        body, headers = reply.body, {"Content-Type": "application/json", **reply.headers}
        bodiless = reply.status in (204, 304)  # RFC 9110: no Content-Length/-Type either
        if bodiless:
            body, headers = b"", dict(reply.headers)
        encoding = self._encoding(headers)
        if encoding and not bodiless and len(body) > _compression.MIN_BYTES:
            # Fast levels: test responses can be tens of MB and speed matters more.
            body = reply.encoded.get(encoding) or _compression.compress(body, encoding)
            headers["Content-Encoding"] = encoding
            headers["Vary"] = "Accept-Encoding"
        self.send_response(reply.status)
        for name, value in headers.items():
            self.send_header(name, value)
        if not bodiless:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if truncate:
            # Announce the full length, send half, then hang up.
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def _encoding(self, headers: dict) -> str | None:
        """The server's encoding, when the client accepts it and the reply is not encoded
        already (a raw fault body may carry its own Content-Encoding)."""
        encoding = self.server.app.compression
        accepts = self.headers.get("Accept-Encoding", "")
        if "Content-Encoding" in headers or not _compression.accepted(accepts, encoding):
            return None
        return encoding

    def _send_streamed(self, reply: Reply, truncate: bool) -> None:
        headers = {"Content-Type": "application/json", **reply.headers}
        encoding = self._encoding(headers)
        squeeze = _compression.compressor(encoding) if encoding else None
        if encoding:
            headers["Content-Encoding"] = encoding
            headers["Vary"] = "Accept-Encoding"
        self.send_response(reply.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(data: bytes) -> None:
            if data:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

        for piece in reply.body():
            chunk(squeeze.compress(piece) if squeeze else piece)
            if truncate:
                # One piece, then hang up without the terminating chunk.
                self.wfile.flush()
                self.close_connection = True
                return
        if squeeze:
            chunk(squeeze.flush())
        self.wfile.write(b"0\r\n\r\n")


def _parse_body(raw: bytes) -> tuple[dict | None, str | None]:
    if not raw.strip():
        return None, None
    try:
        return json.loads(raw), None
    except ValueError as exc:
        return None, str(exc)


class JsonApp:
    """Base for an emulated JSON API: lifecycle, auth, request log and faults."""

    def __init__(self, api_key: str, host: str, port: int, compression: str | None) -> None:
        self.api_key = api_key
        self.host = host
        self.port = port
        self.compression = compression
        #: A server-side `ssl.SSLContext` to serve HTTPS with; set it before `start()`.
        self.tls: ssl.SSLContext | None = None
        self._records: list[RequestRecord] = []
        self._faults: list[Fault] = []
        self._state_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def compression(self) -> str | None:
        """The Content-Encoding of answers whose client accepts it: "gzip" (the default),
        "deflate", "br", "zstd", or None for none."""
        return self._compression

    @compression.setter
    def compression(self, value: str | None) -> None:
        self._compression = _compression.check(value)

    # -- to implement -------------------------------------------------------

    def route(self, request: RequestRecord) -> Reply:
        raise NotImplementedError

    # -- hooks (the defaults give the Roe/DRF behaviour) --------------------

    bad_json_status = 400  # the status for a body that is not valid JSON

    def error_reply(self, request, status: int, message: str, headers=None) -> Reply:
        """An error this base raises itself: 401, bad JSON, a bug, a bodiless fault."""
        return json_reply(status, {"detail": message}, headers)

    def new_request_id(self) -> str:
        return uuid.uuid4().hex

    def handle(self, request: RequestRecord, authorization, body_error) -> Reply:
        """Answer a request that no fault intercepted: auth, body check, route."""
        reply = self._authenticate(authorization, request)
        if reply is None and body_error:
            message = f"JSON parse error - {body_error}"
            reply = self.error_reply(request, self.bad_json_status, message)
        if reply is None:
            try:
                reply = self.route(request)
            except Exception as exc:  # a bug or bad setting: answer 500, keep serving
                reply = self.error_reply(request, 500, f"emulator error: {exc!r}")
        return reply

    def finalize(self, request: RequestRecord, reply: Reply) -> Reply:
        """Last look at every reply, injected faults included (e.g. to add headers)."""
        return reply

    # -- lifecycle ----------------------------------------------------------

    def start(self):
        if self._server is None:
            self._server = _Server((self.host, self.port), self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"{type(self).__name__}-http",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.close_connections()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server is not running; call start() first")
        host, port = self._server.server_address[:2]
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"  # a wildcard bind is reachable through loopback
        if ":" in host:
            host = f"[{host}]"
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{host}:{port}"

    # -- request log --------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        with self._state_lock:
            return list(self._records)

    def clear_requests(self) -> None:
        with self._state_lock:
            self._records.clear()

    def _log_request(self, record: RequestRecord) -> None:
        with self._state_lock:
            self._records.append(record)

    # -- faults -------------------------------------------------------------

    def inject_fault(
        self,
        status: int | None = 503,
        count: int = 1,
        path_contains: str | None = None,
        method: str | None = None,
        retry_after: float | str | None = None,
        body: dict | bytes | str | None = None,
        delay: float = 0.0,
        drop_connection: bool = False,
        truncate_body: bool = False,
    ) -> None:
        """Make the next `count` matching requests misbehave.

        status: reply with it instead of handling (None with a delay: delay,
        then handle normally); body: that reply's JSON (a dict) or raw bytes/str;
        drop_connection: close without any reply; truncate_body: the real reply
        with only half of its announced bytes.
        """
        fault = Fault(
            status,
            count,
            path_contains,
            method,
            retry_after,
            body,
            delay,
            drop_connection,
            truncate_body,
        )
        with self._state_lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._state_lock:
            self._faults.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._state_lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # -- auth ---------------------------------------------------------------

    missing_key_message = "Authentication credentials were not provided."  # 401 texts
    invalid_key_message = "Invalid token."

    def _authenticate(self, header: str | None, request=None) -> Reply | None:
        """None when the bearer key is right, else the 401 reply."""
        challenge = {"WWW-Authenticate": 'Bearer realm="api"'}
        scheme, _, key = (header or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return self.error_reply(request, 401, self.missing_key_message, challenge)
        if key.strip() != self.api_key:
            return self.error_reply(request, 401, self.invalid_key_message, challenge)
        return None
