"""The query page at ``/``: YASGUI's editor and result table over the endpoint, en or zh.

The page's data travels as JSON in ``<script type="application/json">`` blocks (never run,
and ``<``, ``>`` and ``&`` escaped, so no text can close the block): the named queries
of :func:`miikg.queries.catalogue` with their titles and descriptions, the project's
prefixes, the words of both languages and where IRIs of the graph are served. The
page's behaviour is ``assets/query.js``; YASGUI is vendored in ``assets/yasgui/``.
"""

from __future__ import annotations

import json
from typing import Any

from miikg.ontology.namespaces import BASE, PREFIXES
from miikg.queries import catalogue

__all__ = ["DEFAULT_QUERY", "QUERY_UI", "catalogue_json", "page_context", "script_json"]

#: The editor's first query: the project's prefixes declared, then an example.
DEFAULT_QUERY = (
    "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())
    + "\nSELECT ?institute ?label ?founded WHERE {\n"
    + "  ?institute a miikg:Institute ;\n"
    + "      rdfs:label ?label ;\n"
    + "      schema:foundingDate ?founded .\n"
    + '  FILTER(LANG(?label) = "en")\n'
    + "}\nORDER BY ?founded\n"
)

QUERY_UI: dict[str, dict[str, str]] = {
    "en": {
        "named": "Named queries",
        "named_hint": "One click loads a query and runs it.",
        "run": "Run",
        "running": "Running…",
        "rows": "{n} row(s) in {ms} ms",
        "triples": "{n} bytes in {ms} ms",
        "boolean": "Answer: {value} ({ms} ms)",
        "truncated": "The result was cut at the endpoint's limit ({why}).",
        "error": "Error {status}",
        "missing": "Enter a value for {name}.",
        "nomatch": "Nothing matches {value}.",
        "network": "The endpoint did not answer.",
        "download": "Download",
        "share": "Link to this query",
        "params": "Parameters",
        "note": "The default graph is the merge of every source's named graph; "
        "GRAPH ?g selects one source. Ctrl-Enter runs the query; Ctrl-Space completes "
        "prefixes, classes and properties of this graph.",
        "sd": "Service description",
        "yes": "true",
        "no": "false",
    },
    "zh": {
        "named": "命名查询",
        "named_hint": "点击即可载入并运行查询。",
        "run": "运行",
        "running": "正在运行…",
        "rows": "{n} 行，用时 {ms} 毫秒",
        "triples": "{n} 字节，用时 {ms} 毫秒",
        "boolean": "结果：{value}（{ms} 毫秒）",
        "truncated": "结果已按端点上限截断（{why}）。",
        "error": "错误 {status}",
        "missing": "请填写 {name}。",
        "nomatch": "没有与 {value} 匹配的实体。",
        "network": "端点没有响应。",
        "download": "下载",
        "share": "本查询的链接",
        "params": "参数",
        "note": "默认图是所有来源命名图的合并；用 GRAPH ?g 可选定某一来源。"
        "Ctrl-Enter 运行查询；Ctrl-Space 补全本图谱的前缀、类和属性。",
        "sd": "服务描述",
        "yes": "真",
        "no": "假",
    },
}


def script_json(value: Any) -> str:
    """Return *value* as JSON that is safe inside a ``<script>`` element.

    >>> script_json({"a": "</script>"})
    '{"a": "\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def catalogue_json() -> str:
    """Return the named queries as JSON safe to place inside a ``<script>`` element."""
    entries = [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "text": q.text,
            "params": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "doc": p.doc,
                    "choices": list(p.choices),
                    "default": p.default,
                    "optional": p.optional,
                }
                for p in q.params
            ],
        }
        for q in catalogue().values()
    ]
    return script_json(entries)


def page_context(base: str) -> dict[str, Any]:
    """Return what the query page template needs, for a server whose base IRI maps to *base*."""
    config = {
        "base": BASE,
        "local": base,
        "endpoint": base + "sparql",
        "prefixes": PREFIXES,
        "defaultQuery": DEFAULT_QUERY,
        "ui": QUERY_UI,
    }
    return {"catalogue": catalogue_json(), "config": script_json(config), "ui": QUERY_UI}
