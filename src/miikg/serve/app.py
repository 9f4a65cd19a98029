"""The SPARQL 1.1 Protocol endpoint (read-only) and its query page, as a Starlette app.

Every request is checked here, in the server process, before a worker sees it: size,
UTF-8, no update, the query's SERVICE and FROM clauses (:mod:`miikg.serve.policy`), the
format. Only then does a worker process run it, under the timeout
(:mod:`miikg.serve.workers`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from miikg.errors import QueryRefusedError
from miikg.serve import policy
from miikg.serve.description import Description, describe_store
from miikg.serve.results import Limits, negotiate, wants_page
from miikg.serve.workers import Job, WorkerPool

__all__ = ["LingeringRefusal", "ServeConfig", "create_app", "request_head_limit", "run_server"]

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class ServeConfig:
    """How the endpoint runs; every limit has a safe default."""

    store: Path
    timeout: float = 10.0
    workers: int = 2
    max_query_bytes: int = 100 * 1024
    limits: Limits = field(default_factory=Limits)
    allow_services: tuple[str, ...] = ()
    #: seconds a request may wait for a free worker before a 503
    queue_wait: float = 30.0
    #: address space of one worker, bytes (0: no limit)
    worker_memory: int = 2048 * 2**20
    #: where the graph's base IRI (https://w3id.org/miikg/) is served; None: this server
    base_iri: str | None = None
    #: origins whose pages may query the endpoint from a browser ("*": any; () none)
    cors_origins: tuple[str, ...] = ("*",)
    #: workers heavy queries may hold at once (None: all but one); per client
    heavy_workers: int | None = None
    heavy_per_client: int = 1


#: the most of a refused body read (and dropped) after its 413, and for how long
DRAIN_BYTES = 64 * 2**20
DRAIN_SECONDS = 30.0
#: a refused body's sender that pauses this long is not waited for
DRAIN_IDLE = 2.0


def _refuse(exc: QueryRefusedError) -> Response:
    return PlainTextResponse(f"{exc}\n", status_code=exc.status)


class _BodyRefusedError(QueryRefusedError):
    """A request body over the limit, refused before all of it was read."""


class LingeringRefusal(PlainTextResponse):
    """A refusal sent at once, then the rest of the request body read and dropped.

    A client that writes its whole body before it reads (urllib, requests, most
    libraries) would otherwise see the connection reset under its feet, never the 413:
    closing a socket with unread data makes the kernel send a reset. So the answer goes
    out first, whole, and the body is drained (at most :data:`DRAIN_BYTES`, within
    :data:`DRAIN_SECONDS`, giving up on a sender silent for :data:`DRAIN_IDLE`) before
    the connection closes. A client that sent ``Expect: 100-continue`` gets its 413
    without being asked for the body at all.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body, "more_body": True})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DRAIN_SECONDS
        drained = 0
        while drained < DRAIN_BYTES and loop.time() < deadline:
            try:
                message = await asyncio.wait_for(receive(), DRAIN_IDLE)
            except asyncio.TimeoutError:
                break
            if message["type"] != "http.request":
                break
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _BodyRefusedError(
            f"request body over {limit} bytes", status=413, zh=f"请求体超过 {limit} 字节"
        )
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyRefusedError(
                f"request body over {limit} bytes", status=413, zh=f"请求体超过 {limit} 字节"
            )
        chunks.append(chunk)
    return b"".join(chunks)


#: What a part of a request is called in a refusal, in Chinese.
_WHAT_ZH = {"the form": "表单", "the query": "查询", "the URL's query string": "URL 的查询字符串"}


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryRefusedError(
            f"{what} is not valid UTF-8 (byte {exc.start})",
            status=400,
            zh=f"{_WHAT_ZH.get(what, what)}不是有效的 UTF-8（第 {exc.start} 字节）",
        ) from None


