"""What the test doubles share: a threaded HTTP server on 127.0.0.1 for a ``with`` block, and a
clock that moves only when slept on.

``tests/ncbi_server.py`` (E-utilities) and ``tests/judge_server.py`` (a chat-completions
endpoint) are both a ``LoopbackServer``: each gives its request handler class, this runs it.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LoopbackServer:
    """Serves ``_handler()`` on 127.0.0.1 in a daemon thread from ``start`` to ``close``; a context manager."""

    port = 0  # 0: any free port
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self) -> Self:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class FakeClock:
    """``clock`` + ``sleep`` for pacing and backoff: sleeping is recorded and advances the clock, nothing waits."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
