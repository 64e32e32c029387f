"""Result and diff tables read at a glance: nothing cut off, statuses on one line and
coloured, one marker for missing values, counts as a small frame."""

from __future__ import annotations

import pandas as pd

import trustly_nb as tnb
from trustly_nb import bulk
from trustly_nb.frames import style_diff, style_frame

MARIA = "1001165730"
NOAH = "1001165733"


def _result(client) -> pd.DataFrame:
    changes = {
        MARIA: {"email": "maria.garcia@example.com.a-much-longer-domain-than-fifty-characters"},
        NOAH: {"address": {"zip": "6060"}},
    }
    return client.update_many(changes, dry_run=True, progress=False)


def test_summary_is_a_small_frame_of_counts(client):
    """bulk.summary: one row per status present, a 'customers' column, no Series dump."""
    counts = bulk.summary(_result(client))
    assert isinstance(counts, pd.DataFrame)
    assert list(counts.columns) == ["customers"]
    assert counts.index.name == "status"
    assert counts["customers"].to_dict() == {"invalid": 1, "dry-run": 1}
    assert "dtype" not in repr(counts)


def test_style_result_wraps_reasons_whole_and_keeps_statuses_on_one_line(client):
    """The long reason and before → after appear whole; dry-run never wraps."""
    result = _result(client)
    html = bulk.style_result(result).to_html()
    assert result.loc[NOAH, "error_message"] in html.replace("&#x27;", "'")
    assert "a-much-longer-domain-than-fifty-characters" in html
    assert "white-space: nowrap" in html
    assert "pre-wrap" in html
    assert "#e0ecff" in html
    assert "#fde8e8" in html


def test_one_marker_for_missing_values():
    """<NA>, None, NaN and NaT all read as — in a styled table."""
    frame = pd.DataFrame(
        {
            "a": pd.array([1, None], dtype="Int64"),
            "b": [None, "x"],
            "c": [float("nan"), 1.0],
            "d": pd.to_datetime([None, "2025-01-01"], utc=True),
        }
    )
    html = style_frame(frame).to_html()
    for token in ("&lt;NA&gt;", "None", "NaN", "NaT", "nan"):
        assert token not in html
    assert html.count("—") == 4
    assert "overflow-x:auto" in html.replace(" ", ""), "a wide table scrolls in its box"


def test_style_diff_shows_long_values_whole(client):
    """A diff never cuts a before → after in the middle."""
    frame = tnb.customers_to_frame(client.list_customers())
    edited = frame.copy()
    long = "a street name well beyond fifty characters, with a unit and a floor"
    edited.loc[MARIA, "address.address1"] = long
    html = style_diff(tnb.diff_frame(frame, edited)).to_html()
    assert long in html
