#!/usr/bin/env python3
"""Contract stub of the portal's two pagoPA payment providers, for the Rust integration tests.

One HTTP server (stdlib ThreadingHTTPServer, HTTP/1.1 keep-alive) that plays, in memory:

  /epayapi/api/v1/...                PiemontePay epayapi   specs/piemontepay-epayapi-v1.1.yaml
  /gpd/debt-positions-service/v1/... pagoPA GPD            specs/pagopa-gpd-debt-positions-v1.json
  /checkout/ec/v1/carts              pagoPA Checkout carts specs/checkout-ec-carts-v1.yaml
  /_stub/...                         control API and the fake payment pages (not validated)

(each base is the path of the spec's own `servers` URL). Started as

  tests/.venv/bin/python tests/contract/payments_stub.py --listen 127.0.0.1:0 \
      --pp-user U --pp-pass P --gpd-key K [--pp-org ASLTEST] [--pp-type COPIA_CARTELLA] \
      [--gpd-cf 12345678901] [--pp-return-url URL] [--check-responses] [--verbose]
      [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]   (HTTPS on a second port, 2nd line)

it prints one line, `http://127.0.0.1:PORT`, when it is ready; nothing else goes to stdout.

What every provider request is checked for (a failed check is a *violation*: recorded in
`GET /_stub/violations` and answered 400 with the provider's error body, so the test fails):
- against the provider's OpenAPI file, read at start by openapi-core (`OpenAPI.from_file_path`,
  `iter_request_errors` through the small request adapter below): path and method, path/query/
  header parameters, the request body's media type and schema (types, required properties,
  enums, patterns, lengths, formats; properties that the schema does not declare are flagged
  too, since the real services drop them silently), and the declared security schemes. GPD's
  file is used as received although it breaks OpenAPI itself (`"default": "true"` on booleans:
  loaded without openapi-spec-validator's check) and has Java-only regular expressions (`\h`,
  translated for Python's `re` before openapi-core gets the document);
- credentials: HTTP Basic on every PiemontePay call (the spec declares it only on some) and
  `Ocp-Apim-Subscription-Key` on GPD; a missing one is a violation answered 401, a wrong one
  is just answered 401 (the portal may be misconfigured on purpose in a test);
- what docs/SPECS.md §3 adds: PiemontePay `importo` is euro (at most 2 decimals) and equals the
  sum of `componentiPagamento` when given; GPD amounts are integer cents, each payment option's
  `amount` is the sum of its single transfer (`idTransfer` "1", with `iban` and `category`),
  `iuv` is 17 digits, `description` <= 140, `isPartialPayment` false, `toPublish=true`, no
  read-only property sent, dates in UTC (GPD parses them as Java LocalDateTime: an offset other
  than `Z` is refused by the real service); a Checkout cart names notices that GPD knows, with
  GPD's fiscal code and amount (answered 302 all the same, as Checkout shows such errors on its
  page; a notice paid meanwhile is only noted, in the request's "notes").
The PiemontePay file's `Status.code` enum is broken (string type, integer values): only
requests are validated against it, and the stub answers `code` as a string "0".."4".

Behaviour (thread-safe, in memory): PiemontePay makes its own IUV (`R` + 26 upper hex, as the
ASL's "Identificativo ticket") and notice code (`3` + 17 digits), idempotent by
`identificativoPagamento`, business errors as 201 + `codiceEsito "100"`; status codes 0 Pagato,
1 Non Pagato, 2 Annullato dall'Ente, 3 Non ancora attiva, 4 Non piu' attiva. GPD as its Java
service (pagopa-debt-position): published positions are VALID, 409 on a duplicate iupd or iuv,
invalidate only PUBLISHED/VALID, delete anything not yet paid, another organization is 403.
Checkout answers 302 to a page of this stub that pays the cart's notices in GPD.

GPD's dates are answered as its Java service writes them (LocalDateTime: UTC, no offset), not
as the RFC 3339 `date-time` its spec declares.

Control API (JSON). Faults are taken only by requests that pass the checks above (a 400 or
401 of the stub consumes none); /_stub/count counts every request routed to an operation:
  POST /_stub/reset                          forget positions, carts, requests, faults
  POST /_stub/faults  [{"op", "kind", "times", "delay_ms"}]   queued, consumed in order
        op: an operationId of the specs, "*" or "carts"; times: default 1, -1 = always
        kind: "401" "403" "404" "409" "422" "500" "502" (that error, not performed),
              "slow" (performed, then delay_ms), "slow-before" (delay_ms, then performed),
              "malformed" (performed, then 200/201 with truncated JSON), "html" (502 nginx
              page, not performed), "reset" (connection closed without an answer, not
              performed), "reset-after" (performed, then closed), "esito" (PiemontePay only:
              answered with codiceEsito/result code "100", not performed)
  GET  /_stub/faults                         what is still queued
  POST /_stub/pay    {"iuv"|"nav"|"iupd"|"codiceAvviso"|"id": ..., "psp"?, "force"?}
  POST /_stub/expire {...}   POST /_stub/cancel {...}   (the ente cancels: PP 2 / GPD INVALID)
  DELETE /_stub/faults   (the queue emptied: the provider is back)
  GET  /_stub/requests   GET /_stub/violations   GET /_stub/positions   GET /_stub/count?op=X
        a request's `ms`: from its body read to its answer written (the handler);
        `ms_total`: from its request line read (headers parsed too) to its answer written
Fake pages: GET /_stub/portal/{iuv} (PiemontePay's paymentUrl, button "Paga"),
GET /_stub/checkout/{cartId} (Checkout's Location, buttons "Paga" and "Annulla").
With --check-responses the stub also validates its own answers against the specs (a
self-check of the stub, recorded as violations starting with "stub response").
"""

import argparse
import base64
import functools
import html
import json
import os
import re
import secrets
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

try:
    import yaml
    from openapi_core import Config, OpenAPI
    from openapi_core.datatypes import RequestParameters
    from openapi_core.templating.paths.exceptions import PathError
    from openapi_core.validation.request.exceptions import SecurityValidationError
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
    from werkzeug.datastructures import Headers, ImmutableMultiDict
except ImportError as e:  # pragma: no cover - the message is what matters
    sys.stderr.write(f"payments_stub: {e}: openapi-core missing, run bash tests/install-deps.sh\n")
    sys.exit(3)


def speed_up_openapi_core():
    """openapi-core 0.23.1 builds a new jsonschema validator class (attrs, compile()) and deep-
    copies its format checker for every schema of every request: ~5 ms a request on this
    machine. Both depend only on their arguments, so they are memoised here (validation is
    unchanged; a later openapi-core without these internals is just slower)."""
    try:
        from openapi_core.validation.schemas import factories
    except ImportError:
        return
    build = getattr(factories, "build_forbid_unspecified_additional_properties_validator", None)
    if build is not None:
        factories.build_forbid_unspecified_additional_properties_validator = functools.lru_cache(maxsize=None)(build)
    original = getattr(factories.SchemaValidatorsFactory, "get_format_checker", None)
    if original is None:
        return
    cache = {}

    def get_format_checker(self, format_validators=None, extra_format_validators=None):
        key = (id(self), id(format_validators), id(extra_format_validators))
        hit = cache.get(key)
        if hit is None:  # the arguments are kept alive with it, so their ids stay theirs
            checker = original(self, format_validators, extra_format_validators)
            hit = cache[key] = (checker, self, format_validators, extra_format_validators)
        return hit[0]

    factories.SchemaValidatorsFactory.get_format_checker = get_format_checker


speed_up_openapi_core()

HERE = os.path.dirname(os.path.abspath(__file__))
SPECS = os.path.join(HERE, "specs")

try:
    from zoneinfo import ZoneInfo

    ROME = ZoneInfo("Europe/Rome")
