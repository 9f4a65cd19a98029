"""Run commands for a benchmark and report each one's time and true peak memory.

Linux counts a child's peak resident memory (``ru_maxrss``) from the process that spawned
it: a command started by a benchmark driver that holds a million generated triples
"peaks" at the driver's size. This small process, started before the driver grows,
starts every measured command instead, so each peak is the command's own.

Protocol: one JSON object per line on stdin (``argv``, ``env``, ``timeout``, ``stdout``:
a file for the command's output or null), one JSON object per line on stdout
(``seconds``, ``rss_mib``, ``code``, ``stderr``, or ``timeout``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def run(request: dict[str, Any]) -> dict[str, Any]:
    if request.get("stdout"):
        with Path(request["stdout"]).open("wb") as out:
            return _run(request, out)
    return _run(request, subprocess.DEVNULL)


def _run(request: dict[str, Any], out: Any) -> dict[str, Any]:
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(request["argv"], stdout=out, stderr=err, env=request["env"])
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > request["timeout"]:
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"timeout": request["timeout"]}
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode(errors="replace")[-3000:]
    return {
        "seconds": seconds,
        "rss_mib": usage.ru_maxrss / 1024,
        "code": os.waitstatus_to_exitcode(status),
        "stderr": stderr,
    }


def main() -> None:
    for line in sys.stdin:
        print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
