"""Run queries in worker processes that can be killed: pyoxigraph cannot cancel a query.

Each worker opens the store read-only and answers one job at a time over a pipe. The
server hands a job to an idle worker and waits at most the query timeout; a worker that
overruns is killed (SIGKILL: the engine holds the GIL-free Rust thread, nothing softer
stops it) and a fresh one takes its place, so one bad query costs one process, never the
server. A thread per query would not do: the thread could not be stopped and would keep a
core busy until the query ended by itself.

With no SERVICE allowed, a worker first moves into a network namespace of its own (where
the kernel lets it): a query that slipped past the lexical check still reaches no host.

Heavy queries (as :class:`~miikg.serve.cost.CostModel` judges them) may hold only
``heavy_workers`` workers at once, one client only ``heavy_per_client`` of them, so the
other workers stay free for cheap queries: a count is never stuck behind a queue of
expensive ones. A heavy query keeps its slot until its worker is back (a killed worker's
replacement included), so the cheap queries' share holds while a worker restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import re
import resource
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TypeVar

from miikg.errors import QueryRefusedError
from miikg.serve.cost import CostModel
from miikg.serve.results import Body, Format, Limits

__all__ = ["Job", "Outcome", "WorkerPool"]

log = logging.getLogger(__name__)
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
T = TypeVar("T")
_POSITION = re.compile(r"^error at (\d+):(\d+): ?")


@dataclass(frozen=True)
class Job:
    """One query and how to answer it."""

    text: str
    fmt: Format
    limits: Limits
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    substitutions: tuple[tuple[str, str], ...] = ()
    prefixes: dict[str, str] = field(default_factory=dict)
    #: the IRI relative IRIs in the query resolve against (the endpoint's URL)
    base_iri: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A worker's answer: a body, or an HTTP status with a message."""

    body: Body | None = None
    status: int = 200
    message: str = ""


def _isolate_network() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


