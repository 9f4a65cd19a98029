"""Serve the built graph over HTTP, and push it to other stores.

- :mod:`miikg.serve.app`: a read-only SPARQL 1.1 Protocol endpoint (``/sparql``) with a
  query page (``/``); :mod:`~miikg.serve.policy` checks each query first,
  :mod:`~miikg.serve.workers` runs it in a killable process,
  :mod:`~miikg.serve.results` writes it, :mod:`~miikg.serve.description` describes the
  service.
- :mod:`miikg.serve.linked_data`: the query page (``/``, :mod:`~miikg.serve.query_page`)
  and a page behind every IRI of the graph (``/id/…``, ``/ontology/…``, ``/graph/…``),
  read by :mod:`~miikg.serve.entity_data`, drawn by :mod:`~miikg.serve.neighbourhood`,
  rendered by :mod:`~miikg.serve.entity_pages` (which ``miikg site`` uses too).
- :mod:`miikg.serve.push`: a SPARQL 1.1 Graph Store HTTP Protocol client.
- :mod:`miikg.serve.commands`: the ``serve`` and ``push`` subcommands.

What the endpoint answers when it will not run a request (plain text, one line):

=====  ==================================================================================
403    SPARQL Update (an ``update`` parameter, ``application/sparql-update``, or INSERT,
       DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY, WITH in the query); SERVICE
       not on the allow-list, or allow-listed but not a public http(s) address; FROM,
       FROM NAMED, ``default-graph-uri`` or ``named-graph-uri`` naming anything but a
       graph of the store
400    not UTF-8; a syntax error (with line and column); no query, or two
406    no acceptable format (``Accept: text/html`` alone gets the query page instead);
       413: query over ``max_query_bytes`` (the body is drained after the answer, so
       clients that write it whole still read the 413); 415: other POST body
503    the query ran past the timeout (its worker is killed and replaced), or no worker
       was free within ``queue_wait``
500    the query's worker died, e.g. past its memory limit (it is replaced)
=====  ==================================================================================

A result over the row or byte limit is cut, not refused: the body stays a complete
document in its format, and the ``Miikg-Truncated: rows; limit=N`` (or ``bytes``) header
says so.

Nothing here is imported by ``import miikg``: Starlette and uvicorn load only to serve.
"""

from __future__ import annotations

__all__: list[str] = []
