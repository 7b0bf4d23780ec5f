"""The shared HTTP layer against a real server on 127.0.0.1 (tests/emulators/server.py).

Waits are checked through an injected fake clock whose `sleep` records the wait and moves
time forward; nothing here sleeps for real except the short read-timeout test.
"""
from __future__ import annotations

import contextlib
import email.utils
import io
import json
import logging
import socket
import threading
import traceback
import uuid
from decimal import Decimal
from typing import Callable, Iterable

import pytest

from ecluse.http import (
    HttpClient,
    HttpError,
    Pacer,
    RateLimit,
    RateLimitExceeded,
    TransportError,
    parse_retry_after,
)
from ecluse.redact import (
    RedactingFilter,
    install_log_redaction,
    redact,
    redact_mapping,
    register_secret,
)
from tests.emulators.server import EmulatorServer, Reply, Request


class FakeTime:
    """Monotonic and wall clocks that only move when `sleep` is called."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.wall = 1_700_000_000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        self.wall += seconds

    def clock(self) -> float:
        return self.now

    def wall_clock(self) -> float:
        return self.wall


class Script:
    """A route answering from a list of replies (the last one repeats), recording requests."""

    def __init__(self, replies: Iterable[Reply] | Callable[[Request], Reply]) -> None:
        self._replies = replies if callable(replies) else list(replies)
        self.requests: list[Request] = []
        self._lock = threading.Lock()

    def __call__(self, req: Request) -> Reply:
        with self._lock:
            self.requests.append(req)
            if callable(self._replies):
                return self._replies(req)
            index = min(len(self.requests), len(self._replies)) - 1
            return self._replies[index]

    @property
    def hits(self) -> int:
        return len(self.requests)


def ok(body: object = None, **headers: str) -> Reply:
    return Reply(200, json.dumps(body if body is not None else {"ok": True}).encode(), headers)


class Switch:
    """The route of a server kept for the whole module (starting and stopping one costs
    half a second): each test plugs in its own script."""

    def __init__(self) -> None:
        self.route: Callable[[Request], Reply] | None = None

    def __call__(self, req: Request) -> Reply:
        if self.route is None:
            return Reply(599, b"no route")
        return self.route(req)


@pytest.fixture(scope="module")
def _servers():
    main, other = Switch(), Switch()
    with EmulatorServer(main) as main_srv, EmulatorServer(other) as other_srv:
        yield (main, main_srv), (other, other_srv)


def _plug(pair):
    switch, server = pair

    def plug(route: Callable[[Request], Reply]) -> EmulatorServer:
        switch.route = route
        return server

    yield plug
    switch.route = None


@pytest.fixture
def serve(_servers):
    """`serve(route)`: the module's server now answers with `route`; returns the server."""
    yield from _plug(_servers[0])


@pytest.fixture
def serve_other(_servers):
    """A second server, on another port: another origin."""
    yield from _plug(_servers[1])


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def client(url: str, fake: FakeTime, **kw) -> HttpClient:
    kw.setdefault("service", "Testsvc")
    kw.setdefault("backoff", 0.1)
    kw.setdefault("max_backoff", 2.0)
    kw.setdefault("timeout", (2.0, 5.0))
    return HttpClient(url, sleep=fake.sleep, clock=fake.clock, wall_clock=fake.wall_clock, **kw)


def closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


# --------------------------------------------------------------------------- URLs, headers, JSON


def test_relative_paths_are_joined_to_the_base_url_path(serve, fake):
    script = Script([ok()])
    srv = serve(script)
    http = client(srv.url + "/api/external/v2/", fake)
    http.get_json("/me")
    http.get_json("customer_invoices", params={"cursor": "abc", "limit": 2})
    http.get_json("")
    assert [r.path for r in script.requests] == [
        "/api/external/v2/me",
        "/api/external/v2/customer_invoices",
        "/api/external/v2",
    ]
    assert script.requests[1].query == {"cursor": ["abc"], "limit": ["2"]}


