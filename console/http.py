"""The one HTTP layer every outgoing call goes through.

`HttpClient(base_url, service=..., headers=..., secrets=...)` gives connectors and the
Pennylane client, in one place:

- a configurable base URL: relative paths are joined to it (`"/me"` on
  `https://app.pennylane.com/api/external/v2` is `.../v2/me`), absolute URLs (a `links.next`
  page, a PDF on another host) are used as they are;
- timeouts (`(connect, read)` seconds) on every request;
- retries: a 429 is always retried (the server refused to process it); 500/502/503/504,
  timeouts and lost connections only when the request is idempotent (GET, HEAD, OPTIONS, PUT,
  DELETE by default; `idempotent=True` for a POST the service deduplicates). A connection that
  could not even be opened is retried for any method, since nothing was sent. The wait is the
  server's `Retry-After` (seconds or HTTP date; honoured on 503 too), otherwise exponential
  backoff with jitter capped at `max_backoff`. `max_retries` bounds the retries of one call;
- proactive rate limiting (`Pacer`) so that 429s stay rare: from the `RateLimit-*` /
  `X-RateLimit-*` response headers, and/or a static `RateLimit(requests, per_seconds)` budget
  for services that send no such headers (Harvest: 100 requests per 15 s);
- secrets redacted from logs and errors: the `secrets=` values and the credential headers'
  values are registered with `ecluse.redact`; URLs, bodies and messages put into `HttpError`
  or logged go through `redact`. Credential headers are only sent to the base URL's origin
  (scheme, host, port), never to another host (a presigned S3 URL would even refuse them),
  including across redirects, which this layer follows itself for that reason;
- `get_json` / `post_json` decode with `parse_float=Decimal`: money never becomes a float.
  Request bodies given as `json=` are encoded here, with `Decimal` written as a JSON *string*
  (`Decimal("12.50")` -> `"12.50"`), which is what Pennylane expects for amounts, and dates
  in ISO 8601. Pass already JSON-ready data when a service wants numbers.

Errors are `HttpError` (with `RateLimitExceeded` and `TransportError` subclasses): `str()` says
what happened and what to check, and contains no secrets.

Logging goes to `ecluse.http`: one DEBUG line per request (method, redacted URL, status,
elapsed), INFO for retries and for pacing waits of a second or more (shorter spreading waits
happen before nearly every request when a budget is tight, so they are DEBUG).
"""
from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json as jsonlib
import logging
import math
import random
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Container, Iterable, Mapping
from urllib.parse import urljoin, urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from . import __version__
from .redact import (
    SENSITIVE_HEADERS,
    SENSITIVE_PARAMS,
    install_log_redaction,
    redact,
    register_header_secret,
    register_secret,
)

__all__ = [
    "DEFAULT_USER_AGENT",
    "HttpClient",
    "HttpError",
    "HttpStats",
    "Pacer",
    "RateLimit",
    "RateLimitExceeded",
    "TransportError",
    "decode_json",
    "encode_json",
    "parse_retry_after",
]

log = logging.getLogger("ecluse.http")
install_log_redaction("ecluse")
install_log_redaction("urllib3")  # its DEBUG lines carry full URLs, query strings included

DEFAULT_USER_AGENT = f"Ecluse/{__version__} (+https://github.com/ecluse)"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
MAX_REDIRECTS = 10
BODY_EXCERPT = 500
EPOCH_THRESHOLD = 1e9  # a `ratelimit-reset` above this is a Unix timestamp, else delta-seconds
_SENSITIVE_PARAM_NAMES = frozenset(SENSITIVE_PARAMS)
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


# --------------------------------------------------------------------------- errors


