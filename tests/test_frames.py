"""Query results as typed DataFrames: numbers add up, dates sort, conflicts stay apart."""

from __future__ import annotations

import pandas as pd
import pyoxigraph as ox
import pytest

from miikg.queries.run import run_named


def _dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {name: str(dtype) for name, dtype in frame.dtypes.items()}


def test_quantities_are_numbers_with_dates(store: ox.Store) -> None:
    frame = run_named(store, "quantities", lang="en").to_dataframe()
    dtypes = _dtypes(frame)
    assert dtypes["value"] == "Float64"
    assert dtypes["sources"] == "Int64"
    # Summing money adds it up: the figures of the paper's §3.1 among them.
    assert frame["value"].sum() > 1e10
    paper = frame[frame["quantity"].str.endswith("/q-paper-dod-investment")]
    assert paper["value"].tolist() == [950_000_000.0]
    dates = [d for cell in frame["date"] for d in cell]
    assert dates and all(isinstance(d, pd.Timestamp) for d in dates)


def test_the_timeline_has_dates(store: ox.Store) -> None:
    frame = run_named(store, "institute-timeline", lang="zh").to_dataframe()
    assert _dtypes(frame)["date"].startswith("datetime64")
    assert frame["date"].is_monotonic_increasing
    assert frame["date"].iloc[0] == pd.Timestamp("2012-08-16")
    about = frame["about"].iloc[0]
    assert isinstance(about, list) and "美国增材制造创新所" in about


def test_institutes_by_agency_has_months_and_counts(store: ox.Store) -> None:
    frame = run_named(store, "institutes-by-agency", lang="en").to_dataframe()
    dtypes = _dtypes(frame)
    assert dtypes["founded"] == "period[M]"
    assert dtypes["agreements"] == "Int64"
    assert frame["institute"].nunique() == 9
    biomade = frame[frame["institute"].str.endswith("/biomade")]
    assert biomade["founded"].tolist() == [pd.Period("2020-10", freq="M")]
    assert biomade["agencyLabel"].tolist() == ["not confirmed"]


def test_conflicting_values_are_lists_or_rows_never_one_string(store: ox.Store) -> None:
    result = run_named(store, "institutes", lang="zh")
    frame = result.to_dataframe()
    aim = frame[frame["institute"].str.endswith("/aim-photonics")].iloc[0]
    assert sorted(aim["state"]) == ["加利福尼亚州", "纽约州"]
    long = result.to_dataframe(long=True)
    aim_rows = long[long["institute"].str.endswith("/aim-photonics")]
    assert sorted(aim_rows["state"]) == ["加利福尼亚州", "纽约州"]
    assert all(isinstance(s, str) and " / " not in s for s in long["state"])
    assert long["institute"].nunique() == 9


def test_booleans_and_integers(store: ox.Store) -> None:
    frame = run_named(store, "institute-elements", lang="en").to_dataframe()
    dtypes = _dtypes(frame)
    assert dtypes["commonToAll"] == "boolean"
    assert dtypes["position"] == "Int64"
    assert frame["commonToAll"].any() and not frame["commonToAll"].all()


@pytest.mark.parametrize("name", ["institutes-by-year", "contract-instruments"])
def test_counts_are_integers(store: ox.Store, name: str) -> None:
    frame = run_named(store, name, lang="en").to_dataframe()
    column = "institutes" if name == "institutes-by-year" else "agreements"
    assert _dtypes(frame)[column] == "Int64"
    assert frame[column].sum() == (9 if name == "institutes-by-year" else 12)
