"""Turn the results of ``bench/run.py`` into Markdown tables, with the targets checked.

python bench/report.py bench/results/latest.json    # print the tables again
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ENGINES = ("miikg", "raw", "rdflib")


def _s(entry: dict[str, Any] | None, *, spread: bool = True, ms: bool = False) -> str:
    """A median with its min–max, in seconds (or ms), or the limit a run passed."""
    if entry is None:
        return "not run"
    if entry.get("skipped"):
        return f"> {entry['timeout']:g} s (smaller size)"
    if "timeout" in entry:
        return f"> {entry['timeout']:g} s"
    if "error" in entry:
        return "error"
    scale, unit = (1000, " ms") if ms else (1, " s")
    fmt = (lambda v: f"{v * scale:.1f}") if ms else (lambda v: f"{v * scale:.3g}")
    text = fmt(entry["median"]) + unit
    if spread and entry.get("min") is not None and entry.get("max", 0) > entry["min"]:
        text += f" ({fmt(entry['min'])}–{fmt(entry['max'])})"
    return text


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{a / b:.2f}×" if a / b < 10 else f"{a / b:.0f}×"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _mib(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _size(n: int) -> str:
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} B"


def named_totals(queries: dict[str, Any]) -> dict[str, Any]:
    """Sums of medians over the named queries every engine finished, and what was left out."""
    names = sorted(queries["miikg"]["named"])
    finished = [n for n in names if all("median" in queries[e]["named"][n] for e in ENGINES)]
    total = {
        e: sum(
            queries[e]["named"][n]["median"] for n in names if "median" in queries[e]["named"][n]
        )
        for e in ("miikg", "raw")
    }
    subset = {e: sum(queries[e]["named"][n]["median"] for n in finished) for e in ENGINES}
    worst = max(
        (
            (queries["miikg"]["named"][n]["median"] / queries["raw"]["named"][n]["median"], n)
            for n in names
            if queries["raw"]["named"][n].get("median", 0) >= 0.005
        ),
        default=(0.0, ""),
    )
    return {"names": names, "finished": finished, "total": total, "subset": subset, "worst": worst}


def rdflib_ratios(queries: dict[str, Any]) -> dict[str, tuple[float, bool]]:
    """rdflib ÷ miikg per named query, and whether it is only a lower bound.

    Where rdflib passed its time limit (here or at a smaller size) the limit stands for
    its time, so the ratio is at least that; a query rdflib fails on is left out.
    """
    out: dict[str, tuple[float, bool]] = {}
    for name, mine in queries["miikg"]["named"].items():
        theirs = queries["rdflib"]["named"][name]
        if "median" in theirs:
            out[name] = (theirs["median"] / mine["median"], False)
        elif "timeout" in theirs:
            out[name] = (theirs["timeout"] / mine["median"], True)
    return out


#: The interactive commands whose peak memory the target bounds (explore and network).
_MEMORY_BOUND = ("explore", "network")


def interactive_targets(sizes: dict[str, Any], size: str) -> list[tuple[str, str, str, bool]]:
    """The interactive targets at *size*: ratios to the curated build, stats, memory."""
    entry = sizes[size].get("interactive", sizes[size])
    commands = entry["commands"]
    ratios = {
        label: c["imported"]["median"] / c["curated"]["median"] for label, c in commands.items()
    }
    page = entry["page"]["imported"]["median"] / entry["page"]["curated"]["median"]
    ratios["entity page on the endpoint"] = page
    within = [label for label, r in ratios.items() if r <= 1.5]
    worst = max(ratios, key=lambda label: ratios[label])
    out = [
        (
            f"interactive commands {size}: each ≤ 1.5× the curated build",
            f"{len(within)} of {len(ratios)}",
            f"worst {ratios[worst]:.2f}× ({worst})",
            len(within) == len(ratios),
        )
    ]
    raw = entry["raw_queries"]["count"]["median"]
    stats = commands["stats"]["imported"]["median"]
    out.append(
        (
            f"`miikg stats` {size}: ≤ 2× a raw COUNT(*)",
            f"{stats / raw:.2f}×",
            f"{stats:.3g} s, fresh process; COUNT(*) {raw:.3g} s in process",
            stats / raw <= 2,
        )
    )
    memory = {
        label: c["imported"]["rss_mib"] / c["curated"]["rss_mib"]
        for label, c in commands.items()
        if label.startswith(_MEMORY_BOUND)
    }
    heaviest = max(memory, key=lambda label: memory[label])
    out.append(
        (
            f"explore/network peak memory {size}: ≤ 2× the curated build",
            f"{memory[heaviest]:.2f}×",
            f"worst: {heaviest}; {sum(1 for m in memory.values() if m <= 2)} of "
            f"{len(memory)} within",
            memory[heaviest] <= 2,
        )
    )
    return out


def interactive_table(sizes: dict[str, Any]) -> list[str]:
    """The interactive table: each command with imported data as a ratio to the curated build."""
    lines = [
        "| size | command | curated | with the import | ratio | raw pyoxigraph, minimal query "
        "| peak MiB curated / import |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for size, item in sizes.items():
        entry = item.get("interactive", item)
        raw = entry.get("raw_queries", {})
        for label, c in entry["commands"].items():
            cur, imp = c["curated"], c["imported"]
            lines.append(
                _row(
                    size,
                    f"`{label}`",
                    _s(cur, spread=False),
                    _s(imp, spread=False),
                    _ratio(imp["median"], cur["median"]),
                    _s(raw.get(c["raw"]), spread=False, ms=True),
                    f"{_mib(cur['rss_mib'])} / {_mib(imp['rss_mib'])}",
                )
            )
        page = entry["page"]
        lines.append(
            _row(
                size,
                "entity page on `miikg serve` (one request, server running)",
                _s(page["curated"], spread=False, ms=True),
                _s(page["imported"], spread=False, ms=True),
                _ratio(page["imported"]["median"], page["curated"]["median"]),
                _s(raw.get("page"), spread=False, ms=True),
                "",
            )
        )
    return lines


def targets(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """Each target of the benchmark issue: what it asks, what was measured, met or not."""
    out: list[tuple[str, str, str, bool]] = []
    largest = list(results["sizes"])[-1] if results["sizes"] else None
    if largest:
        entry = results["sizes"][largest]
        imp = entry["import"]
        r_raw = imp["miikg"]["median"] / imp["raw"]["median"]
        r_lib = imp["rdflib"]["median"] / imp["miikg"]["median"]
        same = imp["miikg"]["median"] / imp["raw-same"]["median"] if "raw-same" in imp else 0
        note = f"{same:.2f}× raw pyoxigraph doing the same writes (named + default graph)"
        out.append(
            (f"import {largest}: ≤ 1.3× raw pyoxigraph", f"{r_raw:.2f}×", note, r_raw <= 1.3)
        )
        out.append(
            (f"import {largest}: ≥ 10× faster than rdflib", f"{r_lib:.1f}×", "", r_lib >= 10)
        )
        t = named_totals(entry["queries"])
        q_raw = t["total"]["miikg"] / t["total"]["raw"]
        out.append(
            (
                f"named queries {largest}: ≤ 1.3× raw pyoxigraph (sum of medians)",
                f"{q_raw:.2f}×",
                f"worst single query {t['worst'][0]:.2f}× ({t['worst'][1]})",
                q_raw <= 1.3,
            )
        )
        ratios = rdflib_ratios(entry["queries"])
        values = sorted(r for r, _ in ratios.values())
        median = values[len(values) // 2] if values else 0.0
        bounds = sum(1 for _, lower in ratios.values() if lower)
        errors = len(t["names"]) - len(ratios)
        note = f"{sum(1 for v in values if v >= 10)} of {len(values)} queries ≥ 10×"
        if bounds:
            note += f"; {bounds} only ≥ (rdflib over its limit)"
        if errors:
            note += f"; {errors} rdflib could not answer"
        out.append(
            (
                f"named queries {largest}: ≥ 10× faster than rdflib (median per query)",
                f"{median:.1f}×",
                note,
                median >= 10,
            )
        )
        if "interactive" in entry:
            out += interactive_targets(results["sizes"], largest)
    cur = results["curated"]
    out.append(
        (
            "`miikg --help` < 0.3 s",
            f"{cur['miikg --help']['median']:.3f} s",
            "",
            cur["miikg --help"]["median"] < 0.3,
        )
    )
    out.append(
        (
            "`miikg query institutes` < 1 s cold",
            f"{cur['miikg query institutes']['median']:.3f} s",
            "",
            cur["miikg query institutes"]["median"] < 1,
        )
    )
    build = cur["miikg build (with SHACL)"]["median"]
    out.append(
        (
            "build and validate the curated graph < 2 s",
            f"{build:.2f} s",
            "`miikg build` validates before it writes",
            build < 2,
        )
    )
    return out


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Measured {results['date']} ({results['mode']} run, "
        f"{results.get('seconds', 0) / 60:.1f} min) on {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB, {m['system']}; Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + ". Medians (min–max); ratios from the same run. Peak memory: each process's maximum RSS.",
        "",
        "**Targets**",
        "",
        "| target | measured | note | met |",
        "|---|---:|---|:-:|",
    ]
    for what, measured, note, met in targets(results):
        lines.append(f"| {what} | {measured} | {note} | {'yes' if met else '**no**'} |")
    interactive = {s: e for s, e in results["sizes"].items() if "interactive" in e}
    if interactive:
        lines += [
            "",
            "**Interactive** (each command in a fresh process, process start included, on the "
            "curated build and on the same build with the generated data imported, interleaved "
            "run by run; ratio = with the import ÷ curated; raw pyoxigraph: the minimal query "
            "the command needs, on the imported store, in one process)",
            "",
            *interactive_table(interactive),
        ]
    lines += [
        "",
        "**Import** (a generated N-Triples file; miikg: `import rdf` into a curated build, "
        "which writes it to its own named graph and to the merged default graph; "
        "raw: one `bulk_load` into an empty store's default graph; raw, same writes: "
        "two `bulk_load`s, into a named graph and the default graph, at once)",
        "",
        "| size | triples | miikg | raw pyoxigraph | raw, same writes | rdflib "
        "| miikg ÷ raw | miikg ÷ same | rdflib ÷ miikg | peak MiB miikg / raw / same / rdflib |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, e in results["sizes"].items():
        i = e["import"]
        t = {k: i[k]["median"] for k in i}
        mem = " / ".join(_mib(i[k]["rss_mib"]) for k in ("miikg", "raw", "raw-same", "rdflib"))
        lines.append(
            f"| {size} | {e['triples']:,} | {_s(i['miikg'])} | {_s(i['raw'])} | "
            f"{_s(i['raw-same'])} | {_s(i['rdflib'])} | {_ratio(t['miikg'], t['raw'])} | "
            f"{_ratio(t['miikg'], t['raw-same'])} | {_ratio(t['rdflib'], t['miikg'])} | {mem} |"
        )
    lines += [
        "",
        "**Queries** on the curated graph plus the generated data (rdflib time limit per query: "
        "over it, a query is not run at larger sizes)",
        "",
        "| size | query | miikg | raw pyoxigraph | rdflib | miikg ÷ raw | rdflib ÷ miikg |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for size, e in results["sizes"].items():
        q = e["queries"]
        t = named_totals(q)
        left = len(t["names"]) - len(t["finished"])
        lib = f"{t['subset']['rdflib']:.3g} s" + (f" + {left} unfinished" if left else "")
        ratios = sorted(r for r, _ in rdflib_ratios(q).values())
        median = f"median {ratios[len(ratios) // 2]:.1f}× per query" if ratios else "–"
        lines.append(
            _row(
                size,
                f"all {len(t['names'])} named queries, sum of medians",
                f"{t['total']['miikg']:.3g} s",
                f"{t['total']['raw']:.3g} s",
                lib,
                _ratio(t["total"]["miikg"], t["total"]["raw"]),
                median,
            )
        )
        for shape in q["miikg"]["shapes"]:
            cells = [q[eng]["shapes"][shape] for eng in ENGINES]
            medians = [c.get("median") for c in cells]
            lines.append(
                _row(
                    size,
                    f"{shape} ({cells[0].get('rows', '?')} rows)",
                    *(_s(c, ms=True) for c in cells),
                    _ratio(medians[0], medians[1]),
                    _ratio(medians[2], medians[0]),
                )
            )
        mem = " / ".join(_mib(q[eng].get("rss_mib")) for eng in ENGINES)
        load = f"rdflib load {q['rdflib']['load_seconds']:.1f} s"
        lines.append(_row(size, f"peak MiB miikg / raw / rdflib ({load})", mem, "", "", "", ""))
    sizes = list(results["sizes"])
    if sizes:
        lines += ["", "**Exports** (seconds and size; the raw rows are the store's own dumps)", ""]
        lines.append("| format | " + " | ".join(sizes) + " |")
        lines.append("|---|" + "---:|" * len(sizes))
        first = results["sizes"][sizes[0]]["exports"]
        for kind in ("miikg", "raw"):
            for fmt in first[kind]:
                cells = []
                for size in sizes:
                    x = results["sizes"][size]["exports"][kind][fmt]
                    cells.append(f"{x['seconds']:.3g} s, {_size(x['bytes'])}")
                label = fmt if kind == "miikg" else f"raw {fmt} dump"
                lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append(
            "| read and sort all quads (shared by the RDF formats) | "
            + " | ".join(
                f"{results['sizes'][s]['exports']['read_sorted_quads_seconds']:.3g} s"
                for s in sizes
            )
            + " |"
        )
        lines.append(
            "| network projection (shared by graph formats) | "
            + " | ".join(
                f"{results['sizes'][s]['exports']['projection_seconds']:.3g} s" for s in sizes
            )
            + " |"
        )
        lines.append(
            "| peak MiB (all formats, one process) | "
            + " | ".join(_mib(results["sizes"][s]["exports"]["rss_mib"]) for s in sizes)
            + " |"
        )
        lines += [
            "",
            "**Network** (NetworkX; betweenness exact up to 500 nodes, sampled above)",
            "",
            "| size | catalogue read | view | nodes | edges | projection | centrality "
            "| explorer page | peak MiB |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|",
        ]
        for size in sizes:
            n = results["sizes"][size]["network"]
            for view in ("governance", "all"):
                v = n[view]
                lines.append(
                    _row(
                        size,
                        f"{n['catalog_seconds']:.3g} s",
                        view,
                        f"{v['nodes']:,}",
                        f"{v['edges']:,}",
                        f"{v['projection_seconds']:.3g} s",
                        f"{v['centrality_seconds']:.3g} s ({v['betweenness']})",
                        f"{v['explorer_seconds']:.3g} s, {v['explorer_bytes'] / 1024:,.0f} KiB",
                        _mib(n["rss_mib"]),
                    )
                )
    lines += [
        "",
        "**Curated graph and command line** (fresh process each run)",
        "",
        "| command | time | peak MiB |",
        "|---|---:|---:|",
    ]
    for label, entry in results["curated"].items():
        lines.append(f"| `{label}` | {_s(entry)} | {_mib(entry['rss_mib'])} |")
    shacl = {size: e["shacl"] for size, e in results["sizes"].items() if "shacl" in e}
    if shacl:
        lines += [
            "",
            "**SHACL** over the generated data alone (pySHACL; `miikg validate` checks "
            "only the curated data, "
            "whatever has been imported)",
            "",
            "| size | pySHACL | findings | peak MiB |",
            "|---|---:|---:|---:|",
        ]
        for size, x in shacl.items():
            if "timeout" in x:
                lines.append(f"| {size} | > {x['timeout']:g} s | – | – |")
            else:
                lines.append(
                    f"| {size} | {x['seconds']:.3g} s | {x['findings']} | {_mib(x['rss_mib'])} |"
                )
    largest = sizes[-1] if sizes else None
    if largest:
        q = results["sizes"][largest]["queries"]
        lines += [
            "",
            f"<details><summary>Every named query at {largest}</summary>",
            "",
            "| query | rows | miikg | raw pyoxigraph | rdflib | miikg ÷ raw | rdflib ÷ miikg |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        ratios = rdflib_ratios(q)
        for name in sorted(q["miikg"]["named"]):
            a, b, c = (q[e]["named"][name] for e in ENGINES)
            times = (_s(x, ms=True, spread=False) for x in (a, b, c))
            lib = "–"
            if name in ratios:
                ratio, lower = ratios[name]
                lib = ("≥ " if lower else "") + _ratio(ratio, 1.0)
            mine = _ratio(a.get("median"), b.get("median"))
            lines.append(_row(name, str(a.get("rows", "")), *times, mine, lib))
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(json.loads(Path(sys.argv[1]).read_text())))
