"""Entity pages behind the graph's IRIs, on a real ``miikg serve``: HTML in en and zh,
the entity's triples by content negotiation (checked with curl and with rdflib loading
the IRI from the server), headers, and what the pages say about MxD.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from miikg.ontology.namespaces import BASE, ID
from miikg.serve.entity_data import entity_triples, is_http_iri, read_entity
from miikg.serve.entity_pages import site_path
from miikg.serve.linked_data import negotiate_page, pick_language
from servers import miikg_server

MXD = ID + "institute/mxd"
#: One IRI of each kind of page: an entity, a class, a property, a concept, a concept
#: scheme, a source, a named graph and the ontology itself.
KINDS = {
    "institute": MXD,
    "class": BASE + "ontology/Institute",
    "property": BASE + "ontology/organizer",
    "concept": ID + "concept/mrl-4",
    "scheme": ID + "scheme/member-types",
    "source": ID + "source/paper-table-2",
    "graph": BASE + "graph/paper-table-2",
    "ontology": BASE + "ontology/",
}
RDF_TYPES = {
    "text/turtle": ("ttl", "turtle"),
    "application/n-triples": ("nt", "nt"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/rdf+xml": ("rdf", "xml"),
}


@pytest.fixture(scope="module")
def server(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with miikg_server(home, tmp_path_factory.mktemp("pages")) as running:
        yield running.base


def local(server: str, iri: str) -> str:
    return server + "/" + iri.removeprefix(BASE)


def triples_of(store: ox.Store, iri: str) -> set[tuple[str, str, str]]:
    """The store's triples about *iri* (merged default graph), as rdflib N-Triples terms."""
    graph = rdflib.Graph()
    data = ox.serialize(entity_triples(store, iri), format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=data, format="nt")
    return {(s.n3(), p.n3(), o.n3()) for s, p, o in graph}


def as_set(graph: rdflib.Graph) -> set[tuple[str, str, str]]:
    return {(s.n3(), p.n3(), o.n3()) for s, p, o in graph}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_rdflib_loads_each_kind_of_iri_from_the_server_with_the_stores_triples(
    server: str, store: ox.Store, kind: str
) -> None:
    iri = KINDS[kind]
    expected = triples_of(store, iri)
    assert len(expected) >= 2
    graph = rdflib.Graph()
    graph.parse(local(server, iri))  # rdflib asks for RDF in its Accept header
    assert as_set(graph) == expected


@pytest.mark.parametrize("media", sorted(RDF_TYPES))
def test_each_rdf_format_by_accept_and_by_suffix_holds_the_stores_triples(
    server: str, store: ox.Store, media: str
) -> None:
    suffix, rdflib_format = RDF_TYPES[media]
    expected = triples_of(store, MXD)
    by_accept = httpx.get(local(server, MXD), headers={"Accept": media}, timeout=30)
    by_suffix = httpx.get(local(server, MXD) + "." + suffix, timeout=30)
    for reply in (by_accept, by_suffix):
        assert reply.status_code == 200
        assert reply.headers["content-type"].split(";")[0] == media
        graph = rdflib.Graph()
        graph.parse(data=reply.content, format=rdflib_format)
        assert as_set(graph) == expected
    # CORS adds Origin to Vary; the negotiation's own two headers must be named.
    vary = {v.strip() for v in by_accept.headers["vary"].split(",")}
    assert {"Accept", "Accept-Language"} <= vary


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_curl_negotiates_html_and_turtle_with_vary_and_alternates(server: str) -> None:
    def curl(*headers: str) -> tuple[str, str]:
        args = [
            "curl",
            "-s",
            "-D",
            "-",
            *(a for h in headers for a in ("-H", h)),
            local(server, MXD),
        ]
        raw = subprocess.run(args, capture_output=True, timeout=60, check=True).stdout
        head, _, body = raw.decode("utf-8").partition("\r\n\r\n")
        return head.lower(), body

    head, body = curl("Accept: text/turtle")
    assert "content-type: text/turtle" in head
    assert "vary: accept, accept-language" in head
    assert "<https://w3id.org/miikg/id/institute/mxd>" in body or "mid:institute\\/mxd" in body
    head, body = curl(
        "Accept: text/html,application/xhtml+xml;q=0.9", "Accept-Language: zh-CN,zh;q=0.9"
    )
    assert "content-type: text/html" in head and "content-language: zh" in head
    assert "数字制造和设计创新所" in body
    links = re.search(r"^link: (.*)$", head, re.MULTILINE)
    assert links is not None
    for suffix, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json")):
        assert f'</id/institute/mxd.{suffix}>; rel="alternate"; type="{media}"' in links[1]
    assert 'hreflang="zh"' in links[1] and 'hreflang="en"' in links[1]
    assert "content-security-policy: default-src 'none'" in head


