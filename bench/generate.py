"""Generate governance-shaped RDF for the benchmarks, at any size, the same every time.

The data looks like what users join with the curated graph: many institutes (each in a
state, managed and sponsored by DoD bodies, in the DoD MII network), member
organisations with memberships of a member type, research projects with funders,
performers and an MRL range, agreements under a contract instrument, and awards with
amounts — every named thing with an English and a Chinese label. It links to the
curated graph's own entities (states, DoD bodies, member types, instruments, MRLs), so
the named queries see it.

    python bench/generate.py 1000000 -o data-1m.nt

writes N-Triples (sorted, so the bytes are the same for the same size and seed).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ID = "https://w3id.org/miikg/id/"
BENCH = "https://w3id.org/miikg/id/bench/"
MIIKG = "https://w3id.org/miikg/ontology/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

STATES = [
    "new-york",
    "michigan",
    "pennsylvania",
    "california",
    "ohio",
    "minnesota",
    "new-hampshire",
    "illinois",
    "massachusetts",
]
DOD_BODIES = ["army", "onr", "afrl", "aro", "afosr", "nrl", "army-ccdc-gvsc", "dod"]
SPONSORS = ["osd-mantech", "ousd-re", "dod"]
MEMBER_TYPES = [
    "member-type-company",
    "member-type-university",
    "member-type-financial-institution",
    "member-type-local-government",
    "member-type-dod-stakeholder",
]
INSTRUMENTS = ["instrument-ca", "instrument-tia", "instrument-ota", "instrument-grant"]
FOCUS = [
    ("Additive manufacturing", "增材制造"),
    ("Digital manufacturing", "数字制造"),
    ("Lightweight metals", "轻量化金属"),
    ("Integrated photonics", "集成光子"),
    ("Flexible hybrid electronics", "柔性混合电子"),
    ("Revolutionary fibers and textiles", "革命性纤维与纺织品"),
    ("Regenerative medicine", "再生医学"),
    ("Robotics", "机器人"),
    ("Bioindustrial manufacturing", "生物工业制造"),
]

# Per institute: members, projects, agreements, awards. About 750 triples per institute.
MEMBERS, PROJECTS, AGREEMENTS, AWARDS = 40, 20, 4, 10


def _iri(value: str) -> str:
    return f"<{value}>"


def _text(value: str, lang: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _institute(i: int, rnd: random.Random) -> Iterator[tuple[str, str, str]]:
    s = _iri(f"{BENCH}institute/{i}")
    focus_en, focus_zh = FOCUS[i % len(FOCUS)]
    yield s, _iri(RDF_TYPE), _iri(MIIKG + "Institute")
    yield s, _iri(RDF_TYPE), _iri(ORG + "OrganizationalCollaboration")
    yield s, _iri(RDFS + "label"), _text(f"{focus_en} Institute {i}", "en")
    yield s, _iri(RDFS + "label"), _text(f"{focus_zh}创新所 {i}", "zh")
    yield s, _iri(SCHEMA + "alternateName"), _text(f"MII-{i}", "en")
    yield s, _iri(MIIKG + "technologyFocus"), _text(focus_en, "en")
    yield s, _iri(MIIKG + "technologyFocus"), _text(focus_zh, "zh")
    yield s, _iri(MIIKG + "state"), _iri(f"{ID}place/{rnd.choice(STATES)}")
    yield s, _iri(MIIKG + "managedBy"), _iri(f"{ID}organization/{rnd.choice(DOD_BODIES)}")
    yield s, _iri(MIIKG + "sponsor"), _iri(f"{ID}organization/{rnd.choice(SPONSORS)}")
    yield s, _iri(ORG + "memberOf"), _iri(f"{ID}programme/dod-mii-network")
    yield s, _iri(SCHEMA + "foundingDate"), _typed(f"{rnd.randint(2012, 2025)}", "gYear")
    for mt in rnd.sample(MEMBER_TYPES, 3):
        yield s, _iri(MIIKG + "hasMemberType"), _iri(f"{ID}concept/{mt}")


def _organisation(i: int, m: int, rnd: random.Random) -> Iterator[tuple[str, str, str]]:
    org = _iri(f"{BENCH}organization/{i}-{m}")
    kind = rnd.choice(MEMBER_TYPES)
    yield org, _iri(RDF_TYPE), _iri(MIIKG + "Organization")
    yield org, _iri(RDFS + "label"), _text(f"Member {m} of institute {i}", "en")
    yield org, _iri(RDFS + "label"), _text(f"创新所 {i} 的成员 {m}", "zh")
    yield org, _iri(MIIKG + "state"), _iri(f"{ID}place/{rnd.choice(STATES)}")
    ms = _iri(f"{BENCH}membership/{i}-{m}")
    yield ms, _iri(RDF_TYPE), _iri(ORG + "Membership")
    yield ms, _iri(ORG + "member"), org
    yield ms, _iri(ORG + "organization"), _iri(f"{BENCH}institute/{i}")
    yield ms, _iri(ORG + "role"), _iri(f"{ID}concept/{kind}")
    yield ms, _iri(DCTERMS + "date"), _typed(f"{rnd.randint(2013, 2026)}", "gYear")


def _project(i: int, p: int, rnd: random.Random) -> Iterator[tuple[str, str, str]]:
    s = _iri(f"{BENCH}project/{i}-{p}")
    low = rnd.randint(4, 7)
    yield s, _iri(RDF_TYPE), _iri(SCHEMA + "ResearchProject")
    yield s, _iri(RDFS + "label"), _text(f"Project {p} of institute {i}", "en")
    yield s, _iri(RDFS + "label"), _text(f"创新所 {i} 的项目 {p}", "zh")
    yield s, _iri(SCHEMA + "funder"), _iri(f"{BENCH}institute/{i}")
    yield s, _iri(SCHEMA + "funder"), _iri(f"{ID}organization/{rnd.choice(DOD_BODIES)}")
    yield s, _iri(MIIKG + "performer"), _iri(f"{BENCH}organization/{i}-{rnd.randrange(MEMBERS)}")
    yield s, _iri(MIIKG + "minMRL"), _typed(low, "integer")
    yield s, _iri(MIIKG + "maxMRL"), _typed(low + rnd.randint(0, 3), "integer")
    yield s, _iri(SCHEMA + "about"), _iri(f"{ID}concept/mrl-{low}")


def _agreement(i: int, a: int, rnd: random.Random) -> Iterator[tuple[str, str, str]]:
    s = _iri(f"{BENCH}agreement/{i}-{a}")
    year = rnd.randint(2012, 2026)
    yield s, _iri(RDF_TYPE), _iri(MIIKG + "Agreement")
    yield s, _iri(RDFS + "label"), _text(f"Agreement {a} of institute {i} ({year})", "en")
    yield s, _iri(RDFS + "label"), _text(f"创新所 {i} 的协议 {a}（{year} 年）", "zh")
    yield s, _iri(MIIKG + "agreementFor"), _iri(f"{BENCH}institute/{i}")
    yield s, _iri(MIIKG + "awardee"), _iri(f"{BENCH}organization/{i}-0")
    yield s, _iri(MIIKG + "instrument"), _iri(f"{ID}concept/{rnd.choice(INSTRUMENTS)}")
    yield s, _iri(MIIKG + "establishing"), _typed("true" if a == 0 else "false", "boolean")
    yield (
        s,
        _iri(DCTERMS + "date"),
        _typed(f"{year}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}", "date"),
    )


def _award(i: int, w: int, rnd: random.Random) -> Iterator[tuple[str, str, str]]:
    s = _iri(f"{BENCH}award/{i}-{w}")
    member = rnd.randrange(MEMBERS)
    yield s, _iri(RDF_TYPE), _iri(SCHEMA + "MonetaryGrant")
    yield s, _iri(SCHEMA + "identifier"), _typed(f"W911NF-{i:05d}-{w:03d}", "string")
    yield s, _iri(RDFS + "label"), _text(f"Award {w} to member {member} of institute {i}", "en")
    yield s, _iri(RDFS + "label"), _text(f"向创新所 {i} 成员 {member} 的第 {w} 笔资助", "zh")
    yield s, _iri(SCHEMA + "amount"), _typed(f"{rnd.randint(50, 50000) * 1000}", "decimal")
    yield s, _iri(SCHEMA + "currency"), _typed("USD", "string")
    yield s, _iri(SCHEMA + "funder"), _iri(f"{ID}organization/{rnd.choice(DOD_BODIES)}")
    yield s, _iri(MIIKG + "awardee"), _iri(f"{BENCH}organization/{i}-{member}")


def institute_triples(i: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """Every triple about institute *i*, its members, projects, agreements and awards."""
    rnd = random.Random(f"{seed}-{i}")
    out = list(_institute(i, rnd))
    for m in range(MEMBERS):
        out.extend(_organisation(i, m, rnd))
    for p in range(PROJECTS):
        out.extend(_project(i, p, rnd))
    for a in range(AGREEMENTS):
        out.extend(_agreement(i, a, rnd))
    for w in range(AWARDS):
        out.extend(_award(i, w, rnd))
    return out


def generate(triples: int, out: Path, *, seed: int = 0) -> int:
    """Write about *triples* triples (whole institutes, never fewer) to *out*; return the count."""
    lines: list[str] = []
    i = 0
    while len(lines) < triples:
        lines.extend(f"{s} {p} {o} .\n" for s, p, o in institute_triples(i, seed))
        i += 1
    lines.sort()
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.writelines(lines)
    tmp.replace(out)
    return len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "triples", type=int, help="how many triples (rounded up to a whole institute)"
    )
    parser.add_argument("-o", "--out", type=Path, required=True, help="N-Triples file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n = generate(args.triples, args.out, seed=args.seed)
    print(f"{n} triples -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