def test_absolute_urls_are_used_as_is_and_get_no_credentials_on_another_host(serve, serve_other, fake):
    api, files = Script([ok()]), Script([Reply(200, b"%PDF-1.4", {"Content-Type": "application/pdf"})])
    api_srv, files_srv = serve(api), serve_other(files)
    http = client(api_srv.url + "/v2", fake, headers={"Authorization": "Bearer tok-abcdef", "X-API-KEY": "k-123456"})
    http.get_json(api_srv.url + "/v2/invoices?cursor=next")  # a links.next page URL
    pdf = http.request("GET", files_srv.url + "/bucket/inv.pdf?X-Amz-Signature=sig")
    assert pdf.content == b"%PDF-1.4"
    assert api.requests[0].path == "/v2/invoices" and api.requests[0].query == {"cursor": ["next"]}
    assert api.requests[0].headers["authorization"] == "Bearer tok-abcdef"
    assert api.requests[0].headers["x-api-key"] == "k-123456"
    assert files.requests[0].path == "/bucket/inv.pdf"
    assert "authorization" not in files.requests[0].headers
    assert "x-api-key" not in files.requests[0].headers


def test_redirect_to_another_host_drops_credential_headers(serve, serve_other, fake):
    files = Script([Reply(200, b"blob")])
    files_srv = serve_other(files)
    api = Script([Reply(302, b"", {"Location": files_srv.url + "/blob"})])
    api_srv = serve(api)
    http = client(api_srv.url, fake, headers={"Authorization": "Bearer tok-redirect", "X-API-KEY": "key-redirect"})
    resp = http.request("GET", "/file")
    assert resp.content == b"blob"
    assert api.requests[0].headers["x-api-key"] == "key-redirect"
    assert files.hits == 1
    assert "authorization" not in files.requests[0].headers
    assert "x-api-key" not in files.requests[0].headers


def test_default_headers_user_agent_and_accept(serve, fake):
    script = Script([ok()])
    srv = serve(script)
    http = client(srv.url, fake)
    http.get_json("/a")
    http.request("GET", "/b", headers={"Accept": "application/pdf"})
    client(srv.url, fake, user_agent="Custom/1").get_json("/c")
    first, second, third = (r.headers for r in script.requests)
    assert first["user-agent"].startswith("Ecluse/")
    assert first["accept"] == "application/json"
    assert second["accept"] == "application/pdf"
    assert third["user-agent"] == "Custom/1"


def test_json_numbers_are_decoded_as_decimal_and_decimal_is_sent_as_a_string(serve, fake):
    script = Script([Reply(200, b'{"amount": 1234.10, "vat": 0.1, "count": 3, "label": "x"}')])
    srv = serve(script)
    http = client(srv.url, fake)
    got = http.get_json("/invoice")
    http.post_json("/invoices", {"amount": Decimal("12.50"), "lines": [{"price": Decimal("0.10")}]})
    assert got == {"amount": Decimal("1234.10"), "vat": Decimal("0.1"), "count": 3, "label": "x"}
    assert isinstance(got["amount"], Decimal) and str(got["amount"]) == "1234.10"
    assert isinstance(got["count"], int)
    posted = script.requests[1]
    assert posted.headers["content-type"] == "application/json"
    assert json.loads(posted.body) == {"amount": "12.50", "lines": [{"price": "0.10"}]}


def test_empty_body_decodes_to_none_and_non_json_body_raises(serve, fake):
    script = Script([Reply(204, b""), Reply(200, b"<html>maintenance</html>", {"Content-Type": "text/html"})])
    srv = serve(script)
    http = client(srv.url, fake)
    assert http.request_json("DELETE", "/x") is None
    with pytest.raises(HttpError, match="not JSON") as info:
        http.get_json("/y")
    assert "maintenance" in info.value.body


# --------------------------------------------------------------------------- retries


def test_429_is_retried_after_retry_after_seconds(serve, fake):
    script = Script([Reply(429, b'{"error":"slow down"}', {"Retry-After": "7"}), ok({"n": 1})])
    srv = serve(script)
    http = client(srv.url, fake)
    assert http.get_json("/x") == {"n": 1}
    assert script.hits == 2
    assert fake.sleeps == [7.0]
    assert http.stats.throttled == 1 and http.stats.retries == 1


