"""The benchmark: its generated data is what it says, and ``bench/run.py --quick`` runs.

The quick run is the command anyone uses to check a change; here it must finish, write
its JSON and Markdown, and show that miikg and raw pyoxigraph found the same rows for
every query and imported the same triples. Timings are not asserted (they are the
benchmark's output, not a property of the code).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from miikg.queries import catalogue

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import interactive as interactive_bench  # noqa: E402
import report  # noqa: E402

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def test_generated_data_is_governance_shaped_bilingual_and_linked(
    tmp_path: Path, store: ox.Store
) -> None:
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    count = generate.generate(5_000, first)
    assert generate.generate(5_000, second) == count
    assert first.read_bytes() == second.read_bytes()
    triples = [q.triple for q in ox.parse(path=first, format=ox.RdfFormat.N_TRIPLES)]
    assert len(triples) == len({str(t) for t in triples}) == count >= 5_000

    institutes = -(-5_000 // len(generate.institute_triples(0)))
    types = Counter(
        t.object.value.rsplit("/", 1)[-1] for t in triples if t.predicate.value == RDF_TYPE
    )
    assert types == {
        "Institute": institutes,
        "org#OrganizationalCollaboration": institutes,
        "Organization": institutes * generate.MEMBERS,
        "org#Membership": institutes * generate.MEMBERS,
        "ResearchProject": institutes * generate.PROJECTS,
        "Agreement": institutes * generate.AGREEMENTS,
        "MonetaryGrant": institutes * generate.AWARDS,
    }
    labels: dict[str, set[str | None]] = {}
    for t in triples:
        if t.predicate.value == LABEL:
            assert isinstance(t.object, ox.Literal)
            labels.setdefault(t.subject.value, set()).add(t.object.language)
    named = {t.subject.value for t in triples if t.predicate.value == RDF_TYPE}
    named -= {s for s in named if "/membership/" in s}
    assert all(labels.get(s) == {"en", "zh"} for s in named)

    curated = {
        t.object.value
        for t in triples
        if isinstance(t.object, ox.NamedNode)
        and t.object.value.startswith(generate.ID)
        and not t.object.value.startswith(generate.BENCH)
    }
    assert len(curated) > 20
    missing = [
        iri
        for iri in curated
        if not any(store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(LABEL), None))
    ]
    assert missing == []


def test_quick_run_writes_the_table_and_both_engines_agree(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "quick.json").read_text())
    entry = results["sizes"]["10k"]
    generated = entry["triples"]
    assert {e: entry["import"][e]["triples"] for e in entry["import"]} == {
        "miikg": generated,
        "raw": generated,
        "raw-same": generated,
        "rdflib": generated,
    }
    queries = entry["queries"]
    assert set(queries["miikg"]["named"]) == set(catalogue())
    rows = {
        e: {n: r["rows"] for n, r in queries[e]["named"].items() if "rows" in r} for e in queries
    }
    assert rows["miikg"] == rows["raw"]
    assert len(rows["miikg"]) == len(catalogue())
    assert rows["miikg"]["institutes"] == 9 + 15  # the curated nine and 15 generated
    for shape, result in queries["miikg"]["shapes"].items():
        assert result["rows"] == queries["raw"]["shapes"][shape]["rows"] > 0, shape
    agreed = [n for n, r in rows["rdflib"].items() if r == rows["miikg"][n]]
    assert len(agreed) >= 20
    text = (tmp_path / "quick.md").read_text()
    assert text == report.markdown(results)
    for heading in (
        "**Targets**",
        "**Import**",
        "**Queries**",
        "**Exports**",
        "**Network**",
        "**SHACL**",
        "**Interactive**",
    ):
        assert heading in text
    interactive = entry["interactive"]
    assert len(interactive["commands"]) == 13
    for label, command in interactive["commands"].items():
        assert command["curated"]["median"] > 0 and command["imported"]["median"] > 0, label
        assert "median" in interactive["raw_queries"][command["raw"]], label
    assert interactive["page"]["imported"]["median"] > 0
    # bench/interactive.py --markdown: the machine, the targets at the largest size, the table
    page = interactive_bench.report({"sizes": {"10k": interactive}}, "10k", 3, 60.0)
    assert "`python bench/interactive.py --sizes 10k --reps 3`, 1.0 min" in page
    assert "**Targets at 10k**" in page
    assert "| interactive commands 10k: each ≤ 1.5× the curated build |" in page
    assert "| `miikg stats` 10k: ≤ 2× a raw COUNT(*) |" in page
    for label in interactive["commands"]:
        assert f"| 10k | `{label}` |" in page, label
    assert "| 10k | entity page on `miikg serve`" in page
    assert "| `miikg --help` < 0.3 s |" in text
    assert text in done.stdout
