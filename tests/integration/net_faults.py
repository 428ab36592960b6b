"""Real sockets that misbehave, for the fault tests: a proxy that loses one reply, a server that never answers.

:class:`LossyProxy` sits between the client and the real ``mlflow server``. It forwards every
request (one per connection: it asks the server to close after each reply) and, for a request
matching a rule, either forwards it and then drops the reply - the write landed, the client
never heard - or drops the request itself. :class:`SilentServer` accepts connections and never
sends a byte, like a wedged server; it counts the connections it accepted.
"""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["LossyProxy", "SilentServer"]


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    found = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    length = int(found.group(1)) if found else 0
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith((b"connection:", b"keep-alive:"))]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


@dataclass
class _Rule:
    pattern: re.Pattern[bytes]
    when: str  # "after": forward, then lose the reply; "before": lose the request
    times: int = 1


@dataclass
class LossyProxy:
    upstream: str
    rules: list[_Rule] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts = urlsplit(self.upstream)
        self._target = (parts.hostname or "127.0.0.1", int(parts.port or 80))
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def lose(self, pattern: str, *, when: str) -> None:
        """Lose the reply to (``when="after"``) or the request itself (``"before"``) of the next matching request."""
        with self._lock:
            self.rules.append(_Rule(re.compile(pattern.encode(), re.S), when))

    def _rule_for(self, request: bytes) -> _Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.times > 0 and rule.pattern.search(request):
                    rule.times -= 1
                    self.dropped.append(f"{rule.when}: {request.split(b' ', 2)[1].decode()}")
                    return rule
        return None

    def _serve(self) -> None:
        while not self._stopped:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if request is None:
                return
            rule = self._rule_for(request)
            if rule is not None and rule.when == "before":
                return  # the request never reaches the server
            with socket.create_connection(self._target, timeout=30) as upstream:
                upstream.sendall(request)
                reply = b""
                while chunk := upstream.recv(65536):
                    reply += chunk
            if rule is not None:
                return  # the server did it; the client never hears
            conn.sendall(reply)

    def close(self) -> None:
        self._stopped = True
        self._sock.close()


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers; ``accepted`` counts them."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.accepted = 0
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted += 1
            self._open.append(conn)  # kept open, never answered

    def close(self) -> None:
        self._sock.close()
        for conn in self._open:
            conn.close()
