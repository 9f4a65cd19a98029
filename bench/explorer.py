"""Explorer size and time-to-stable layout in headless Chromium, against plain pyvis.

    python bench/explorer.py [--sizes 100 1000 5000] [--cap 60] [--json FILE]

For each size a synthetic projection is generated (fixed seed: eight kinds of node,
about two edges per node, each node linking to earlier ones with a preference for the
well linked, as member networks grow). The same graph is written twice in the same run:

* the miikg explorer (positions computed in Python, physics off);
* plain pyvis (``Network.add_node``/``add_edge``, scripts inlined, default physics).

Each page is opened from a file in Debian's Chromium, every non-file request blocked.
Measured: HTML size; seconds from navigation to the first drawn frame with the final
layout (miikg) or to the end of vis-network's stabilisation and to ``stabilized``
(pyvis; capped); frames drawn per second during a one-second zoom afterwards; and
``centrality_stats`` on the same graph (sampled betweenness above 1,000 nodes).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

from miikg.exports.analytics import centrality_stats
from miikg.exports.explorer import GROUP_ABOVE, explorer_html

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
KINDS = [
    ("miikg:Institute", "Institute", "制造创新所"),
    ("miikg:GovernmentBody", "Government body", "政府机构"),
    ("miikg:Office", "Office", "办公室"),
    ("miikg:Organization", "Organization", "组织"),
    ("miikg:Programme", "Programme", "计划"),
    ("miikg:Agreement", "Agreement", "协议"),
    ("miikg:Quantity", "Quantity", "数量"),
    ("miikg:MemberType", "Member type", "会员类型"),
]

# pyvis keeps its network in a global `network`; catch the assignment to time its events.
# The times go out through the console: a page busy laying out answers no evaluate().
HOOK = """
(() => {
  let held;
  const say = (what) => console.log("bench:" + what + ":" + performance.now());
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return held; },
    set(value) {
      held = value;
      value.once("afterDrawing", () => say("drawn"));
      value.once("stabilizationIterationsDone", () => say("iterations"));
      value.once("stabilized", () => say("stable"));
    },
  });
})();
"""
FPS = """
async (target) => {
  const net = target === "miikg" ? window.miikgExplorer.network : window.network;
  let frames = 0;
  const count = () => { frames += 1; };
  net.on("afterDrawing", count);
  const scale = net.getScale();
  net.moveTo({ scale: scale * 2, animation: { duration: 1000, easingFunction: "linear" } });
  await new Promise((done) => setTimeout(done, 1000));
  net.off("afterDrawing", count);
  return frames;
}
"""


def generate(n: int, *, seed: int = 0) -> nx.MultiDiGraph[str]:
    """Return a synthetic projection of *n* nodes with every attribute the explorer reads."""
    rng = random.Random(seed)
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(view="governance")
    ends: list[str] = []
    for i in range(n):
        node = f"urn:bench:{i}"
        kind, en, zh = KINDS[i % len(KINDS)] if i >= 8 else KINDS[i]
        source = "paper-s1" if i % 3 == 0 else f"src-{i % 40}"
        graph.add_node(
            node,
            iri=node,
            kind=kind,
            class_en=en,
            class_zh=zh,
            label_en=f"{en} {i}",
            label_zh=f"{zh}{i}",
            names=[f"{en} {i}", f"{zh}{i}"],
            sources=[source],
            facts=[],
            stage=[],
            instrument=[],
            phase=[],
        )
        for _ in range(2 if i else 0):
            target = (
                rng.choice(ends) if ends and rng.random() < 0.7 else f"urn:bench:{rng.randrange(i)}"
            )
            predicate = rng.choice(["miikg:funds", "org:memberOf", "miikg:sponsor"])
            graph.add_edge(node, target, key=predicate, label_en=predicate, label_zh=predicate,
                           sources=[source])  # fmt: skip
            ends += [node, target]
    return graph


def plain_pyvis(graph: nx.MultiDiGraph[str]) -> str:
    """Return what a plain pyvis user writes for the same graph (scripts inlined)."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    index = {n: i for i, n in enumerate(graph.nodes)}
    for node, attrs in graph.nodes(data=True):
        net.add_node(index[node], label=attrs["label_en"], group=attrs["kind"])
    for u, v, _ in graph.edges(keys=True):
        net.add_edge(index[u], index[v])
    return str(net.generate_html())


