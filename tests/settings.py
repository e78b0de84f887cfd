"""The settings the test suite runs with: the project's own, with DEBUG turned on.

DEBUG is off unless the environment asks for it (config/settings.py); the suite asks for it
here, before the settings are read, so a test run needs no variable set by hand. Processes the
suite starts (a worker, a server) inherit it through the environment.
"""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: F403