def test_refusals_name_what_went_wrong(server: str) -> None:
    missing = httpx.get(server + "/id/institute/no-such-thing", timeout=30)
    assert missing.status_code == 404
    assert "https://w3id.org/miikg/id/institute/no-such-thing" in missing.text
    assert "default-src 'none'" in missing.headers["content-security-policy"]
    refused = httpx.get(local(server, MXD), headers={"Accept": "image/png"}, timeout=30)
    assert refused.status_code == 406
    assert "text/turtle" in refused.text
    assert httpx.get(server + "/assets/../app.py", timeout=30).status_code == 404


def test_the_mxd_page_shows_founding_date_sources_conflicts_and_disagreement(
    server: str,
) -> None:
    en = httpx.get(local(server, MXD), headers={"Accept-Language": "en"}, timeout=30).text
    zh = httpx.get(local(server, MXD) + "?lang=zh", timeout=30).text
    assert "<h1>MxD (Manufacturing times Digital)</h1>" in en
    assert "<h1>数字制造和设计创新所</h1>" in zh
    for page in (en, zh):
        row = re.search(
            r"(founding date|成立时间)</a></th>\s*<td><ul>\s*<li>(.*?)</li>", page, re.S
        )
        assert row is not None
        assert "2014-02" in row[2]
        notes = re.findall(r'href="#note-(\d+)"', row[2])
        assert len(notes) == 2  # Table 2 and the White House announcement
        for number in notes:
            assert f'id="note-{number}"' in page
    assert "Table 2 The DoD MIIs" in en and "(表 2 / Table 2)" in en
    assert 'href="https://www.whitehouse.gov/' in en
    # both organizers are kept, each marked, and the curated disagreement is listed
    organizer = re.search(r"organizer</a></th>\s*<td><ul>(.*?)</ul>", en, re.S)
    assert organizer is not None
    assert organizer[1].count('class="conflict"') == 2
    assert "UI LABS" in organizer[1]
    assert 'id="disagreements"' in en and "MxD&#39;s organizer" in en
    assert 'id="disagreements"' in zh and "MxD 的组织者" in zh
    assert '<svg class="hood"' in en and "/id/organization/ui-labs?lang=en" in en


def test_every_kind_of_page_answers_in_both_languages(server: str) -> None:
    for kind, iri in KINDS.items():
        for lang in ("en", "zh"):
            reply = httpx.get(local(server, iri) + f"?lang={lang}", timeout=30)
            assert reply.status_code == 200, kind
            assert reply.headers["content-language"] == lang
            assert f'<html lang="{"zh-Hans" if lang == "zh" else "en"}">' in reply.text
            assert iri in reply.text


def test_base_iri_maps_links_onto_the_published_address(home: Path, tmp_path: Path) -> None:
    with miikg_server(home, tmp_path, "--base-iri", "https://kg.example.org/miikg") as running:
        page = httpx.get(running.base + "/id/institute/mxd", timeout=30).text
        query = httpx.get(running.base + "/", timeout=30).text
    assert 'href="https://kg.example.org/miikg/id/organization/ui-labs?lang=en"' in page
    assert 'href="https://kg.example.org/miikg/id/institute/mxd.ttl"' in page
    assert "https://kg.example.org/miikg/sparql" in query


def test_a_page_is_read_from_the_entity_alone(store: ox.Store) -> None:
    data = read_entity(store, MXD, lang="zh")
    assert data is not None
    assert data.label == "数字制造和设计创新所"
    assert data.conflicts >= 2
    assert {d.iri.rsplit("/", 1)[1] for d in data.disagreements} == {"disagreement-mxd-organizer"}
    assert read_entity(store, ID + "institute/nothing") is None


def test_helpers() -> None:
    assert negotiate_page(None) == "html"
    assert negotiate_page("text/turtle;q=0.5, text/html;q=0.9") == "html"
    assert negotiate_page("application/n-triples") == "nt"
    assert negotiate_page("image/png") is None
    assert pick_language("zh", "en") == "zh"
    assert pick_language(None, "fr-FR, zh-TW;q=0.8, en;q=0.5") == "zh"
    assert pick_language(None, None) == "en"
    assert [is_http_iri(x) for x in ("javascript:alert(1)", "data:text/html,x", "http://x/")] == [
        False,
        False,
        True,
    ]
    assert site_path(ID + "x/..", "zh") == "id/x/%2E%2E.zh.html"
    assert site_path(ID + "x/a'b c", suffix="ttl") == "id/x/a%27b%20c.ttl"
