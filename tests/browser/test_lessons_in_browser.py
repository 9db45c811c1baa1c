"""Every lesson, opened in JupyterLab in headless Chromium and run with Run → Run All Cells.

A lesson passes when its run ends with every code cell numbered in order and the kernel idle, no error
shows anywhere on the page, every widget renders, every cell that stored a figure shows one, and moving
each slider one step raises nothing and leaves the kernel alive (tests/browser/lab.py says how each is
seen). The lessons run in a temporary copy, two at a time, in one JupyterLab and one Chromium.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.browser.lab import copy_lessons, expected_outputs, run_notebooks

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.stem for p in (REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="session")
def lesson_reports(request, lab_server, screenshots):
    """Run every lesson this session selected (all, or those picked with -k), a few pages at a time."""
    selected = [item.callspec.params["lesson"] for item in request.session.items
                if getattr(item, "originalname", None) == "test_lesson_in_browser"]
    copy_lessons(REPO, lab_server.root)
    items = [(f"lessons/{name}.ipynb",
              expected_outputs(nbformat.read(REPO / "lessons" / f"{name}.ipynb", as_version=4)))
             for name in selected]
    return run_notebooks(lab_server, items, screenshot_dir=screenshots)


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_in_browser(lesson, lesson_reports, screenshots):
    report = lesson_reports[f"lessons/{lesson}.ipynb"]
    if report.problems:
        (screenshots / f"{lesson}.txt").write_text(report.text())
        pytest.fail(f"{lesson} in JupyterLab ({report.seconds:.0f} s): {len(report.problems)} problem(s); "
                    f"screenshot {report.screenshot}, text {screenshots / (lesson + '.txt')}\n\n"
                    + "\n\n".join(report.problems), pytrace=False)
