"""The pages behind the graph's IRIs, the query page and their files, as Starlette routes.

``/id/…``, ``/ontology/…`` and ``/graph/…`` answer for ``https://w3id.org/miikg/id/…``
and so on: HTML in en or zh (``?lang=`` or ``Accept-Language``), or the entity's triples
as Turtle, N-Triples, JSON-LD or RDF/XML (``Accept``, or a ``.ttl``, ``.nt``,
``.jsonld`` or ``.rdf`` suffix). Answers carry ``Vary`` and ``Link: rel=alternate``; HTML
answers a strict Content-Security-Policy. The data is read in the server process from a
read-only store, starting at the entity's IRI (:mod:`miikg.serve.entity_data`); the
SPARQL endpoint's own queries still run in its workers.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from miikg.ontology.namespaces import BASE, PREFIXES
from miikg.queries.run import run_query
from miikg.serve import entity_data
from miikg.serve.entity_pages import (
    CSP_PAGE,
    CSP_QUERY,
    LANGUAGES,
    RDF_SUFFIXES,
    ServerLinks,
    render_entity,
    render_template,
)

__all__ = ["LinkedData", "linked_data_routes", "negotiate_page", "pick_language"]

_RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}
#: Media types a client may ask for, and what each gets.
_ACCEPTS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdf",
    "application/xml": "rdf",
    "text/xml": "rdf",
}
_ASSET_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    "": "text/plain; charset=utf-8",
}
_SAFE = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _ranges(header: str) -> list[tuple[float, int, str]]:
    out = []
    for position, item in enumerate(header.split(",")):
        value, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            key, _, number = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(number)
                except ValueError:
                    weight = 0.0
        if value and weight > 0:
            out.append((-weight, position, value.lower()))
    return sorted(out)


def negotiate_page(accept: str | None) -> str | None:
    """Return ``html``, ``ttl``, ``nt``, ``jsonld`` or ``rdf`` for an Accept header.

    None when nothing offered is acceptable. No header, or ``*/*`` first, gets HTML.

    >>> negotiate_page("text/turtle;q=0.9, application/ld+json")
    'jsonld'
    """
    if not accept:
        return "html"
    for _, _, media in _ranges(accept):
        if media in _ACCEPTS:
            return _ACCEPTS[media]
        if media in {"*/*", "text/*"}:
            return "html"
        if media == "application/*":
            return "jsonld"
    return None


def pick_language(query: str | None, header: str | None) -> str:
    """Return ``en`` or ``zh``: the ``lang`` parameter, else Accept-Language, else en.

    >>> pick_language(None, "zh-CN,zh;q=0.9,en;q=0.8")
    'zh'
    """
    if query in LANGUAGES:
        return query
    for _, _, tag in _ranges(header or ""):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return "en"


@cache
def _assets() -> dict[str, Any]:
    folder = resources.files("miikg.serve").joinpath("assets")
    found: dict[str, Any] = {}

    def walk(node: Any, prefix: str) -> None:
        for entry in node.iterdir():
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            else:
                found[prefix + entry.name] = entry

    walk(folder, "")
    return found


class LinkedData:
    """The pages of one store: entity pages, the query page, search, labels, vocabulary."""

    def __init__(self, store: Path, *, base_iri: str | None = None) -> None:
        self.store = ox.Store.read_only(str(store))
        self.base = base_iri or "/"
        if not self.base.endswith("/"):
            self.base += "/"
        self._vocabulary: bytes | None = None

    def _links(self, request: Request) -> ServerLinks:
        return ServerLinks(self.base, self.base + request.url.path.lstrip("/"))

    def _html(
        self,
        body: str,
        *,
        status: int = 200,
        csp: str = CSP_PAGE,
        headers: dict[str, str] | None = None,
    ) -> Response:
        return HTMLResponse(
            body,
            status_code=status,
            headers={"Content-Security-Policy": csp, **_SAFE, **(headers or {})},
        )

    def _iri(self, request: Request) -> tuple[str, str | None, bool]:
        """Return the IRI a request path names, the format its suffix asks for, and
        whether the store mentions that IRI."""
        raw = request.scope.get("raw_path") or request.url.path.encode()
        rest = raw.decode("latin-1").lstrip("/")
        candidates: list[tuple[str, str | None]] = [(rest, None)]
        stem, dot, suffix = rest.rpartition(".")
        if dot and (suffix in RDF_SUFFIXES or suffix == "html"):
            candidates.insert(0, (stem, suffix))
        for path, fmt in candidates:
            for text in (path, unquote(path)):
                iri = BASE + text
                if entity_data.has_entity(self.store, iri):
                    return iri, fmt, True
        return BASE + unquote(candidates[-1][0]), candidates[0][1], False

    async def resource(self, request: Request) -> Response:
        iri, suffix, found = await run_in_threadpool(self._iri, request)
        lang = pick_language(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )
        fmt = suffix or negotiate_page(request.headers.get("accept"))
        vary = {"Vary": "Accept, Accept-Language"}
        if fmt is None:
            offered = ", ".join(["text/html", *RDF_SUFFIXES.values()])
            return PlainTextResponse(
                f"none of the media types in Accept is offered; offered: {offered}\n",
                status_code=406,
                headers={**vary, **_SAFE},
            )
        links = self._links(request)
        alternates = [
            f'<{links.rdf(iri, s)}>; rel="alternate"; type="{media}"'
            for s, media in RDF_SUFFIXES.items()
        ] + [
            f'<{links.entity(iri, other)}>; rel="alternate"; type="text/html"; hreflang="{other}"'
            for other in LANGUAGES
        ]
        headers = {**vary, "Link": ", ".join(alternates)}
        if fmt == "html":
            data = await run_in_threadpool(entity_data.read_entity, self.store, iri, lang=lang)
            if data is None:
                page = render_template("notfound.html", links=links, lang=lang, iri=iri)
                return self._html(page, status=404, headers=vary)
            return self._html(
                render_entity(data, links=links), headers={**headers, "Content-Language": lang}
            )
        if not found:
            return PlainTextResponse(
                f"the graph says nothing about <{iri}>\n",
                status_code=404,
                headers={**vary, **_SAFE},
            )
        # A graph name or an IRI only ever used as an object has a page but no triples
        # of its own: its data is an empty document.
        triples = await run_in_threadpool(entity_data.entity_triples, self.store, iri)
        body = ox.serialize(
            triples, format=_RDF_FORMATS[fmt], prefixes=None if fmt == "nt" else PREFIXES
        )
        media = RDF_SUFFIXES[fmt]
        if fmt in {"ttl", "nt"}:
            media += "; charset=utf-8"
        return Response(body, media_type=media, headers={**headers, **_SAFE})

    async def query_page(self, request: Request) -> Response:
        from miikg.serve.query_page import page_context

        lang = pick_language(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )
        links = self._links(request)
        page = render_template("query.html", links=links, lang=lang, **page_context(self.base))
        return self._html(page, csp=CSP_QUERY, headers={"Vary": "Accept-Language"})

    async def search(self, request: Request) -> Response:
        lang = pick_language(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )
        text = request.query_params.get("q", "").strip()[:200]
        hits: list[tuple[str, str]] = []
        if text:
            hits = await run_in_threadpool(self._search, text, lang)
        page = render_template(
            "search.html", links=self._links(request), lang=lang, text=text, hits=hits, index=None
        )
        return self._html(page, headers={"Vary": "Accept-Language"})

    def _search(self, text: str, lang: str) -> list[tuple[str, str]]:
        query = entity_data.page_query("search")
        bindings = {"text": ox.Literal(text), "lang": ox.Literal(lang)}
        rows = run_query(self.store, query, bindings)
        return [
            (r.text("entity"), r.text("label") or r.text("anyLabel") or r.text("entity"))
            for r in rows
        ]

    async def labels(self, request: Request) -> Response:
        try:
            payload = json.loads(await request.body() or b"{}")
            iris = [str(i) for i in payload.get("iris", [])][:5000]
            lang = payload.get("lang") if payload.get("lang") in LANGUAGES else "en"
        except (ValueError, AttributeError):
            return PlainTextResponse('send JSON: {"iris": [...], "lang": "en"}\n', status_code=400)
        found = await run_in_threadpool(entity_data.label_map, self.store, iris, lang=lang)
        return JSONResponse(found, headers=_SAFE)

    async def vocabulary(self, request: Request) -> Response:
        if self._vocabulary is None:
            self._vocabulary = await run_in_threadpool(self._read_vocabulary)
        return Response(self._vocabulary, media_type="application/json", headers=_SAFE)

    def _read_vocabulary(self) -> bytes:
        rows = run_query(self.store, entity_data.page_query("vocabulary"))
        terms: dict[str, set[str]] = {"class": set(), "property": set()}
        for row in rows:
            if isinstance(row["term"], ox.NamedNode):
                terms[row.text("kind")].add(row.text("term"))
        body = {
            "prefixes": PREFIXES,
            "classes": sorted(terms["class"]),
            "properties": sorted(terms["property"]),
        }
        return json.dumps(body, ensure_ascii=False).encode()

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        entry = _assets().get(name)
        if entry is None:
            return PlainTextResponse("no such file\n", status_code=404, headers=_SAFE)
        suffix = Path(name).suffix
        media = _ASSET_TYPES.get(suffix, "application/octet-stream")
        return Response(
            entry.read_bytes(),
            media_type=media,
            headers={"Cache-Control": "public, max-age=3600", **_SAFE},
        )


def linked_data_routes(pages: LinkedData) -> list[BaseRoute]:
    """Return the routes of the pages: ``/``, ``/id/…``, ``/ontology/…``, ``/graph/…`` and more."""
    return [
        Route("/", pages.query_page, methods=["GET"]),
        Route("/search", pages.search, methods=["GET"]),
        Route("/labels", pages.labels, methods=["POST"]),
        Route("/vocabulary.json", pages.vocabulary, methods=["GET"]),
        Route("/assets/{name:path}", pages.asset, methods=["GET"]),
        *(
            Route(f"/{part}/{{rest:path}}", pages.resource, methods=["GET", "HEAD"])
            for part in ("id", "ontology", "graph")
        ),
    ]