def _pairs(data: bytes, what: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(_decode(data, what), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise QueryRefusedError(
            f"{what} is not valid UTF-8 once decoded",
            status=400,
            zh=f"{_WHAT_ZH.get(what, what)}解码后不是有效的 UTF-8",
        ) from None


class Endpoint:
    """The state shared by the routes: configuration, workers, service description."""

    def __init__(
        self, config: ServeConfig, *, page: Callable[[Request], Awaitable[Response]]
    ) -> None:
        self.config = config
        #: the query page, for a request to /sparql that accepts only HTML
        self.page = page
        self.pool = WorkerPool(
            config.store,
            size=config.workers,
            timeout=config.timeout,
            wait=config.queue_wait,
            isolate=not config.allow_services,
            memory=config.worker_memory,
            heavy_workers=config.heavy_workers,
            heavy_per_client=config.heavy_per_client,
        )
        self.description: Description = describe_store(config.store)

    async def sparql(self, request: Request) -> Response:
        try:
            return await self._sparql(request)
        except _BodyRefusedError as exc:
            return LingeringRefusal(
                f"{exc}\n", status_code=exc.status, headers={"Connection": "close"}
            )
        except QueryRefusedError as exc:
            if exc.status == 406 and wants_page(request.headers.get("accept")):
                return await self.page(request)
            return _refuse(exc)

    async def options(self, request: Request) -> Response:
        """Answer a plain OPTIONS (a CORS preflight is answered by the middleware)."""
        return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})

    async def _sparql(self, request: Request) -> Response:
        config = self.config
        pairs = _pairs(request.scope.get("query_string", b""), "the URL's query string")
        text: str | None = None
        if request.method == "POST":
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await _body(request, config.max_query_bytes * 3 + 4096)
            if media == _UPDATE:
                raise QueryRefusedError(
                    "SPARQL Update is not allowed: this endpoint is read-only",
                    zh="不允许 SPARQL 更新：此端点只读",
                )
            if media == _FORM:
                pairs += _pairs(body, "the form")
            elif media == _QUERY:
                text = _decode(body, "the query")
            else:
                raise QueryRefusedError(
                    f"POST a query as {_FORM} or {_QUERY}, not {media or 'no content type'}",
                    status=415,
                    zh=f"请以 {_FORM} 或 {_QUERY} 格式 POST 查询，而不是 {media or '无内容类型'}",
                )
        names = [k for k, _ in pairs]
        if "update" in names:
            raise QueryRefusedError(
                "SPARQL Update is not allowed: this endpoint is read-only",
                zh="不允许 SPARQL 更新：此端点只读",
            )
        queries = [v for k, v in pairs if k == "query"]
        if text is None:
            if len(queries) > 1:
                raise QueryRefusedError(
                    "give one query parameter, not several",
                    status=400,
                    zh="请只给出一个 query 参数，而不是多个",
                )
            if not queries:
                if request.method == "GET":
                    return self.service_description(request, dict(pairs).get("format"))
                raise QueryRefusedError("no query given", status=400, zh="未给出查询")
            text = queries[0]
        if len(text.encode("utf-8")) > config.max_query_bytes:
            raise QueryRefusedError(
                f"the query is over the limit of {config.max_query_bytes} bytes",
                status=413,
                zh=f"查询超过 {config.max_query_bytes} 字节的上限",
            )
        graphs = self.description.graphs
        # Without BASE, relative IRIs in the query resolve against the endpoint's URL, the
        # IRI the query was retrieved from (SPARQL 1.1 Query §4.1.1.1, RFC 3986 §5.1).
        base = str(request.url.replace(query="", fragment="")).rstrip("?")
        plan = policy.inspect_query(
            text, graphs=graphs, allow_services=config.allow_services, base=base
        )
        defaults = tuple(
            policy.check_graph_parameter(v, graphs, k) for k, v in pairs if k == "default-graph-uri"
        )
        named = tuple(
            policy.check_graph_parameter(v, graphs, k) for k, v in pairs if k == "named-graph-uri"
        )
        fmt = negotiate(
            plan.form in {"CONSTRUCT", "DESCRIBE"},
            accept=request.headers.get("accept"),
            name=dict(pairs).get("format"),
        )
        job = Job(
            text,
            fmt,
            config.limits,
            default_graphs=defaults,
            named_graphs=named,
            substitutions=tuple((k[1:], v) for k, v in pairs if k.startswith("$")),
            prefixes=self.description.prefixes,
            base_iri=base,
        )
        outcome = await self.pool.run(job, client=request.client.host if request.client else "")
        if outcome.body is None:
            return PlainTextResponse(f"{outcome.message}\n", status_code=outcome.status)
        headers = {"Vary": "Accept"}
        if outcome.body.truncated:
            limit = config.limits.rows if outcome.body.truncated == "rows" else config.limits.bytes
            headers["Miikg-Truncated"] = f"{outcome.body.truncated}; limit={limit}"
        media_type = outcome.body.media_type
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"
        return Response(outcome.body.data, media_type=media_type, headers=headers)

    def service_description(self, request: Request, name: str | None) -> Response:
        endpoint = str(request.url.replace(query="", fragment="")).rstrip("?")
        fmt = negotiate(True, accept=request.headers.get("accept"), name=name)
        body = self.description.serialize(endpoint, fmt)
        media_type = fmt.media_type + (
            "; charset=utf-8" if fmt.media_type.startswith("text/") else ""
        )
        return Response(body, media_type=media_type, headers={"Vary": "Accept"})


def create_app(config: ServeConfig) -> Starlette:
    """Return the ASGI app; its workers start and stop with the app's lifespan."""
    from miikg.serve.linked_data import LinkedData, linked_data_routes

    # The query page, entity pages (/id, /ontology, /graph), search and their files.
    pages = LinkedData(config.store, base_iri=config.base_iri)
    endpoint = Endpoint(config, page=pages.query_page)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await endpoint.pool.start()
        try:
            yield
        finally:
            await endpoint.pool.close()

    app = Starlette(
        routes=[
            Route("/sparql", endpoint.sparql, methods=["GET", "POST"]),
            Route("/sparql", endpoint.options, methods=["OPTIONS"]),
            *linked_data_routes(pages),
        ],
        middleware=_cors(config.cors_origins),
        lifespan=lifespan,
    )
    app.state.endpoint = endpoint
    return app


def _cors(origins: tuple[str, ...]) -> list[Middleware]:
    """CORS for a read-only endpoint: on for any origin unless narrowed; no credentials.

    Pages on other origins (YASGUI, a notebook front end) may then run queries with GET
    or POST; the preflight a POST of ``application/sparql-query`` needs is answered.
    """
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=["Miikg-Truncated", "Content-Type"],
            max_age=86400,
        )
    ]


def request_head_limit(config: ServeConfig) -> int:
    """Bytes a request line and headers may take: a GET query at the size limit fits.

    Every byte of the query may be percent-encoded as three; 16 KiB more for the
    headers and the other parameters. (uvicorn's own limit, h11's 16 KiB, turned a GET
    query of more than 16 KiB that arrived in several TCP segments, as it does over a
    real network, into "Invalid HTTP request"; a larger one got no answer at all.)
    """
    return config.max_query_bytes * 3 + 16 * 1024


def run_server(config: ServeConfig, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the endpoint with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        h11_max_incomplete_event_size=request_head_limit(config),
    )
