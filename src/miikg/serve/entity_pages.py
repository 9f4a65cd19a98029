"""One renderer of HTML pages for two outputs: ``miikg serve`` and the static site.

Pages are Jinja2 templates (``serve/templates/``) with autoescaping on, so every label,
literal and IRI is escaped; a link is made only from an ``http(s)`` IRI (anything else,
``javascript:`` or ``data:`` included, is shown as text). Where an href points is the one
thing that differs between the server and the site, and a :class:`Links` object decides
it: on the server an IRI under the base maps onto the server (``--base-iri``), in the
site onto a relative file path.

Entity pages carry no script at all; the query and search pages load their scripts
from files of the same origin. Every page names its Content-Security-Policy: the server
sends it as a header, the site writes it into a ``<meta http-equiv>`` element.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol
from urllib.parse import quote

from miikg.ontology.namespaces import BASE, PREFIXES
from miikg.serve.entity_data import EntityData, Value, is_http_iri, page_kind
from miikg.serve.neighbourhood import draw

__all__ = [
    "CSP_PAGE",
    "CSP_QUERY",
    "CSP_SEARCH",
    "LANGUAGES",
    "RDF_SUFFIXES",
    "UI",
    "Links",
    "ServerLinks",
    "SiteLinks",
    "environment",
    "render_entity",
    "render_template",
    "site_path",
]

LANGUAGES = ("en", "zh")
#: Suffix → media type of the RDF forms of an entity (the server's and the site's files).
RDF_SUFFIXES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
#: Pages without script: styles and images from the page's own origin only.
CSP_PAGE = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: The static site's search page: its one script file besides.
CSP_SEARCH = CSP_PAGE.replace("default-src 'none';", "default-src 'none'; script-src 'self';")
#: The query page: scripts and requests to its own origin only. YASGUI's editor
#: (CodeMirror) and result table set ``style`` attributes in the markup they build, which
#: CSP counts as inline style: style-src needs 'unsafe-inline'. Style cannot run code;
#: script-src stays 'self' (no inline script, no eval).
CSP_QUERY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

UI: dict[str, dict[str, str]] = {
    "en": {
        "site": "DoD Manufacturing Innovation Institutes knowledge graph",
        "home": "Home",
        "query": "SPARQL query",
        "search": "Search",
        "search_placeholder": "Name or id, in English or Chinese",
        "explorer": "Network explorer",
        "ontology_docs": "Ontology",
        "queries": "Named queries",
        "downloads": "Downloads",
        "language": "Language",
        "types": "Type",
        "facts": "Facts",
        "property": "Property",
        "value": "Value",
        "sources": "Sources",
        "incoming": "Linked from",
        "incoming_more": "Only the first {n} links are shown; the SPARQL endpoint lists them all.",
        "notes": "Sources of these facts",
        "conflict": "conflicting claims",
        "conflict_note": "Sources disagree on a value marked as conflicting: each claim is "
        "kept with its source.",
        "disagreements": "Disagreements",
        "neighbourhood": "Neighbourhood",
        "graph_claims": "Claims in this graph",
        "graph_claims_more": "Only the first {n} claims are shown.",
        "subject": "Subject",
        "as_rdf": "This page as data",
        "iri": "IRI",
        "not_found": "Not found",
        "not_found_text": "The graph says nothing about {iri}.",
        "no_facts": "No facts recorded.",
        "licence": "Data and ontology: CC BY 4.0.",
        "entities": "Entities",
        "count": "{n} pages",
        "no_results": "Nothing matches.",
        "results": "Results",
        "rows": "{n} row(s)",
        "rows_cut": "The first {shown} of {n} rows are shown; the CSV file holds them all.",
        "needs_params": "This query takes parameters; run it on the SPARQL endpoint "
        "or with `miikg query`.",
        "download_csv": "Results as CSV",
        "file": "File",
        "format": "Format",
        "size": "Size",
        "checksums": "SHA-256 checksums of every file",
        "void": "Dataset description (VoID)",
        "examples": "Examples",
        "kinds": "Kinds of page",
        "mxd_hint": "For example: MxD's founding date, its sources and its disagreements.",
        "intro": "A bilingual knowledge graph of the US Department of Defense Manufacturing "
        "Innovation Institutes: who founds, funds, governs and joins them, through which "
        "agreements, at which manufacturing readiness levels. Every statement keeps its "
        "source; where sources disagree, both claims stay and are marked.",
        "more": "Explore",
        "queries_text": "Every named query, its SPARQL and its results.",
        "explorer_text": "The network of institutes, bodies and agreements, drawn in the browser.",
        "explorer_network": "The Manufacturing USA network",
        "explorer_network_text": "Every institute by department, with the offices above it.",
        "ontology_text": "Classes, properties and code lists, in English and Chinese.",
        "downloads_text": "The whole graph in every export format, with SHA-256 checksums.",
        "search_text": "Find an entity by name, id or former name.",
        "example_params": "Run with",
        "kind_id_agreement": "Agreements",
        "kind_id_argument": "Lessons and recommendations",
        "kind_id_concept": "Concepts (code lists)",
        "kind_id_disagreement": "Disagreements between sources",
        "kind_id_effect": "Effects of phases on goals",
        "kind_id_event": "Events",
        "kind_id_institute": "Institutes",
        "kind_id_organization": "Organisations",
        "kind_id_place": "Places",
        "kind_id_programme": "Programmes and networks",
        "kind_id_quantity": "Money and other figures",
        "kind_id_revenue_arrangement": "Revenue arrangements",
        "kind_id_revenue_stream": "Revenue streams",
        "kind_id_scheme": "Concept schemes",
        "kind_id_source": "Sources",
        "kind_ontology": "Ontology terms",
        "kind_graph": "Named graphs (one per source)",
    },
    "zh": {
        "site": "美国国防部制造创新所知识图谱",
        "home": "首页",
        "query": "SPARQL 查询",
        "search": "搜索",
        "search_placeholder": "名称或 id，中文或英文",
        "explorer": "网络浏览器",
        "ontology_docs": "本体",
        "queries": "命名查询",
        "downloads": "下载",
        "language": "语言",
        "types": "类型",
        "facts": "事实",
        "property": "属性",
        "value": "取值",
        "sources": "来源",
        "incoming": "被以下引用",
        "incoming_more": "只显示前 {n} 条引用；SPARQL 端点可列出全部。",
        "notes": "这些事实的来源",
        "conflict": "说法相互冲突",
        "conflict_note": "标为冲突的取值各来源说法不一：每个说法都连同其来源保留。",
        "disagreements": "分歧",
        "neighbourhood": "邻近关系",
        "graph_claims": "本图中的陈述",
        "graph_claims_more": "只显示前 {n} 条陈述。",
        "subject": "主语",
        "as_rdf": "本页的数据形式",
        "iri": "IRI",
        "not_found": "未找到",
        "not_found_text": "图谱中没有关于 {iri} 的内容。",
        "no_facts": "没有记录的事实。",
        "licence": "数据与本体：CC BY 4.0 许可。",
        "entities": "实体",
        "count": "{n} 个页面",
        "no_results": "没有匹配项。",
        "results": "结果",
        "rows": "{n} 行",
        "rows_cut": "只显示 {n} 行中的前 {shown} 行；CSV 文件包含全部。",
        "needs_params": "该查询需要参数；请在 SPARQL 端点或用 `miikg query` 运行。",
        "download_csv": "结果（CSV）",
        "file": "文件",
        "format": "格式",
        "size": "大小",
        "checksums": "全部文件的 SHA-256 校验和",
        "void": "数据集描述（VoID）",
        "examples": "示例",
        "kinds": "页面类别",
        "mxd_hint": "例如：MxD 的成立时间、其来源及相关分歧。",
        "intro": "美国国防部制造创新所的中英双语知识图谱：谁创建、资助、治理和加入这些创新所，"
        "通过哪些协议，处于哪些制造成熟度等级。每条陈述都保留来源；来源不一致之处，"
        "各方说法都予保留并加以标注。",
        "more": "浏览",
        "queries_text": "全部命名查询及其 SPARQL 与结果。",
        "explorer_text": "在浏览器中绘制的创新所、机构与协议网络。",
        "explorer_network": "“制造美国”网络",
        "explorer_network_text": "按主办部门划分的网络中所有创新所，及管理它们的办公室。",
        "ontology_text": "类、属性和代码表，中英文对照。",
        "downloads_text": "整个图谱的各种导出格式，附 SHA-256 校验和。",
        "search_text": "按名称、id 或曾用名查找实体。",
        "example_params": "运行参数",
        "kind_id_agreement": "协议",
        "kind_id_argument": "经验启示与政策建议",
        "kind_id_concept": "概念（代码表）",
        "kind_id_disagreement": "来源之间的分歧",
        "kind_id_effect": "发展阶段对目标的影响",
        "kind_id_event": "事件",
        "kind_id_institute": "制造创新所",
        "kind_id_organization": "组织机构",
        "kind_id_place": "地点",
        "kind_id_programme": "项目与网络",
        "kind_id_quantity": "资金及其他数字",
        "kind_id_revenue_arrangement": "收入安排",
        "kind_id_revenue_stream": "收入来源",
        "kind_id_scheme": "概念体系",
        "kind_id_source": "来源",
        "kind_ontology": "本体术语",
        "kind_graph": "命名图（每个来源一个）",
    },
}


class Links(Protocol):
    """Where a page's hrefs point: the one thing the server and the site do differently."""

    @property
    def csp_meta(self) -> bool:
        """Tell whether the CSP goes into a ``<meta>`` element (the site) or a header."""

    def entity(self, iri: str, lang: str) -> str | None:
        """Return the href of *iri*'s page in *lang*: local for a base IRI, the IRI itself
        for another http(s) IRI, None for anything else (shown as text)."""

    def page(self, name: str, lang: str) -> str:
        """Return the href of a named page (``index``, ``search``, ``query``, ``queries/x`` …)."""

    def asset(self, name: str) -> str:
        """Return the href of a static file (CSS, script)."""

    def rdf(self, iri: str, suffix: str) -> str:
        """Return the href of *iri*'s data in the format of *suffix*."""

    def here(self, lang: str) -> str:
        """Return the href of the current page in *lang*."""


