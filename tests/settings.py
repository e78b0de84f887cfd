"""The settings the test suite runs with: the project's own, with DEBUG turned on.

DEBUG is off unless the environment asks for it (config/settings.py); the suite asks for it
here, before the settings are read, so a test run needs no variable set by hand. Processes the
suite starts (a worker, a server) inherit it through the environment.
"""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: F403

# Under pytest-xdist each worker gets a Redis database of its own for the cache: every test
# empties the cache (FLUSHDB), and a neighbour's flush must not reset the rate-limit counters
# a test is in the middle of counting.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and CACHES["default"]["BACKEND"] == "config.cache.RedisCache":  # noqa: F405
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(CACHES["default"]["LOCATION"])  # noqa: F405
    _db = 1 + int(_worker[2:]) % 15
    CACHES["default"]["LOCATION"] = urlunsplit(_url._replace(path=f"/{_db}"))  # noqa: F405
