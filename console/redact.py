"""Keeps secrets out of logs, error messages and anything else shown or stored.

Two layers, both applied by `redact(text)`:

1. A process-wide registry of known secret values (`register_secret`). Every occurrence of a
   registered value is replaced by `***`, wherever it appears: a URL, a server's error body
   echoing the token back, a traceback. Its percent-encoded forms are registered as well, so
   the value is also caught inside a query string.
2. Patterns for secrets we have never been told about: `Authorization: Bearer xyz`,
   `Bearer xyz`, query or form parameters such as `?api_key=xyz` or `&client_secret=xyz`,
   credential headers written as text (`X-API-KEY: xyz`, `'Cookie': 'a=b'`) and JSON fields
   such as `"access_token": "xyz"`.

`install_log_redaction()` makes every record logged under the `ecluse` logger (and its
children) go through `redact` before any handler sees it. `ecluse.http` calls it at import.

The registry is thread-safe: writers take a lock and publish an immutable snapshot, readers
use the current snapshot without locking.
"""
from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
from typing import Any, Mapping
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "SENSITIVE_HEADERS",
    "SENSITIVE_PARAMS",
    "RedactingFilter",
    "install_log_redaction",
    "redact",
    "redact_mapping",
    "register_secret",
    "secret_forms",
    "register_header_secret",
]

MASK = "***"
MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words and digits everywhere

# Header names whose values are credentials (compared lower-cased).
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-amz-access-token",
        "x-amz-security-token",
        "cookie",
        "set-cookie",
    }
)

# Query/form parameter names whose values are credentials (compared case-insensitively).
# The X-Amz-* ones are the parts of a presigned S3 URL (a PDF link) that grant access.
SENSITIVE_PARAMS = (
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "api_key",
    "apikey",
    "key",
    "password",
    "secret",
    "client_secret",
    "x-amz-signature",
    "x-amz-security-token",
    "x-amz-credential",
)

# JSON fields whose string values are credentials: the parameter names, except "key" (too
# common a field name) and the presigned-URL ones (never JSON fields).
_SENSITIVE_JSON_FIELDS = tuple(n for n in SENSITIVE_PARAMS if n != "key" and not n.startswith("x-amz-"))