def test_429_retry_after_as_http_date(serve, fake):
    when = email.utils.formatdate(fake.wall + 30, usegmt=True)
    script = Script([Reply(429, b"", {"Retry-After": when}), ok()])
    srv = serve(script)
    client(srv.url, fake).get_json("/x")
    assert fake.sleeps == [pytest.approx(30.0)]
    assert parse_retry_after("garbage", fake.wall) is None
    assert parse_retry_after("-5", fake.wall) == 0.0


def test_429_is_retried_even_for_post(serve, fake):
    script = Script([Reply(429, b"", {"Retry-After": "1"}), ok({"id": 9})])
    srv = serve(script)
    assert client(srv.url, fake).post_json("/invoices", {"a": 1}) == {"id": 9}
    assert script.hits == 2
    assert script.requests[0].body == script.requests[1].body == b'{"a": 1}'


def test_429_without_retry_after_uses_bounded_backoff(serve, fake):
    script = Script([Reply(429), Reply(429), ok()])
    srv = serve(script)
    client(srv.url, fake, backoff=1.0, max_backoff=1.5).get_json("/x")
    assert len(fake.sleeps) == 2
    assert 0.5 <= fake.sleeps[0] <= 1.0  # first step: backoff, with jitter
    assert 0.75 <= fake.sleeps[1] <= 1.5  # second step: doubled, capped at max_backoff


def test_retry_after_too_long_fails_at_once_with_the_wait(serve, fake):
    script = Script([Reply(429, b"", {"Retry-After": "3600"})])
    srv = serve(script)
    with pytest.raises(RateLimitExceeded) as info:
        client(srv.url, fake, max_retry_after=600).get_json("/x")
    assert script.hits == 1 and fake.sleeps == []
    assert info.value.retry_after == 3600.0
    assert "rate limited by Testsvc" in str(info.value)


def test_429_still_failing_after_the_budget_raises_rate_limit_exceeded(serve, fake):
    script = Script([Reply(429, b"", {"Retry-After": "2"})])
    srv = serve(script)
    http = client(srv.url, fake, max_retries=2)
    with pytest.raises(RateLimitExceeded) as info:
        http.get_json("/x")
    assert script.hits == 3
    assert fake.sleeps == [2.0, 2.0]
    assert info.value.status == 429 and info.value.attempts == 3
    assert http.stats.throttled == 3


def test_503_is_retried_for_get_honouring_retry_after(serve, fake):
    script = Script([Reply(503, b"", {"Retry-After": "3"}), Reply(502), ok({"n": 2})])
    srv = serve(script)
    assert client(srv.url, fake).get_json("/x") == {"n": 2}
    assert script.hits == 3
    assert fake.sleeps[0] == 3.0
    assert len(fake.sleeps) == 2


def test_503_is_not_retried_for_post(serve, fake):
    script = Script([Reply(503, b'{"message":"down"}'), ok()])
    srv = serve(script)
    with pytest.raises(HttpError) as info:
        client(srv.url, fake).post_json("/invoices", {"a": 1})
    assert script.hits == 1 and fake.sleeps == []
    assert info.value.status == 503
    assert "server error at Testsvc (HTTP 503)" in str(info.value)
    assert "not idempotent" in str(info.value)


def test_503_is_retried_for_post_marked_idempotent(serve, fake):
    script = Script([Reply(503), ok({"id": 1})])
    srv = serve(script)
    assert client(srv.url, fake).post_json("/invoices", {"a": 1}, idempotent=True) == {"id": 1}
    assert script.hits == 2


def test_retries_are_bounded(serve, fake):
    script = Script([Reply(503, b'{"error":"maintenance"}')])
    srv = serve(script)
    http = client(srv.url, fake, max_retries=3, backoff=1.0, max_backoff=3.0)
    with pytest.raises(HttpError) as info:
        http.get_json("/x")
    assert script.hits == 4  # max_retries + 1
    assert info.value.status == 503 and info.value.attempts == 4
    assert "after 4 attempts" in str(info.value) and "maintenance" in str(info.value)
    assert len(fake.sleeps) == 3 and all(0 < s <= 3.0 for s in fake.sleeps)
    assert http.stats.requests == 4 and http.stats.retries == 3


