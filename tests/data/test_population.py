"""Reading one municipality without indexing the whole bundled table."""

from __future__ import annotations

import numpy as np


def test_one_municipality_read_alone_equals_the_indexed_table() -> None:
    """A run reads its municipality's rows alone; they must be exactly the counts of the indexed whole table."""
    from resilience.data import population as p

    store = p._store()
    checked = 0
    for code in ["1835", "5001", "0301", "1804", *sorted(store.years_by_code)[::40]]:
        own = p._code_counts(code)
        for year in store.years_by_code[code]:
            for sex in ("male", "female", "total"):
                expected = store.counts.get((code, year, sex))
                got = own.get((year, sex))
                assert (expected is None) == (got is None), (code, year, sex)
                if expected is not None:
                    assert got is not None and np.array_equal(got, expected), (code, year, sex)
                    checked += 1
    assert checked > 100
    assert p._code_counts("9999") == {}
