"""Property-based checks of IRI minting and date checking (hypothesis)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from miikg.graph_builder.iris import entity_iri, graph_iri, is_valid_id
from miikg.graph_builder.models import Date

SEGMENT = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
IRI_SAFE = re.compile(r"^https://w3id\.org/miikg/id/[a-z0-9-]+/[a-z0-9-]+$")
DATES = TypeAdapter(Date)


@given(segment=SEGMENT, record_id=SEGMENT)
def test_every_valid_id_mints_one_safe_iri(segment: str, record_id: str) -> None:
    iri = entity_iri(segment, record_id)
    assert IRI_SAFE.fullmatch(iri)
    assert iri.rsplit("/", 2)[1:] == [segment, record_id]


@given(text=st.text(max_size=30))
def test_anything_else_is_refused(text: str) -> None:
    if is_valid_id(text):
        assert entity_iri("institute", text).endswith("/" + text)
    else:
        with pytest.raises(ValueError, match="not an IRI-safe id"):
            entity_iri("institute", text)


@given(record_id=SEGMENT.filter(lambda s: s not in {"meta", "ontology"}))
def test_graph_iris_never_collide_with_reserved_graphs(record_id: str) -> None:
    assert graph_iri(record_id).rsplit("/", 1)[1] not in {"meta", "ontology"}


@given(day=st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_real_dates_pass_at_every_precision(day: dt.date) -> None:
    iso = day.isoformat()
    for text in (iso, iso[:7], iso[:4]):
        assert DATES.validate_python(text) == text


@given(year=st.integers(1000, 9999), month=st.integers(1, 12), day=st.integers(29, 31))
def test_impossible_days_are_refused(year: int, month: int, day: int) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        dt.date(year, month, day)
    except ValueError:
        with pytest.raises(ValidationError, match="impossible date"):
            DATES.validate_python(text)
    else:
        assert DATES.validate_python(text) == text