def _alternation(names: tuple[str, ...] | frozenset[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


# `?api_key=xyz`, `&client_secret=xyz`, `password=xyz` at the start of a form body.
_PARAM_RE = re.compile(
    r"(?<![\w.-])(" + _alternation(SENSITIVE_PARAMS) + r")=([^&#\s\"'<>]+)", re.IGNORECASE
)
# `X-API-KEY: xyz`, `Authorization: Bearer xyz`, `Cookie: a=b; c=d`, and in a dict's repr
# `'Authorization': 'Bearer xyz'` (then everything up to the closing quote).
_HEADER_RE = re.compile(
    r"(?<![\w-])(" + _alternation(SENSITIVE_HEADERS) + r")([\"']?\s*[:=]\s*)"
    r"(?:([\"'])[^\"'\r\n]*"
    r"|((?:Bearer|Basic|Token|Digest|Negotiate|OAuth|AWS4-HMAC-SHA256)\s+)?"
    r"[^\s\"',;]+(?:[,;]\s*[\w-]+=[^\s\"',;]*)*)",
    re.IGNORECASE,
)
# `Bearer xyz` anywhere (RFC 6750 token characters).
_BEARER_RE = re.compile(r"\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE)
# `"access_token": "xyz"` in a JSON body (an OAuth answer echoed into an error).
_JSON_RE = re.compile(
    r"(\"(?:" + _alternation(_SENSITIVE_JSON_FIELDS) + r")\"\s*:\s*\")((?:[^\"\\]|\\.)*)(\")",
    re.IGNORECASE,
)
_AUTH_SCHEME_RE = re.compile(r"^([A-Za-z][\w-]*)\s+\S")

_lock = threading.Lock()
_secrets: frozenset[str] = frozenset()
_secrets_re: re.Pattern[str] | None = None


def secret_forms(value: str) -> set[str]:
    """The forms of a secret value that are masked: as given, stripped, percent-encoded (as it
    appears in a query string); none shorter than MIN_SECRET_LENGTH."""
    return {c for c in (value, value.strip(), quote(value, safe=""), quote_plus(value)) if len(c) >= MIN_SECRET_LENGTH}


def register_secret(value: object) -> None:
    """Remember a secret value so `redact` masks it everywhere from now on.

    `None`, non-strings and values shorter than 4 characters are ignored. The value's
    percent-encoded forms (as it appears in a query string) are registered too.
    """
    global _secrets, _secrets_re
    if not isinstance(value, str):
        return
    new = secret_forms(value)
    if not new or new <= _secrets:
        return
    with _lock:
        merged = _secrets | new
        # Longest first, so a secret containing another one is masked whole.
        _secrets_re = re.compile("|".join(re.escape(s) for s in sorted(merged, key=len, reverse=True)))
        _secrets = merged


def register_header_secret(name: str, value: object) -> None:
    """Register the secret parts of a credential header's value.

    `Authorization: Bearer abc` registers `abc`; `Basic <b64>` registers the
    base64 text, the decoded `user:password` and the password. Other headers listed in
    `SENSITIVE_HEADERS` register their whole value. Non-credential headers are ignored.
    """
    if not isinstance(value, str) or name.lower() not in SENSITIVE_HEADERS:
        return
    match = _AUTH_SCHEME_RE.match(value)
    if not (name.lower() in ("authorization", "proxy-authorization") and match):
        register_secret(value)
    else:  # the scheme is no secret: `Bearer ***` says more than `***`
        credentials = value[match.end(1):].strip()
        register_secret(credentials)
        if match.group(1).lower() == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return
            register_secret(decoded)
            register_secret(decoded.partition(":")[2])


def _mask_header(match: re.Match[str]) -> str:
    name, separator, quote_char, scheme = match.group(1, 2, 3, 4)
    if quote_char:
        value = match.group(0)[len(name) + len(separator) + 1:]
        scheme_match = _AUTH_SCHEME_RE.match(value) if name.lower().endswith("authorization") else None
        scheme = f"{scheme_match.group(1)} " if scheme_match else ""
        return f"{name}{separator}{quote_char}{scheme}{MASK}"
    # Keep the scheme, it helps debugging: `Authorization: Bearer ***`.
    return f"{name}{separator}{(scheme or '').rstrip()}{' ' if scheme else ''}{MASK}"


def redact(text: object) -> str:
    """`text` (anything; bytes are decoded as UTF-8) with every secret replaced by `***`."""
    if text is None:
        return ""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)
    pattern = _secrets_re
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _HEADER_RE.sub(_mask_header, text)
    text = _BEARER_RE.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _PARAM_RE.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _JSON_RE.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
    return text


def redact_mapping(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of a headers mapping fit for logging: credential headers become `***` and other
    string values go through `redact` (a secret can hide in any header)."""
    if not headers:
        return {}
    clean: dict[str, Any] = {}
    for name, value in headers.items():
        if str(name).lower() in SENSITIVE_HEADERS:
            clean[name] = MASK
        elif isinstance(value, (str, bytes)):
            clean[name] = redact(value)
        else:
            clean[name] = value
    return clean


class RedactingFilter(logging.Filter):
    """Redacts a record's message (formatted with its args), traceback and stack text.

    The record's `msg` becomes the redacted, fully formatted message and `args` is emptied, so
    no handler or formatter can get at the raw arguments afterwards. Never drops a record.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact one record in place (what `RedactingFilter` does); returns it."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what there is, redacted
        message = f"{record.msg} {record.args!r}"
    record.msg = redact(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(RedactingFilter._formatter.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


_installed: set[str] = set()
_install_lock = threading.Lock()
_previous_factory: Any = None


def _covered(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in _installed)


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _previous_factory(*args, **kwargs)
    if _covered(record.name):
        redact_record(record)
    return record


def install_log_redaction(logger_name: str = "ecluse") -> None:
    """Redact every record logged under `logger_name` and its children. Idempotent.

    A filter attached to a logger only sees records logged on that very logger, not the ones
    propagated from its children (`ecluse.http`), so besides attaching a `RedactingFilter`
    to the logger this wraps the process's log record factory once: records whose logger is
    `logger_name` or below it are redacted as they are created, before any handler (pytest's
    caplog, a file, the console) sees them. The previous factory is kept and called first.
    """
    global _previous_factory
    with _install_lock:
        if logger_name in _installed:
            return
        logger = logging.getLogger(logger_name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
        if _previous_factory is None:
            _previous_factory = logging.getLogRecordFactory()
            logging.setLogRecordFactory(_redacting_factory)
        _installed.add(logger_name)