class HttpError(Exception):
    """An HTTP call that failed. `str()` is actionable and free of secrets.

    Attributes: `status` (None for transport failures), `method`, `url` (redacted), `body` (a
    redacted excerpt of the answer, at most 500 characters), `retry_after` (seconds the server
    asked to wait, if it said), `service`, `attempts` (requests sent for this call).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str = "",
        url: str = "",
        body: str = "",
        retry_after: float | None = None,
        service: str = "",
        attempts: int = 1,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.url = redact(url)
        self.body = redact(body)[:BODY_EXCERPT]
        self.retry_after = retry_after
        self.service = service
        self.attempts = attempts

    def __str__(self) -> str:
        return self.message


class RateLimitExceeded(HttpError):
    """429 answers still coming after the retry budget (or a `Retry-After` too long to wait)."""


class TransportError(HttpError):
    """No HTTP answer: connection refused or lost, timeout, TLS failure (`status` is None).
    `cause` names which, for a front-end to say it in its language: connect_timeout,
    read_timeout, tls, refused, lost or other."""

    def __init__(self, message: str, *, cause: str = "other", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.cause = cause


# --------------------------------------------------------------------------- pacing


@dataclass(frozen=True)
class RateLimit:
    """A static budget for services that send no rate-limit headers: at most `requests`
    requests in any window of `per_seconds` seconds (Harvest: `RateLimit(100, 15)`)."""

    requests: int
    per_seconds: float

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per_seconds <= 0:
            raise ValueError("RateLimit needs requests >= 1 and per_seconds > 0")


def _header_number(headers: Mapping[str, str], *names: str) -> float | None:
    """The leading number of the first present header (`"100, 100;w=60"` -> 100.0)."""
    for name in names:
        value = headers.get(name)
        if value is None:
            continue
        match = re.match(r"\s*(-?\d+(?:\.\d+)?)", str(value))
        if match:
            return float(match.group(1))
    return None


class Pacer:
    """Spaces out the requests made against one rate-limit budget (one token on one service).

    Two rules, both applied when both are known:

    - from the response headers `ratelimit-remaining` and `ratelimit-reset` (or `x-ratelimit-*`):
      when nothing remains, wait for the reset; otherwise leave at least
      `reset_in / remaining` seconds since the previous request, so the remaining budget is
      spent evenly up to the reset: close to full use, without 429s. A reset above 10^9 is a
      Unix timestamp (Pennylane), else delta-seconds (IETF draft). Between two answers the
      remaining count is decremented locally, so concurrent callers do not all rush;
    - from a static `RateLimit(n, per_seconds)`: a sliding window of the last n send times;
      the next request waits until the oldest of them is `per_seconds` old.

    A 429 also pauses the pacer until its `Retry-After` is over, for every client sharing it.

    A pacer belongs to one `HttpClient` by default. Clients using the same token on the same
    service (the Pennylane client of the sync and the one of the UI) should share one, as the
    server counts them together: `Pacer.shared(service, token)` returns the same pacer for the
    same pair (the token is only kept as a hash), to pass as `HttpClient(pacer=...)`.

    The pacer holds no clock: callers pass the current monotonic time (`now`) and wall time,
    so that tests drive it with a fake clock. State changes happen under a lock; `reserve`
    books the send time before the caller sleeps, so concurrent callers queue up correctly.
    """

    _registry: dict[tuple[str, str], "Pacer"] = {}
    _registry_lock = threading.Lock()

    def __init__(self, rate_limit: RateLimit | None = None) -> None:
        self.rate_limit = rate_limit
        self._lock = threading.Lock()
        self._window: deque[float] = deque(maxlen=rate_limit.requests if rate_limit else None)
        self._last_sent: float | None = None
        self._paused_until = 0.0
        self._limit: float | None = None
        self._remaining: float | None = None
        self._reset_at: float | None = None
        self._interval = 0.0

    @classmethod
    def shared(cls, service: str, token: str, rate_limit: RateLimit | None = None) -> "Pacer":
        """The process-wide pacer for `(service, token)`, created on first use."""
        key = (service, hashlib.sha256(token.encode("utf-8")).hexdigest())
        with cls._registry_lock:
            pacer = cls._registry.get(key)
            if pacer is None:
                pacer = cls._registry[key] = cls(rate_limit)
            elif rate_limit is not None and pacer.rate_limit is None:
                pacer.set_rate_limit(rate_limit)
            return pacer

    def set_rate_limit(self, rate_limit: RateLimit) -> None:
        with self._lock:
            self.rate_limit = rate_limit
            self._window = deque(self._window, maxlen=rate_limit.requests)

    def reserve(self, now: float) -> tuple[float, str]:
        """Book the next request's send time; returns `(seconds to wait, why)`."""
        with self._lock:
            send_at, why = now, ""
            if self._paused_until > send_at:
                send_at, why = self._paused_until, "Retry-After"
            if self._reset_at is not None and self._remaining is not None:
                if now >= self._reset_at:
                    self._forget_headers()
                elif self._remaining <= 0:
                    if self._reset_at > send_at:
                        send_at, why = self._reset_at, "budget exhausted until reset"
                elif self._last_sent is not None:
                    spread = self._last_sent + self._interval
                    if spread > send_at:
                        send_at, why = spread, f"spreading {self._remaining:g} remaining requests"
            rate = self.rate_limit
            if rate is not None and len(self._window) >= rate.requests:
                free_at = self._window[0] + rate.per_seconds
                if free_at > send_at:
                    send_at, why = free_at, f"{rate.requests} requests per {rate.per_seconds:g} s"
            self._window.append(send_at)
            self._last_sent = send_at if self._last_sent is None else max(self._last_sent, send_at)
            if self._reset_at is not None and self._remaining is not None:
                if send_at >= self._reset_at:
                    self._forget_headers()
                else:
                    self._remaining -= 1
            return send_at - now, why

    def update(self, headers: Mapping[str, str], now: float, wall_now: float) -> None:
        """Learn the budget from a response's headers (any status, 429 included)."""
        remaining = _header_number(headers, "ratelimit-remaining", "x-ratelimit-remaining")
        reset = _header_number(headers, "ratelimit-reset", "x-ratelimit-reset")
        limit = _header_number(headers, "ratelimit-limit", "x-ratelimit-limit")
        if remaining is None or reset is None:
            return
        reset_in = reset - wall_now if reset > EPOCH_THRESHOLD else reset
        reset_in = max(0.0, reset_in)
        with self._lock:
            self._limit = limit
            self._remaining = max(0.0, remaining)
            self._reset_at = now + reset_in
            self._interval = reset_in / remaining if remaining > 0 else 0.0

    def pause_until(self, when: float) -> None:
        """No request before monotonic time `when` (a 429's Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, when)

    def _forget_headers(self) -> None:
        self._remaining = self._reset_at = None
        self._interval = 0.0


# --------------------------------------------------------------------------- helpers


@dataclass
class HttpStats:
    """Counters of one client. `requests` counts requests sent (retries included),
    `throttled` the 429s received, `waited_seconds` the time slept for pacing and backoff."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    transport_errors: int = 0
    waited_seconds: float = 0.0
    by_status: Counter = field(default_factory=Counter)


