"""What the endpoint agrees to run: a lexical look at a query before any engine sees it.

Oxigraph evaluates ``SERVICE`` by sending HTTP requests itself (checked with pyoxigraph
0.5: a ``SERVICE <http://127.0.0.1:…>`` query reaches that port), while ``FROM`` only
names graphs of the store and fetches nothing. The check below therefore tokenises the
query as the SPARQL grammar does (IRIs, strings and comments cannot hide a keyword) and
refuses updates, any ``SERVICE`` not on the allow-list, and any ``FROM``/``FROM NAMED``
(or protocol dataset parameter) that is not a graph of the store.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

from miikg.errors import QueryRefusedError
from miikg.queries.lexer import Token, tokenize

__all__ = ["QueryForm", "QueryPlan", "Token", "inspect_query", "is_public_http_iri", "tokenize"]

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


@dataclass(frozen=True)
class QueryPlan:
    """What the inspection found: the query form and the dataset it names."""

    form: QueryForm | None
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    services: tuple[str, ...] = ()


def _iri_of(token: Token | None, prefixes: dict[str, str], base: str | None) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        iri = token.text[1:-1]
        return urljoin(base, iri) if base and not urlsplit(iri).scheme else iri
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def inspect_query(
    text: str,
    *,
    graphs: Collection[str],
    allow_services: Collection[str] = (),
    base: str | None = None,
) -> QueryPlan:
    """Return the plan of a read-only *text*, or refuse it.

    :param graphs: IRIs of the store's named graphs, the only ones FROM may name.
    :param allow_services: SERVICE endpoints that may be called (exact IRIs).
    :param base: the base IRI of the query until a BASE declaration (the endpoint's URL).
    :raises QueryRefusedError: an update (403), a SERVICE not allowed (403), a FROM or
        FROM NAMED that is not a graph of this store (403).
    """
    tokens = tokenize(text)
    prefixes: dict[str, str] = {}
    form: QueryForm | None = None
    from_graphs: list[str] = []
    from_named: list[str] = []
    services: list[str] = []
    for i, token in enumerate(tokens):
        if token.kind != "word":
            continue
        word = token.text.upper()
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if word in UPDATE_KEYWORDS:
            raise QueryRefusedError(
                f"SPARQL Update ({word}) is not allowed: this endpoint is read-only",
                zh=f"不允许 SPARQL 更新（{word}）：此端点只读",
            )
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            name = following.text.rstrip(":") if following else ""
            prefixes[name] = _iri_of(tokens[i + 2], prefixes, base) or ""
        elif word == "BASE":
            base = _iri_of(following, prefixes, base)
        elif word in _FORMS and form is None:
            form = word  # type: ignore[assignment]
        elif word == "FROM":
            named = following is not None and following.text.upper() == "NAMED"
            target = tokens[i + 2] if named and i + 2 < len(tokens) else following
            iri = _iri_of(target, prefixes, base)
            if iri is None or iri not in graphs:
                shown = iri or (target.text if target else "")
                raise QueryRefusedError(
                    f"FROM{' NAMED' if named else ''} <{shown}> refused: FROM may only name "
                    "a graph of this store (see the service description); nothing is fetched",
                    zh=f"已拒绝 FROM{' NAMED' if named else ''} <{shown}>：FROM 只能指定本存储中的"
                    "图（见服务描述）；不会抓取任何内容",
                )
            (from_named if named else from_graphs).append(iri)
        elif word == "SERVICE":
            target = following
            if target is not None and target.text.upper() == "SILENT":
                target = tokens[i + 2] if i + 2 < len(tokens) else None
            iri = _iri_of(target, prefixes, base)
            services.append(check_service(iri or (target.text if target else ""), allow_services))
    return QueryPlan(form, tuple(from_graphs), tuple(from_named), tuple(services))


def check_graph_parameter(iri: str, graphs: Collection[str], parameter: str) -> str:
    """Return *iri* if it names a graph of the store (a protocol dataset parameter)."""
    if iri not in graphs:
        raise QueryRefusedError(
            f"{parameter}=<{iri}> refused: only graphs of this store may be named",
            zh=f"已拒绝 {parameter}=<{iri}>：只能指定本存储中的图",
        )
    return iri


def check_service(iri: str, allow_services: Collection[str]) -> str:
    """Return *iri* if it is allow-listed and public; refuse it otherwise."""
    if iri not in allow_services:
        raise QueryRefusedError(
            f"SERVICE <{iri}> refused: federated queries go only to allow-listed endpoints"
            + ("" if allow_services else " (none are allowed here)"),
            zh=f"已拒绝 SERVICE <{iri}>：联邦查询只能发往允许列表中的端点"
            + ("" if allow_services else "（此处不允许任何端点）"),
        )
    if not is_public_http_iri(iri):
        raise QueryRefusedError(
            f"SERVICE <{iri}> refused: not an http(s) IRI of a public address",
            zh=f"已拒绝 SERVICE <{iri}>：不是公网地址的 http(s) IRI",
        )
    return iri


#: IPv6 prefixes whose last 32 bits are an IPv4 address: NAT64 (RFC 6052) and the
#: deprecated IPv4-compatible form (``::127.0.0.1``)
_IPV4_IN_LOW_BITS = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global unicast address; an IPv6 one that carries an IPv4 address, only if that
    one is public too (``::ffff:127.0.0.1``, ``64:ff9b::7f00:1``, ``2002:7f00:1::`` and
    ``::127.0.0.1`` all lead to 127.0.0.1 where the network translates them)."""
    if not address.is_global or address.is_multicast:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and any(address in net for net in _IPV4_IN_LOW_BITS):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return _is_public(inner)
    return True


def is_public_http_iri(iri: str) -> bool:
    """Tell whether *iri* is http(s) and every address of its host is public.

    Loopback, private (RFC 1918, unique-local), link-local, multicast, reserved and
    unspecified addresses are not public, nor IPv6 forms of such IPv4 addresses
    (mapped, NAT64, 6to4, IPv4-compatible); a host that does not resolve is not either.
    """
    parts = urlsplit(iri)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return False
    try:
        infos = socket.getaddrinfo(parts.hostname, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    for info in infos:
        if not _is_public(ipaddress.ip_address(str(info[4][0]).split("%")[0])):
            return False
    return bool(infos)