def _quote_path(rest: str) -> str:
    """Percent-encode what may not stand in a URL path; keep escapes already there."""
    return quote(rest, safe="/:@!$&'()*+,;=-._~%")


@dataclass(frozen=True)
class ServerLinks:
    """Links of pages served by ``miikg serve``: the base IRI maps onto *base* (default ``/``)."""

    base: str = "/"
    current: str = "/"
    csp_meta: bool = False

    def _with_lang(self, path: str, lang: str) -> str:
        return f"{path}?lang={lang}"

    def entity(self, iri: str, lang: str) -> str | None:
        if page_kind(iri) is not None:
            return self._with_lang(self.base + _quote_path(iri[len(BASE) :]), lang)
        return iri if is_http_iri(iri) else None

    def page(self, name: str, lang: str) -> str:
        path = {"index": "", "query": "", "search": "search"}.get(name, name)
        return self._with_lang(self.base + path, lang)

    def asset(self, name: str) -> str:
        return f"{self.base}assets/{name}"

    def rdf(self, iri: str, suffix: str) -> str:
        return f"{self.base}{_quote_path(iri[len(BASE) :])}.{suffix}"

    def here(self, lang: str) -> str:
        return self._with_lang(self.current, lang)


def site_path(iri: str, lang: str = "en", suffix: str = "html") -> str:
    """Return the file of *iri*'s page in the static site, relative to its root.

    Each path segment is percent-encoded into a safe file name (``.`` and ``..`` too);
    an IRI ending in ``/`` gets ``index``. English pages are ``x.html``, Chinese
    ``x.zh.html``, data ``x.ttl`` and so on.

    >>> site_path("https://w3id.org/miikg/id/institute/mxd", "zh")
    'id/institute/mxd.zh.html'
    >>> site_path("https://w3id.org/miikg/ontology/")
    'ontology/index.html'
    """
    rest = iri[len(BASE) :]
    segments = rest.split("/")
    if segments[-1] == "":
        segments[-1] = "index"
    safe = []
    for segment in segments:
        name = quote(segment, safe="-_~")
        safe.append(name.replace(".", "%2E") if set(segment) <= {"."} else name)
    stem = "/".join(safe)
    if suffix == "html" and lang != "en":
        return f"{stem}.{lang}.html"
    return f"{stem}.{suffix}"