def parse_retry_after(value: str | None, wall_now: float) -> float | None:
    """Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP date."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        seconds = when.timestamp() - wall_now
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode_json(payload: Any) -> bytes:
    """UTF-8 JSON; `Decimal` becomes a JSON string (`"12.50"`), dates ISO 8601 strings."""
    return jsonlib.dumps(payload, default=_json_default, ensure_ascii=False).encode("utf-8")


def decode_json(response: requests.Response, service: str = "") -> Any:
    """The response's JSON with numbers that have a fraction as `Decimal`; None if empty."""
    content = response.content
    if not content or not content.strip():
        return None
    try:
        return jsonlib.loads(content, parse_float=Decimal)
    except ValueError:
        pass  # raised below, outside the handler: a JSONDecodeError keeps the whole document
    method = (response.request.method if response.request is not None else "") or ""
    raise HttpError(
        f"{service or _host(response.url)} answered HTTP {response.status_code} with something "
        f"that is not JSON ({response.headers.get('Content-Type', 'no content type')}) for "
        f"{method} {redact(response.url)}",
        status=response.status_code,
        method=method,
        url=response.url,
        body=_excerpt(response),
        service=service,
    )


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _is_absolute(path_or_url: str) -> bool:
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path_or_url) is not None


def _full_url(url: str, params: Any) -> str:
    if not params:
        return url
    prepared = requests.models.PreparedRequest()
    try:
        prepared.prepare_url(url, params)
    except requests.RequestException:
        return url
    return prepared.url or url


