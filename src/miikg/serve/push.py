"""Push a build into any store that speaks the SPARQL 1.1 Graph Store HTTP Protocol.

Each named graph (and the default graph, the merge) goes to its own graph URL,
``<endpoint>?graph=<iri>`` or ``<endpoint>?default``, in batches of triples: the first
batch is a PUT when the remote graph is to be replaced, every other batch a POST (which
adds). Batches are N-Triples sent as ``text/turtle`` (N-Triples is a subset of Turtle,
and every Graph Store reads Turtle). A push of every graph ends with one more PUT: the
description of what it wrote (:mod:`miikg.queries.pushed`), which ``--endpoint`` reads.
A state file records the batches done, so a push that broke off resumes where it
stopped; it is removed once the push is complete.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import quote

import pyoxigraph as ox

from miikg.errors import PushError
from miikg.ontology.namespaces import GRAPH

__all__ = [
    "DEFAULT",
    "MERGE_GRAPH",
    "Batch",
    "Progress",
    "PushResult",
    "Transport",
    "UrlTransport",
    "plan_batches",
    "push",
]

log = logging.getLogger(__name__)
DEFAULT = "default"
#: where the merged default graph goes in a store whose default graph cannot be written
MERGE_GRAPH = GRAPH + "default-merge"
AuthKind = Literal["auto", "basic", "digest"]
#: statuses worth another try: the server is busy or broke off, not refusing.
_RETRY = frozenset({408, 425, 429, 500, 502, 503, 504})
#: of those, the ones a later rerun can get past (a 500 that stays a 500 is the store's)
_TRANSIENT = frozenset({408, 425, 429, 502, 503, 504})
#: what a refusal of the default graph (only) says: this store does not let it be written
_NOT_WRITABLE = frozenset({400, 403, 405, 500, 501})
_HINTS = {
    401: "the user name or password was not accepted",
    403: "this user may not write there",
    404: "no Graph Store at this URL: check --endpoint",
    413: "the store refuses batches this large: try a smaller --batch-size",
    415: "the store does not read Turtle here: check --endpoint",
}
_HINTS_ZH = {
    401: "用户名或密码未被接受",
    403: "该用户无权写入此处",
    404: "此 URL 上没有 Graph Store：请检查 --endpoint",
    413: "存储拒收这么大的批次：请改用更小的 --batch-size",
    415: "存储在此处不读取 Turtle：请检查 --endpoint",
}


@dataclass(frozen=True)
class Batch:
    """Triples of one graph, sent in one request."""

    graph: str
    index: int
    count: int
    method: Literal["PUT", "POST"]
    body: bytes
    #: where the batch goes: the remote graph IRI, or :data:`DEFAULT`
    target: str = DEFAULT

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.body).hexdigest()[:16]
        return f"{self.target} {self.index} {self.method} {digest}"


@dataclass(frozen=True)
class Progress:
    """Where a push is: triples and batches done of all, the graph in hand."""

    triples_done: int
    triples_total: int
    batches_done: int
    batches_total: int
    graph: str
    skipped: bool


@dataclass(frozen=True)
class PushResult:
    """What a push did; *default_refused* is the status with which the store refused its
    default graph when the merge went to :data:`MERGE_GRAPH` instead."""

    graphs: int
    batches_sent: int
    batches_skipped: int
    triples: int
    default_target: str | None = DEFAULT
    default_refused: int | None = None


class Transport(Protocol):
    """Sends one request, returns its HTTP status; raises OSError when the line drops."""

    def send(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> int: ...


class _Always(urllib.request.HTTPPasswordMgr):
    """One user and password for every realm and URL: a transport talks to one store."""

    def __init__(self, user: str, password: str | None) -> None:
        super().__init__()
        self.credentials = (user, password or "")

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[str, str]:
        return self.credentials


class UrlTransport:
    """A :class:`Transport` over urllib that answers the server's authentication challenge.

    With a user, the scheme is the one the server's ``WWW-Authenticate`` asks for
    (digest if offered, else basic), unless *auth* forces one. The challenge is fetched
    with a HEAD of the same URL before any body is sent: a server that challenges a
    large PUT often closes the connection while the body is still going out (Virtuoso
    does); every later request carries the answer to the last challenge seen, and a new
    challenge (a stale nonce) is answered once more.
    """

    def __init__(
        self,
        *,
        user: str | None = None,
        password: str | None = None,
        auth: AuthKind = "auto",
        timeout: float = 120.0,
    ) -> None:
        self.timeout = timeout
        self.user = user
        self.password = password or ""
        self.auth = auth
        self.scheme: str | None = auth if user is not None and auth != "auto" else None
        self._digest = urllib.request.HTTPDigestAuthHandler(_Always(user or "", password))
        self._challenge: dict[str, str] | None = None
        self._probed = user is None or auth == "basic"
        self.opener = urllib.request.build_opener()

    def _open(self, request: urllib.request.Request) -> tuple[int, list[str]]:
        try:
            with self.opener.open(request, timeout=self.timeout) as reply:
                reply.read()
                return int(reply.status), []
        except urllib.error.HTTPError as exc:
            text = exc.read()[:500].decode("utf-8", "replace")
            log.debug("HTTP %s from %s: %s", exc.code, request.full_url, text)
            return int(exc.code), exc.headers.get_all("WWW-Authenticate") or []

    def _learn(self, challenges: list[str]) -> bool:
        """Take the scheme and parameters of a challenge; tell whether one could be used."""
        offered: dict[str, str] = {}
        for header in challenges:
            for match in re.finditer(r"(?:^|,)\s*(Basic|Digest)\b", header, re.IGNORECASE):
                rest = header[match.end() :]
                following = re.search(r",\s*(Basic|Digest)\b", rest, re.IGNORECASE)
                offered[match[1].lower()] = rest[: following.start()] if following else rest
        allowed = [self.auth] if self.auth != "auto" else ["digest", "basic"]
        for scheme in allowed:
            if scheme in offered:
                self.scheme = scheme
                if scheme == "digest":
                    items = urllib.request.parse_http_list(offered[scheme].strip())
                    self._challenge = urllib.request.parse_keqv_list(items)
                return True
        if self.scheme is None and not offered:
            # A 401 that names no scheme (some servers send none): basic, the common one.
            self.scheme = "basic"
            return True
        return False

    def _authorize(self, request: urllib.request.Request) -> None:
        if self.user is None:
            return
        if self.scheme == "basic":
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            request.add_unredirected_header("Authorization", f"Basic {token}")
        elif self.scheme == "digest" and self._challenge is not None:
            answer = self._digest.get_authorization(request, self._challenge)
            request.add_unredirected_header("Authorization", f"Digest {answer}")

    def send(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> int:
        if not self._probed:
            self._probed = True
            status, challenges = self._open(urllib.request.Request(url, method="HEAD"))
            if status == 401:
                self._learn(challenges)
        status = 0
        for _ in range(2):
            request = urllib.request.Request(url, data=body, method=method, headers=headers)
            self._authorize(request)
            status, challenges = self._open(request)
            if not (status == 401 and self.user is not None and self._learn(challenges)):
                break
        return status


def graph_url(endpoint: str, graph: str) -> str:
    """Return the Graph Store URL of *graph* (an IRI, or :data:`DEFAULT`) at *endpoint*."""
    joiner = "&" if "?" in endpoint else "?"
    if graph == DEFAULT:
        return f"{endpoint}{joiner}default"
    return f"{endpoint}{joiner}graph={quote(graph, safe='')}"


def plan_batches(
    store: ox.Store,
    graphs: Sequence[tuple[str, str]],
    *,
    batch_size: int,
    replace: bool,
) -> list[Batch]:
    """Cut every graph of *graphs* (pairs of local graph, remote target) into batches of
    at most *batch_size* triples.

    Triples are sorted, so the same build always gives the same batches (what resuming
    relies on). A graph with no triples still gets one (empty) PUT when replacing.
    """
    batches = []
    for graph, target in graphs:
        name = ox.DefaultGraph() if graph == DEFAULT else ox.NamedNode(graph)
        lines = sorted(f"{q.triple}" for q in store.quads_for_pattern(None, None, None, name))
        chunks = [lines[i : i + batch_size] for i in range(0, len(lines), batch_size)]
        if not chunks and replace:
            chunks = [[]]
        for index, chunk in enumerate(chunks):
            method: Literal["PUT", "POST"] = "PUT" if replace and index == 0 else "POST"
            body = "".join(f"{line} .\n" for line in chunk).encode("utf-8")
            batches.append(Batch(graph, index, len(chunk), method, body, target))
    return batches


def description_batch(
    batches: Sequence[Batch],
    *,
    build_id: str,
    default_as: str | None,
) -> Batch:
    """Return the PUT of the description of a push of *batches* (sent after them)."""
    import miikg
    from miikg.queries.pushed import DESCRIPTION_GRAPH, description_triples

    sizes: dict[str, int] = {}
    for batch in batches:
        sizes[batch.target] = sizes.get(batch.target, 0) + batch.count
    merge = None if default_as in (None, DEFAULT) else default_as
    described = description_triples(
        build=build_id,
        version=miikg.__version__,
        # A graph with no triples does not exist in a quad store: it is not listed.
        graphs={g: n for g, n in sorted(sizes.items()) if n and g not in (DEFAULT, merge)},
        merge=merge,
        merge_triples=None if default_as is None else sizes.get(merge or DEFAULT, 0),
    )
    body = "".join(f"{t} .\n" for t in described).encode("utf-8")
    return Batch(DESCRIPTION_GRAPH, 0, 0, "PUT", body, DESCRIPTION_GRAPH)


def _load_state(path: Path, identity: dict[str, str]) -> set[str]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if state.get("identity") != identity:
        return set()
    return set(state.get("done", []))


def _save_state(path: Path, identity: dict[str, str], done: set[str]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"identity": identity, "done": sorted(done)}, indent=1), "utf-8")
    tmp.replace(path)


class _DefaultRefusedError(PushError):
    """The store refused a write to its default graph (and only that)."""

    def __init__(self, status: int) -> None:
        super().__init__(
            f"the default graph is not writable (HTTP {status})",
            zh=f"默认图不可写入（HTTP {status}）",
        )
        self.status = status


def _send(
    transport: Transport,
    batch: Batch,
    url: str,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None],
    probe_default: bool = False,
) -> None:
    """Send one batch, retrying what may pass on a later try.

    :param probe_default: this is the first write to the remote default graph: a refusal
        that says "not here" raises :class:`_DefaultRefusedError` at once.
    """
    headers = {"Content-Type": "text/turtle; charset=utf-8"}
    status = 0
    for attempt in range(retries + 1):
        try:
            status = transport.send(batch.method, url, batch.body, headers)
        except OSError as exc:
            status, problem, problem_zh = 0, f"connection failed: {exc}", f"连接失败：{exc}"
        else:
            if 200 <= status < 300:
                return
            problem = problem_zh = f"HTTP {status}"
            if probe_default and status in _NOT_WRITABLE:
                raise _DefaultRefusedError(status)
            if status not in _RETRY:
                hint = f" ({_HINTS[status]})" if status in _HINTS else ""
                hint_zh = f"（{_HINTS_ZH[status]}）" if status in _HINTS_ZH else ""
                raise PushError(
                    f"{batch.method} of graph <{batch.target}> batch {batch.index} refused "
                    f"by {url}: {problem}{hint}",
                    zh=f"图 <{batch.target}> 的第 {batch.index} 批（{batch.method}）被 {url} "
                    f"拒绝：{problem_zh}{hint_zh}",
                )
        if attempt < retries:
            delay = min(backoff * 2**attempt, 30.0)
            log.warning(
                "%s; retrying in %.1f s",
                problem,
                delay,
                extra={"zh": f"{problem_zh}；{delay:.1f} 秒后重试"},
            )
            sleep(delay)
    transient = status == 0 or status in _TRANSIENT
    advice = (
        "rerun the same command to resume"
        if transient
        else "the store's log says why; a rerun will not get past it"
    )
    advice_zh = "重新运行同一命令即可续传" if transient else "原因见存储的日志；重新运行也无法越过"
    raise PushError(
        f"{batch.method} of graph <{batch.target}> batch {batch.index} failed after "
        f"{retries + 1} tries ({problem}); {advice}",
        zh=f"图 <{batch.target}> 的第 {batch.index} 批（{batch.method}）尝试 {retries + 1} "
        f"次后仍失败（{problem_zh}）；{advice_zh}",
    )


def push(
    store: ox.Store,
    endpoint: str,
    *,
    state: Path,
    build_id: str,
    graph: str | None = None,
    default_as: str | None = DEFAULT,
    replace: bool = False,
    batch_size: int = 5000,
    transport: Transport | None = None,
    retries: int = 5,
    backoff: float = 0.5,
    progress: Callable[[Progress], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PushResult:
    """Send the graphs of *store* to the Graph Store at *endpoint*.

    :param state: the file recording the batches done (read to resume, removed at the end).
    :param build_id: names the build, so a state file of another build is not trusted.
    :param graph: one graph IRI, or ``"default"`` for the merged default graph; all
        graphs (every named graph, then the default graph) when None.
    :param default_as: where the default graph (the merge) goes: the remote default
        graph (``"default"``; if the store refuses to write it, as Virtuoso does, the
        named graph :data:`MERGE_GRAPH` instead, said in the result), a named graph of
        this IRI, or nowhere (None).
    :raises PushError: a request was refused, or failed after every retry.
    """
    available = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    if graph is None:
        chosen = [*available, DEFAULT]
    elif graph == DEFAULT or graph in available:
        chosen = [graph]
    else:
        raise PushError(
            f"the build has no graph <{graph}>; give one of its graph IRIs or 'default'",
            zh=f"该构建中没有图 <{graph}>；请给出其中某个图的 IRI，或 'default'",
        )
    graphs = [(g, g) for g in chosen if g != DEFAULT]
    if DEFAULT in chosen and default_as is not None:
        graphs.append((DEFAULT, default_as))
    batches = plan_batches(store, graphs, batch_size=batch_size, replace=replace)
    if graph is None:
        batches.append(description_batch(batches, build_id=build_id, default_as=default_as))
    identity = {
        "endpoint": endpoint,
        "default_as": str(default_as),
        "build": build_id,
        "replace": str(replace),
        "batch_size": str(batch_size),
    }
    done = _load_state(state, identity)
    sender = transport or UrlTransport()
    total = sum(b.count for b in batches)
    triples = sent = skipped = 0
    refused: int | None = None
    probe = default_as == DEFAULT
    number = 0
    while number < len(batches):
        batch = batches[number]
        number += 1
        was_done = batch.key in done
        if was_done:
            skipped += 1
        else:
            try:
                _send(
                    sender,
                    batch,
                    graph_url(endpoint, batch.target),
                    retries=retries,
                    backoff=backoff,
                    sleep=sleep,
                    probe_default=probe and batch.target == DEFAULT,
                )
            except _DefaultRefusedError as exc:
                # A store whose default graph is the union of its graphs (Virtuoso): the
                # merge goes to a named graph of its own; the rest of the plan is redone.
                log.info("%s; the merge goes to <%s>", exc, MERGE_GRAPH)
                refused, default_as = exc.status, MERGE_GRAPH
                rest = plan_batches(
                    store, [(DEFAULT, MERGE_GRAPH)], batch_size=batch_size, replace=replace
                )
                batches = batches[: number - 1] + rest
                number -= 1
                continue
            done.add(batch.key)
            _save_state(state, identity, done)
            sent += 1
        if batch.target == DEFAULT:
            probe = False
        triples += batch.count
        if progress is not None:
            progress(Progress(triples, total, number, len(batches), batch.graph, was_done))
    state.unlink(missing_ok=True)
    return PushResult(len(graphs), sent, skipped, total, default_as, refused)