def test_lost_connection_is_retried_for_get(serve, fake):
    script = Script([Reply(drop=True), ok({"n": 3})])
    srv = serve(script)
    http = client(srv.url, fake)
    assert http.get_json("/x") == {"n": 3}
    assert script.hits == 2
    assert http.stats.transport_errors == 1 and http.stats.retries == 1


def test_lost_connection_on_post_raises_transport_error_without_retry(serve, fake):
    script = Script([Reply(drop=True), ok()])
    srv = serve(script)
    with pytest.raises(TransportError) as info:
        client(srv.url, fake).post_json("/invoices", {"a": 1})
    assert script.hits == 1
    assert info.value.status is None and info.value.method == "POST"
    assert "connection lost" in str(info.value) and "may or may not" in str(info.value)
    assert info.value.cause == "lost"  # for a front-end to say in its language


def test_refused_connection_is_retried_even_for_post_then_fails(fake):
    url = closed_port_url()
    http = client(url, fake, max_retries=2)
    with pytest.raises(TransportError) as info:
        http.post_json("/invoices", {"a": 1})  # nothing was sent, so retrying is safe
    assert http.stats.requests == 3 and http.stats.transport_errors == 3
    assert len(fake.sleeps) == 2
    assert "could not reach Testsvc" in str(info.value) and "refused" in str(info.value)
    assert info.value.cause == "refused" and info.value.attempts == 3


def test_tls_to_a_plain_http_server_is_a_tls_failure_not_retried(serve, fake):
    srv = serve(Script([ok()]))
    http = client(srv.url.replace("http://", "https://"), fake, max_retries=2)
    with pytest.raises(TransportError, match="TLS/SSL failure") as info:
        http.get_json("/x")
    assert info.value.cause == "tls" and http.stats.requests == 1  # it would fail again


