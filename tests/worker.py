"""Real-worker task tests: marks and a wait helper (the fixtures are in tests/conftest.py).

CI sets CELERY_BROKER_URL (Redis) and REQUIRE_E2E=1, so there a missing broker fails
instead of skipping.
"""

import os
import time
from collections.abc import Callable

import pytest

BROKER = os.environ.get("CELERY_BROKER_URL", "")

needs_broker = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not BROKER and os.environ.get("REQUIRE_E2E") != "1",
        reason="no CELERY_BROKER_URL: the real-worker test runs where a broker is configured",
    ),
]


def wait_for(predicate: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
