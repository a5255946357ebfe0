"""The FastAPI application behind ``mention-insight serve``.

Endpoints: ``POST /v1/classify``, ``GET /v1/model``, ``GET /healthz``, ``GET /readyz``,
``GET /openapi.json`` and a self-contained ``GET /docs`` page (no script from a CDN, so it
works on a closed network).

Every response carries an ``X-Request-ID`` (the client's, when it sends a sensible one).
Every error has one shape: ``{"error": {"code": ..., "message": ...}, "request_id": ...}``.
Texts are never logged unless the settings allow it.
"""

from __future__ import annotations

import hmac
import html
import json
import logging
import re
import threading
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..api import load_model
from ..model import MentionClassifier
from .schemas import ClassifyRequest, ClassifyResponse, ErrorResponse, Health, ItemError, ItemResult, ModelInfo
from .settings import ServiceSettings

log = logging.getLogger("mention_insight.service")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
#: Paths any caller may reach without the token: probes and the API description.
_OPEN_PATHS = frozenset({"/healthz", "/readyz", "/docs", "/openapi.json"})
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": why}
    for code, why in {
        400: "Malformed JSON.",
        401: "Missing or wrong bearer token.",
        413: "Body larger than the service's limit.",
        422: "A request that does not fit the schema, or a batch over the limit.",
        503: "The model is still loading.",
    }.items()
}