def log(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def measure(playwright: Any, path: Path, target: str, cap: float) -> dict[str, Any]:
    """Open *path* in a fresh browser; return its timings (``None``: not within *cap* s)."""
    log(f"opening {path.name}")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []
    errors: list[str] = []
    events: dict[str, float] = {}

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    def console(message: Any) -> None:
        if message.text.startswith("bench:"):
            _, what, at = message.text.split(":")
            events.setdefault(what, float(at) / 1000)

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", console)
    if target == "pyvis":
        page.add_init_script(HOOK)
    page.goto(path.as_uri(), wait_until="commit")
    out: dict[str, Any] = {}
    responsive = True
    if target == "miikg":
        page.wait_for_function("() => window.miikgReadyAt !== undefined", timeout=cap * 1000)
        out["interactive_s"] = page.evaluate("window.miikgReadyAt") / 1000
        out["stable_s"] = out["interactive_s"]  # physics is off: the first frame is final
    else:
        deadline = time.monotonic() + cap
        while "stable" not in events and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        out["iterations_done_s"] = events.get("iterations")
        out["stable_s"] = events.get("stable")
        out["first_frame_s"] = events.get("drawn")
        out["interactive_s"] = out["iterations_done_s"]
        # Still in vis-network's synchronous start-up: nothing more can be asked of it.
        responsive = "drawn" in events
    if responsive:
        log("zooming")
        out["fps_zoom"] = page.evaluate(FPS, target)
    else:
        out["fps_zoom"] = None
    out["blocked_requests"] = len(blocked)
    out["page_errors"] = len(errors)
    browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--cap", type=float, default=60.0, help="seconds to wait for pyvis")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        for n in args.sizes:
            log(f"{n} nodes: generating, analytics, pages")
            graph = generate(n)
            start = time.perf_counter()
            stats = centrality_stats(graph)
            analytics_s = time.perf_counter() - start
            start = time.perf_counter()
            ours = explorer_html(graph)
            build_s = time.perf_counter() - start
            start = time.perf_counter()
            theirs = plain_pyvis(graph)
            pyvis_build_s = time.perf_counter() - start
            row: dict[str, Any] = {
                "nodes": n,
                "edges": graph.number_of_edges(),
                "analytics_s": round(analytics_s, 3),
                "betweenness": stats.betweenness_method
                + (f" k={stats.sample_size}" if stats.sample_size else ""),
                "miikg_grouped_by_kind": n > GROUP_ABOVE,
            }
            for name, page, built in (("miikg", ours, build_s), ("pyvis", theirs, pyvis_build_s)):
                path = Path(tmp) / f"{name}-{n}.html"
                path.write_text(page, encoding="utf-8")
                row[name] = {
                    "bytes": path.stat().st_size,
                    "python_s": round(built, 3),
                    **measure(pw, path, name, args.cap),
                }
            results.append(row)
            print(json.dumps(row), flush=True)
    machine = f"{platform.machine()}, {platform.python_version()}"
    print(f"\n{machine}")
    print(
        "| nodes | edges | analytics s | miikg KiB | miikg python s | miikg interactive s "
        "| miikg zoom fps | pyvis KiB | pyvis stabilised s | pyvis settled s | pyvis zoom fps |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

    def s(value: float | None) -> str:
        return f"{value:.2f}" if value is not None else f"> {args.cap:.0f}"

    for r in results:
        m, p = r["miikg"], r["pyvis"]
        grouped = " (grouped)" if r["miikg_grouped_by_kind"] else ""
        print(
            f"| {r['nodes']}{grouped} | {r['edges']} "
            f"| {r['analytics_s']:.2f} ({r['betweenness']}) "
            f"| {m['bytes'] // 1024} | {m['python_s']:.2f} | {s(m['interactive_s'])} "
            f"| {m['fps_zoom']} | {p['bytes'] // 1024} | {s(p['iterations_done_s'])} "
            f"| {s(p['stable_s'])} | {'–' if p['fps_zoom'] is None else p['fps_zoom']} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    sys.exit(0)


if __name__ == "__main__":
    main()