def _page_file(name: str, lang: str) -> str:
    return f"{name}.html" if lang == "en" else f"{name}.{lang}.html"


@dataclass(frozen=True)
class SiteLinks:
    """Links between files of the static site, relative to the page at *current*."""

    current: str
    csp_meta: bool = True

    def _rel(self, target: str) -> str:
        folder = posixpath.dirname(self.current) or "."
        return quote(posixpath.relpath(target, folder), safe="/")

    def entity(self, iri: str, lang: str) -> str | None:
        if page_kind(iri) is not None:
            return self._rel(site_path(iri, lang))
        return iri if is_http_iri(iri) else None

    def page(self, name: str, lang: str) -> str:
        if name == "query":
            name = "queries/index"
        return self._rel(_page_file(name, lang))

    def asset(self, name: str) -> str:
        return self._rel(f"assets/{name}")

    def rdf(self, iri: str, suffix: str) -> str:
        return self._rel(site_path(iri, suffix=suffix))

    def here(self, lang: str) -> str:
        stem = self.current.removesuffix(".html").removesuffix(".zh")
        return self._rel(f"{stem}.html" if lang == "en" else f"{stem}.{lang}.html")


@cache
def environment() -> Any:
    """Return the Jinja2 environment of the page templates (autoescaping on)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("miikg.serve", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, *, links: Links, lang: str, **context: Any) -> str:
    """Render template *name* in *lang* with the shared context (words, links, CSP)."""
    words = UI[lang]
    csp = {"query.html": CSP_QUERY, "search.html": CSP_SEARCH}.get(name, CSP_PAGE)
    if links.csp_meta:  # frame-ancestors is ignored in a <meta> element (CSP 3, §6.1)
        csp = csp.replace("; frame-ancestors 'none'", "")
    return str(
        environment()
        .get_template(name)
        .render(
            lang=lang,
            html_lang="zh-Hans" if lang == "zh" else "en",
            other="zh" if lang == "en" else "en",
            t=words,
            links=links,
            csp=csp if links.csp_meta else None,
            local=lambda iri: page_kind(iri) is not None,
            **context,
        )
    )


#: Properties shown first on a page, in this order; the others follow by label.
FIRST = tuple(
    PREFIXES[p] + name
    for p, name in (
        ("rdf", "type"),
        ("rdfs", "label"),
        ("skos", "prefLabel"),
        ("schema", "alternateName"),
        ("miikg", "formerName"),
        ("skos", "definition"),
        ("schema", "foundingDate"),
        ("miikg", "organizer"),
        ("miikg", "state"),
    )
)


def _grouped(data: EntityData) -> list[tuple[Value, list[Any]]]:
    """Statements grouped by property: types first, then by the property's label."""
    groups: dict[str, tuple[Value, list[Any]]] = {}
    for s in data.statements:
        key = s.property.iri or s.property.text
        groups.setdefault(key, (s.property, []))[1].append(s)

    def order(group: tuple[Value, list[Any]]) -> tuple[int, str, str]:
        prop = group[0]
        first = FIRST.index(prop.iri) if prop.iri in FIRST else len(FIRST)
        return (first, prop.text.casefold(), prop.iri or "")

    return sorted(groups.values(), key=order)


def render_entity(data: EntityData, *, links: Links) -> str:
    """Render the page of one entity."""
    return render_template(
        "entity.html",
        links=links,
        lang=data.lang,
        data=data,
        groups=_grouped(data),
        drawing=draw(data),
        suffixes=RDF_SUFFIXES,
    )
