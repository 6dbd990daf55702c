"""Two small forwarding proxies on loopback, each counting what passed through it: an HTTP
proxy (CONNECT tunnels for https, absolute-form requests for http) and a SOCKS5 one (no
authentication). Enough of each protocol for a client to reach the emulators through them."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Callable


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copies bytes both ways until either side closes."""

    def one_way(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    other = threading.Thread(target=one_way, args=(b, a), daemon=True)
    other.start()
    one_way(a, b)
    other.join(timeout=5)


class _Proxy:
    """Lifecycle and counting shared by both proxies; `serve(sock)` speaks the protocol."""

    def __init__(self) -> None:
        self.seen: list[str] = []  # "host:port" of each connection made for a client
        self._lock = threading.Lock()
        serve: Callable[[socket.socket], None] = self.serve

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def connect(self, host: str, port: int) -> socket.socket:
        with self._lock:
            self.seen.append(f"{host}:{port}")
        return socket.create_connection((host, port), timeout=10)

    def serve(self, sock: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class HttpProxy(_Proxy):
    """`http://127.0.0.1:PORT`: CONNECT host:port, or a plain request with an absolute URL."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self, sock: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            data = sock.recv(65536)
            if not data:
                return
            head += data
        request_line = head.split(b"\r\n", 1)[0].decode()
        method, target, _ = request_line.split(" ", 2)
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = self.connect(host, int(port))
            sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _pipe(sock, upstream)
            return
        # http://host:port/path: forward as is (origin servers accept absolute-form).
        authority = target.split("://", 1)[1].split("/", 1)[0]
        host, port = authority.rsplit(":", 1)
        upstream = self.connect(host, int(port))
        upstream.sendall(head)
        _pipe(sock, upstream)


class Socks5Proxy(_Proxy):
    """`socks5://127.0.0.1:PORT`, no authentication, CONNECT to IPv4 or a name."""

    @property
    def url(self) -> str:
        return f"socks5://127.0.0.1:{self.port}"

    def serve(self, sock: socket.socket) -> None:
        _version, n_methods = sock.recv(2)
        sock.recv(n_methods)
        sock.sendall(b"\x05\x00")  # version 5, no authentication
        _, _, _, address_type = sock.recv(4)  # version, command (CONNECT), reserved
        if address_type == 1:
            host = socket.inet_ntoa(sock.recv(4))
        elif address_type == 3:
            host = sock.recv(sock.recv(1)[0]).decode()
        else:
            sock.sendall(b"\x05\x08\x00\x01" + bytes(6))  # address type not supported
            return
        (port,) = struct.unpack("!H", sock.recv(2))
        upstream = self.connect(host, port)
        sock.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack("!H", 0))
        _pipe(sock, upstream)