def _excerpt(response: requests.Response) -> str:
    """The beginning of the answer, redacted before being cut (a cut secret would not match)."""
    try:
        text = response.text
    except Exception:  # undecodable body
        text = repr(response.content[:BODY_EXCERPT])
    return redact(text[:100_000])[:BODY_EXCERPT]


def _server_message(body: str) -> str:
    """The server's own explanation, from the usual JSON error fields, else the raw excerpt."""
    text = body.strip()
    if not text:
        return ""
    try:
        data = jsonlib.loads(text)
    except ValueError:
        return text[:300]
    found: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            for item in value[:5]:
                collect(item)
        elif isinstance(value, dict):
            for key in ("message", "error_description", "error", "errors", "detail", "details", "title"):
                if key in value:
                    collect(value[key])

    collect(data)
    message = "; ".join(dict.fromkeys(s.strip() for s in found if s.strip()))
    return (message or text)[:300]


class _Rewinder:
    """Puts file objects (in `files` or a file-like `data`) back where they started, so the
    same multipart body is sent again on a retry or a 307/308 redirect."""

    def __init__(self, files: Any, data: Any) -> None:
        self._positions: list[tuple[Any, int]] = []
        for obj in self._file_objects(files, data):
            try:
                self._positions.append((obj, obj.tell()))
            except (OSError, AttributeError, ValueError):
                self._positions.append((obj, 0))

    @staticmethod
    def _file_objects(files: Any, data: Any) -> Iterable[Any]:
        values: list[Any] = []
        if isinstance(files, Mapping):
            values.extend(files.values())
        elif isinstance(files, (list, tuple)):
            values.extend(v for _, v in files)
        for value in values:
            obj = value[1] if isinstance(value, (tuple, list)) and len(value) > 1 else value
            if hasattr(obj, "seek") and hasattr(obj, "read"):
                yield obj
        if hasattr(data, "seek") and hasattr(data, "read"):
            yield data

    def __call__(self) -> None:
        for obj, position in self._positions:
            obj.seek(position)


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the connection could not even be opened: nothing reached the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3 MaxRetryError -> its cause
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def _transport_cause(exc: requests.RequestException) -> str:
    """TransportError.cause for this failure."""
    if isinstance(exc, requests.ConnectTimeout):
        return "connect_timeout"
    if isinstance(exc, requests.ReadTimeout):
        return "read_timeout"
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if _never_sent(exc):
        return "refused"
    if isinstance(exc, (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return "lost"
    return "other"


def _describe_transport(exc: requests.RequestException, cause: str, timeout: Any) -> str:
    """`cause` (_transport_cause) in English words, with the timeout that ran out."""
    if cause == "connect_timeout":
        return f"could not connect within {_connect_timeout(timeout):g} s"
    if cause == "read_timeout":
        return f"no answer within {_read_timeout(timeout):g} s"
    return {"tls": "TLS/SSL failure (certificate or protocol)", "refused": "connection refused or host unreachable",
            "lost": "connection lost before a complete answer"}.get(cause) or type(exc).__name__


def _connect_timeout(timeout: Any) -> float:
    return float(timeout[0] if isinstance(timeout, tuple) else timeout)


def _read_timeout(timeout: Any) -> float:
    return float(timeout[1] if isinstance(timeout, tuple) else timeout)


# --------------------------------------------------------------------------- client


class HttpClient:
    """An HTTP client for one service: see the module docstring.

    `sleep`, `clock` (monotonic) and `wall_clock` (Unix time) are injectable so tests check
    waits without waiting. `pacer` lets clients of the same token share one budget
    (`Pacer.shared`); by default each client has its own, built from `rate_limit`.
    `max_retry_after`: a `Retry-After` longer than this is not waited for; the call fails with
    `RateLimitExceeded` carrying `retry_after`, so the caller can reschedule instead of hanging.
    """

    def __init__(
        self,
        base_url: str,
        *,
        service: str = "",
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        timeout: float | tuple[float, float] = (5.0, 60.0),
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 900.0,
        rate_limit: RateLimit | None = None,
        pacer: Pacer | None = None,
        user_agent: str | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if not _is_absolute(base_url):
            raise ValueError(f"base URL must be absolute (http:// or https://): {redact(base_url)!r}")
        self.base_url = base_url.rstrip("/")
        self.service = service or _host(self.base_url)
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        if pacer is not None and rate_limit is not None and pacer.rate_limit not in (None, rate_limit):
            raise ValueError("the shared pacer already has another rate_limit")
        self.pacer = pacer if pacer is not None else Pacer(rate_limit)
        if rate_limit is not None and self.pacer.rate_limit is None:
            self.pacer.set_rate_limit(rate_limit)
        self.session = session if session is not None else requests.Session()
        self._own_session = session is None
        self.stats = HttpStats()
        self._stats_lock = threading.Lock()
        self._sleep, self._clock, self._wall_clock = sleep, clock, wall_clock
        self._rng = random.Random()
        self._origin = _origin(self.base_url)
        for secret in secrets:
            register_secret(secret)
        self.headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(
            {"User-Agent": user_agent or DEFAULT_USER_AGENT, "Accept": "application/json"}
        )
        self.headers.update(headers or {})
        for name, value in self.headers.items():
            register_header_secret(name, value)

    # -- public API ----------------------------------------------------------------------

    def url_for(self, path_or_url: str) -> str:
        """Absolute URLs as they are; paths appended to the base URL (its own path kept)."""
        if _is_absolute(path_or_url):
            return path_or_url
        if not path_or_url:
            return self.base_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        ok: Container[int] | None = None,
        timeout: float | tuple[float, float] | None = None,
    ) -> requests.Response:
        """Send a request with pacing and retries; return the response if its status is in
        `ok` (default: any 2xx), else raise `HttpError` (see the module docstring)."""
        method = method.upper()
        url = self.url_for(path_or_url)
        timeout = self.timeout if timeout is None else timeout
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        same_origin = _origin(url) == self._origin
        send_headers = self._headers_for(url, headers)
        self._register_param_secrets(params)
        if json is not None:
            if data is not None or files is not None:
                raise ValueError("pass json= or data=/files=, not both")
            data = encode_json(json)
            send_headers.setdefault("Content-Type", "application/json")
        display_url = redact(_full_url(url, params))
        rewind = _Rewinder(files, data)
        attempt = 0
        while True:
            if same_origin:
                self._pace()
            rewind()
            started = time.perf_counter()
            failure: requests.RequestException | None = None
            try:
                response = self._send(method, url, params, data, files, send_headers, timeout, ok, rewind)
            except requests.RequestException as exc:
                failure = exc
            elapsed = time.perf_counter() - started
            if failure is not None:
                # Handled outside the `except` block: the requests exception (its text holds
                # the raw URL) must not be chained to ours as __context__.
                self._count(transport_error=True)
                cause = _transport_cause(failure)
                what = _describe_transport(failure, cause, timeout)
                log.debug("%s %s -> %s after %.3f s", method, display_url, what, elapsed)
                retryable = (
                    isinstance(failure, _TRANSIENT)
                    and not isinstance(failure, requests.exceptions.SSLError)  # would fail again
                    and (idempotent or _never_sent(failure))
                )
                if retryable and attempt < self.max_retries:
                    delay = self._backoff(attempt)
                    log.info(
                        "%s: %s for %s %s; retry %d/%d in %.1f s",
                        self.service, what, method, display_url, attempt + 1, self.max_retries, delay,
                    )
                    self._retry_wait(delay)
                    attempt += 1
                    continue
                raise self._transport_error(what, cause, method, display_url, attempt, idempotent, retryable)

            status = response.status_code
            self._count(status=status)
            log.debug("%s %s -> %d in %.3f s", method, display_url, status, elapsed)
            if same_origin:
                self.pacer.update(response.headers, self._clock(), self._wall_clock())
            if self._is_ok(status, ok):
                return response
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self._wall_clock())
            if status == 429:
                with self._stats_lock:
                    self.stats.throttled += 1
            retryable = status == 429 or (status in RETRYABLE_STATUSES and idempotent)
            too_long = retry_after is not None and retry_after > self.max_retry_after
            if status == 429 and same_origin and retry_after is not None and not too_long:
                # The whole budget is refused, not only this call: hold every sharer of the pacer.
                self.pacer.pause_until(self._clock() + retry_after)
            if retryable and attempt < self.max_retries and not too_long:
                delay = retry_after if retry_after is not None else self._backoff(attempt)
                log.info(
                    "%s: HTTP %d for %s %s; retry %d/%d in %.1f s%s",
                    self.service, status, method, display_url, attempt + 1, self.max_retries, delay,
                    " (Retry-After)" if retry_after is not None else "",
                )
                response.close()
                self._retry_wait(delay)
                attempt += 1
                continue
            raise self._status_error(response, method, attempt, idempotent, retryable, retry_after)

    def get_json(self, path_or_url: str, params: Any = None, **kw: Any) -> Any:
        """GET and decode JSON (fractional numbers as `Decimal`)."""
        return self.request_json("GET", path_or_url, params=params, **kw)

    def post_json(self, path_or_url: str, json: Any = None, **kw: Any) -> Any:
        """POST `json` (Decimal -> JSON string, see the module docstring) and decode the answer.
        Not retried on 5xx or a lost connection unless `idempotent=True`."""
        return self.request_json("POST", path_or_url, json=json, **kw)

    def request_json(self, method: str, path_or_url: str, **kw: Any) -> Any:
        """Any method, JSON answer decoded (None for an empty body)."""
        return decode_json(self.request(method, path_or_url, **kw), self.service)

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HttpClient({redact(self.base_url)!r}, service={self.service!r})"

    # -- internals -----------------------------------------------------------------------

    def _headers_for(self, url: str, extra: Mapping[str, str] | None) -> CaseInsensitiveDict[str]:
        """Default headers (credentials only for the base origin) overlaid with the call's."""
        headers = CaseInsensitiveDict(self.headers)
        if _origin(url) != self._origin:
            for name in list(headers):
                if name.lower() in SENSITIVE_HEADERS:
                    del headers[name]
        for name, value in (extra or {}).items():
            register_header_secret(name, value)
            headers[name] = value
        return headers

    @staticmethod
    def _register_param_secrets(params: Any) -> None:
        items = params.items() if isinstance(params, Mapping) else params if isinstance(params, list) else ()
        for item in items:
            if isinstance(item, tuple) and len(item) == 2 and str(item[0]).lower() in _SENSITIVE_PARAM_NAMES:
                register_secret(item[1])

    @staticmethod
    def _is_ok(status: int, ok: Container[int] | None) -> bool:
        return 200 <= status < 300 if ok is None else status in ok

    def _send(
        self,
        method: str,
        url: str,
        params: Any,
        data: Any,
        files: Any,
        headers: CaseInsensitiveDict[str],
        timeout: Any,
        ok: Container[int] | None,
        rewind: Callable[[], None],
    ) -> requests.Response:
        """One request, following redirects here rather than in requests: requests only drops
        `Authorization` when a redirect leaves the host, not `X-API-KEY` and the like."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.request(
                method, url, params=params, data=data, files=files, headers=headers,
                timeout=timeout, allow_redirects=False,
            )
            if not response.is_redirect or (ok is not None and response.status_code in ok):
                return response
            target = urljoin(response.url, response.headers["Location"])
            status = response.status_code
            response.close()
            if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
                method, data, files = "GET", None, None
                headers = CaseInsensitiveDict(
                    {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
                )
            else:
                rewind()
            if _origin(target) != _origin(url):
                headers = CaseInsensitiveDict(
                    {k: v for k, v in headers.items() if k.lower() not in SENSITIVE_HEADERS}
                )
            url, params = target, None
        raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")

    def _pace(self) -> None:
        wait, why = self.pacer.reserve(self._clock())
        if wait > 0:
            level = logging.INFO if wait >= 1 else logging.DEBUG
            log.log(level, "%s: pacing, waiting %.2f s (%s)", self.service, wait, why)
            self._wait(wait)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": between half and all of the capped step."""
        step = min(self.max_backoff, self.backoff * (2**attempt))
        return step / 2 + self._rng.uniform(0, step / 2)

    def _retry_wait(self, seconds: float) -> None:
        with self._stats_lock:
            self.stats.retries += 1
        self._wait(seconds)

    def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        with self._stats_lock:
            self.stats.waited_seconds += seconds
        self._sleep(seconds)

    def _count(self, status: int | None = None, transport_error: bool = False) -> None:
        with self._stats_lock:
            self.stats.requests += 1
            if transport_error:
                self.stats.transport_errors += 1
            else:
                self.stats.by_status[status] += 1

    def _transport_error(
        self, what: str, cause: str, method: str, url: str, attempt: int, idempotent: bool, retryable: bool
    ) -> TransportError:
        if retryable:
            tail = f" after {attempt + 1} attempts"
        elif not idempotent:
            tail = (
                f"; not retried because {method} is not idempotent: the server may or may not "
                "have processed it, check before sending it again"
            )
        else:
            tail = ""
        return TransportError(
            f"could not reach {self.service} ({what}) for {method} {url}{tail}; "
            "check the network and the service's base URL",
            status=None, method=method, url=url, service=self.service, attempts=attempt + 1, cause=cause,
        )

    def _status_error(
        self,
        response: requests.Response,
        method: str,
        attempt: int,
        idempotent: bool,
        retryable: bool,
        retry_after: float | None,
    ) -> HttpError:
        status = response.status_code
        url = redact(response.url)
        body = _excerpt(response)
        said = _server_message(body)
        said_part = f" Server said: {said}" if said else ""
        service = self.service
        cls: type[HttpError] = HttpError
        if status == 401:
            message = (
                f"authentication refused by {service} (HTTP 401): check the token/credentials "
                f"(expired, revoked or for another account).{said_part}"
            )
        elif status == 403:
            message = (
                f"access forbidden by {service} (HTTP 403) for {method} {url}: check the "
                f"permissions/scopes granted to the token.{said_part}"
            )
        elif status == 404:
            message = f"not found: {method} {url} (HTTP 404 from {service}).{said_part}"
        elif status == 429:
            cls = RateLimitExceeded
            if retry_after is not None and retry_after > self.max_retry_after:
                reason = f"it asks to wait {retry_after:.0f} s, more than the {self.max_retry_after:.0f} s allowed"
            else:
                reason = f"still refused after {attempt} retries"
            message = (
                f"rate limited by {service} (HTTP 429) for {method} {url}: {reason}; "
                f"try again later.{said_part}"
            )
        elif status >= 500:
            if retryable:
                how = f" after {attempt + 1} attempts"
            elif not idempotent:
                how = f" (not retried: {method} is not idempotent; check whether it was processed)"
            else:
                how = ""
            message = (
                f"server error at {service} (HTTP {status}) for {method} {url}{how}; "
                f"the service may be down, try again later.{said_part}"
            )
        elif 400 <= status < 500:
            message = f"{service} rejected {method} {url} (HTTP {status}).{said_part}"
        else:
            message = f"unexpected HTTP {status} from {service} for {method} {url}.{said_part}"
        return cls(
            message, status=status, method=method, url=url, body=body, retry_after=retry_after,
            service=service, attempts=attempt + 1,
        )