except Exception:  # no tz database: UTC is good enough for a stub
    ROME = timezone.utc


# --------------------------------------------------------------------------------------------
# Specs and validation


def _uri(value):
    """`format: uri` (jsonschema checks it only with the optional rfc3987 package)."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.scheme in ("mailto", "urn"))


FORMATS = {"uri": _uri}


class ReqAdapter:
    """An openapi-core request (the `Request` protocol) made from what http.server read.

    `host_url` is the scheme and host of the spec's server URL, so openapi-core matches the
    path, server base included, as the real service would see it."""

    def __init__(self, host_url, method, path, query, headers, body, content_type):
        self.host_url = host_url
        self.path = path
        self.method = method.lower()
        self.body = body or None
        self.content_type = content_type
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(query, keep_blank_values=True)),
            header=Headers(headers),
            cookie=ImmutableMultiDict(),
        )


class RespAdapter:
    """An openapi-core response, for --check-responses."""

    def __init__(self, status, headers, data):
        self.status_code = status
        self.headers = Headers(headers)
        self.content_type = self.headers.get("Content-Type", "")
        self.data = data


class Spec:
    """One provider's OpenAPI file: openapi-core for validation, the raw document for routing."""

    def __init__(self, filename, auth_header, placeholder):
        self.filename = filename
        path = os.path.join(SPECS, filename)
        with open(path, encoding="utf-8") as f:
            raw = json.load(f) if filename.endswith(".json") else yaml.safe_load(f)
        self.raw = raw
        server = urlsplit(raw["servers"][0]["url"])
        self.host_url = f"{server.scheme}://{server.netloc}"
        self.base = server.path.rstrip("/")
        config = dict(extra_format_validators=FORMATS, additional_properties_default_policy="forbid")
        self.spec_warning = None
        self.fixed_patterns = fix_patterns(raw)
        if self.fixed_patterns:
            # Java regular expressions (GPD's path parameters: `[\w*\h-]+`) that Python's `re`
            # cannot compile: the document is given to openapi-core with them translated.
            def load(cfg):
                return OpenAPI.from_dict(json.loads(json.dumps(raw)), config=cfg)
        else:
            def load(cfg):
                return OpenAPI.from_file_path(path, config=cfg)
        try:
            self.app = load(Config(**config))
        except OpenAPIValidationError as e:
            # The provider's own file breaks the OpenAPI schema (GPD: `"default": "true"` on
            # booleans). Kept verbatim; loaded without the spec check.
            self.spec_warning = str(e).splitlines()[0]
            self.app = load(Config(spec_validator_cls=None, **config))
        self.lock = threading.Lock()
        self.auth_header = auth_header
        self.placeholder = placeholder
        self.routes = []
        self.success = {}
        for template, item in raw["paths"].items():
            regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
            for method, operation in item.items():
                if method in ("get", "put", "post", "delete", "patch") and "operationId" in operation:
                    op = operation["operationId"]
                    self.routes.append((template.count("{"), re.compile(regex), method.upper(), op))
                    codes = sorted(c for c in operation.get("responses", {}) if c[:1] in "23")
                    self.success[op] = int(codes[0]) if codes else 200
        self.routes.sort(key=lambda r: r[0])  # literal segments win over templates
        self.operations = {r[3] for r in self.routes}

    def route(self, method, rel):
        """(operationId, path params) of a path below the base, or (None, {})."""
        for _, regex, m, op in self.routes:
            match = regex.match(rel)
            if match and m == method:
                return op, {k: unquote(v) for k, v in match.groupdict().items()}
        return None, {}

    def violations(self, method, path, query, headers, body, content_type):
        """openapi-core's findings on a request, as readable lines."""
        req = ReqAdapter(self.host_url, method, path, query, headers, body, content_type)
        with self.lock:
            try:
                errors = list(self.app.iter_request_errors(req))
            except Exception as e:  # openapi-core itself failed: never let that pass as valid
                return [f"openapi-core could not validate this request ({self.filename}): {e!r}"]
            if any(isinstance(e, SecurityValidationError) for e in errors):
                # openapi-core stops at a security error: look at the rest with a credential.
                patched = dict(headers)
                patched[self.auth_header] = self.placeholder
                req = ReqAdapter(self.host_url, method, path, query, patched, body, content_type)
                errors += [
                    e
                    for e in self.app.iter_request_errors(req)
                    if not isinstance(e, SecurityValidationError)
                ]
        return [line for e in errors for line in describe(e)]

    def response_problems(self, method, path, query, headers, body, content_type, resp):
        req = ReqAdapter(self.host_url, method, path, query, headers, body, content_type)
        with self.lock:
            errors = list(self.app.iter_response_errors(req, resp))
        return [line for e in errors for line in describe(e)]


def fix_patterns(node):
    """Translates, in place, the Java-only `\\h` (horizontal space) of `pattern`s to what
    Python's `re` reads; returns the patterns changed."""
    changed = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "pattern" and isinstance(v, str):
                try:
                    re.compile(v)
                except re.error:
                    fixed = re.sub(r"\\h", r" \\t\\xa0", v)
                    re.compile(fixed)
                    node[k] = fixed
                    changed.append(f"{v} -> {fixed}")
            else:
                changed += fix_patterns(v)
    elif isinstance(node, list):
        for v in node:
            changed += fix_patterns(v)
    return changed


def describe(e):
    """openapi-core's exception as one line per schema error (the JSON path where it is)."""
    if isinstance(e, PathError):
        return [f"openapi-core: {e}"]
    cause = e.__cause__
    schema_errors = getattr(cause, "schema_errors", None)
    if schema_errors:
        kind = type(e).__name__
        where = "parameter" if "Parameter" in kind else "header" if "Header" in kind else "body"
        name = getattr(e, "name", None)
        out = []
        for se in schema_errors:
            at = "/".join(str(p) for p in se.absolute_path)
            label = f"{where} {name}" if name else where
            out.append(f"openapi-core: {label} /{at}: {se.message}")
        return out
    if cause is not None and str(cause):
        return [f"openapi-core: {e}: {cause}"]
    return [f"openapi-core: {e}"]


# --------------------------------------------------------------------------------------------
# Small helpers


def now_utc():
    return datetime.now(timezone.utc)


def rome_iso(dt):
    return dt.astimezone(ROME).isoformat(timespec="seconds")


def gpd_iso(dt):
    """GPD answers Java LocalDateTime as Jackson writes it: UTC without an offset, the fraction
    only as long as needed (2026-01-31T10:00:00, 2026-01-31T10:00:00.06312). Not the RFC 3339
    `date-time` its spec declares: the portal's client must read both."""
    text = dt.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
    return text.rstrip("0").rstrip(".")


