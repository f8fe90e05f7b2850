"""FakeChat: a loopback stand-in for an OpenAI-compatible chat-completions endpoint.

    with FakeChat(answers={"101": {"direction": "supports", "sentence": "...", "confidence": 0.9}}) as chat:
        client = ChatClient(chat.base_url, "stand-in", "KEY")
        chat.inject("500", times=3)

A real ``ThreadingHTTPServer`` on 127.0.0.1 (port 0) in a thread. ``POST /v1/chat/completions``
reads the PMID from the user message ("Study (PMID 101)") and answers with ``answers[pmid]``:
a dict is sent as the model's JSON answer, a string as the raw content (malformed JSON, prose).
A PMID without an entry gets ``default`` (None: "unclear" with no sentence).

Faults, served before any answer, in order: "429" (with Retry-After: 0), "500", "stall" (sleeps
``stall_seconds`` before answering), "redirect" (302 to ``redirect_to``), "not-chat" (HTTP 200 with
an HTML page), "400", "401-echo" (a 401 whose body echoes the Authorization header, as careless
servers do). Every request is logged with its headers and JSON body.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes import LoopbackServer

__all__ = ["FakeChat", "Logged", "FAULTS"]

FAULTS = ("429", "500", "stall", "redirect", "not-chat", "400", "401-echo")


@dataclass
class Logged:
    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def pmid(self) -> str:
        text = " ".join(m.get("content", "") for m in self.body.get("messages", []))
        found = re.search(r"Study \(PMID (\w+)\)", text)
        return found.group(1) if found else ""


class FakeChat(LoopbackServer):
    """Context manager around the server; ``base_url`` ends in /v1."""

    def __init__(self, answers: dict[str, dict[str, Any] | str] | None = None, *,
                 default: dict[str, Any] | str | None = None, stall_seconds: float = 1.0, redirect_to: str = ""):
        self.answers = dict(answers or {})
        self.default = default
        self.stall_seconds = stall_seconds
        self.redirect_to = redirect_to
        self.log: list[Logged] = []
        self._faults: list[str] = []
        self._lock = threading.Lock()

    def inject(self, kind: str, times: int = 1) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULTS}")
        with self._lock:
            self._faults.extend([kind] * times)

    @property
    def origin(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.origin + "/v1"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler(self)

    def _next_fault(self) -> str | None:
        with self._lock:
            return self._faults.pop(0) if self._faults else None

    def content_for(self, pmid: str) -> str:
        answer = self.answers.get(pmid, self.default)
        if answer is None:
            answer = {"direction": "unclear", "sentence": "", "confidence": 0.2, "reason": "no result on the claim"}
        return answer if isinstance(answer, str) else json.dumps(answer)


def _handler(chat: FakeChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet test output
            pass

        def _send(self, status: int, body: bytes, ctype: str = "application/json", **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            entry = Logged(self.path, dict(self.headers.items()), body)
            with chat._lock:
                chat.log.append(entry)
            fault = chat._next_fault()
            if fault == "429":
                return self._send(429, b'{"error": {"message": "rate limited"}}', Retry_After="0")
            if fault == "500":
                return self._send(500, b'{"error": {"message": "internal error"}}')
            if fault == "400":
                return self._send(400, b'{"error": {"message": "context length exceeded"}}')
            if fault == "401-echo":
                echoed = f"invalid credentials: {self.headers.get('Authorization', '')}".encode()
                return self._send(401, echoed, "text/plain")
            if fault == "redirect":
                return self._send(302, b"", Location=chat.redirect_to)
            if fault == "not-chat":
                return self._send(200, b"<html><body>Welcome to nginx!</body></html>", "text/html")
            if fault == "stall":
                time.sleep(chat.stall_seconds)
            if not self.path.endswith("/chat/completions"):
                return self._send(404, b'{"error": {"message": "not found"}}')
            reply = {"id": "chatcmpl-test", "object": "chat.completion", "model": body.get("model", ""),
                     "choices": [{"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": chat.content_for(entry.pmid)}}]}
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up on a stall
                self._send(200, json.dumps(reply).encode())

    return Handler