def _term(text: str) -> object:
    import pyoxigraph as ox

    quads = list(ox.parse(f"<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    return quads[0].object


def _run(store: object, job: Job) -> Outcome:
    import pyoxigraph as ox

    from miikg.serve import results

    options: dict[str, object] = {}
    if job.base_iri:
        options["base_iri"] = job.base_iri
    if job.default_graphs or job.named_graphs:
        # A dataset the request gives is the whole dataset (SPARQL 1.1 Protocol, "Specifying
        # an RDF Dataset"): named-graph-uri alone leaves the default graph empty.
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        if job.substitutions:
            options["substitutions"] = {ox.Variable(k): _term(v) for k, v in job.substitutions}
    except SyntaxError as exc:
        return Outcome(status=400, message=f"a binding is not an N-Triples term: {exc}")
    try:
        answer = store.query(job.text, **options)  # type: ignore[attr-defined]
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            return Outcome(results.write_solutions(variables, answer, job.fmt, job.limits))
        if isinstance(answer, ox.QueryBoolean):
            return Outcome(results.write_boolean(bool(answer), job.fmt))
        return Outcome(results.write_triples(answer, job.fmt, job.limits, prefixes=job.prefixes))
    except SyntaxError as exc:
        text = str(exc)
        if match := _POSITION.match(text):
            text = f"line {match[1]}, column {match[2]}: {text[match.end() :]}"
        return Outcome(status=400, message=f"SPARQL syntax error at {text}")
    except OSError as exc:
        return Outcome(status=500, message=f"query failed: {exc}")


def _serve(conn: Connection, store_path: str, isolate: bool, memory: int) -> None:
    """The body of a worker process: open the store, then answer jobs until told to stop."""
    isolated = _isolate_network() if isolate else False
    if memory:
        # An allocation past the limit aborts the worker (Rust aborts on OOM): the server
        # sees the pipe close, answers 500 and starts another worker.
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    import pyoxigraph as ox

    store = ox.Store.read_only(store_path)
    conn.send(("ready", isolated))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            conn.send(_run(store, job))
        except Exception as exc:  # a worker reports, it does not die on one query
            conn.send(Outcome(status=500, message=f"query failed: {type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, store: Path, *, isolate: bool, memory: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve,
            args=(child, str(store), isolate, memory),
            daemon=True,
            name="miikg-query",
        )
        self.process.start()
        child.close()
        self.isolated = False

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            raise RuntimeError("a query worker did not start")
        _, self.isolated = self.conn.recv()

    def exchange(self, job: Job, timeout: float) -> tuple[bool, Outcome | None]:
        """Send *job*; return whether an answer came within *timeout*, and the answer."""
        self.conn.send(job)
        if not self.conn.poll(timeout):
            return False, None
        answer: Outcome = self.conn.recv()
        return True, answer

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


def _handover(held: list[asyncio.Semaphore]) -> Callable[[], None]:
    """Take the slots in *held* away from the job: they are released once its worker's
    replacement is ready, so a restart does not eat into the cheap queries' share."""
    taken = list(held)
    held.clear()

    def release() -> None:
        for semaphore in taken:
            semaphore.release()

    return release


class WorkerPool:
    """A fixed number of query workers over one store, with a per-query timeout."""

    def __init__(
        self,
        store: Path,
        *,
        size: int = 2,
        timeout: float = 10.0,
        wait: float = 30.0,
        isolate: bool = True,
        memory: int = 2048 * 2**20,
        heavy_workers: int | None = None,
        heavy_per_client: int = 1,
        costs: CostModel | None = None,
    ) -> None:
        self.store = store
        self.size = size
        self.timeout = timeout
        self.wait = wait
        self.isolate = isolate
        self.memory = memory
        self.isolated = False
        self.costs = costs or CostModel()
        #: workers heavy queries may hold at once (the rest are kept for cheap ones)
        self.heavy_workers = heavy_workers if heavy_workers is not None else max(1, size - 1)
        self.heavy_per_client = heavy_per_client
        self._heavy = asyncio.Semaphore(self.heavy_workers)
        self._clients: dict[str, asyncio.Semaphore] = {}
        self._client_jobs: dict[str, int] = {}
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        # Threads of the pool's own: each query holds one while it waits for its worker,
        # so a shared default executor could make a query wait past its timeout.
        self._threads = ThreadPoolExecutor(size * 2 + 2, thread_name_prefix="miikg-pool")
        self.restarts = 0

    async def start(self) -> None:
        """Start every worker and wait until each has opened the store."""
        workers = [await self._call(self._spawn) for _ in range(self.size)]
        self.isolated = all(w.isolated for w in workers)
        if self.isolate and not self.isolated:
            log.warning(
                "query workers could not get a network namespace of their own; SERVICE is "
                "kept out by the query check alone",
                extra={"zh": "查询进程无法获得独立的网络命名空间；SERVICE 仅靠查询检查拦截"},
            )
        for worker in workers:
            self._idle.put_nowait(worker)

    async def _call(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, function, *args)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.store, isolate=self.isolate, memory=self.memory)
        worker.wait_ready(60)
        self._all.add(worker)
        return worker

    async def _replace(self, worker: _Worker, *, then: Callable[[], None] | None = None) -> None:
        try:
            self._all.discard(worker)
            await self._call(worker.kill)
            self.restarts += 1
            try:
                fresh = await self._call(self._spawn)
            except (OSError, EOFError, RuntimeError):
                log.exception(
                    "a query worker could not be restarted; %d left",
                    len(self._all),
                    extra={"zh": f"无法重启查询进程；还剩 {len(self._all)} 个"},
                )
                return
            self._idle.put_nowait(fresh)
        finally:
            if then is not None:
                then()

    def _schedule_replace(self, worker: _Worker, then: Callable[[], None] | None = None) -> None:
        task = asyncio.get_running_loop().create_task(self._replace(worker, then=then))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _busy(self) -> QueryRefusedError:
        return QueryRefusedError(
            "the endpoint is busy: no query worker was free; try again",
            status=503,
            zh="端点繁忙：没有空闲的查询进程；请稍后再试",
        )

    async def run(self, job: Job, *, client: str = "") -> Outcome:
        """Run *job* on an idle worker; kill and replace the worker if it overruns.

        A heavy job first waits for a heavy slot (its client's, then the pool's); the
        whole wait is bounded by ``wait``.

        :raises QueryRefusedError: (503) no worker was free in time, or the query ran
            out of time.
        """
        shape, heavy = self.costs.is_heavy(job.text)
        held: list[asyncio.Semaphore] = []
        seconds: float | None = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait
        if heavy:
            self._client_jobs[client] = self._client_jobs.get(client, 0) + 1
        try:
            if heavy:
                mine = self._clients.setdefault(client, asyncio.Semaphore(self.heavy_per_client))
                for semaphore in (mine, self._heavy):
                    try:
                        await asyncio.wait_for(
                            semaphore.acquire(), max(0.0, deadline - loop.time())
                        )
                    except asyncio.TimeoutError:
                        raise self._busy() from None
                    held.append(semaphore)
            try:
                worker = await asyncio.wait_for(self._idle.get(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:  # not yet the builtin TimeoutError in Python 3.10
                raise self._busy() from None
            started = loop.time()
            try:
                return await self._exchange(worker, job, held)
            finally:
                seconds = loop.time() - started
        finally:
            self.costs.done(shape, seconds)
            for semaphore in held:
                semaphore.release()
            if heavy:
                self._client_jobs[client] -= 1
                if not self._client_jobs[client]:
                    del self._client_jobs[client], self._clients[client]

    async def _exchange(self, worker: _Worker, job: Job, held: list[asyncio.Semaphore]) -> Outcome:
        outcome: Outcome | None = None
        ready = True
        try:
            ready, outcome = await self._call(worker.exchange, job, self.timeout)
        except (EOFError, OSError):
            outcome = None
        except BaseException:  # cancelled mid-query (client gone): the worker is unknown
            self._schedule_replace(worker, _handover(held))
            raise
        if outcome is None:
            self._schedule_replace(worker, _handover(held))
            if not ready:
                log.warning(
                    "query ran over %.1f s; worker restarted",
                    self.timeout,
                    extra={"zh": f"查询超过 {self.timeout:.1f} 秒；已重启查询进程"},
                )
                raise QueryRefusedError(
                    f"the query ran out of time ({self.timeout:g} s) and was stopped",
                    status=503,
                    zh=f"查询超时（{self.timeout:g} 秒），已被终止",
                )
            raise QueryRefusedError(
                "the query needed more memory than a worker may have (or its worker "
                "crashed); the worker has been restarted",
                status=500,
                zh="查询所需内存超过查询进程的上限（或其进程崩溃）；该进程已重启",
            )
        self._idle.put_nowait(worker)
        return outcome

    async def close(self) -> None:
        """Stop every worker."""
        for worker in list(self._all):
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker in list(self._all):
            await self._call(worker.process.join, 2)
            if worker.process.is_alive():
                worker.kill()
        self._all.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)
