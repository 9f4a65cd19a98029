"""Debian's Java RDF and OWL tools, run as independent checkers of the exports.

- Apache Jena RIOT (Debian ``libapache-jena-java``), run with ``java -cp``;
- the OWL API's OWL 2 DL profile checker (Debian ``libowlapi-java``), driven through
  JPype in a process of its own (``python tests/java_tools.py profile FILE``).

Both need a Java runtime (Debian ``default-jre-headless``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

__all__ = ["JAVA_LIBS", "jena_riot", "owl2_dl_violations"]

JAVA_LIBS = Path("/usr/share/java")
#: Jena 4.5 as Debian packages it, and what it loads at run time (Debian's jar names).
_JENA_JARS = (
    "jena-cmds", "jena-arq", "jena-core", "jena-base", "jena-iri", "slf4j-api", "slf4j-nop",
    "commons-lang3", "commons-io", "commons-codec", "commons-compress", "commons-cli",
    "commons-csv", "caffeine", "guava", "jsonld-java", "jackson-core", "jackson-databind",
    "jackson-annotations", "gson", "httpclient", "httpcore", "thrift", "protobuf",
    "titanium-json-ld", "jakarta.json-api", "dexx.collection",
)  # fmt: skip


def _jena_messages(folder: Path) -> Path:
    """Put Xerces' message bundles where Debian's jena-core looks for them.

    Debian's jena-core relocates the Xerces it embeds to the package ``xerces`` but
    leaves the message bundles under ``org/apache/jena/ext/xerces``; without them the
    first XSD datatype fails with "internal error". Copied out of the same jar.
    """
    target = folder / "jena-messages"
    if target.exists():
        return target
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JAVA_LIBS / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                out = target / "xerces" / name[len(prefix) :]
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(jar.read(name))
    return target


def jena_riot(path: Path, folder: Path) -> bytes:
    """Parse *path* with Jena RIOT (syntax from the file extension); return N-Quads."""
    java = shutil.which("java")
    if java is None or not (JAVA_LIBS / "jena-cmds.jar").exists():
        raise RuntimeError("Jena RIOT needs Debian's default-jre-headless and libapache-jena-java")
    classpath = [str(_jena_messages(folder))] + [str(JAVA_LIBS / f"{n}.jar") for n in _JENA_JARS]
    done = subprocess.run(
        [java, "-cp", ":".join(classpath), "riotcmd.riot", "--output=nquads", str(path)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0 or done.stderr.strip():
        raise AssertionError(f"riot on {path.name}: {done.stderr.decode(errors='replace')}")
    return done.stdout


def owl2_dl_violations(path: Path) -> list[str]:
    """Return the OWL API's OWL 2 DL profile violations of the ontology at *path*."""
    done = subprocess.run(
        [sys.executable, __file__, "profile", str(path)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"OWL API profile check failed: {done.stderr.decode()[-2000:]}")
    result: list[str] = json.loads(done.stdout)
    return result


def _profile(path: str) -> list[str]:
    import jpype
    import jpype.imports  # enables Java imports

    # The whole of Debian's Java library folder: the OWL API loads its parsers (RDF4J
    # Rio, Jackson …) from there; the duplicate SLF4J bindings only print a warning.
    jpype.startJVM(classpath=[str(JAVA_LIBS / "*")])
    from java.io import File  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.apibinding import (  # type: ignore[import-not-found]
        OWLManager,
    )
    from org.semanticweb.owlapi.profiles import (  # type: ignore[import-not-found]
        OWL2DLProfile,
    )

    manager = OWLManager.createOWLOntologyManager()
    ontology = manager.loadOntologyFromOntologyDocument(File(path))
    if ontology.getAxiomCount() < 100:
        raise SystemExit(f"the OWL API read only {ontology.getAxiomCount()} axioms")
    report = OWL2DLProfile().checkOntology(ontology)
    return sorted(str(v) for v in report.getViolations())


if __name__ == "__main__":
    if sys.argv[1] == "profile":
        print(json.dumps(_profile(sys.argv[2])))