def parse_dt(text):
    """An ISO date-time (offset or not, `Z` accepted) as aware UTC, or None."""
    if not isinstance(text, str):
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def to_json(obj):
    def default(o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() and "." not in str(o) else float(o)
        raise TypeError(type(o))

    return json.dumps(obj, default=default, ensure_ascii=False).encode("utf-8")


def digits(n):
    return "".join(secrets.choice("0123456789") for _ in range(n))


def upper_hex(n):
    return "".join(secrets.choice("0123456789ABCDEF") for _ in range(n))


def euro(d):
    return f"{Decimal(d).quantize(Decimal('0.01'))}"


def tiny_pdf(lines):
    """A small valid one-page PDF (Helvetica, ASCII) with the given lines of text."""

    def esc(s):
        s = s.encode("ascii", "replace").decode("ascii")
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "BT /F1 12 Tf 16 TL 56 780 Td " + " ".join(f"({esc(line)}) Tj T*" for line in lines) + " ET"
    stream = text.encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


LOCAL_DATE_TIME = re.compile(r"'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?' is not a 'date-time'")

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

FAULT_KINDS = {
    "401", "403", "404", "409", "422", "500", "502",
    "slow", "slow-before", "malformed", "html", "reset", "reset-after", "esito",
}


class Answer:
    """What a provider operation answers: status, JSON (or raw bytes) and extra headers."""

    def __init__(self, status, body=None, headers=None, raw=None, ctype="application/json"):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.raw = raw
        self.ctype = ctype

    def payload(self):
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return to_json(self.body)


# --------------------------------------------------------------------------------------------
# The stub's state and the providers' behaviour


class Stub:
    def __init__(self, args):
        self.args = args
        self.base_url = ""
        self.lock = threading.RLock()
        self.specs = {
            "piemontepay": Spec("piemontepay-epayapi-v1.1.yaml", "Authorization", "Basic c3R1YjpzdHVi"),
            "gpd": Spec("pagopa-gpd-debt-positions-v1.json", "Ocp-Apim-Subscription-Key", "stub"),
            "checkout": Spec("checkout-ec-carts-v1.yaml", "X-Unused", "stub"),
        }
        for name, spec in self.specs.items():
            if spec.spec_warning:
                log(f"{spec.filename}: the file itself breaks OpenAPI ({spec.spec_warning}); "
                    "loaded without the spec check")
            for fixed in sorted(set(spec.fixed_patterns)):
                log(f"{spec.filename}: Java pattern translated for Python: {fixed}")
        self.reset()

    def reset(self):
        with self.lock:
            self.requests = []
            self.faults = []
            self.counts = {}
            self.pp = {}  # iuv -> position
            self.pp_by_id = {}  # identificativoPagamento -> iuv
            self.gpd = {}  # iupd -> position
            self.gpd_iuv = {}  # iuv -> iupd
            self.carts = {}  # cartId -> cart
            self.notices = set()

    # ---- faults

    def add_faults(self, items):
        known = {op for s in self.specs.values() for op in s.operations} | {"*", "carts"}
        pp_ops = self.specs["piemontepay"].operations
        parsed = []
        for f in items:
            if not isinstance(f, dict):
                raise ValueError("a fault is an object {op, kind, times, delay_ms}")
            op, kind = f.get("op"), str(f.get("kind"))
            if op not in known:
                raise ValueError(f"unknown op {op!r}: an operationId of the specs, '*' or 'carts'")
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown kind {kind!r}: one of {sorted(FAULT_KINDS)}")
            if kind == "esito" and op not in pp_ops and op != "*":
                raise ValueError("kind 'esito' is for PiemontePay operations only")
            times = int(f.get("times", 1))
            if times == 0 or times < -1:
                raise ValueError("times is >= 1, or -1 for always")
            delay = int(f.get("delay_ms", 3000 if kind in ("slow", "slow-before") else 0))
            parsed.append({"op": op, "kind": kind, "times": times, "delay_ms": delay})
        with self.lock:
            self.faults.extend(parsed)
        return len(parsed)

    def take_fault(self, provider, op):
        with self.lock:
            for i, f in enumerate(self.faults):
                if f["op"] not in (op, "*") and not (f["op"] == "carts" and op == "PostCarts"):
                    continue
                if f["kind"] == "esito" and provider != "piemontepay":
                    continue
                taken = dict(f)
                if f["times"] > 0:
                    f["times"] -= 1
                    if f["times"] == 0:
                        del self.faults[i]
                return taken
        return None

    # ---- errors in each provider's shape

    def error(self, provider, status, detail):
        if provider == "piemontepay":
            return Answer(status, {"code": str(status), "description": detail})
        if provider == "gpd" and status == 403:
            # what GPD's API gateway answers (the spec's example)
            return Answer(403, {"statusCode": 403, "message": "You are not allowed to access this resource."})
        body = {"title": TITLES.get(status, "Error"), "status": status, "detail": detail}
        if provider == "checkout":
            body["type"] = "https://checkout.pagopa.it/problems/stub"
        return Answer(status, body)

    def esito(self, op, ids):
        """PiemontePay's business failure (fault kind "esito"), in the shape of `op`."""
        text = "Errore simulato (stub): operazione non eseguita"
        status = self.specs["piemontepay"].success.get(op, 200)
        if op == "createDebtPosition":
            return Answer(status, {"codiceEsito": "100", "descrizioneEsito": text,
                                   "identificativoPagamento": ids.get("identificativoPagamento")})
        if op in ("iuvpayment", "getPaymentUrl"):
            return Answer(status, {"codiceEsito": "100", "descrizioneEsito": text})
        if op in ("getDebtPositionStatus", "getDebtPositionData", "getPaymentNotice"):
            return Answer(status, {"result": {"code": "100", "description": text}})
        return Answer(status, {"code": "100", "description": text})

    # ---- PiemontePay

    def pp_status(self, p):
        """(code, description) of a PiemontePay position now."""
        if p["state"] == "paid":
            return "0", "Pagato"
        if p["state"] == "cancelled":
            return "2", "Annullato dall'Ente"
        if p["state"] == "expired":
            return "4", "Non piu' attiva"
        now = now_utc()
        start, end = parse_dt(p["data"].get("dataInizioValidita")), parse_dt(p["data"].get("dataFineValidita"))
        if start and now < start:
            return "3", "Non ancora attiva"
        if end and now > end:
            return "4", "Non piu' attiva"
        return "1", "Non Pagato"

    def pp_checks(self, op, body):
        """SPECS.md §3 on a PiemontePay body: euro decimals, components adding up."""
        out = []
        if op != "createDebtPosition" or not isinstance(body, dict):
            return out
        importo = body.get("importo")
        if isinstance(importo, Decimal):
            if importo.as_tuple().exponent < -2:
                out.append(f"importo {importo} has more than 2 decimals: PiemontePay amounts are euro "
                           "with cents (22.00), never cents nor fractions of a cent")
            comps = body.get("componentiPagamento")
            if isinstance(comps, list) and comps:
                amounts = [c.get("importo") for c in comps if isinstance(c, dict)]
                if all(isinstance(a, (Decimal, int)) for a in amounts):
                    for a in amounts:
                        if isinstance(a, Decimal) and a.as_tuple().exponent < -2:
                            out.append(f"componentiPagamento importo {a} has more than 2 decimals")
                    total = sum(Decimal(a) for a in amounts)
                    if total != importo:
                        out.append(f"componentiPagamento add up to {total}, importo is {importo}")
        return out

    def pp_op(self, op, params, body):
        a = self.args
        org, pt, iuv = params.get("organization"), params.get("paymentType"), params.get("iuv")
        if org != a.pp_org or (pt is not None and pt != a.pp_type):
            return self.error("piemontepay", 404, f"Ente {org} o tipo pagamento {pt} non configurato")
        if op == "createDebtPosition":
            return self.pp_create(body or {})
        if op not in ("iuvpayment", "getDebtPositionStatus", "getDebtPositionData",
                      "getPaymentNotice", "deleteDebtPositions"):
            return None
        with self.lock:
            p = self.pp.get(iuv)
            if p is None or p["paymentType"] != (pt or p["paymentType"]):
                return self.error("piemontepay", 404, f"Posizione debitoria {iuv} non trovata")
            code, desc = self.pp_status(p)
            ok = {"code": "000", "description": "OK"}
            if op == "iuvpayment":
                if code != "1":
                    return Answer(200, {"codiceEsito": "100", "iuv": iuv,
                                        "descrizioneEsito": f"Posizione debitoria non pagabile: {desc}"})
                return Answer(200, {"codiceEsito": "000", "descrizioneEsito": "OK", "iuv": iuv,
                                    "paymentUrl": f"{self.base_url}/_stub/portal/{iuv}"})
            if op == "getDebtPositionStatus":
                return Answer(200, {"code": code, "description": desc, "result": ok})
            if op == "getDebtPositionData":
                if p["state"] != "paid":
                    return self.error("piemontepay", 404, f"Nessun pagamento per la posizione {iuv}")
                d, paid = p["data"], p["paid"]
                who = " ".join(x for x in (d.get("nome"), d.get("cognome")) if x) or d.get("ragioneSociale", "")
                return Answer(200, {
                    "importoPagatoTotale": float(p["importo"]),
                    "importoPagato": float(p["importo"]),
                    "enteBeneficiario": "ASL Stub",
                    "codiceFiscaleEnteBeneficiario": a.gpd_cf,
                    "tipologiaVersamento": p["paymentType"],
                    "nomeECognomeRagioneSociale": who,
                    "codiceFiscalePIva": d.get("codiceFiscalePartitaIVAPagatore", ""),
                    "codiceAvviso": p["codiceAvviso"],
                    "identificativoUnicoVersamento": iuv,
                    "numeroTransazione": paid["numeroTransazione"],
                    "prestatoreDiServiziDiPagamento": paid["psp"],
                    "dataEOraOperazione": paid["date"],
                    "dataEsitoPagamento": paid["date"],
                    "identificativoUnicoRiscossione": paid["iur"],
                    "result": ok,
                })
            if op == "getPaymentNotice":
                pdf = tiny_pdf([
                    "Avviso di pagamento pagoPA (stub PiemontePay)",
                    f"Codice avviso: {p['codiceAvviso']}",
                    f"IUV: {iuv}",
                    f"Importo: {euro(p['importo'])} EUR",
                    f"Causale: {p['data'].get('causale', '')}",
                ])
                return Answer(200, {"paymentnotice": base64.b64encode(pdf).decode(), "result": ok})
            if op == "deleteDebtPositions":
                if p["state"] == "paid":
                    return self.error("piemontepay", 400,
                                      f"Posizione debitoria {iuv} gia' pagata: non annullabile")
                p["state"] = "cancelled"
                p["updated"] = rome_iso(now_utc())
                return Answer(200, ok)
        return None

    def pp_create(self, body):
        idp = body.get("identificativoPagamento")
        importo = body.get("importo")
        problem = None
        if not body.get("codiceFiscalePartitaIVAPagatore"):
            problem = "codiceFiscalePartitaIVAPagatore obbligatorio"
        elif not isinstance(importo, (Decimal, int)) or isinstance(importo, bool) or importo <= 0:
            problem = "importo obbligatorio e maggiore di zero"
        elif not idp:
            problem = "identificativoPagamento obbligatorio"
        if problem:
            return Answer(201, {"codiceEsito": "100", "descrizioneEsito": problem,
                                "identificativoPagamento": idp})
        with self.lock:
            if idp in self.pp_by_id:
                p = self.pp[self.pp_by_id[idp]]
                note = None
                if Decimal(importo) != p["importo"]:
                    note = (f"identificativoPagamento {idp} again with importo {importo} "
                            f"(was {p['importo']}): the first position is returned")
                return Answer(201, self.pp_reference(p)), note
            iuv = "R" + upper_hex(26)
            while iuv in self.pp:
                iuv = "R" + upper_hex(26)
            sent = json.dumps(body, default=str)
            avviso = "3" + digits(17)
            while avviso in self.notices or avviso[1:] in sent:
                avviso = "3" + digits(17)
            self.notices.add(avviso)
            p = {
                "iuv": iuv, "codiceAvviso": avviso, "identificativoPagamento": idp,
                "organization": self.args.pp_org, "paymentType": self.args.pp_type,
                "importo": Decimal(importo), "data": body, "state": "unpaid", "paid": None,
                "created": rome_iso(now_utc()), "updated": None,
            }
            self.pp[iuv] = p
            self.pp_by_id[idp] = iuv
            return Answer(201, self.pp_reference(p))

    @staticmethod
    def pp_reference(p):
        return {"codiceEsito": "000", "descrizioneEsito": "OK", "iuv": p["iuv"],
                "codiceAvviso": p["codiceAvviso"], "identificativoPagamento": p["identificativoPagamento"]}

    # ---- GPD

    def gpd_checks(self, op, body, query):
        """SPECS.md §3 on a GPD create: cents, one transfer adding up, 17-digit IUV, ..."""
        out = []
        if op not in ("createPosition", "updatePosition"):
            return out
        q = dict(parse_qsl(query, keep_blank_values=True))
        if q.get("toPublish") != "true":
            out.append("toPublish=true expected: the portal publishes each position when it creates it")
        if not isinstance(body, dict):
            return out
        if not body.get("iupd"):
            out.append("iupd must be sent (unique per position, e.g. the ente's CF + a UUID)")
        for ro in ("status", "paymentDate"):
            if ro in body:
                out.append(f"{ro} is read-only in PaymentPositionModel: not to be sent")
        options = body.get("paymentOption")
        if not isinstance(options, list) or not options:
            out.append("paymentOption: at least one payment option expected")
            return out
        for i, po in enumerate(options):
            if not isinstance(po, dict):
                continue
            where = f"paymentOption/{i}"
            for ro in ("fee", "notificationFee"):
                if ro in po:
                    out.append(f"{where}/{ro} is read-only: not to be sent")
            iuv = po.get("iuv")
            if not (isinstance(iuv, str) and re.fullmatch(r"\d{17}", iuv)):
                out.append(f"{where}/iuv {iuv!r}: 17 digits expected")
            desc = po.get("description")
            if isinstance(desc, str) and len(desc) > 140:
                out.append(f"{where}/description is {len(desc)} characters, at most 140")
            if po.get("isPartialPayment") is not False:
                out.append(f"{where}/isPartialPayment: false expected (one payment in full)")
            due = po.get("dueDate")
            if isinstance(due, str) and re.search(r"[+-]\d\d:?\d\d$", due) and not due.endswith(("+00:00", "-00:00")):
                out.append(f"{where}/dueDate {due}: GPD reads dates as LocalDateTime, an offset "
                           "other than Z is refused; send UTC")
            parsed = parse_dt(due)
            if parsed and parsed < now_utc():
                out.append(f"{where}/dueDate {due} is in the past: GPD refuses it (400)")
            transfers = po.get("transfer")
            if not isinstance(transfers, list) or len(transfers) != 1:
                out.append(f"{where}/transfer: exactly one transfer expected")
                continue
            t = transfers[0]
            if not isinstance(t, dict):
                continue
            if t.get("idTransfer") != "1":
                out.append(f"{where}/transfer/0/idTransfer {t.get('idTransfer')!r}: \"1\" expected")
            if not t.get("iban"):
                out.append(f"{where}/transfer/0/iban missing")
            if not t.get("category"):
                out.append(f"{where}/transfer/0/category missing")
            amount, tamount = po.get("amount"), t.get("amount")
            if isinstance(amount, int) and isinstance(tamount, int) and amount != tamount:
                out.append(f"{where}/amount {amount} is not the sum of its transfers ({tamount})")
        return out

    def gpd_view(self, pos, full):
        """PaymentPositionModelBaseResponse (full) or PaymentPositionModel (create/invalidate)."""
        d = pos["data"]
        options = []
        for po in pos["options"]:
            o = {
                "nav": po["nav"], "iuv": po["iuv"], "amount": po["amount"],
                "description": po["description"], "isPartialPayment": po["isPartialPayment"],
                "dueDate": po["dueDate"],
            }
            if po.get("retentionDate"):
                o["retentionDate"] = po["retentionDate"]
            o["fee"] = 0
            o["notificationFee"] = 0
            transfers = []
            for t in po["transfer"]:
                tv = {k: t[k] for k in ("idTransfer", "amount", "remittanceInformation", "category")
                      if k in t}
                for k in ("iban", "postalIban", "companyName"):
                    if t.get(k):
                        tv[k] = t[k]
                tv["organizationFiscalCode"] = t.get("organizationFiscalCode") or pos["organizationFiscalCode"]
                if full:
                    tv.update(insertedDate=pos["insertedDate"], status="T_UNREPORTED",
                              lastUpdatedDate=pos["lastUpdatedDate"])
                transfers.append(tv)
            o["transfer"] = transfers
            if full:
                o.update(organizationFiscalCode=pos["organizationFiscalCode"], status=po["status"],
                         insertedDate=pos["insertedDate"], lastUpdatedDate=po["lastUpdatedDate"])
                for k in ("paymentDate", "paymentMethod", "pspCompany", "idReceipt"):
                    if po.get(k):
                        o[k] = po[k]
            options.append(o)
        if full:
            v = {"iupd": pos["iupd"], "organizationFiscalCode": pos["organizationFiscalCode"],
                 "type": d.get("type"), "companyName": d.get("companyName"),
                 "insertedDate": pos["insertedDate"], "status": pos["status"],
                 "lastUpdatedDate": pos["lastUpdatedDate"], "paymentOption": options}
            if d.get("officeName"):
                v["officeName"] = d["officeName"]
        else:
            v = {k: d[k] for k in ("iupd", "type", "payStandIn", "fiscalCode", "fullName", "streetName",
                                    "civicNumber", "postalCode", "city", "province", "region", "country",
                                    "email", "phone", "switchToExpired", "companyName", "officeName")
                 if k in d}
            v["status"] = pos["status"]
            v["paymentOption"] = options
        for k in ("publishDate", "validityDate", "paymentDate"):
            if pos.get(k) and (full or k != "publishDate"):
                v[k] = pos[k]
        return v

    def gpd_refresh(self, pos):
        """GPD's on-the-fly expiry: switchToExpired and every due date passed."""
        if pos["status"] == "VALID" and pos["data"].get("switchToExpired"):
            dues = [parse_dt(po["dueDateRaw"]) for po in pos["options"]]
            if dues and all(d and d < now_utc() for d in dues):
                pos["status"] = "EXPIRED"

    def gpd_op(self, op, params, body, query):
        cf = params.get("organizationfiscalcode")
        if op == "healthCheck":
            return Answer(200, {"name": "gpd-stub", "version": "1.1.37", "environment": "stub"})
        if cf is not None and cf != self.args.gpd_cf:
            return self.error("gpd", 403, "organization not allowed")
        iupd = params.get("iupd")
        with self.lock:
            if op == "createPosition":
                return self.gpd_create(cf, body or {}, query)
            if op not in ("getOrganizationDebtPositionByIUPD", "invalidatePosition", "deletePosition"):
                return None
            pos = self.gpd.get(iupd)
            if pos is None:
                return self.error("gpd", 404, f"Not found a debt position for Organization Fiscal Code {cf} "
                                  f"and IUPD {iupd}")
            self.gpd_refresh(pos)
            if op == "getOrganizationDebtPositionByIUPD":
                return Answer(200, self.gpd_view(pos, True))
            if op == "invalidatePosition":
                if pos["status"] not in ("PUBLISHED", "VALID"):
                    return self.error("gpd", 409, "A payment transaction has already been carried out or, the debt "
                                      f"position with Organization Fiscal Code {cf} and IUPD {iupd}, is not in "
                                      "invalidable state")
                pos["status"] = "INVALID"
                pos["lastUpdatedDate"] = gpd_iso(now_utc())
                return Answer(200, self.gpd_view(pos, False))
            if op == "deletePosition":
                if pos["status"] in ("PARTIALLY_PAID", "PAID", "REPORTED"):
                    return self.error("gpd", 409, "A payment transaction has already been carried out on the debt "
                                      f"position with Organization Fiscal Code {cf} and IUPD {iupd}")
                del self.gpd[iupd]
                for po in pos["options"]:
                    self.gpd_iuv.pop(po["iuv"], None)
                return Answer(200, "Debt Position Deleted")
        return None

    def gpd_create(self, cf, body, query):
        iupd = body.get("iupd")
        if iupd in self.gpd:
            return self.error("gpd", 409, f"Already exists a debt position for the Organization Fiscal Code {cf} "
                              "or one of its payment options is not unique")
        options = body.get("paymentOption") or []
        iuvs = [po.get("iuv") for po in options]
        if any(i in self.gpd_iuv for i in iuvs) or len(set(iuvs)) != len(iuvs):
            return self.error("gpd", 409, f"Already exists a debt position for the Organization Fiscal Code {cf} "
                              "or one of its payment options is not unique")
        now = gpd_iso(now_utc())
        publish = dict(parse_qsl(query)).get("toPublish") == "true"
        pos = {
            "iupd": iupd, "organizationFiscalCode": cf, "data": body, "insertedDate": now,
            "lastUpdatedDate": now, "status": "DRAFT", "options": [],
        }
        if publish:
            pos["publishDate"] = now
            validity = parse_dt(body.get("validityDate"))
            if validity and validity > now_utc():
                pos["status"] = "PUBLISHED"
                pos["validityDate"] = gpd_iso(validity)
            else:
                pos["status"] = "VALID"
                pos["validityDate"] = now
        for po in options:
            due = parse_dt(po.get("dueDate"))
            pos["options"].append({
                "iuv": po.get("iuv"), "nav": "3" + str(po.get("iuv")), "amount": po.get("amount"),
                "description": po.get("description"), "isPartialPayment": po.get("isPartialPayment"),
                "dueDate": gpd_iso(due) if due else po.get("dueDate"), "dueDateRaw": po.get("dueDate"),
                "retentionDate": po.get("retentionDate"), "transfer": po.get("transfer") or [],
                "status": "PO_UNPAID", "lastUpdatedDate": now,
            })
        self.gpd[iupd] = pos
        for i in iuvs:
            self.gpd_iuv[i] = iupd
        return Answer(201, self.gpd_view(pos, False))

    def gpd_pay_option(self, pos, po, psp):
        now = now_utc()
        po.update(status="PO_PAID", paymentDate=gpd_iso(now), pspCompany=psp, paymentMethod="CP",
                  idReceipt=uuid.uuid4().hex, lastUpdatedDate=gpd_iso(now))
        paid = all(o["status"] == "PO_PAID" for o in pos["options"])
        pos["status"] = "PAID" if paid else "PARTIALLY_PAID"
        pos["paymentDate"] = gpd_iso(now)
        pos["lastUpdatedDate"] = gpd_iso(now)

    # ---- Checkout

    def checkout_checks(self, body):
        """The cart's notices as GPD knows them: violations (portal bugs) and notes (races)."""
        violations, notes = [], []
        if not isinstance(body, dict):
            return violations, notes
        with self.lock:
            for i, n in enumerate(body.get("paymentNotices") or []):
                if not isinstance(n, dict):
                    continue
                nav, where = n.get("noticeNumber"), f"paymentNotices/{i}"
                if n.get("fiscalCode") != self.args.gpd_cf:
                    violations.append(f"{where}/fiscalCode {n.get('fiscalCode')!r} is not the ente's "
                                      f"({self.args.gpd_cf})")
                found = self.gpd_by_nav(nav)
                if not found:
                    violations.append(f"{where}/noticeNumber {nav} is unknown to GPD: create the position first")
                    continue
                pos, po = found
                if isinstance(n.get("amount"), int) and n["amount"] != po["amount"]:
                    violations.append(f"{where}/amount {n['amount']} but GPD has {po['amount']} for {nav}")
                if po["status"] == "PO_PAID" or pos["status"] != "VALID":
                    notes.append(f"{where}: notice {nav} is {po['status']} in a {pos['status']} position: "
                                 "Checkout will show an error on its page")
        return violations, notes

    def gpd_by_nav(self, nav):
        if not isinstance(nav, str) or not nav.startswith("3"):
            return None
        iupd = self.gpd_iuv.get(nav[1:])
        if iupd is None:
            return None
        pos = self.gpd[iupd]
        for po in pos["options"]:
            if po["nav"] == nav:
                return pos, po
        return None

    def checkout_op(self, op, body):
        if op != "PostCarts":
            return None
        cart_id = uuid.uuid4().hex
        with self.lock:
            self.carts[cart_id] = {"id": cart_id, "request": body, "state": "open"}
        return Answer(302, None, {"Location": f"{self.base_url}/_stub/checkout/{cart_id}"})

    # ---- control API: pay, expire, cancel

    def find(self, sel):
        """("piemontepay", position) or ("gpd", (position, [options])) named by a selector."""
        provider = sel.get("provider")
        with self.lock:
            keys = [k for k in ("iuv", "codiceAvviso", "nav", "iupd", "id") if sel.get(k)]
            if not keys:
                return None
            value = str(sel[keys[0]])
            key = keys[0]
            if provider in (None, "piemontepay") and key in ("iuv", "id") and value in self.pp:
                return "piemontepay", self.pp[value]
            if provider in (None, "piemontepay") and key in ("codiceAvviso", "id"):
                for p in self.pp.values():
                    if p["codiceAvviso"] == value:
                        return "piemontepay", p
            if provider in (None, "gpd"):
                if key in ("iuv", "id") and value in self.gpd_iuv:
                    pos = self.gpd[self.gpd_iuv[value]]
                    return "gpd", (pos, [o for o in pos["options"] if o["iuv"] == value])
                if key in ("nav", "id"):
                    found = self.gpd_by_nav(value)
                    if found:
                        return "gpd", (found[0], [found[1]])
                if key in ("iupd", "id") and value in self.gpd:
                    pos = self.gpd[value]
                    return "gpd", (pos, list(pos["options"]))
        return None

    def control_change(self, action, sel):
        found = self.find(sel)
        if not found:
            return 404, {"error": f"no position for {sel}"}
        provider, target = found
        psp = sel.get("psp") or "Banca Stub S.p.A."
        force = bool(sel.get("force"))
        with self.lock:
            if provider == "piemontepay":
                p = target
                code, _ = self.pp_status(p)
                if action == "pay":
                    if p["state"] == "paid":
                        return 200, {"provider": provider, "iuv": p["iuv"], "already_paid": True, **p["paid"]}
                    if code != "1" and not force:
                        return 409, {"error": f"position {p['iuv']} is not payable (status {code})"}
                    return 200, {"provider": provider, "iuv": p["iuv"], **self.pp_pay(p, psp)}
                if p["state"] == "paid":
                    return 409, {"error": f"position {p['iuv']} is paid"}
                p["state"] = "expired" if action == "expire" else "cancelled"
                p["updated"] = rome_iso(now_utc())
                return 200, {"provider": provider, "iuv": p["iuv"], "code": self.pp_status(p)[0]}
            pos, options = target
            if action == "pay":
                done = []
                for po in options:
                    if po["status"] == "PO_PAID":
                        done.append({"nav": po["nav"], "iuv": po["iuv"], "already_paid": True,
                                     "idReceipt": po["idReceipt"]})
                        continue
                    if pos["status"] not in ("VALID", "PARTIALLY_PAID") and not force:
                        return 409, {"error": f"position {pos['iupd']} is {pos['status']}: not payable"}
                    self.gpd_pay_option(pos, po, psp)
                    done.append({"nav": po["nav"], "iuv": po["iuv"], "idReceipt": po["idReceipt"]})
                return 200, {"provider": provider, "iupd": pos["iupd"], "status": pos["status"], "paid": done}
            if pos["status"] in ("PAID", "PARTIALLY_PAID", "REPORTED"):
                return 409, {"error": f"position {pos['iupd']} is {pos['status']}"}
            pos["status"] = "EXPIRED" if action == "expire" else "INVALID"
            pos["lastUpdatedDate"] = gpd_iso(now_utc())
            return 200, {"provider": provider, "iupd": pos["iupd"], "status": pos["status"]}

    def pp_pay(self, p, psp):
        now = now_utc()
        p["state"] = "paid"
        p["paid"] = {
            "iur": now.strftime("%Y%m%d") + digits(14),
            "psp": psp,
            "date": rome_iso(now),
            "numeroTransazione": digits(12),
        }
        p["updated"] = rome_iso(now)
        return dict(p["paid"])

    def positions(self):
        with self.lock:
            for pos in self.gpd.values():
                self.gpd_refresh(pos)
            pp = []
            for p in self.pp.values():
                code, desc = self.pp_status(p)
                pp.append({k: v for k, v in p.items()} | {"code": code, "description": desc})
            gpd = [self.gpd_view(pos, True) | {"iupd": pos["iupd"]} for pos in self.gpd.values()]
            carts = list(self.carts.values())
        return json.loads(to_json({"piemontepay": pp, "gpd": gpd, "carts": carts}))


def log(msg):
    sys.stderr.write(f"payments_stub: {msg}\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------------------------
# HTTP


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "payments-stub/1"
    sys_version = ""
    timeout = 300
    stub = None  # set in main()

    def log_message(self, fmt, *args):
        if self.stub.args.verbose:
            log(fmt % args)

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def do_PATCH(self):
        self.handle_any()

    # ---- plumbing

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, answer):
        data = answer.payload()
        self.send_response(answer.status)
        if data or answer.raw is not None:
            self.send_header("Content-Type", answer.ctype)
        for k, v in answer.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        # head and body in one write: two small segments meet the client's delayed ACK (40 ms)
        self._headers_buffer.append(b"\r\n" + data)
        self.flush_headers()
        return data

    def reset_connection(self):
        """Closes the socket without an answer (RST), as a dying upstream does."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    def json_out(self, status, obj):
        self.send(Answer(status, obj))

    def html_out(self, status, body):
        page = ("<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>Stub pagamenti</title>"
                f"</head><body>{body}</body></html>").encode("utf-8")
        self.send(Answer(status, raw=page, ctype="text/html; charset=utf-8"))

    def redirect(self, location):
        self.send(Answer(303, None, {"Location": location}))

    # ---- dispatch

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def parse_request(self):
        # The request line has just been read: the provider's own time starts here
        # (`ms_total`; bench/payments.sh subtracts it from a Conferma's time).
        self.received = time.perf_counter()
        return super().parse_request()

    def handle_any(self):
        started = time.perf_counter()
        split = urlsplit(self.path)
        path, query = split.path, split.query
        try:
            body = self.read_body()
            if path.startswith("/_stub/") or path == "/_stub":
                return self.control(path, query, body)
            return self.provider(path, query, body, started)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug of the stub: say so loudly, in the log and the test
            traceback.print_exc()
            with self.stub.lock:
                self.stub.requests.append({
                    "seq": len(self.stub.requests) + 1, "provider": None, "op": None,
                    "method": self.command, "path": path, "query": query, "headers": {},
                    "body": None, "status": 500, "violations": [f"stub crashed: {e!r}"], "notes": [],
                    "fault": None, "ms": None,
                })
            try:
                self.json_out(500, {"error": f"stub crashed: {e!r}"})
            except OSError:
                pass

    def provider(self, path, query, raw, started):
        stub = self.stub
        provider = spec = None
        for name, s in stub.specs.items():
            if path == s.base or path.startswith(s.base + "/"):
                provider, spec = name, s
                break
        headers = {k: v for k, v in self.headers.items()}
        masked = {}
        for k, v in headers.items():
            if k.lower() == "authorization":
                masked[k] = "Basic ***" if v.lower().startswith("basic ") else "***"
            elif k.lower() == "ocp-apim-subscription-key":
                masked[k] = "***"
            else:
                masked[k] = v
        try:
            body = json.loads(raw, parse_float=Decimal) if raw else None
        except ValueError:
            body = None
        entry = {
            "provider": provider, "op": None, "method": self.command, "path": path, "query": query,
            "headers": masked, "body": json.loads(to_json(body)) if body is not None else None,
            "status": None, "violations": [], "notes": [], "fault": None, "ms": None,
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        }
        if raw and body is None:
            entry["body_text"] = raw[:2000].decode("utf-8", "replace")

        if spec is None:
            entry["violations"].append(f"no provider at {path}: bases are "
                                       + ", ".join(s.base for s in stub.specs.values()))
            return self.finish_entry(entry, stub.error("gpd", 404, "no such API"), started)

        op, params = spec.route(self.command, path[len(spec.base):] or "/")
        entry["op"] = op
        with stub.lock:
            entry["seq"] = len(stub.requests) + 1
            stub.requests.append(entry)
            if op:
                stub.counts[op] = stub.counts.get(op, 0) + 1

        # openapi-core against the provider's spec file
        entry["violations"] += spec.violations(self.command, path, query, headers, raw,
                                               self.headers.get("Content-Type", ""))
        # credentials
        auth_problem = None
        if provider == "piemontepay":
            sent = self.headers.get("Authorization")
            want = "Basic " + base64.b64encode(f"{stub.args.pp_user}:{stub.args.pp_pass}".encode()).decode()
            if not sent:
                if not any("Security" in v for v in entry["violations"]):
                    entry["violations"].append("missing Authorization header: PiemontePay wants HTTP Basic "
                                               "on every call (the spec declares it only on some)")
                auth_problem = "Autenticazione richiesta"
            elif sent.strip() != want:
                auth_problem = "Credenziali non valide"
        elif provider == "gpd":
            sent = self.headers.get("Ocp-Apim-Subscription-Key")
            if not sent:
                auth_problem = "Access denied due to missing subscription key."
            elif sent != stub.args.gpd_key:
                auth_problem = ("Access denied due to invalid subscription key. Make sure to provide a valid "
                                "key for an active subscription.")
        # what SPECS.md adds to the schemas
        if op and not any(v.startswith("openapi-core: body") for v in entry["violations"]):
            if provider == "piemontepay":
                entry["violations"] += stub.pp_checks(op, body)
            elif provider == "gpd":
                entry["violations"] += stub.gpd_checks(op, body, query)
        if auth_problem:
            answer = stub.error(provider, 401, auth_problem)
            if provider == "piemontepay":
                answer.headers["WWW-Authenticate"] = 'Basic realm="epayapi"'
            return self.finish_entry(entry, answer, started)
        if entry["violations"] or not op:
            if not op and not entry["violations"]:
                entry["violations"].append(f"no operation {self.command} {path} in {spec.filename}")
            detail = "; ".join(entry["violations"])
            return self.finish_entry(entry, stub.error(provider, 400, detail), started)

        if op == "PostCarts":
            # Checkout takes any well-formed cart and shows the problems on its page: a notice
            # unknown to GPD (or with another amount) is a portal bug, recorded as a violation;
            # a notice paid meanwhile is a race, only noted. Either way the answer is a 302.
            v, n = stub.checkout_checks(body)
            entry["violations"] += v
            entry["notes"] += n

        fault = stub.take_fault(provider, op)
        entry["fault"] = fault
        kind = fault["kind"] if fault else None
        if kind in ("401", "403", "404", "409", "422", "500", "502"):
            answer = stub.error(provider, int(kind), f"fault {kind} injected by the stub")
            return self.finish_entry(entry, answer, started)
        if kind == "html":
            answer = Answer(502, raw=NGINX_502, ctype="text/html")
            return self.finish_entry(entry, answer, started)
        if kind == "reset":
            entry["status"] = 0
            entry["ms"] = round((time.perf_counter() - started) * 1000, 3)
            return self.reset_connection()
        if kind == "esito":
            return self.finish_entry(entry, stub.esito(op, body if isinstance(body, dict) else {}), started)
        if kind == "slow-before":
            time.sleep(fault["delay_ms"] / 1000)

        if provider == "piemontepay":
            answer = stub.pp_op(op, params, body if isinstance(body, dict) else None)
        elif provider == "gpd":
            answer = stub.gpd_op(op, params, body if isinstance(body, dict) else None, query)
        else:
            answer = stub.checkout_op(op, body)
        if isinstance(answer, tuple):
            answer, note = answer
            if note:
                entry["notes"].append(note)
        if answer is None:
            entry["violations"].append(f"{op}: not implemented by the stub (the portal is not expected "
                                       "to call it)")
            answer = stub.error(provider, 501 if provider != "piemontepay" else 500, f"{op} not implemented")
        if provider == "gpd":
            answer.headers.setdefault("X-Request-Id", self.headers.get("X-Request-Id") or str(uuid.uuid4()))

        if kind == "malformed":
            status = spec.success.get(op, 200)
            status = 200 if status >= 300 else status
            truncated = {
                "piemontepay": b'{"codiceEsito": "000", "iu',
                "gpd": b'{"iupd": "' + str((body or {}).get("iupd", ""))[:8].encode() + b"",
                "checkout": b'{"checkoutUrl": "http',
            }[provider]
            answer = Answer(status, raw=truncated)
        if kind == "slow":
            time.sleep(fault["delay_ms"] / 1000)
        if kind == "reset-after":
            entry["status"] = 0
            entry["ms"] = round((time.perf_counter() - started) * 1000, 3)
            return self.reset_connection()
        if stub.args.check_responses and kind is None and op != "getDebtPositionStatus":
            data = answer.payload()
            resp = RespAdapter(answer.status, {"Content-Type": answer.ctype if data else "", **answer.headers},
                               data or None)
            for problem in spec.response_problems(self.command, path, query, headers, raw,
                                                  self.headers.get("Content-Type", ""), resp):
                if provider == "gpd" and LOCAL_DATE_TIME.search(problem):
                    continue  # GPD's LocalDateTime, on purpose (see gpd_iso)
                entry["violations"].append(f"stub response: {problem}")
        return self.finish_entry(entry, answer, started)

    def finish_entry(self, entry, answer, started):
        entry["status"] = answer.status
        if "seq" not in entry:
            with self.stub.lock:
                entry["seq"] = len(self.stub.requests) + 1
                self.stub.requests.append(entry)
        self.send(answer)
        done = time.perf_counter()
        entry["ms"] = round((done - started) * 1000, 3)
        entry["ms_total"] = round((done - getattr(self, "received", started)) * 1000, 3)

    # ---- control API and fake pages

    def control(self, path, query, raw):
        stub = self.stub
        method = self.command
        parts = [p for p in path.split("/") if p][1:]  # after "_stub"
        try:
            data = json.loads(raw) if raw and "json" in (self.headers.get("Content-Type") or "json") else None
        except ValueError:
            return self.json_out(400, {"error": "invalid JSON"})
        q = dict(parse_qsl(query))

        if parts == ["reset"] and method == "POST":
            stub.reset()
            return self.json_out(200, {"ok": True})
        if parts == ["faults"] and method == "POST":
            items = data if isinstance(data, list) else [data]
            try:
                n = stub.add_faults(items)
            except (ValueError, TypeError) as e:
                return self.json_out(400, {"error": str(e)})
            return self.json_out(200, {"queued": n})
        if parts == ["faults"] and method == "DELETE":
            with stub.lock:
                n = len(stub.faults)
                stub.faults.clear()
            return self.json_out(200, {"cleared": n})
        if parts == ["faults"] and method == "GET":
            with stub.lock:
                return self.json_out(200, list(stub.faults))
        if parts in (["pay"], ["expire"], ["cancel"]) and method == "POST":
            if not isinstance(data, dict):
                return self.json_out(400, {"error": "a JSON object {iuv|nav|iupd|codiceAvviso|id: ...}"})
            status, out = stub.control_change(parts[0], data)
            return self.json_out(status, out)
        if parts == ["requests"] and method == "GET":
            with stub.lock:
                return self.json_out(200, list(stub.requests))
        if parts == ["violations"] and method == "GET":
            with stub.lock:
                return self.json_out(200, [r for r in stub.requests if r["violations"]])
        if parts == ["positions"] and method == "GET":
            return self.json_out(200, stub.positions())
        if parts == ["count"] and method == "GET":
            op = q.get("op", "")
            with stub.lock:
                return self.json_out(200, {"op": op, "count": stub.counts.get(op, 0)})
        if len(parts) >= 2 and parts[0] == "portal":
            return self.portal(parts[1], parts[2:], method)
        if len(parts) >= 2 and parts[0] == "checkout":
            return self.checkout_page(parts[1], parts[2:], method)
        return self.json_out(404, {"error": f"no control endpoint {method} {path}"})

    def portal(self, iuv, rest, method):
        """PiemontePay's payment page (what paymentUrl opens)."""
        stub = self.stub
        with stub.lock:
            p = stub.pp.get(iuv)
            if p is None:
                return self.html_out(404, "<h1>Posizione debitoria non trovata</h1>")
            code, desc = stub.pp_status(p)
            if rest == ["pay"] and method == "POST":
                if code == "0":
                    return self.html_out(200, "<h1>Pagamento gia' eseguito</h1>"
                                         f"<p>IUR <span id=\"iur\">{html.escape(p['paid']['iur'])}</span></p>")
                if code != "1":
                    return self.html_out(409, f"<h1>Pagamento non possibile</h1><p>{html.escape(desc)}</p>")
                paid = stub.pp_pay(p, "Banca Stub S.p.A.")
                back = (f"<p><a id=\"back\" href=\"{html.escape(stub.args.pp_return_url)}\">"
                        "Torna al sito dell'ente</a></p>") if stub.args.pp_return_url else ""
                return self.html_out(200, "<h1>Pagamento eseguito</h1>"
                                     f"<p>IUV {html.escape(iuv)}, IUR <span id=\"iur\">{html.escape(paid['iur'])}"
                                     f"</span>, {euro(p['importo'])} EUR</p>{back}")
            if rest or method != "GET":
                return self.html_out(404, "<h1>Pagina non trovata</h1>")
            d = p["data"]
            button = (f"<form method=\"post\" action=\"/_stub/portal/{html.escape(iuv)}/pay\">"
                      "<button type=\"submit\">Paga</button></form>") if code == "1" else ""
            return self.html_out(200, "<h1>PiemontePay (stub)</h1>"
                                 f"<p id=\"causale\">{html.escape(str(d.get('causale', '')))}</p>"
                                 f"<p>Importo <span id=\"importo\">{euro(p['importo'])}</span> EUR</p>"
                                 f"<p>Codice avviso <span id=\"avviso\">{p['codiceAvviso']}</span></p>"
                                 f"<p>Stato <span id=\"stato\">{html.escape(desc)}</span></p>{button}")

    def checkout_page(self, cart_id, rest, method):
        """pagoPA Checkout's page for a cart (what the 302 Location opens)."""
        stub = self.stub
        with stub.lock:
            cart = stub.carts.get(cart_id)
            if cart is None:
                return self.html_out(404, "<h1>Carrello non trovato</h1>")
            req = cart["request"] or {}
            urls = req.get("returnUrls") or {}
            rows, payable = [], True
            for n in req.get("paymentNotices") or []:
                found = stub.gpd_by_nav(n.get("noticeNumber"))
                if not found:
                    state, payable = "sconosciuto", False
                else:
                    pos, po = found
                    state = po["status"] if po["status"] == "PO_PAID" else pos["status"]
                    payable = payable and po["status"] == "PO_UNPAID" and pos["status"] == "VALID"
                rows.append(f"<li>{html.escape(str(n.get('noticeNumber')))}: "
                            f"{html.escape(str(n.get('description')))}, {n.get('amount')} cent "
                            f"(<span class=\"stato\">{html.escape(state)}</span>)</li>")
            if rest == ["pay"] and method == "POST":
                if cart["state"] != "open" or not payable:
                    cart["state"] = "error"
                    return self.redirect(urls.get("returnErrorUrl", "/"))
                for n in req.get("paymentNotices") or []:
                    pos, po = stub.gpd_by_nav(n.get("noticeNumber"))
                    stub.gpd_pay_option(pos, po, "Banca Stub S.p.A.")
                cart["state"] = "paid"
                return self.redirect(urls.get("returnOkUrl", "/"))
            if rest == ["cancel"] and method == "POST":
                cart["state"] = "cancelled"
                return self.redirect(urls.get("returnCancelUrl", "/"))
            if rest or method != "GET":
                return self.html_out(404, "<h1>Pagina non trovata</h1>")
            if cart["state"] == "open" and payable:
                action = (f"<form method=\"post\" action=\"/_stub/checkout/{cart_id}/pay\">"
                          "<button type=\"submit\">Paga</button></form>")
            else:
                action = ("<p id=\"errore\">Non e' possibile pagare questo carrello</p>"
                          f"<p><a href=\"{html.escape(urls.get('returnErrorUrl', '/'))}\">Torna al sito</a></p>")
            cancel = (f"<form method=\"post\" action=\"/_stub/checkout/{cart_id}/cancel\">"
                      "<button type=\"submit\">Annulla</button></form>")
            return self.html_out(200, f"<h1>pagoPA Checkout (stub)</h1><ul>{''.join(rows)}</ul>{action}{cancel}")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # socketserver's 5 resets connections when tests fire in parallel

    def handle_error(self, request, client_address):
        if sys.exc_info()[0] in (ConnectionResetError, BrokenPipeError, OSError):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--pp-user", required=True)
    ap.add_argument("--pp-pass", required=True)
    ap.add_argument("--gpd-key", required=True)
    ap.add_argument("--pp-org", default="ASLTEST")
    ap.add_argument("--pp-type", default="COPIA_CARTELLA")
    ap.add_argument("--gpd-cf", default="12345678901")
    ap.add_argument("--pp-return-url", default="", help="link shown after paying on the PiemontePay page")
    ap.add_argument("--check-responses", action="store_true",
                    help="also validate the stub's own answers against the specs")
    ap.add_argument("--verbose", action="store_true", help="log every request on stderr")
    ap.add_argument("--tls-cert", default="", help="also serve HTTPS (PEM chain) on a second port")
    ap.add_argument("--tls-key", default="", help="the HTTPS certificate's key (PEM)")
    ap.add_argument("--tls-client-ca", default="",
                    help="HTTPS asks for a client certificate signed by this CA (mutual TLS)")
    args = ap.parse_args(argv)

    host, _, port = args.listen.rpartition(":")
    stub = Stub(args)
    Handler.stub = stub
    server = Server((host or "127.0.0.1", int(port)), Handler)
    bound_host, bound_port = server.server_address[:2]
    stub.base_url = f"http://{bound_host}:{bound_port}"
    sys.stdout.write(stub.base_url + "\n")
    if args.tls_cert:
        # The same stub over HTTPS on a second port, its URL on the second line: what an
        # intermediary that wants mutual TLS looks like. The control API stays on plain HTTP.
        import ssl
        import threading
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            ctx.load_verify_locations(args.tls_client_ca)
            ctx.verify_mode = ssl.CERT_REQUIRED
        tls = Server((host or "127.0.0.1", 0), Handler)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        threading.Thread(target=tls.serve_forever, daemon=True).start()
        sys.stdout.write(f"https://{tls.server_address[0]}:{tls.server_address[1]}\n")
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
