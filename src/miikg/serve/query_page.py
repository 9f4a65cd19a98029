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


#: YASGUI's results view (YASR and the DataTables it draws with) has its words in English
#: in its bundle. In Chinese the page rewrites each as it is drawn: a whole text, title,
#: placeholder or ARIA label that matches a pattern (anchored, JavaScript syntax) becomes
#: its replacement. Result cells and the raw response are left as they are.
YASR_ZH: list[tuple[str, str]] = [
    ("Table", "表格"),
    ("Response", "原始响应"),
    ("Shows Table view", "显示表格"),
    ("Shows Response view", "显示原始响应"),
    ("View documentation of (Table|Response)", "查看说明"),
    ("Filter query results", "筛选结果"),
    ("Download [Rr]esults?", "下载结果"),
    ("Simple view", "简洁视图"),
    ("Ellipse", "截断长文本"),
    ("Page size:", "每页行数："),
    ("All", "全部"),
    ("(\\d+) results? in ([\\d.]+) seconds?", "$1 条结果，用时 $2 秒"),
    ("Showing (\\d+) to (\\d+) of (\\d+) entries", "第 $1–$2 条，共 $3 条"),
    ("\\(filtered from (\\d+) total entries\\)", "（从 $1 条中筛选）"),
    ("No data available in table", "表中没有数据"),
    ("No matching records found", "没有匹配的结果"),
    ("No results", "没有结果"),
    ("pagination", "分页"),
    ("First", "第一页"),
    ("Previous", "上一页"),
    ("Next", "下一页"),
    ("Last", "最后一页"),
    ("(.+): Activate to sort", "$1：点击排序"),
    ("(.+): Activate to invert sorting", "$1：点击反向排序"),
    ("(.+): Activate to remove sorting", "$1：点击取消排序"),
]


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
        "yasrZh": YASR_ZH,
    }
    return {"catalogue": catalogue_json(), "config": script_json(config), "ui": QUERY_UI}
