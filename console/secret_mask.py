"""Masks a connection's secret values in what its connector hands over to be stored (raw
payloads, findings) and refuses a checkpoint state holding one: a connector may copy its API
key into them (a link echoing `?token=`), and secrets never go into the cache. Cheaper than `redact` on every payload: one
substring test per secret on the JSON text the ingest writes anyway."""
from __future__ import annotations

import json
import re
from typing import Any

from .domain import json_compact
from .redact import MASK, redact, secret_forms

def _alternation(texts: Any) -> re.Pattern[str] | None:
    ordered = sorted(texts, key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in ordered)) if ordered else None


class SecretMask:
    """Masks a connection's secret values in what a connector gives to be stored (raw payloads,
    findings), on their JSON text: a substring test per secret (the usual payload,
    which holds none, costs that much), the substitution only when one is there."""

    def __init__(self, secrets: list[Any]) -> None:
        self._secrets = [value for value in secrets if isinstance(value, str)]
        self._build()

    def add(self, value: str) -> None:
        """A secret the connector rotated during the run (`FetchContext.save_secret`)."""
        self._secrets.append(value)
        self._build()

    def _build(self) -> None:
        plain = {form for value in self._secrets for form in secret_forms(value)}
        forms = {json.dumps(form, ensure_ascii=False)[1:-1] for form in plain}  # as JSON text writes them
        self.forms = sorted(forms, key=len, reverse=True)  # a secret holding another: masked whole
        self._re = _alternation(self.forms)
        self._plain_re = _alternation(plain)

    def __bool__(self) -> bool:
        return self._re is not None

    def plain(self, text: str) -> str:
        """A text (not JSON) with the secrets masked."""
        return self._plain_re.sub(MASK, text) if self._plain_re is not None else text

    def text(self, text: str) -> str:
        """JSON text with the secrets masked (the same text when it holds none)."""
        if self._re is None or not any(form in text for form in self.forms):
            return text
        masked = self._re.sub(MASK, text)
        try:
            json.loads(masked)
        except ValueError:  # a secret matched across an escape: mask the decoded strings instead
            return json_compact(self._walk(json.loads(text)))
        return masked

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.plain(value)
        if isinstance(value, dict):
            return {self._walk(k): self._walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        return value

    def value(self, value: Any) -> Any:
        """A payload (anything JSON can hold) with the secrets masked; itself when it holds none."""
        if self._re is None or value is None:
            return value
        try:
            text = json_compact(value)
        except (TypeError, ValueError):
            return redact(repr(value))
        masked = self.text(text)
        return value if masked is text else json.loads(masked)

    def check_state(self, state: Any) -> None:
        """Refuse a checkpoint's state holding a secret (`SecretInState`): masked, the connector
        would read back a broken cursor (a next-page link whose key is `***`) on the next run.
        A state that is not plain JSON is left for `save_state` to refuse."""
        if self._re is None or not isinstance(state, dict):
            return
        try:
            text = json_compact(state)
        except (TypeError, ValueError):
            return
        if self.text(text) is not text:
            raise SecretInState("the checkpoint's state holds the value of one of the connection's secret settings")


class SecretInState(ValueError):
    """A connector put a secret into its checkpoint state (stored in clear in the cache)."""
