"""Fixtures of the browser stage: one JupyterLab server and one lesson copy for the whole session.

Without Chromium or Playwright these tests skip, saying how to install them; with
``EDUTORCH_REQUIRE_BROWSER=1`` (set by ``.ci/run``) they fail instead, so CI cannot pass without them.
"""
from __future__ import annotations

import os

import pytest

from tests.browser.lab import INSTALL_HINT, LabServer, chromium_available


def require_browser() -> None:
    missing = chromium_available()
    if missing:
        reason = f"the browser tests need {missing}; install with: {INSTALL_HINT}"
        if os.environ.get("EDUTORCH_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (EDUTORCH_REQUIRE_BROWSER=1 makes this an error)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """``jupyter lab`` on a free port, serving a temporary folder (never the repository)."""
    require_browser()
    root = tmp_path_factory.mktemp("lab")
    # the training lessons run their short version, as under nbval (lessons/conftest.py)
    server = LabServer(root, extra_env={"EDUTORCH_LESSON_EPOCHS": os.environ.get("EDUTORCH_LESSON_EPOCHS", "3")})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    """Where a failing notebook's screenshot and error text go (printed in the assertion message)."""
    return tmp_path_factory.mktemp("browser-failures")
