"""The static site: the pages ``miikg serve`` shows, as files for any static host.

One page per IRI of the graph under the base (``id/…``, ``ontology/…``, ``graph/…``),
in English (``x.html``) and Chinese (``x.zh.html``), with its data beside it (``x.ttl``,
``x.nt``, ``x.jsonld``, ``x.rdf``), rendered by the server's own renderer
(:mod:`miikg.serve.entity_pages`) with relative links. Around them: an index and a
listing per kind of page, the named queries with their results (and CSV), the explorer,
the ontology documentation, every export with checksums (``downloads/``, the release
folder of ``miikg export --all``), VoID, ``sitemap.xml`` and a search page whose index
travels inside it, so search works from a folder opened in a browser (``file://``).

Every HTML page names its Content-Security-Policy in a ``<meta>`` element. The explorer
and the ontology documentation carry inline script and style: their policy allows
exactly those blocks by hash, nothing else.

The site is written into a temporary folder beside *out* and renamed into place: a
failed build leaves the previous site as it was.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape

import pyoxigraph as ox

from miikg.errors import MiikgError
from miikg.exports.registry import ExportSource, Source, as_source
from miikg.ontology.namespaces import BASE, PREFIXES
from miikg.queries import EXAMPLE_PARAMS, NamedQuery, catalogue
from miikg.queries.run import QueryResult, run_named
from miikg.serve import entity_data
from miikg.serve.entity_pages import (
    LANGUAGES,
    RDF_SUFFIXES,
    SiteLinks,
    render_entity,
    render_template,
    site_path,
)
from miikg.serve.query_page import script_json

__all__ = ["MARKER", "Site", "SiteError", "harden_csp", "write_site"]

#: The file that marks a folder as a miikg site (so a rebuild may replace it).
MARKER = ".miikg-site"
#: Rows of a query's result shown on its page (the CSV holds them all).
ROWS_SHOWN = 300
_RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}
_ALT_NAMES = tuple(
    ox.NamedNode(iri)
    for iri in (
        PREFIXES["schema"] + "alternateName",
        PREFIXES["miikg"] + "formerName",
        PREFIXES["skos"] + "altLabel",
        PREFIXES["skos"] + "notation",
    )
)


class SiteError(MiikgError):
    """The site cannot be written where it was asked."""


@dataclass
class Site:
    """A written site: its folder, and what it holds."""

    folder: Path
    entities: int = 0
    pages: Counter[str] = field(default_factory=Counter)
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_CSP_META = re.compile(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>\s*", re.IGNORECASE)
_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
_STYLE = re.compile(r"<style[^>]*>(?P<body>.*?)</style>", re.DOTALL | re.IGNORECASE)


def harden_csp(page: str) -> str:
    """Give a self-contained page a policy that allows its own inline blocks only.

    Each inline ``<script>`` (data blocks aside) and ``<style>`` is allowed by its
    SHA-256; anything injected later would not match. An existing CSP ``<meta>`` is
    replaced.
    """
    scripts = [
        _hash(m["body"])
        for m in _SCRIPT.finditer(page)
        if "src=" not in m["attrs"] and "application/json" not in m["attrs"]
    ]
    styles = [_hash(m["body"]) for m in _STYLE.finditer(page)]
    policy = (
        "default-src 'none'; "
        f"script-src {' '.join(scripts) if scripts else chr(39) + 'none' + chr(39)}; "
        f"style-src {' '.join(styles) if styles else chr(39) + 'none' + chr(39)}; "
        "img-src data: blob:; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
    page = _CSP_META.sub("", page, count=1)
    head = re.search(r"<head[^>]*>\s*(<meta charset=[^>]*>\s*)?", page, re.IGNORECASE)
    if head is None:
        raise SiteError("a page to publish has no <head>", zh="要发布的页面没有 <head>")
    return page[: head.end()] + meta + page[head.end() :]


class _Writer:
    """Writes files under a folder and counts them."""

    def __init__(self, root: Path, site: Site) -> None:
        self.root = root
        self.site = site

    def text(self, relative: str, content: str, *, kind: str | None = None) -> None:
        self.bytes(relative, content.encode("utf-8"), kind=kind)

    def bytes(self, relative: str, content: bytes, *, kind: str | None = None) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        if kind:
            self.site.pages[kind] += 1


def _kind_of(iri: str) -> str:
    """The listing an IRI belongs to: ``id/institute``, ``ontology``, ``graph`` …"""
    rest = iri[len(BASE) :]
    head, _, tail = rest.partition("/")
    if head == "id" and "/" in tail:
        return f"id/{tail.split('/')[0]}"
    return head


def _search_entry(
    store: ox.Store, iri: str, labels: dict[str, dict[str, str]]
) -> dict[str, object]:
    names: set[str] = set()
    node = ox.NamedNode(iri)
    for prop in _ALT_NAMES:
        for quad in store.quads_for_pattern(node, prop, None, ox.DefaultGraph()):
            if isinstance(quad.object, ox.Literal):
                names.add(quad.object.value)
    return {
        "p": site_path(iri).removesuffix(".html"),
        "i": iri,
        "en": labels["en"][iri],
        "zh": labels["zh"][iri],
        "a": sorted(names),
    }


def _rows_csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.variables)
    writer.writerows([row.text(v) for v in result.variables] for row in result)
    return buffer.getvalue()


def _cell(term: object, labels: dict[str, str]) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"iri": term.value, "text": labels.get(term.value, term.value), "lang": ""}
    if isinstance(term, ox.Literal):
        return {"iri": "", "text": term.value, "lang": term.language or ""}
    return {"iri": "", "text": "" if term is None else str(term), "lang": ""}


def _ordered(result: QueryResult, query: NamedQuery) -> QueryResult:
    """Return *result* with its rows sorted by their text if *query* leaves their order to
    the store (the network views, read whole by the projections), so that a page is the
    same whichever store answered it."""
    if _ORDER_BY.search(query.text):
        return result
    key = result.variables
    rows = sorted(result.rows, key=lambda row: tuple(row.text(v) for v in key))
    return replace(result, rows=tuple(rows))


_ORDER_BY = re.compile(r"^\s*ORDER\s+BY\b", re.IGNORECASE | re.MULTILINE)


def _write_queries(data: ExportSource, out: _Writer) -> None:
    store = data.store
    queries = list(catalogue().values())
    for lang in LANGUAGES:
        index = render_template(
            "site_queries.html",
            links=SiteLinks(f"queries/{'index' if lang == 'en' else 'index.' + lang}.html"),
            lang=lang,
            queries=queries,
        )
        out.text(f"queries/index{'' if lang == 'en' else '.' + lang}.html", index, kind="queries")
    for query in queries:
        example = EXAMPLE_PARAMS.get(query.name, {})
        for lang in LANGUAGES:
            name = f"queries/{query.name}{'' if lang == 'en' else '.' + lang}"
            params = {p.name: example[p.name] for p in query.params if p.name in example}
            result = _ordered(run_named(data.queries, query.name, params, lang=lang), query)
            out.text(f"{name}.csv", _rows_csv(result))
            shown = result.rows[:ROWS_SHOWN]
            iris = {
                t.value for row in shown for t in row.values.values() if isinstance(t, ox.NamedNode)
            }
            labels = entity_data.label_map(store, iris, lang=lang)
            rows = [[_cell(row[v], labels) for v in result.variables] for row in shown]
            page = render_template(
                "site_query.html",
                links=SiteLinks(f"{name}.html"),
                lang=lang,
                query=query,
                example=params,
                variables=result.variables,
                rows=rows,
                total=len(result),
                csv=f"{query.name}{'' if lang == 'en' else '.' + lang}.csv",
            )
            out.text(f"{name}.html", page, kind="query")


def _write_downloads(source: ExportSource, out: _Writer) -> list[tuple[str, int, str]]:
    from miikg.exports.release import CHECKSUMS, write_checksums, write_release

    folder = out.root / "downloads"
    write_release(source, folder)
    docs = folder / "ontology.html"
    docs.write_text(harden_csp(docs.read_text(encoding="utf-8")), encoding="utf-8")
    write_checksums(folder)
    listing = []
    for line in (folder / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listing.append((name, (folder / name).stat().st_size, digest))
    return listing


def _write_explorer(source: ExportSource, out: _Writer) -> None:
    from miikg.exports.explorer import explorer_html
    from miikg.exports.network import project, read_catalog

    graph = source.projection()
    # The whole graph, and the Manufacturing USA network grouped by department.
    network = project(read_catalog(source.store), "network")
    for name, shown in (("explorer", graph), ("explorer-network", network)):
        for lang in LANGUAGES:
            page = harden_csp(explorer_html(shown, lang=lang))
            out.text(f"{name}{'' if lang == 'en' else '.' + lang}.html", page, kind="explorer")


def _sitemap(url: str, pages: list[str]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    lines += [f"  <url><loc>{escape(url + page)}</loc></url>" for page in sorted(pages)]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _assets(out: _Writer) -> None:
    from importlib import resources

    folder = resources.files("miikg.serve").joinpath("assets")
    for name in ("page.css", "search.js"):
        out.bytes(f"assets/{name}", folder.joinpath(name).read_bytes())


def _replace(target: Path, built: Path) -> None:
    if target.exists():
        if not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).exists()):
            raise SiteError(
                f"{target} exists and is not a miikg site: give a new or empty folder",
                zh=f"{target} 已存在且不是 miikg 站点：请指定新目录或空目录",
            )
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
        built.rename(target)
        shutil.rmtree(old)
    else:
        built.rename(target)


def write_site(source: Source, out: Path, *, url: str = BASE) -> Site:
    """Write the static site of *source* into *out* (replacing an earlier site there).

    :param url: where the site will be published, for ``sitemap.xml``.
    :raises SiteError: *out* is a file, or a folder that holds something else.
    """
    started = time.perf_counter()
    out = Path(out).absolute()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise SiteError(
            f"{out} exists and is not a miikg site: give a new or empty folder",
            zh=f"{out} 已存在且不是 miikg 站点：请指定新目录或空目录",
        )
    if not url.endswith("/"):
        url += "/"
    data = as_source(source)
    store = data.store
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.partial-{os.getpid()}")
    if temp.exists():
        shutil.rmtree(temp)
    temp.mkdir()
    site = Site(out)
    writer = _Writer(temp, site)
    try:
        iris = entity_data.entity_iris(store)
        site.entities = len(iris)
        labels = {lang: entity_data.label_map(store, iris, lang=lang) for lang in LANGUAGES}
        kinds: dict[str, list[str]] = {}
        for iri in iris:
            kinds.setdefault(_kind_of(iri), []).append(iri)
            triples = entity_data.entity_triples(store, iri)
            for suffix in RDF_SUFFIXES:
                body = ox.serialize(
                    triples,
                    format=_RDF_FORMATS[suffix],
                    prefixes=None if suffix == "nt" else PREFIXES,
                )
                writer.bytes(site_path(iri, suffix=suffix), body or b"")
            for lang in LANGUAGES:
                page_data = entity_data.read_entity(store, iri, lang=lang)
                if page_data is None:  # the store changed under us
                    raise SiteError(
                        f"{iri} vanished from the store while the site was written",
                        zh=f"写出站点期间 {iri} 从存储中消失",
                    )
                path = site_path(iri, lang)
                writer.text(
                    path,
                    render_entity(page_data, links=SiteLinks(path)),
                    kind=_kind_of(iri).split("/")[0],
                )
        for lang in LANGUAGES:
            suffix = "" if lang == "en" else f".{lang}"
            for kind, members in kinds.items():
                path = f"browse/{kind.replace('/', '-')}{suffix}.html"
                rows = sorted(members, key=lambda i: labels[lang][i].casefold())
                page = render_template(
                    "site_browse.html",
                    links=SiteLinks(path),
                    lang=lang,
                    kind=kind,
                    members=[(iri, labels[lang][iri]) for iri in rows],
                )
                writer.text(path, page, kind="browse")
        _write_queries(data, writer)
        _write_explorer(data, writer)
        downloads = _write_downloads(data, writer)
        index = script_json([_search_entry(store, iri, labels) for iri in iris])
        writer.text("search-index.json", index)
        for lang in LANGUAGES:
            suffix = "" if lang == "en" else f".{lang}"
            counts = sorted(
                (k, len(v), f"browse/{k.replace('/', '-')}{suffix}.html") for k, v in kinds.items()
            )
            pages: dict[str, tuple[str, dict[str, object]]] = {
                f"index{suffix}.html": (
                    "site_index.html",
                    {"counts": counts, "entities": len(iris)},
                ),
                f"search{suffix}.html": ("search.html", {"text": "", "hits": [], "index": index}),
                f"downloads{suffix}.html": ("site_downloads.html", {"files": downloads}),
            }
            for path, (template, context) in pages.items():
                page = render_template(template, links=SiteLinks(path), lang=lang, **context)
                writer.text(path, page, kind=path.split(".")[0])
        _assets(writer)
        html = sorted(p.relative_to(temp).as_posix() for p in temp.rglob("*.html"))
        writer.text("sitemap.xml", _sitemap(url, html))
        writer.text(MARKER, "miikg static site\n")
        files = [p for p in temp.rglob("*") if p.is_file()]
        site.files = len(files)
        site.bytes = sum(p.stat().st_size for p in files)
        _replace(out, temp)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    site.seconds = time.perf_counter() - started
    return site