class ServiceError(Exception):
    """An answer with the service's error shape."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def _error(request_id: str, status: int, code: str, message: str, headers: dict[str, str] | None = None):
    body = {"error": {"code": code, "message": message}, "request_id": request_id}
    return JSONResponse(body, status_code=status, headers={**(headers or {}), "X-Request-ID": request_id})


class _Guard:
    """Plain ASGI middleware, outermost: request ids, the body-size limit and the bearer token.

    Runs before FastAPI reads a body, so an oversized body is refused after at most
    ``max_body_bytes`` have been read, whatever its Content-Length says.
    """

    def __init__(self, app, settings: ServiceSettings):
        self.app = app
        self.settings = settings
        self.token = settings.token.encode("utf-8") if settings.token else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_seen: list[int] = []

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status_seen.append(message["status"])
                message.setdefault("headers", [])
                if not any(k.lower() == b"x-request-id" for k, _ in message["headers"]):
                    message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        refusal = self._refusal(scope, headers, request_id)
        if refusal is not None:
            await refusal(scope, receive, send_with_id)
        else:
            limit = self.settings.max_body_bytes
            received = 0

            async def bounded_receive():
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:  # answered 413 by the app's HTTPException handler
                        raise HTTPException(413, self._too_large_text())
                return message

            await self.app(scope, bounded_receive, send_with_id)
        log.info(
            "%s %s %s %.1f ms request_id=%s",
            scope["method"],
            scope["path"],
            status_seen[0] if status_seen else "-",
            (time.perf_counter() - started) * 1000,
            request_id,
        )

    def _too_large_text(self) -> str:
        return (
            f"the body is larger than {self.settings.max_body_bytes:,} bytes; send fewer or shorter texts per "
            "request (or start the service with a larger --max-body-bytes)."
        )

    def _refusal(self, scope, headers: dict[str, str], request_id: str):
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.settings.max_body_bytes:
            return _error(request_id, 413, "body_too_large", self._too_large_text())
        if self.token is None or scope["path"] in _OPEN_PATHS:
            return None
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8"), self.token):
            return _error(
                request_id,
                401,
                "unauthorized",
                "this service needs the header 'Authorization: Bearer <token>' with the token it was started with.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return None


def _item_error(index: int, item_id: Any, code: str, message: str) -> ItemResult:
    return ItemResult(index=index, id=item_id, error=ItemError(code=code, message=message))


def _checked_items(body: ClassifyRequest, max_items: int, max_chars: int) -> tuple[list[ItemResult | None], list]:
    """(results with per-item errors filled in, [(index, id, text)] for the valid items)."""
    given = [name for name in ("text", "texts", "items") if getattr(body, name) is not None]
    if len(given) != 1:
        raise ServiceError(
            422,
            "invalid_request",
            'send exactly one of "text", "texts" or "items"; got ' + (", ".join(given) or "none"),
        )
    if body.text is not None:
        raw: list[tuple[Any, Any]] = [(None, body.text)]
    elif body.texts is not None:
        raw = [(None, t) for t in body.texts]
    else:
        raw = []
        for item in body.items or []:
            if isinstance(item, dict) and set(item) <= {"id", "text"} and "text" in item:
                raw.append((item.get("id"), item["text"]))
            else:
                raw.append((item.get("id") if isinstance(item, dict) else None, _INVALID))
    if not raw:
        raise ServiceError(422, "empty_batch", "the batch is empty; send at least one text.")
    if len(raw) > max_items:
        raise ServiceError(
            422,
            "batch_too_large",
            f"the batch has {len(raw):,} items; at most {max_items:,} per request: split it into several requests.",
        )
    results: list[ItemResult | None] = []
    valid = []
    for index, (item_id, text) in enumerate(raw):
        if item_id is not None and not isinstance(item_id, str | int):
            results.append(_item_error(index, None, "invalid_item", "an item's id must be a string or an integer."))
        elif text is _INVALID:
            results.append(
                _item_error(index, item_id, "invalid_item", 'an item must be an object {"id": ..., "text": ...}.')
            )
        elif not isinstance(text, str):
            results.append(
                _item_error(index, item_id, "not_a_string", f"the text must be a string, not {_json_type(text)}.")
            )
        elif not text.strip():
            results.append(
                _item_error(index, item_id, "empty_text", "the text is empty; there is nothing to classify.")
            )
        elif len(text) > max_chars:
            results.append(
                _item_error(
                    index,
                    item_id,
                    "text_too_long",
                    f"the text has {len(text):,} characters; at most {max_chars:,} (a mention is a few hundred).",
                )
            )
        else:
            results.append(None)
            valid.append((index, item_id, text))
    return results, valid


_INVALID = object()


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _model_info(model: MentionClassifier) -> ModelInfo:
    config = getattr(model, "config_", {})
    metrics = config.get("metrics", {}) or {}
    held = metrics.get("held_out", metrics)
    held_out: dict[str, Any] = {}
    if isinstance(held, dict):
        held_out = {k: held[k] for k in ("n", "macro_f1", "exact_match") if k in held}
        primary = held.get("primary", {})
        if isinstance(primary, dict):
            held_out["primary"] = {k: primary[k] for k in ("accuracy", "macro_f1") if k in primary}
        per_label = held.get("per_label", {})
        if isinstance(per_label, dict):
            held_out["per_label"] = {
                label: {k: round(v, 4) for k, v in m.items() if k in ("precision", "recall", "f1", "support")}
                for label, m in per_label.items()
                if isinstance(m, dict)
            }
    training = config.get("training", {}) or {}
    lineage = {
        k: training[k]
        for k in ("n_train", "n_validation", "data_fingerprint", "split_sizes", "sources", "test_source", "why")
        if k in training
    }
    return ModelInfo(
        model_id=model.model_id,
        backend=model.backend,
        labels=list(model.all_labels),
        fallback_label=model.fallback_label,
        precedence=list(model.precedence_),
        created_at=config.get("created_at"),
        held_out=held_out,
        lineage=lineage,
    )


class _Service:
    """The loaded model and the lock that keeps one prediction at a time in a worker."""

    def __init__(self, settings: ServiceSettings, model: MentionClassifier | None):
        self.settings = settings
        self.model = model
        self.lock = threading.Lock()

    def load(self) -> None:
        if self.model is None:
            # cache=False: the service keeps the model it started with even if its directory changes.
            self.model = load_model(self.settings.model, cache=False, trust_modified=self.settings.trust_modified)

    def classify(self, texts: list[str]):
        assert self.model is not None
        with self.lock:
            return self.model.predict(texts)


def create_app(settings: ServiceSettings | None = None, *, model: MentionClassifier | None = None) -> FastAPI:
    """The service's ASGI app. ``model``: an already loaded model (tests); otherwise the
    settings' model is loaded once, when the app starts."""
    settings = (settings or ServiceSettings()).with_token()
    service = _Service(settings, model)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(service.load)
        log.info("model %s loaded; ready", service.model.model_id if service.model else "?")
        yield

    app = FastAPI(
        title="mention_insight",
        version=__version__,
        summary="Classify mentions of neighbourhood police accounts: thanks, visit_request, shared_info, complaint.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    app.add_middleware(_Guard, settings=settings)

    def request_id(request: Request) -> str:
        return request.scope.get("state", {}).get("request_id", "")

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError):
        return _error(request_id(request), exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _error(request_id(request), 400, "malformed_json", "the body is not valid JSON.")
        parts = []
        for e in errors[:5]:
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        return _error(request_id(request), 422, "invalid_request", "; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        codes = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}
        return _error(request_id(request), exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error, request_id=%s", request_id(request))
        return _error(
            request_id(request),
            500,
            "internal_error",
            "the service failed on this request; its log has the details under this request id.",
        )

    @app.post(
        "/v1/classify",
        response_model=ClassifyResponse,
        responses=_ERRORS,
        summary="Classify one text or a batch",
        description="Send `text`, `texts` or `items` (exactly one). Each result has the primary label, every "
        "label that applies and calibrated scores; an empty or malformed item gets its own `error` and the "
        "rest of the batch is classified.",
    )
    async def classify(body: ClassifyRequest, request: Request) -> ClassifyResponse:
        model = service.model
        if model is None:
            raise ServiceError(503, "not_ready", "the model is still loading; retry in a few seconds.")
        results, valid = _checked_items(body, settings.max_items, settings.max_text_chars)
        if valid:
            predictions = await run_in_threadpool(service.classify, [text for _, _, text in valid])
            for (index, item_id, _), p in zip(valid, predictions):
                scores = {k: round(float(v), 4) for k, v in p.scores.items()}
                results[index] = ItemResult(
                    index=index, id=item_id, label=p.label, labels=list(p.labels), scores=scores
                )
        if settings.log_texts:
            for _, _, text in valid:
                log.info("text request_id=%s: %s", request_id(request), json.dumps(text, ensure_ascii=False))
        return ClassifyResponse(model_id=model.model_id, results=[r for r in results if r is not None])

    @app.get("/v1/model", response_model=ModelInfo, responses=_ERRORS, summary="The model this service answers with")
    async def model_info() -> ModelInfo:
        if service.model is None:
            raise ServiceError(503, "not_ready", "the model is still loading; retry in a few seconds.")
        return _model_info(service.model)

    @app.api_route(
        "/v1/model",
        methods=["POST", "PUT", "DELETE"],
        include_in_schema=False,
    )
    async def swap_model() -> None:
        raise ServiceError(
            409,
            "restart_required",
            "a running service never changes its model (requests in flight would mix two models); restart it "
            "with 'mention-insight serve --model NEW_MODEL'.",
        )

    @app.get("/healthz", response_model=Health, summary="The process is up")
    async def healthz() -> Health:
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, responses={503: _ERRORS[503]}, summary="The model is loaded")
    async def readyz(request: Request):
        if service.model is None:
            return _error(request_id(request), 503, "not_ready", "the model is still loading.")
        return Health(status="ready", model_id=service.model.model_id)

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def docs() -> HTMLResponse:
        return HTMLResponse(_docs_page(app.openapi()))

    @app.exception_handler(HTTPException)
    async def _fastapi_http(request: Request, exc: HTTPException):
        return await _http(request, exc)

    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn's workers call: settings come from the environment (see ``settings``)."""
    return create_app(ServiceSettings.from_env())


def _docs_page(schema: dict) -> str:
    """A plain HTML description of the API, built from the OpenAPI schema, with no external assets."""
    esc = html.escape
    rows = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            rows.append(
                f"<h2><code>{esc(method.upper())} {esc(path)}</code></h2><p><b>{esc(op.get('summary', ''))}</b></p>"
                f"<p>{esc(op.get('description', ''))}</p>"
            )
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                rows.append(f"<p>Request body: <code>{esc(body.get('$ref', '').rsplit('/', 1)[-1])}</code></p>")
    models = []
    for name, model in schema.get("components", {}).get("schemas", {}).items():
        models.append(f"<h3 id='{esc(name)}'>{esc(name)}</h3><pre>{esc(json.dumps(model, indent=2))}</pre>")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{esc(schema['info']['title'])} API</title>"
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "pre{background:#f4f4f4;padding:.75rem;overflow:auto}code{background:#f4f4f4}</style></head><body>"
        f"<h1>{esc(schema['info']['title'])} {esc(schema['info']['version'])}</h1>"
        f"<p>{esc(schema['info'].get('summary', ''))}</p>"
        "<p>The machine-readable schema is at <a href='/openapi.json'>/openapi.json</a>. Errors always have the "
        'shape <code>{"error": {"code": ..., "message": ...}, "request_id": ...}</code>.</p>'
        + "".join(rows)
        + "<h2>Schemas</h2>"
        + "".join(models)
        + "</body></html>"
    )
