"""The settings the test suite runs with: the project's own, with DEBUG turned on.

DEBUG is off unless the environment asks for it (config/settings.py); the suite asks for it
here, before the settings are read, so a test run needs no variable set by hand. Processes the
suite starts (a worker, a server) inherit it through the environment.
"""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: F403

# Under pytest-xdist each worker gets Redis databases of its own, for the cache and for the
# broker: every test empties the cache (FLUSHDB), and a neighbour's flush must not reset the
# rate-limit counters a test is in the middle of counting, nor empty the queue a real worker
# is reading; a worker must not take a task queued by another process's test either. Worker
# gwN uses databases 2 + 2N (cache) and 3 + 2N (broker), clear of the 0 and 1 CI gives the
# serial run.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    from urllib.parse import urlsplit, urlunsplit

    def _on_database(url: str, number: int) -> str:
        return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))

    _n = int(_worker[2:]) % 7
    if CACHES["default"]["BACKEND"] == "config.cache.RedisCache":  # noqa: F405
        CACHES["default"]["LOCATION"] = _on_database(CACHES["default"]["LOCATION"], 2 + 2 * _n)  # noqa: F405
    if os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        os.environ["CELERY_BROKER_URL"] = _on_database(os.environ["CELERY_BROKER_URL"], 3 + 2 * _n)
        CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
