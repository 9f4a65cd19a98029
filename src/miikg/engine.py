"""Where a read command reads: the current build's store, or an endpoint a build was pushed to.

Every read command (``query``, ``sparql``, ``table``, ``describe``, ``stats``, ``network``,
``explore``, ``figure``, ``export``, ``site``, ``check``) takes ``--endpoint URL`` with the
authentication options ``push`` has; ``$MIIKG_ENDPOINT`` names the endpoint once for all
of them (``--store`` still reads a local build). Importing this module imports only
argparse, so the command line stays quick to start.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyoxigraph as ox

    from miikg.graph_builder.store import OpenBuild
    from miikg.queries.remote import RemoteStore
    from miikg.resolve import NameLookup

__all__ = [
    "ENDPOINT_ENV",
    "Reader",
    "add_endpoint_options",
    "endpoint_from_args",
    "open_engine",
    "open_reader",
]

#: The environment variable that names the endpoint once for every read command.
ENDPOINT_ENV = "MIIKG_ENDPOINT"


def open_engine(
    store: Path | None = None, endpoint: str | RemoteStore | None = None
) -> ox.Store | RemoteStore:
    """Return what to read: *endpoint* if given, else the build in *store* if given, else
    ``$MIIKG_ENDPOINT`` if set, else the current build of the default home.

    :param endpoint: a SPARQL query URL, or a :class:`~miikg.queries.remote.RemoteStore`
        (made with credentials).
    """
    from miikg.queries.remote import RemoteStore

    if isinstance(endpoint, RemoteStore):
        return endpoint
    if endpoint is None and store is None:
        endpoint = os.environ.get(ENDPOINT_ENV) or None
    if endpoint is not None:
        return RemoteStore(endpoint)
    from miikg.graph_builder.store import open_store

    return open_store(store)


@dataclass(frozen=True)
class Reader:
    """What a command that takes a name reads: the engine, and the local build's name index.

    Read from an endpoint there is no build beside the store, so no index: names are
    resolved with the endpoint's queries.
    """

    engine: ox.Store | RemoteStore
    index: NameLookup | None = None
    build: OpenBuild | None = None


def open_reader(store: Path | None = None, endpoint: str | RemoteStore | None = None) -> Reader:
    """Return what to read as :func:`open_engine` does, with the build's name index when
    the build is local (opened when a name is first looked up)."""
    if endpoint is None and store is None:
        endpoint = os.environ.get(ENDPOINT_ENV) or None
    if endpoint is not None:
        return Reader(open_engine(store, endpoint))
    from miikg.graph_builder.store import open_build
    from miikg.name_index import LazyNameIndex

    build = open_build(store)
    return Reader(build.store, LazyNameIndex(build.paths.root, build.store), build)


def add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--endpoint``, ``--user``, ``--password-env`` and ``--auth`` to *parser*."""
    group = parser.add_argument_group("a remote SPARQL endpoint (远程 SPARQL 端点)")
    group.add_argument(
        "--endpoint",
        default=None,
        metavar="URL",
        help=f"read from this SPARQL endpoint, where `miikg push` wrote the build, instead of "
        f"the local build (default: ${ENDPOINT_ENV}) (从该 SPARQL 端点读取，而非本地构建)",
    )
    group.add_argument("--user", default=None, help="user name at the endpoint (端点用户名)")
    group.add_argument(
        "--password-env",
        default=None,
        metavar="VAR",
        help="environment variable holding the password (存放密码的环境变量)",
    )
    group.add_argument(
        "--auth",
        choices=("basic", "digest"),
        default="basic",
        help="authentication scheme (default: basic; Virtuoso: digest) (认证方式)",
    )


def endpoint_from_args(args: argparse.Namespace) -> RemoteStore | None:
    """Return the endpoint the command line names (``--endpoint`` or ``$MIIKG_ENDPOINT``).

    ``--store`` without ``--endpoint`` reads the local build even if the variable is set.

    :raises EndpointError: ``--password-env`` names a variable that is not set.
    """
    url: Any = getattr(args, "endpoint", None)
    if url is None and getattr(args, "store", None) is None:
        url = os.environ.get(ENDPOINT_ENV) or None
    if url is None:
        return None
    from miikg.errors import EndpointError
    from miikg.queries.remote import RemoteStore

    password = None
    if args.user is not None and args.password_env:
        password = os.environ.get(args.password_env)
        if password is None:
            raise EndpointError(
                f"the environment variable {args.password_env} is not set",
                zh=f"环境变量 {args.password_env} 未设置",
            )
    return RemoteStore(str(url), user=args.user, password=password, auth=args.auth)
