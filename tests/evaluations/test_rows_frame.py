"""rows_frame: the frame DataFrame.from_records builds, never-NULL columns typed directly."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from evaluations.selectors import rows_frame

COLUMNS = ["id", "label", "flag", "org", "none", "score", "name"]
ROWS = [
    (1, "attended", 1, 7, None, 2.5, "Dudley"),
    (2, "no_show", 0, None, None, None, None),
    (3, "attended", True, 9, None, 4, "Police"),
]
TYPES = {"id": "int64", "label": "str", "flag": "bool", "score": "float64"}


def test_typed_and_inferred_columns_are_as_from_records_would_make_them():
    expected = pd.DataFrame.from_records(ROWS, columns=COLUMNS).astype(
        {"flag": "bool", "score": "float64"}
    )

    frame = rows_frame(ROWS, COLUMNS, TYPES)

    assert_frame_equal(frame, expected, check_dtype=True)
    assert frame.dtypes.astype(str).to_dict() == {
        "id": "int64", "label": "str", "flag": "bool", "org": "float64", "none": "object",
        "score": "float64", "name": "str",
    }  # fmt: skip


@pytest.mark.parametrize("types", [TYPES, None])
def test_no_rows_give_from_records_empty_frame(types):
    assert_frame_equal(
        rows_frame([], COLUMNS, types), pd.DataFrame.from_records([], columns=COLUMNS)
    )


def test_a_null_in_a_typed_integer_column_is_an_error_not_a_silent_float():
    with pytest.raises((TypeError, ValueError)):
        rows_frame([(1, "a", 1, None, None, 1.0, "x"), (None, "b", 0, 1, None, 2.0, "y")],
                   COLUMNS, TYPES)  # fmt: skip
