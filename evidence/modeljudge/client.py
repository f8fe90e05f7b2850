"""The model judge's one sender: paces, bounds and retries chat-completions requests.

Requests are built by the pure functions in ``evidence.modeljudge.prompt``; this module only
sends them. Everything from the outside (HTTP session, sleep, clock, jitter, pacer) is
injected, so tests run against a loopback stand-in without waiting.

    client = ChatClient(settings.judge_url, settings.judge_model, settings.judge_key,
                        min_interval=1.0, max_requests=1000)
    body = client.send(build_request(client.url, client.model, claim, record))

Bounds: a minimum interval between request starts (the shared ``Pacer``), a per-request
connect and read timeout plus a whole-reply deadline (a server that trickles bytes cannot
hold a run), a retry budget with exponential backoff on 429, 5xx, timeouts and resets
(Retry-After honoured up to a minute), a cap on requests per run, and a cap on the reply's size.

The key: sent only as an ``Authorization: Bearer`` header to the configured origin.
Redirects are never followed (a redirect is how a key reaches another host); plain http
to another machine is refused when a key is set (``prompt.chat_url``); every message and
log line is scrubbed of it, and ``repr`` never shows it.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable

import requests

from evidence.errors import ConfigError, JudgeRejected, JudgeUnavailable
from evidence.modeljudge.prompt import ChatRequest, chat_url, origin
from evidence.pubmed.build import scrub
from evidence.pubmed.client import Pacer, parse_retry_after

__all__ = ["ChatClient", "DEFAULT_INTERVAL", "DEFAULT_MAX_REQUESTS"]

# One request a second sits under the free tiers of rented endpoints (often 30-60 a minute)
# and costs a local model nothing; EVIDENCE_JUDGE_INTERVAL changes it.
DEFAULT_INTERVAL = 1.0
# Per run. A cache of tens of thousands of studies is judged over several runs, each adding
# its answers to the cache, rather than one run of unbounded length and cost.
DEFAULT_MAX_REQUESTS = 1000
MAX_REPLY_BYTES = 1_000_000  # a chat answer of a few hundred tokens is a few kilobytes
PER_PAIR_STATUSES = (400, 413, 422)  # refusals of this one request (e.g. over the context length)
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")  # visible ASCII: what a bearer token can be


class ChatClient:
    """Sends chat-completions requests to one OpenAI-compatible endpoint; see the module docstring."""

    def __init__(
        self,
        url: str,
        model: str,
        key: str | None = None,
        *,
        session: requests.Session | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        max_retries: int = 2,
        backoff: float = 2.0,
        max_delay: float = 60.0,
        min_interval: float = DEFAULT_INTERVAL,
        max_requests: int = DEFAULT_MAX_REQUESTS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] | None = None,
        pacer: Pacer | None = None,
        logger: logging.Logger | None = None,
    ):
        self._key = key or None
        if self._key is not None and not _HEADER_SAFE.fullmatch(self._key):
            # Checked here, not by the HTTP library, whose error could quote the header it refused.
            raise ConfigError("EVIDENCE_JUDGE_KEY holds spaces or characters an HTTP header cannot carry: "
                              "copy the key again, without quotes or line breaks")
        self.url = chat_url(url, with_key=self._key is not None)
        self.origin = origin(self.url)
        self.model = model
        self.session = session if session is not None else requests.Session()
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_delay = max_delay
        self.max_requests = max_requests
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter or random.Random().random  # fraction in [0, 1) of 10% extra delay
        self.pacer = pacer or Pacer(min_interval, sleep=sleep, clock=clock)
        self.log = logger or logging.getLogger("evidence.modeljudge")
        self.requests_made = 0  # every HTTP attempt, retries included

    def __repr__(self) -> str:
        return f"ChatClient(url={self.url!r}, model={self.model!r}, key={'***' if self._key else None})"

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        return headers

    def _message(self, req: ChatRequest, problem: str, advice: str) -> str:
        return scrub(f"model judge ({self.model} at {self.origin}): {req.summary} failed: {problem}; {advice}",
                     self._key)

    def _read(self, resp: requests.Response, deadline: float) -> bytes:
        """The reply's body, read against the whole-reply deadline and the size cap."""
        chunks, size = [], 0
        for chunk in resp.iter_content(65536):
            size += len(chunk)
            if size > MAX_REPLY_BYTES:
                raise JudgeRejected(f"the endpoint's reply passed {MAX_REPLY_BYTES} bytes: check EVIDENCE_JUDGE_URL")
            if self._clock() > deadline:
                raise requests.Timeout("reply deadline passed")
            chunks.append(chunk)
        return b"".join(chunks)

    def send(self, req: ChatRequest) -> bytes:
        """POST ``req`` until a 2xx reply arrives or the retry budget is spent; return its body.

        Raises ``JudgeUnavailable`` (budget spent, or the run's cap reached) or ``JudgeRejected``
        (4xx, a redirect, an oversized reply); ``per_pair`` on the latter says only this request failed.
        """
        attempts = self.max_retries + 1
        detail = ""
        for attempt in range(1, attempts + 1):
            if self.requests_made >= self.max_requests:
                raise JudgeUnavailable(self._message(
                    req, f"this run's cap of {self.max_requests} requests is reached",
                    "the rules judge the rest; the next run asks about them (EVIDENCE_JUDGE_MAX_REQUESTS raises it)"))
            self.pacer.wait()
            self.requests_made += 1
            self.log.debug("POST %s %s (attempt %d)", self.url, req.summary, attempt)
            wait_hint = None
            try:
                with self.session.post(self.url, json=req.body, headers=self._headers(), stream=True,
                                       timeout=(self.connect_timeout, self.timeout),
                                       allow_redirects=False) as resp:
                    status = resp.status_code
                    if 300 <= status < 400:
                        where = origin(resp.headers.get("Location", "") or self.url)
                        raise JudgeRejected(self._message(
                            req, f"the endpoint redirected (HTTP {status}) to {where}",
                            "redirects are not followed, so the key never reaches another host: set "
                            "EVIDENCE_JUDGE_URL to the final address"))
                    body = self._read(resp, self._clock() + self.timeout)
            except requests.Timeout:
                detail = f"no answer within {self.timeout:g} s"
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                detail = f"connection failed ({type(exc).__name__})"
            except requests.RequestException as exc:  # anything else the library refuses: no retry helps
                raise JudgeRejected(self._message(req, f"the request could not be sent ({type(exc).__name__})",
                                                  "check EVIDENCE_JUDGE_URL")) from None
            else:
                if status < 300:
                    return body
                if status == 429 or status >= 500:
                    detail = f"HTTP {status}" + (" (rate limited)" if status == 429 else "")
                    wait_hint = parse_retry_after(resp.headers) if status == 429 else None
                else:
                    snippet = " ".join(body[:200].decode("utf-8", "replace").split())
                    advice = {401: "check EVIDENCE_JUDGE_KEY", 403: "check EVIDENCE_JUDGE_KEY and the model's access",
                              404: "check EVIDENCE_JUDGE_URL and EVIDENCE_JUDGE_MODEL"}.get(
                        status, "check the endpoint's documentation; the rules decide this pair")
                    raise JudgeRejected(self._message(req, f"HTTP {status} ({snippet})", advice),
                                        per_pair=status in PER_PAIR_STATUSES)
            if attempt == attempts:
                break
            delay = min(self.max_delay, self.backoff * 2 ** (attempt - 1) * (1 + 0.1 * self._jitter()))
            if wait_hint is not None:
                delay = max(delay, min(wait_hint, self.max_delay))
            # Debug, not warning: a run whose endpoint is down says so in one warning line (grading.judges).
            self.log.debug("%s", scrub(f"model judge: {req.summary}: {detail}; retry {attempt}/{self.max_retries} "
                                       f"in {delay:.1f} s", self._key))
            self._sleep(delay)
        raise JudgeUnavailable(self._message(req, f"{detail} (after {attempts} attempts)",
                                             "the endpoint may be down or overloaded: try again later"))
