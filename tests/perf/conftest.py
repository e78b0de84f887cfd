"""Benchmarks run when asked for (`make bench`, which runs `pytest tests/perf`), not in the suite.

testpaths collects tests/perf too; a run that did not name tests/perf skips them, so CI's
`make test` stays free of minute-long benchmarks.
"""

from pathlib import Path

import pytest

PERF_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    asked = any("perf" in str(arg) for arg in config.invocation_params.args)
    if asked:
        return
    skip = pytest.mark.skip(reason="a benchmark: run it with `make bench` (pytest tests/perf)")
    for item in items:
        if PERF_DIR in item.path.parents:
            item.add_marker(skip)
