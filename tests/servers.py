"""Start real servers on free loopback ports for tests, and always stop them.

- ``miikg serve`` (the command line, in a process of its own),
- ``oxigraph serve`` (the ``oxigraph`` package from PyPI),
- Virtuoso Open Source 7 (Debian ``virtuoso-opensource-7-bin``), with a minimal ini.

Each is a context manager: it waits until the server answers (bounded), yields its base
URL, and stops the process (SIGTERM, then SIGKILL) however the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Server",
    "free_port",
    "miikg_server",
    "oxigraph_server",
    "virtuoso_binary",
    "virtuoso_server",
]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {seconds} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(15)


@dataclass
class Server:
    """A running server: its base URL, and a way to stop it early."""

    base: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        _stop(self.process)


@contextlib.contextmanager
def _running(
    command: Sequence[str],
    base: str,
    probe: str,
    log: Path,
    *,
    seconds: float = 60,
    cwd: Path | None = None,
) -> Iterator[Server]:
    with log.open("ab") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, cwd=cwd)
    try:
        _wait(base + probe, process, log, seconds=seconds)
        yield Server(base, process)
    finally:
        _stop(process)


@contextlib.contextmanager
def miikg_server(home: Path, folder: Path, *options: str) -> Iterator[Server]:
    """Run ``miikg --store HOME serve`` on a free port (SPARQL at /sparql)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "miikg.cli",
        "--store",
        str(home),
        "serve",
        "--port",
        str(port),
    ]
    base = f"http://127.0.0.1:{port}"
    with _running([*command, *options], base, "/sparql", folder / f"miikg-{port}.log") as server:
        yield server


@contextlib.contextmanager
def oxigraph_server(location: Path, folder: Path, port: int | None = None) -> Iterator[Server]:
    """Run ``oxigraph serve`` on *location* (Graph Store at /store, SPARQL at /query)."""
    binary = str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        binary = shutil.which("oxigraph") or binary
    port = port or free_port()
    command = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    base = f"http://127.0.0.1:{port}"
    log = folder / f"oxigraph-{port}.log"
    with _running(command, base, "/query?query=ASK%7B%7D", log) as server:
        yield server


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 5
ServerThreads = 5

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def virtuoso_binary() -> str | None:
    """Return the path of ``virtuoso-t``, if installed."""
    return shutil.which("virtuoso-t")


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[Server]:
    """Run Virtuoso 7 (``virtuoso-t -f``) with HTTP and SQL on loopback; yield its base URL.

    A fresh database gets the default ``dba``/``dba`` account; Graph Store writes go to
    ``/sparql-graph-crud-auth`` with digest authentication.
    """
    binary = virtuoso_binary()
    if binary is None:
        raise RuntimeError("virtuoso-t is not installed (Debian: virtuoso-opensource-7-bin)")
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8"
    )
    base = f"http://127.0.0.1:{http_port}"
    with _running(
        [binary, "-f", "-c", str(ini)],
        base,
        "/sparql?query=ASK%7B%7D",
        folder / "stdout.log",
        seconds=120,
        cwd=folder,
    ) as server:
        yield server