def test_connect_timeout_is_retried_then_said_with_its_bound(fake):
    """A server whose listen queue is full drops the connection attempt: connect times out."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    queued = []
    for _ in range(4):  # fill the accept queue; they are never accepted
        sock = socket.socket()
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            sock.connect(("127.0.0.1", port))
        queued.append(sock)
    try:
        http = client(f"http://127.0.0.1:{port}", fake, timeout=(0.2, 5.0), max_retries=1)
        with pytest.raises(TransportError, match=r"could not connect within 0.2 s") as info:
            http.post_json("/x", {"a": 1})  # nothing reached the server: retried even for a POST
        assert info.value.cause == "connect_timeout" and info.value.attempts == 2
    finally:
        for sock in [*queued, srv]:
            sock.close()


def test_a_body_that_cannot_be_decoded_is_an_other_transport_failure(serve, fake):
    script = Script([Reply(200, b"not gzip at all", {"Content-Type": "application/json", "Content-Encoding": "gzip"})])
    srv = serve(script)
    with pytest.raises(TransportError) as info:
        client(srv.url, fake, max_retries=0).get_json("/x")
    assert info.value.cause == "other" and "ContentDecodingError" in str(info.value)


def test_read_timeout_on_post_is_not_retried(serve, fake):
    script = Script([Reply(delay=0.5), ok()])
    srv = serve(script)
    with pytest.raises(TransportError, match=r"no answer within 0.1 s") as info:
        client(srv.url, fake, timeout=(2.0, 0.1)).post_json("/x", {})
    assert script.hits == 1 and info.value.cause == "read_timeout"


def test_multipart_files_are_sent_again_on_retry(serve, fake):
    script = Script([Reply(503), ok()])
    pdf = io.BytesIO(b"%PDF-1.4 invoice bytes")
    srv = serve(script)
    client(srv.url, fake).request(
        "POST", "/file_attachments", files={"file": ("inv.pdf", pdf, "application/pdf")}, idempotent=True
    )
    assert script.hits == 2
    assert all(b"%PDF-1.4 invoice bytes" in r.body for r in script.requests)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_other_4xx_are_not_retried(serve, fake, status):
    script = Script([Reply(status, b'{"error":"nope"}'), ok()])
    srv = serve(script)
    with pytest.raises(HttpError) as info:
        client(srv.url, fake).get_json("/x")
    assert script.hits == 1 and fake.sleeps == []
    assert info.value.status == status and type(info.value) is HttpError


def test_ok_statuses_are_returned_without_raising(serve, fake):
    script = Script([Reply(404, b'{"error":"none"}')])
    srv = serve(script)
    resp = client(srv.url, fake).request("GET", "/x", ok={200, 404})
    assert resp.status_code == 404


# --------------------------------------------------------------------------- messages


def test_error_messages_are_actionable(serve, fake):
    replies = {
        "/400": Reply(400, b'{"errors":[{"message":"label is required"}]}'),
        "/401": Reply(401, b'{"error":"invalid_token"}'),
        "/403": Reply(403, b'{"error":"Missing scope: customer_invoices:all"}'),
        "/404": Reply(404, b"{}"),
    }
    srv = serve(Script(lambda req: replies[req.path.removeprefix("/api")]))
    http = client(srv.url + "/api", fake)
    errors = {}
    for path in replies:
        with pytest.raises(HttpError) as info:
            http.get_json(path)
        errors[path] = str(info.value)
    assert "Testsvc rejected GET" in errors["/400"] and "label is required" in errors["/400"]
    assert errors["/401"].startswith("authentication refused by Testsvc (HTTP 401): check the token/credentials")
    assert "access forbidden" in errors["/403"] and "scopes" in errors["/403"]
    assert "Missing scope: customer_invoices:all" in errors["/403"]
    assert errors["/404"].startswith(f"not found: GET {srv.url}/api/404")


# --------------------------------------------------------------------------- secrets


def test_token_never_appears_in_errors_bodies_or_logs(serve, fake, caplog):
    token = f"pl-{uuid.uuid4().hex}"

    def echo(req: Request) -> Reply:  # a careless server echoing the credentials back
        text = json.dumps({"error": f"bad token {req.headers.get('authorization')}", "headers": req.headers})
        return Reply(401 if req.path == "/me" else 500, text.encode())

    caplog.set_level(logging.DEBUG)
    srv = serve(Script(echo))
    http = client(srv.url, fake, headers={"Authorization": f"Bearer {token}"}, max_retries=1)
    with pytest.raises(HttpError) as auth:
        http.get_json("/me")
    with pytest.raises(HttpError) as server:
        http.get_json(f"/boom?access_token={token}")
    logging.getLogger("ecluse.connector").warning("connector said %s", f"Bearer {token}")
    for err in (auth.value, server.value):
        assert token not in str(err)
        assert token not in err.body and token not in err.url
        assert token not in "".join(traceback.format_exception(err))
        assert "***" in err.body
    assert "bad token Bearer ***" in str(auth.value)
    assert "ecluse.http" in {r.name for r in caplog.records}  # the requests were logged...
    assert token not in caplog.text  # ...without the token
    assert "connector said Bearer ***" in caplog.text


def test_api_key_query_parameter_is_redacted_from_errors_and_logs(serve, fake, caplog):
    key = f"k{uuid.uuid4().hex}"
    caplog.set_level(logging.DEBUG)  # urllib3 logs the full request line at DEBUG
    srv = serve(Script([Reply(404)]))
    with pytest.raises(HttpError) as info:
        client(srv.url, fake).get_json("/invoices", params={"api_key": key, "page": 2})
    assert "api_key=***" in info.value.url and "page=2" in info.value.url
    assert key not in str(info.value)
    assert any("api_key" in r.getMessage() for r in caplog.records if r.name.startswith("urllib3"))
    assert key not in caplog.text


def test_transport_error_carries_no_raw_url(fake):
    key = f"k{uuid.uuid4().hex}"
    http = client(closed_port_url(), fake, max_retries=0)
    with pytest.raises(TransportError) as info:
        http.get_json(f"/x?api_key={key}")
    err = info.value
    assert err.__context__ is None and err.__cause__ is None  # the requests exception has the raw URL
    assert key not in "".join(traceback.format_exception(err))
    assert "api_key=***" in str(err)


def test_secrets_argument_registers_values(serve, fake):
    secret = f"s-{uuid.uuid4().hex}"
    srv = serve(Script([Reply(400, json.dumps({"error": f"unknown client {secret}"}).encode())]))
    with pytest.raises(HttpError) as info:
        client(srv.url, fake, secrets=[secret]).get_json("/x")
    assert secret not in str(info.value) and "unknown client ***" in str(info.value)


# --------------------------------------------------------------------------- pacing


def test_exhausted_budget_waits_until_reset_delta_seconds(serve, fake):
    script = Script([ok(**{"ratelimit-limit": "25", "ratelimit-remaining": "0", "ratelimit-reset": "2"}), ok()])
    srv = serve(script)
    http = client(srv.url, fake)
    http.get_json("/a")
    assert fake.sleeps == []
    http.get_json("/b")
    assert fake.sleeps == [pytest.approx(2.0)]
    assert http.stats.throttled == 0


def test_exhausted_budget_waits_until_reset_epoch(serve, fake):
    reset = str(int(fake.wall) + 3)  # Pennylane: a Unix timestamp
    script = Script([ok(**{"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}), ok()])
    srv = serve(script)
    http = client(srv.url, fake)
    http.get_json("/a")
    http.get_json("/b")
    http.get_json("/c")  # the reset has passed: no further wait
    assert fake.sleeps == [pytest.approx(3.0)]


def test_remaining_budget_is_spread_until_reset(serve, fake):
    def route(req: Request) -> Reply:
        # 4 left for the next 2 seconds, whatever happened: a steady 0.5 s spacing is expected.
        return ok(**{"ratelimit-remaining": "4", "ratelimit-reset": "2"})

    srv = serve(Script(route))
    http = client(srv.url, fake)
    for _ in range(4):
        http.get_json("/x")
    assert fake.sleeps == [pytest.approx(0.5)] * 3


def test_static_rate_limit_makes_the_fourth_call_wait(serve, fake):
    srv = serve(Script([ok()]))
    http = client(srv.url, fake, rate_limit=RateLimit(3, 1.0))
    for _ in range(3):
        http.get_json("/x")
    assert fake.sleeps == []
    http.get_json("/x")
    assert fake.sleeps == [pytest.approx(1.0)]
    http.get_json("/x")
    http.get_json("/x")
    http.get_json("/x")  # three sent at t=1.0: the seventh waits for t=2.0
    assert fake.sleeps == [pytest.approx(1.0), pytest.approx(1.0)]
    assert http.stats.waited_seconds == pytest.approx(2.0)


def test_concurrent_callers_queue_behind_the_static_budget(serve, fake):
    # The clock is frozen, so the waits depend only on how the pacer books send times: two
    # per second, whatever order the threads run in.
    waits: list[float] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            waits.append(seconds)

    http = HttpClient(
        serve(Script([ok()])).url, rate_limit=RateLimit(2, 1.0), sleep=record, clock=lambda: 50.0,
        wall_clock=fake.wall_clock,
    )
    threads = [threading.Thread(target=http.get_json, args=("/x",)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits) == [1.0, 1.0, 2.0, 2.0]
    assert http.stats.requests == 6 and http.stats.by_status == {200: 6}


def test_pacer_is_shared_between_clients_of_the_same_token(serve, fake):
    token = uuid.uuid4().hex
    script = Script([ok(**{"ratelimit-remaining": "0", "ratelimit-reset": "5"})])
    srv = serve(script)
    sync = client(srv.url, fake, pacer=Pacer.shared("Testsvc", token))
    ui = client(srv.url, fake, pacer=Pacer.shared("Testsvc", token))
    other = client(srv.url, fake, pacer=Pacer.shared("Testsvc", uuid.uuid4().hex))
    sync.get_json("/a")
    other.get_json("/b")
    assert fake.sleeps == []
    ui.get_json("/c")
    assert fake.sleeps == [pytest.approx(5.0)]
    assert Pacer.shared("Testsvc", token) is sync.pacer is ui.pacer


def test_a_429_pauses_every_client_sharing_the_pacer(serve, fake):
    token = uuid.uuid4().hex
    script = Script([Reply(429, b"", {"Retry-After": "4"}), ok()])
    srv = serve(script)
    first = client(srv.url, fake, pacer=Pacer.shared("Testsvc", token), max_retries=0)
    second = client(srv.url, fake, pacer=Pacer.shared("Testsvc", token))
    with pytest.raises(RateLimitExceeded):
        first.get_json("/a")
    assert fake.sleeps == []
    second.get_json("/b")  # waits out the Retry-After the other client received
    assert fake.sleeps == [pytest.approx(4.0)]
    assert script.hits == 2


def test_stats_count_requests_statuses_and_waits(serve, fake):
    script = Script([Reply(429, b"", {"Retry-After": "2"}), ok(), Reply(404)])
    srv = serve(script)
    http = client(srv.url, fake)
    http.get_json("/a")
    with pytest.raises(HttpError):
        http.get_json("/b")
    s = http.stats
    assert (s.requests, s.retries, s.throttled, s.transport_errors) == (3, 1, 1, 0)
    assert s.waited_seconds == pytest.approx(2.0)
    assert s.by_status == {429: 1, 200: 1, 404: 1}


# --------------------------------------------------------------------------- redact module


def test_redact_patterns_without_registration():
    text = (
        "GET https://h/x?page=2&api_key=A1b2C3&token=zz9&client_secret=cs&password=pw "
        "Authorization: Bearer eyJhbGciOi.x.y X-API-KEY: key-42 next "
        '{"access_token": "at-1", "refresh_token": "rt-1", "amount": "12.00"} Bearer abc.def'
    )
    out = redact(text)
    for leaked in ("A1b2C3", "zz9", "=cs", "=pw", "eyJhbGciOi", "key-42", "at-1", "rt-1", "abc.def"):
        assert leaked not in out
    assert "page=2" in out and '"amount": "12.00"' in out and "next" in out
    assert "Authorization: Bearer ***" in out and "X-API-KEY: ***" in out
    assert "idempotency_key=abc" in redact("idempotency_key=abc")  # only whole parameter names


def test_register_secret_ignores_short_values_and_catches_encoded_forms():
    register_secret("abc")
    assert redact("abc") == "abc"
    secret = f"p@ss/{uuid.uuid4().hex[:8]}"
    register_secret(secret)
    assert redact(f"x {secret} y") == "x *** y"
    assert redact(f"u?q={secret.replace('@', '%40').replace('/', '%2F')}") == "u?q=***"


def test_redact_mapping_masks_credential_headers():
    headers = {"Authorization": "Bearer t-1", "x-amz-access-token": "Atza|x", "Cookie": "s=1", "Accept": "a/b"}
    assert redact_mapping(headers) == {
        "Authorization": "***", "x-amz-access-token": "***", "Cookie": "***", "Accept": "a/b",
    }


def test_redacting_filter_redacts_args_and_install_is_idempotent():
    secret = f"t-{uuid.uuid4().hex}"
    register_secret(secret)
    record = logging.LogRecord("other", logging.INFO, __file__, 1, "token=%s and %d", (secret, 3), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "token=*** and 3"
    install_log_redaction("ecluse")
    install_log_redaction("ecluse")
    assert sum(isinstance(f, RedactingFilter) for f in logging.getLogger("ecluse").filters) == 1


def test_every_transport_cause_is_said_in_french():
    from ecluse import i18n

    for cause in ("connect_timeout", "read_timeout", "tls", "refused", "lost", "other"):
        assert f"http.cause.{cause}" in i18n.MESSAGES, cause
        assert "2 essais" in i18n.t(f"http.cause.{cause}", "fr", attempts=2)
