"""The name of each organisation: the most common, the first in sort order on a tie."""

import numpy as np
import pandas as pd

from reports import metrics


def test_the_most_common_name_wins_and_a_tie_goes_to_the_first_in_sort_order():
    numbers = np.array([0, 0, 0, 1, 1, 2, 2, 3])
    names = pd.Series(
        ["Acme Ltd", "ACME LTD", "ACME LTD", "Zeta", "Alpha", None, "Beta", None], dtype="string"
    )

    assert metrics._most_common_names(numbers, names) == {0: "ACME LTD", 1: "Alpha", 2: "Beta"}


def test_no_names_give_no_entries():
    assert (
        metrics._most_common_names(np.array([], dtype=np.int64), pd.Series([], dtype="string"))
        == {}
    )
