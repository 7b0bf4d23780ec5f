"""Validation of Pennylane Company API v2 requests against the official OpenAPI spec.

The spec (`spec/company-v2-accounting.openapi.json`, OpenAPI 3.0.1, see spec/SOURCE.md) is
loaded lazily, once per process; each operation's validators are compiled on first use and
cached, so validating hundreds of requests (the dry-run, the emulator) stays cheap.

Paths given to this module are relative to the v2 base (`/customer_invoices/import`,
`/customers/12`); a full `/api/external/v2/...` path is accepted too.

OpenAPI 3.0 schemas are close to JSON Schema draft 4; the differences handled here:
`nullable: true` becomes a `"null"` member of `type` (and of `enum`), and `format` is only
checked for `date` / `date-time` (what Pennylane reports as InvalidDateFormat); `int64`,
`binary`, `uri`... are informative. `$ref`s resolve against the whole document through a
`referencing.Registry` (the May 2026 copy happens to be fully inlined, later ones may not).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT4

SPEC_FILE = Path(__file__).with_name("spec") / "company-v2-accounting.openapi.json"
BASE_PATH = "/api/external/v2"
_SPEC_URI = "urn:ecluse:pennylane:company-v2-accounting"
_METHODS = ("get", "post", "put", "patch", "delete")
# Parameters every operation of the 2026 migration carried; no-ops since 2026-07-01.
_IGNORED_PARAMS = frozenset({"use_2026_api_changes", "X-Use-2026-API-Changes"})
_LONG_ENUM = 12  # enums longer than this are summarised in error messages


class SpecError(LookupError):
    """The spec has no such operation / status (a programming error, not a data error)."""


# --------------------------------------------------------------------------- conversion


def to_json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema object turned into plain JSON Schema (draft 4 semantics)."""
    if isinstance(schema, list):
        return [to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("example", "examples", "description", "externalDocs", "xml", "discriminator"):
            continue
        if key == "format" and value not in ("date", "date-time"):
            continue
        if key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        else:
            out[key] = to_json_schema(value)
    if out.pop("nullable", False):
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            out["type"] = [*kind, "null"]
        elif kind is None:  # nullable without type (allOf/anyOf/$ref...): wrap
            out = {"anyOf": [{"type": "null"}, out]}
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def _check_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected YYYY-MM-DD")
    dt.date.fromisoformat(value)
    return True


def _check_datetime(value: object) -> bool:
    if isinstance(value, str):
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date", raises=ValueError)(_check_date)
    checker.checks("date-time", raises=ValueError)(_check_datetime)
    return checker


# --------------------------------------------------------------------------- errors


def _location(prefix: str, path: Any) -> str:
    out = prefix
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def _message(error: ValidationError) -> str:
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _message(best_match(error.context))
    if error.validator == "enum" and isinstance(error.validator_value, list):
        allowed = [v for v in error.validator_value if v is not None]
        if len(allowed) > _LONG_ENUM:
            sample = ", ".join(map(str, allowed[:6]))
            return (f"{error.instance!r} is not an allowed value "
                    f"({len(allowed)} allowed, e.g. {sample}, ...)")
        return f"{error.instance!r} is not one of {allowed}"
    if error.validator == "type" and isinstance(error.instance, (int, float, Decimal)) \
            and not isinstance(error.instance, bool) and "string" in str(error.validator_value):
        return (f"{error.instance!r} is a JSON number; Pennylane expects a string here "
                f"(amounts are decimal strings such as \"120.00\")")
    if error.validator == "format":
        return f"{error.instance!r} is not a valid {error.validator_value} (expected " \
            f"{'YYYY-MM-DD' if error.validator_value == 'date' else 'ISO 8601'})"
    return error.message


def _errors(validator: jsonschema.protocols.Validator, instance: Any, prefix: str) -> list[str]:
    found = sorted(validator.iter_errors(instance), key=lambda e: (list(map(str, e.path)), e.message))
    return [f"{_location(prefix, e.absolute_path)}: {_message(e)}" for e in found]


# --------------------------------------------------------------------------- filters


def _parse_filter_doc(description: str) -> dict[str, frozenset[str]] | None:
    """Field -> operators, from the `filter` parameter's description (the spec's only
    machine-readable-ish source for them). None when the text has no recognisable list."""
    ticks = lambda text: re.findall(r"`([^`]+)`", text)  # noqa: E731
    fields: dict[str, frozenset[str]] = {}
    flat_fields = re.search(r"Available fields\s*:\s*(.*)", description)
    flat_ops = re.search(r"Available operators\s*:\s*(.*)", description)
    if flat_fields and flat_ops:
        ops = frozenset(ticks(flat_ops.group(1)))
        return {name: ops for name in ticks(flat_fields.group(1))}
    for line in description.splitlines():
        match = re.match(r"\s*-\s*((?:`[^`]+`\s*,?\s*)+):\s*(.*)$", line)
        if match:
            ops = frozenset(ticks(match.group(2)))
            for name in ticks(match.group(1)):
                fields[name] = ops
    return fields or None


def _parse_sort_doc(description: str) -> frozenset[str] | None:
    match = re.search(r"Available fields\s*:(.*)", description, re.S)
    if not match:
        return None
    names = re.findall(r"`([^`]+)`", match.group(1))
    return frozenset(names) or None


def check_filter(text: Any, allowed: Mapping[str, frozenset[str]] | None) -> list[str]:
    """Errors for a `filter` query value: a JSON array (as a string) of
    {"field", "operator", "value"} objects, fields/operators as the spec documents them."""
    where = "query parameter 'filter'"
    if not isinstance(text, str):
        kind = "a hash" if isinstance(text, dict) else type(text).__name__
        return [f"{where}: should be a string (a JSON array encoded as text), but we received {kind}"]
    try:
        rules = json.loads(text)
    except ValueError as exc:
        return [f"{where}: not valid JSON ({exc})"]
    if not isinstance(rules, list):
        return [f"{where}: should be a JSON array of {{field, operator, value}} objects"]
    errors: list[str] = []
    for i, rule in enumerate(rules):
        at = f"{where}[{i}]"
        if not isinstance(rule, dict) or set(rule) != {"field", "operator", "value"}:
            errors.append(f"{at}: each filter must be an object with exactly field, operator, value")
            continue
        name, op, value = rule["field"], rule["operator"], rule["value"]
        if allowed is not None:
            if name not in allowed:
                errors.append(f"{at}: field {name!r} cannot be filtered on "
                              f"(available: {', '.join(sorted(allowed))})")
                continue
            if op not in allowed[name]:
                errors.append(f"{at}: operator {op!r} is not available for {name!r} "
                              f"(available: {', '.join(sorted(allowed[name]))})")
                continue
        scalar = (str, int, float, bool)
        ok = isinstance(value, scalar)
        if op in ("in", "not_in"):  # a list, or the values comma-separated in one string
            ok = ok or (isinstance(value, list) and all(isinstance(v, scalar) for v in value))
        if not ok:
            errors.append(f"{at}: value {value!r} is not valid for operator {op!r}")
    return errors


# --------------------------------------------------------------------------- operations


@dataclass
class Operation:
    """One (method, templated path) of the spec, with lazily compiled validators."""

    method: str  # upper case
    template: str  # relative to BASE_PATH, e.g. "/customers/{id}"
    raw: dict[str, Any] = field(repr=False)
    spec: "Spec" = field(repr=False)

    @property
    def operation_id(self) -> str:
        return self.raw.get("operationId", "")

    @property
    def deprecated(self) -> bool:
        return bool(self.raw.get("deprecated"))

    @cached_property
    def scopes(self) -> tuple[str, ...]:
        """Scopes any one of which grants access (empty: any valid token). Entries the spec
        itself marks DEPRECATED (the legacy `ledger` scope) are left out."""
        out: list[str] = []
        for requirement in self.raw.get("security") or []:
            for names in requirement.values():
                out += [n for n in names if "DEPRECATED" not in n]
        return tuple(out)

    @cached_property
    def _params(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {(p["in"], p["name"]): p for p in self.raw.get("parameters", [])
                if p["name"] not in _IGNORED_PARAMS}

    @cached_property
    def query_params(self) -> dict[str, dict[str, Any]]:
        return {name: p for (where, name), p in self._params.items() if where == "query"}

    @cached_property
    def filter_fields(self) -> dict[str, frozenset[str]] | None:
        param = self.query_params.get("filter")
        return _parse_filter_doc(param.get("description", "")) if param else None

    @cached_property
    def sort_fields(self) -> frozenset[str] | None:
        param = self.query_params.get("sort")
        return _parse_sort_doc(param.get("description", "")) if param else None

    def _param_validator(self, where: str, name: str) -> jsonschema.protocols.Validator:
        param = self._params[(where, name)]
        return self.spec.compile(to_json_schema(param.get("schema", {})))

    @cached_property
    def body_content(self) -> dict[str, Any]:
        return (self.raw.get("requestBody") or {}).get("content", {})

    def _pointer(self, *parts: str) -> str:
        tokens = ["paths", BASE_PATH + self.template, self.method.lower(), *parts]
        escaped = (quote(t.replace("~", "~0").replace("/", "~1"), safe="~") for t in tokens)
        return f"{_SPEC_URI}#/" + "/".join(escaped)

    @cached_property
    def _json_validator(self) -> jsonschema.protocols.Validator:
        return self.spec.compile({"$ref": self._pointer("requestBody", "content",
                                                        "application/json", "schema")})

    @cached_property
    def _multipart_validator(self) -> jsonschema.protocols.Validator:
        return self.spec.compile({"$ref": self._pointer("requestBody", "content",
                                                        "multipart/form-data", "schema")})

    @cached_property
    def _allowed_file_types(self) -> frozenset[str]:
        schema = self.body_content.get("multipart/form-data", {}).get("schema", {})
        text = schema.get("properties", {}).get("file", {}).get("description", "")
        return frozenset(re.findall(r"^\s*-\s*([a-z]+/[\w.+-]+)\s*$", text, re.M))

    def response_schema(self, status: int | str) -> dict[str, Any] | None:
        reply = self.raw.get("responses", {}).get(str(status))
        if reply is None:
            return None
        return (reply.get("content") or {}).get("application/json", {}).get("schema")

    def _response_validator(self, status: str) -> jsonschema.protocols.Validator:
        with self.spec.lock:
            cache = self.__dict__.setdefault("_response_validators", {})
            if status not in cache:
                cache[status] = self.spec.compile({"$ref": self._pointer(
                    "responses", status, "content", "application/json", "schema")})
            return cache[status]

    # ------------------------------------------------------------------ validation

    def validate(self, path_params: Mapping[str, str], query: Mapping[str, Any] | None,
                 json_body: Any, multipart: Mapping[str, Any] | None) -> list[str]:
        errors: list[str] = []
        for name, value in path_params.items():
            if ("path", name) in self._params:
                coerced = _coerce(value, self._params[("path", name)].get("schema", {}))
                errors += _errors(self._param_validator("path", name), coerced,
                                  f"path parameter '{name}'")
        errors += self._validate_query(query or {})
        errors += self._validate_body(json_body, multipart)
        return errors

    def _validate_query(self, query: Mapping[str, Any]) -> list[str]:
        errors: list[str] = []
        known = self.query_params
        for name, param in known.items():
            if param.get("required") and name not in query:
                errors.append(f"query parameter '{name}' is required")
        for name, raw in query.items():
            base = name.split("[", 1)[0]
            if base != name and base in known:
                errors.append(f"query parameter '{base}': should be a string, but we "
                              f"received a hash (send it as one JSON-encoded string)")
                continue
            if name in _IGNORED_PARAMS:
                continue
            if name not in known:
                errors.append(f"query parameter '{name}' is not defined for "
                              f"{self.method} {self.template} "
                              f"(known: {', '.join(sorted(known)) or 'none'})")
                continue
            value = raw
            if isinstance(raw, (list, tuple)):
                if len(raw) != 1:
                    errors.append(f"query parameter '{name}' given {len(raw)} times")
                    continue
                value = raw[0]
            if name == "filter":
                errors += check_filter(value, self.filter_fields)
                continue
            schema = known[name].get("schema", {})
            errors += _errors(self._param_validator("query", name), _coerce(value, schema),
                              f"query parameter '{name}'")
            if name == "sort" and self.sort_fields and isinstance(value, str) \
                    and value.lstrip("-") not in self.sort_fields:
                errors.append(f"query parameter 'sort': cannot sort on {value.lstrip('-')!r} "
                              f"(available: {', '.join(sorted(self.sort_fields))})")
        return errors

    def _validate_body(self, json_body: Any, multipart: Mapping[str, Any] | None) -> list[str]:
        content = self.body_content
        required = bool((self.raw.get("requestBody") or {}).get("required"))
        if json_body is None and multipart is None:
            return ["request body is required"] if required else []
        if not content:
            return [f"{self.method} {self.template} takes no request body"]
        if json_body is not None:
            if "application/json" not in content:
                return [f"{self.method} {self.template} expects {', '.join(content)}, not JSON"]
            return _errors(self._json_validator, json_body, "")
        if "multipart/form-data" not in content:
            return [f"{self.method} {self.template} expects {', '.join(content)}, not multipart"]
        return self._validate_multipart(multipart or {})

    def _validate_multipart(self, fields: Mapping[str, Any]) -> list[str]:
        """`fields`: name -> str, bytes, or (filename, bytes, content_type) for files."""
        instance: dict[str, Any] = {}
        errors: list[str] = []
        schema = self.body_content["multipart/form-data"].get("schema", {})
        binary = {name for name, sub in schema.get("properties", {}).items()
                  if sub.get("format") == "binary"}
        for name, value in fields.items():
            if name in binary:
                if isinstance(value, tuple):
                    filename, content, ctype = (tuple(value) + (None, None))[:3]
                else:
                    filename, content, ctype = None, value, None
                if not isinstance(content, (bytes, bytearray)):
                    errors.append(f"multipart field '{name}': expected a file upload")
                    continue
                if ctype and self._allowed_file_types and ctype.split(";")[0].strip() \
                        not in self._allowed_file_types:
                    errors.append(f"multipart field '{name}': content type {ctype!r} is not "
                                  f"allowed ({', '.join(sorted(self._allowed_file_types))})")
                instance[name] = filename or "upload"
            else:
                instance[name] = value.decode() if isinstance(value, bytes) else value
        return errors + _errors(self._multipart_validator, instance, "multipart body")


def _coerce(value: Any, schema: Mapping[str, Any]) -> Any:
    """A query/path string turned into the type its schema declares, when it parses."""
    if not isinstance(value, str):
        return value
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return Decimal(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


# --------------------------------------------------------------------------- the spec


class Spec:
    """The loaded document, its operations indexed by method and path shape."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.lock = threading.RLock()
        self._compiled: dict[str, jsonschema.protocols.Validator] = {}
        self._registry: Registry | None = None
        self._format_checker = _format_checker()
        self.operations: list[Operation] = []
        for full_path, item in document.get("paths", {}).items():
            template = full_path[len(BASE_PATH):] if full_path.startswith(BASE_PATH) else full_path
            for method in _METHODS:
                if method in item:
                    self.operations.append(Operation(method.upper(), template, item[method], self))
        self._by_id = {op.operation_id: op for op in self.operations}
        self._patterns = [
            (op, re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)",
                                         re.escape(op.template)) + "$"))
            for op in sorted(self.operations, key=lambda o: o.template.count("{"))
        ]

    @property
    def registry(self) -> Registry:
        with self.lock:
            if self._registry is None:
                converted = to_json_schema_document(self.document)
                self._registry = Registry().with_resource(
                    _SPEC_URI, DRAFT4.create_resource(converted))
            return self._registry

    def compile(self, schema: dict[str, Any]) -> jsonschema.protocols.Validator:
        key = json.dumps(schema, sort_keys=True)
        with self.lock:
            if key not in self._compiled:
                self._compiled[key] = jsonschema.Draft4Validator(
                    schema, registry=self.registry, format_checker=self._format_checker)
            return self._compiled[key]

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        path = _relative(path)
        method = method.upper()
        for op, pattern in self._patterns:
            if op.method == method:
                match = pattern.match(path)
                if match:
                    return op, match.groupdict()
        return None

    def by_id(self, operation_id: str) -> Operation:
        try:
            return self._by_id[operation_id]
        except KeyError:
            raise SpecError(f"no operation {operation_id!r} in the Pennylane spec") from None

    def path_exists(self, path: str) -> list[str]:
        """Methods the spec defines for this path (to tell 404 from 405)."""
        return sorted({op.method for op, pattern in self._patterns if pattern.match(_relative(path))})

    def validate_request(self, method: str, path: str, *, query: Mapping[str, Any] | None = None,
                         json_body: Any = None, multipart: Mapping[str, Any] | None = None
                         ) -> list[str]:
        found = self.find(method, path)
        if found is None:
            methods = self.path_exists(path)
            if methods:
                return [f"{method.upper()} {_relative(path)} is not an operation of the "
                        f"Pennylane API v2 (this path allows {', '.join(methods)})"]
            return [f"{_relative(path)} is not a path of the Pennylane API v2"]
        op, params = found
        return op.validate(params, query, json_body, multipart)

    def validate_response(self, method: str, path: str, status: int, body: Any) -> list[str]:
        found = self.find(method, path)
        if found is None:
            raise SpecError(f"no operation {method} {path} in the Pennylane spec")
        op = found[0]
        if op.response_schema(status) is None:
            return [f"status {status} is not documented for {op.operation_id}"]
        return _errors(op._response_validator(str(status)), body, "response")


def to_json_schema_document(document: dict[str, Any]) -> dict[str, Any]:
    """The whole OpenAPI document with every schema converted (for $ref targets)."""
    out = dict(document)
    out["paths"] = {p: {m: _convert_operation(op) if m in _METHODS else op
                        for m, op in item.items()}
                    for p, item in document.get("paths", {}).items()}
    components = dict(document.get("components", {}))
    components["schemas"] = {k: to_json_schema(v) for k, v in components.get("schemas", {}).items()}
    components["responses"] = {k: _convert_content_holder(v)
                               for k, v in components.get("responses", {}).items()}
    out["components"] = components
    return out


def _convert_content_holder(holder: dict[str, Any]) -> dict[str, Any]:
    if "content" not in holder:
        return holder
    return {**holder, "content": {ct: {**media, "schema": to_json_schema(media.get("schema", {}))}
                                  for ct, media in holder["content"].items()}}


def _convert_operation(op: dict[str, Any]) -> dict[str, Any]:
    out = dict(op)
    if "requestBody" in op:
        out["requestBody"] = _convert_content_holder(op["requestBody"])
    out["responses"] = {code: _convert_content_holder(r) for code, r in op.get("responses", {}).items()}
    return out


def _relative(path: str) -> str:
    path = path.split("?", 1)[0]
    if path.startswith(BASE_PATH):
        path = path[len(BASE_PATH):]
    return path if path.startswith("/") else "/" + path


_spec: Spec | None = None
_load_lock = threading.Lock()


def load_spec() -> Spec:
    """The process-wide Spec, loaded on first use."""
    global _spec
    with _load_lock:
        if _spec is None:
            _spec = Spec(json.loads(SPEC_FILE.read_text(encoding="utf-8")))
        return _spec


# --------------------------------------------------------------------------- public API


def validate_request(method: str, path: str, *, query: Mapping[str, Any] | None = None,
                     json_body: Any = None, multipart: Mapping[str, Any] | None = None
                     ) -> list[str]:
    """Human-readable problems with a request (empty list: valid).

    `query` values may be strings as sent on the wire or Python values; `multipart` maps
    field names to str/bytes or, for files, (filename, bytes, content_type)."""
    return load_spec().validate_request(method, path, query=query, json_body=json_body,
                                        multipart=multipart)


def validate_response(method: str, path: str, status: int, body: Any) -> list[str]:
    """Problems with a response body against the spec (used to keep the emulator honest)."""
    return load_spec().validate_response(method, path, status, body)


def find_operation(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The operation and its path parameters, or None."""
    return load_spec().find(method, path)


def operation_for(method: str, path: str) -> str | None:
    """The spec's operationId for a request, e.g. "importCustomerInvoices"."""
    found = load_spec().find(method, path)
    return found[0].operation_id if found else None


def required_scopes(method: str, path: str) -> tuple[str, ...]:
    """Scopes any one of which the spec accepts for this request (empty: none needed)."""
    found = load_spec().find(method, path)
    if found is None:
        raise SpecError(f"no operation {method} {path} in the Pennylane spec")
    return found[0].scopes


def response_schema(method: str, path: str, status: int = 200) -> dict[str, Any] | None:
    """The raw (OpenAPI) JSON schema of a documented response, or None."""
    found = load_spec().find(method, path)
    return found[0].response_schema(status) if found else None


def request_schema(method: str, path: str, content_type: str = "application/json"
                   ) -> dict[str, Any]:
    """The raw (OpenAPI) schema of a request body."""
    found = load_spec().find(method, path)
    if found is None:
        raise SpecError(f"no operation {method} {path} in the Pennylane spec")
    try:
        return found[0].body_content[content_type]["schema"]
    except KeyError:
        raise SpecError(f"{method} {path} has no {content_type} body") from None


def body_fields(method: str, path: str, *sub: str) -> frozenset[str]:
    """Property names the body schema (or a nested object/array item) allows."""
    schema = request_schema(method, path)
    for name in sub:
        schema = schema["properties"][name]
        if schema.get("type") == "array":
            schema = schema["items"]
    return frozenset(schema.get("properties", {}))


def vat_rate_codes() -> frozenset[str]:
    """Every `vat_rate` code the spec accepts on imported invoice lines."""
    schema = request_schema("POST", "/customer_invoices/import")
    return frozenset(schema["properties"]["invoice_lines"]["items"]["properties"]["vat_rate"]["enum"])


def currencies() -> frozenset[str]:
    """ISO 4217 codes the invoice import accepts."""
    return frozenset(request_schema("POST", "/customer_invoices/import")["properties"]["currency"]["enum"])
