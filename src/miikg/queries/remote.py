"""The third engine: a remote SPARQL 1.1 endpoint holding what ``miikg push`` wrote there.

:class:`RemoteStore` has the part of :class:`pyoxigraph.Store`'s surface the commands read
through (``query``, ``quads_for_pattern``, ``named_graphs``), so every read command runs
unchanged against Virtuoso, ``oxigraph serve`` or any SPARQL 1.1 Protocol endpoint. Results
come back as pyoxigraph terms (SPARQL JSON results parsed by pyoxigraph).

Nothing is guessed about the remote store:

- **Graph names** come from the description a push writes last
  (:mod:`miikg.queries.pushed`): the named graphs pushed,
  with their sizes, and where the merged default graph went (the store's default graph,
  or a named graph on stores whose default graph is the union of all, as Virtuoso's).
  Before the first query, every graph it names is checked to be there.
- **The dataset** of every query is stated, in its text: ``FROM`` the merge, and ``FROM
  NAMED`` each pushed graph for a query that reads ``GRAPH``. (Where the push wrote the
  merge into the store's own default graph, that graph cannot be named, so a query is
  sent without a dataset: there the store's default graph must not be a union, as it is
  not by default in Oxigraph.)
- **Parameters** are bound in the text (:mod:`miikg.queries.binding`), as RDF terms.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, TypeAlias

import pyoxigraph as ox

from miikg.errors import EndpointError
from miikg.queries.binding import (
    bind_text,
    names_graphs,
    states_dataset,
    unescaped_names,
    with_dataset,
)
from miikg.queries.lexer import tokenize
from miikg.queries.pushed import DESCRIPTION_GRAPH, PushedDataset, read_description

__all__ = ["RemoteStore"]

log = logging.getLogger(__name__)

AuthKind = Literal["basic", "digest"]
Term: TypeAlias = "ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple"
_SELECT_TYPES = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
_GRAPH_TYPES = (
    "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8, application/rdf+xml;q=0.5"
)
#: Graphs named in one request (a VALUES list), so a request stays a reasonable size.
_CHUNK = 500
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def _canonical_booleans(data: bytes) -> bytes:
    """Write each xsd:boolean of SPARQL JSON results as ``true``/``false``, not ``1``/``0``.

    Both are lexical forms of the same value; Virtuoso answers the stored ``true`` as
    ``1``; the canonical form is the one a person reads (XML Schema Part 2, 3.2.2.2).
    """
    document = json.loads(data)
    for binding in document.get("results", {}).get("bindings", []):
        for value in binding.values():
            if value.get("datatype") == _BOOLEAN and value.get("value") in {"1", "0"}:
                value["value"] = "true" if value["value"] == "1" else "false"
    return json.dumps(document).encode("utf-8")


def _ask_answer(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """Return the boolean of an ASK that came back as a table.

    Virtuoso 7.2 answers ASK with one column, ``__ASK_RETVAL``: a row holding 1 for
    true, no row for false.
    """
    answer = any(
        isinstance(value, ox.Literal) and value.value not in {"0", "false"}
        for row in solutions
        for value in row
    )
    document = json.dumps({"head": {}, "boolean": answer}).encode()
    result = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QueryBoolean)
    return result


class _Always(urllib.request.HTTPPasswordMgr):
    """One user and password for every realm: a client talks to one endpoint."""

    def __init__(self, user: str, password: str) -> None:
        super().__init__()
        self.credentials = (user, password)

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[str, str]:
        return self.credentials


def _iris(iris: Iterable[str]) -> str:
    """Return *iris* as SPARQL text, each checked and written by pyoxigraph."""
    return " ".join(str(ox.NamedNode(iri)) for iri in iris)


def _form(query: str) -> str:
    for token in tokenize(query):
        if token.kind == "word" and token.text.upper() in {
            "SELECT", "ASK", "CONSTRUCT", "DESCRIBE",
        }:  # fmt: skip
            return token.text.upper()
    return "SELECT"


class RemoteStore:
    """A SPARQL 1.1 Protocol endpoint read as if it were the build's store.

    :param endpoint: the SPARQL query URL (Virtuoso: ``…/sparql``, or ``…/sparql-auth``
        with digest authentication; ``oxigraph serve``: ``…/query``).
    :param user: a user name, for endpoints that ask for one (with *password*).
    :param auth: ``basic`` (sent with every request) or ``digest`` (answered when asked).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        user: str | None = None,
        password: str | None = None,
        auth: AuthKind = "basic",
        timeout: float = 300.0,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.headers: dict[str, str] = {}
        handlers: list[urllib.request.BaseHandler] = []
        if user is not None and auth == "basic":
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        elif user is not None:
            handlers.append(urllib.request.HTTPDigestAuthHandler(_Always(user, password or "")))
        self._opener = urllib.request.build_opener(*handlers)
        self._dataset: PushedDataset | None = None
        self._copies: list[tempfile.TemporaryDirectory[str]] = []

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    # HTTP ------------------------------------------------------------------------------

    def _post(self, text: str, *, accept: str) -> tuple[str, bytes]:
        log.debug("query sent to %s:\n%s", self.endpoint, text)
        fields = [("query", text)]
        request = urllib.request.Request(
            self.endpoint,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            method="POST",
            headers={
                **self.headers,
                "Accept": accept,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        where = self.endpoint
        try:
            with self._opener.open(request, timeout=self.timeout) as reply:
                data = reply.read()
                media = reply.headers.get("Content-Type", "")
                cut = reply.headers.get("X-SPARQL-MaxRows") or reply.headers.get("Miikg-Truncated")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:2000].decode("utf-8", "replace").strip()
            line = next((x.strip() for x in detail.splitlines() if x.strip()), "")[:300]
            if exc.code == 401:
                raise EndpointError(
                    f"{where} asks for credentials (HTTP 401): give --user and "
                    "--password-env (and --auth digest where the endpoint asks for it)",
                    zh=f"{where} 要求身份验证（HTTP 401）：请给出 --user 和 --password-env"
                    "（端点要求时再加 --auth digest）",
                ) from None
            raise EndpointError(
                f"{where} answered HTTP {exc.code}: {line or exc.reason}",
                zh=f"{where} 返回 HTTP {exc.code}：{line or exc.reason}",
            ) from None
        except (OSError, ValueError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(
                f"cannot reach the SPARQL endpoint {where}: {reason}",
                zh=f"无法连接 SPARQL 端点 {where}：{reason}",
            ) from None
        if cut:
            raise EndpointError(
                f"{where} cut its answer short ({cut} rows at most): raise the endpoint's "
                "result limit (Virtuoso: ResultSetMaxRows in [SPARQL] of virtuoso.ini)",
                zh=f"{where} 截断了结果（最多 {cut} 行）：请提高端点的结果行数上限"
                "（Virtuoso：virtuoso.ini 中 [SPARQL] 的 ResultSetMaxRows）",
            )
        return media, data

    def _parse(self, form: str, media: str, data: bytes) -> Any:
        media_type = media.split(";")[0].strip().lower()
        try:
            if form in {"CONSTRUCT", "DESCRIBE"}:
                rdf = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
                return [q.triple for q in ox.parse(data, format=rdf)]
            fmt = ox.QueryResultsFormat.from_media_type(media_type) or ox.QueryResultsFormat.JSON
            if fmt == ox.QueryResultsFormat.JSON and _BOOLEAN.encode() in data:
                data = _canonical_booleans(data)
            result = ox.parse_query_results(data, format=fmt)
            if form == "ASK" and isinstance(result, ox.QuerySolutions):
                return _ask_answer(result)
            return result
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(
                f"{self.endpoint} answered what is not SPARQL results ({media_type}): {exc}",
                zh=f"{self.endpoint} 返回的不是 SPARQL 结果（{media_type}）：{exc}",
            ) from None

    def _run(self, text: str, *, default: Iterable[str] = (), named: Iterable[str] = ()) -> Any:
        # The dataset goes into the text (FROM, FROM NAMED), not the protocol's
        # default-graph-uri and named-graph-uri: Virtuoso 7 echoes each of those back as a
        # response header, and a push of 140 graphs passes Python's limit of 100 headers.
        form = _form(text)
        accept = _GRAPH_TYPES if form in {"CONSTRUCT", "DESCRIBE"} else _SELECT_TYPES
        media, data = self._post(with_dataset(text, default, named), accept=accept)
        return self._parse(form, media, data)

    # The push's description ----------------------------------------------------------

    @property
    def dataset(self) -> PushedDataset:
        """The push this endpoint holds, read once and checked graph by graph.

        :raises EndpointError: no push is described there, it left out the merged default
            graph, or a graph it names is missing.
        """
        if self._dataset is None:
            self._dataset = self._read_dataset()
        return self._dataset

    def _read_dataset(self) -> PushedDataset:
        where = self.endpoint
        graph = _iris([DESCRIPTION_GRAPH])
        triples = self._run(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}",
            named=[DESCRIPTION_GRAPH],
        )
        found = read_description(triples)
        if found is None:
            raise EndpointError(
                f"{where} holds no graph miikg pushed (no description in <{DESCRIPTION_GRAPH}>): "
                "run `miikg push` to its Graph Store first",
                zh=f"{where} 中没有 miikg 推送的图（<{DESCRIPTION_GRAPH}> 中没有描述）："
                "请先用 `miikg push` 推送到其图存储",
            )
        if found.merge_triples < 0:
            raise EndpointError(
                f"the push of build {found.build} to {where} left out the merged default graph "
                "(--default-graph skip): push it again with --default-graph IRI",
                zh=f"构建 {found.build} 推送到 {where} 时未包含合并默认图（--default-graph skip）："
                "请用 --default-graph IRI 重新推送",
            )
        expected = [*found.graphs, *([found.merge] if found.merge else [])]
        rows = self._run(
            "SELECT ?g WHERE { VALUES ?g { "
            + _iris(expected)
            + " } FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }",
            named=expected,
        )
        missing = sorted(str(row["g"].value) for row in rows)
        empty = found.merge is None and found.merge_triples > 0
        if empty and bool(self._run("ASK { ?s ?p ?o }")):
            empty = False
        if missing or empty:
            more = len(missing) - 3
            shown = ", ".join(missing[:3]) + (f" and {more} more" if more > 0 else "")
            shown_zh = "、".join(missing[:3]) + (f" 等 {len(missing)} 个图" if more > 0 else "")
            if empty:
                shown = ", ".join(x for x in (shown, "its default graph") if x)
                shown_zh = "、".join(x for x in (shown_zh, "默认图") if x)
            raise EndpointError(
                f"{where} lacks {shown}, which the push of build {found.build} wrote: push it "
                "again (`miikg push --replace`)",
                zh=f"{where} 缺少构建 {found.build} 推送时写入的 {shown_zh}：请重新推送"
                "（`miikg push --replace`）",
            )
        return found

    # pyoxigraph.Store's reading surface ----------------------------------------------

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """Return the named graphs the push wrote."""
        return iter([ox.NamedNode(g) for g in self.dataset.graphs])

    def _default(self) -> list[str]:
        merge = self.dataset.merge
        return [merge] if merge else []

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
        default_graph: Any = None,
        named_graphs: list[ox.NamedNode] | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
    ) -> Any:
        """Run *query* at the endpoint, on the pushed dataset; answer as pyoxigraph would.

        Returns :class:`pyoxigraph.QuerySolutions` (SELECT), :class:`pyoxigraph.QueryBoolean`
        (ASK) or a list of :class:`pyoxigraph.Triple` (CONSTRUCT, DESCRIBE).

        :param substitutions: parameters, bound in the text (:func:`bind_text`).
        :param default_graph: graphs to use as the default graph instead of the merge.
        :param named_graphs: the named graphs instead of every pushed graph.
        """
        text = query
        if substitutions:
            text = bind_text(text, {v.value: t for v, t in substitutions.items()}).text
        if base_iri:
            text = f"BASE {ox.NamedNode(base_iri)}\n{text}"
        if prefixes:
            text = unescaped_names(text, prefixes)
            declared = "".join(f"PREFIX {p}: {ox.NamedNode(iri)}\n" for p, iri in prefixes.items())
            text = declared + text
        if default_graph is not None or named_graphs is not None:
            graphs = default_graph if isinstance(default_graph, list) else [default_graph]
            default = [g.value for g in graphs if isinstance(g, ox.NamedNode)]
            named = [g.value for g in named_graphs or []]
            return self._run(text, default=default, named=named)
        if states_dataset(text):
            return self._run(text)
        dataset = self.dataset
        if dataset.merge is None:
            # The merge is the store's own default graph: naming any graph would hide it.
            return self._run(text)
        named = list(dataset.graphs) if names_graphs(text) else []
        return self._run(text, default=[dataset.merge], named=named)

    def quads_for_pattern(
        self,
        subject: Any,
        predicate: Any,
        object: Any,
        graph_name: Any = None,
    ) -> Iterator[ox.Quad]:
        """Return the pushed quads that match a pattern (``None`` matches anything).

        A :class:`pyoxigraph.DefaultGraph` is the merge, a named graph one pushed graph,
        ``None`` both.
        """
        terms = {"s": subject, "p": predicate, "o": object}
        pattern = " ".join(str(t) if t is not None else f"?{k}" for k, t in terms.items())
        wanted = [k for k, t in terms.items() if t is None]
        out = " ".join(f"?{k}" for k in wanted)
        found: list[ox.Quad] = []
        if graph_name is None or isinstance(graph_name, ox.DefaultGraph):
            rows = self.query(f"SELECT {out or '*'} WHERE {{ {pattern} }}")
            found += self._quads(rows, terms, wanted, ox.DefaultGraph())
        graphs = (
            list(self.dataset.graphs)
            if graph_name is None
            else []
            if isinstance(graph_name, ox.DefaultGraph)
            else [graph_name.value]
        )
        for start in range(0, len(graphs), _CHUNK):
            chunk = graphs[start : start + _CHUNK]
            listed = _iris(chunk)
            rows = self._run(
                f"SELECT ?g {out} WHERE {{ VALUES ?g {{ {listed} }} GRAPH ?g {{ {pattern} }} }}",
                named=chunk,
            )
            for row in rows:
                found += self._quads([row], terms, wanted, row["g"])
        return iter(found)

    @staticmethod
    def _quads(
        rows: Iterable[Any], terms: dict[str, Any], wanted: list[str], graph: Any
    ) -> list[ox.Quad]:
        quads = []
        for row in rows:
            values = {k: row[k] if k in wanted else t for k, t in terms.items()}
            quads.append(ox.Quad(values["s"], values["p"], values["o"], graph))
        return quads

    def triples_of(self, graph: str | None) -> list[ox.Triple]:
        """Return every triple of one pushed graph (None: the merge), in one request."""
        if graph is None:
            return list(self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
        return list(
            self._run(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_iris([graph])} {{ ?s ?p ?o }} }}",
                named=[graph],
            )
        )

    def snapshot(self) -> ox.Store:
        """Return a store holding every graph the push wrote (one read per graph).

        What exports and the static site write is the whole graph; they read it once,
        graph by graph, instead of entity by entity over the network. The copy is an
        on-disk store in a temporary folder, removed with it: Oxigraph's on-disk store
        lists quads in the same order whatever order they arrived in (its in-memory one
        does not), so pages and files come out as they do from the build.
        """
        # The folder lives as long as this endpoint object (its finalizer removes it).
        folder = tempfile.TemporaryDirectory(prefix="miikg-endpoint-")
        self._copies.append(folder)
        copy = ox.Store(folder.name)
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in self.triples_of(None)]
        for graph in self.dataset.graphs:
            name = ox.NamedNode(graph)
            quads += [
                ox.Quad(t.subject, t.predicate, t.object, name) for t in self.triples_of(graph)
            ]
        copy.bulk_extend(quads)
        return copy

    def counts(self) -> tuple[int, dict[str, int]]:
        """Return the size of the merge and of each pushed graph, as the endpoint counts them."""
        total = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        merge = next((int(row["n"].value) for row in total), 0)
        graphs = list(self.dataset.graphs)
        rows = self._run(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { VALUES ?g { "
            + _iris(graphs)
            + " } GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            named=graphs,
        )
        return merge, {str(r["g"].value): int(r["n"].value) for r in rows}
