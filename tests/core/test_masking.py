"""Masking a column at a time masks each value exactly as ``mask_value`` does."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from trustly_nb.masking import MASK_CHAR, mask_value, mask_values

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=80) | st.sampled_from(
    ["", "#####6790", "•••••6790", "***1234", "#402", "000-12-3456", "x" * 63, "x" * 64]
)
values = st.lists(texts | st.none() | st.integers() | st.just(math.nan), max_size=30)


@given(values)
def test_mask_values_is_mask_value_of_each(column):
    got = mask_values(column)
    want = [mask_value(value) for value in column]
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert a is b or a == b


def test_non_text_goes_to_other_but_nan_is_kept():
    got = mask_values([12, math.nan, None, "000-12-3456"], other=lambda v: "other")
    assert got[0] == got[2] == "other"
    assert math.isnan(got[1])
    assert got[3] == MASK_CHAR * 7 + "3456"
