"""The browser checks can fail: small notebooks with one known defect each, and one without any.

Each defect is one a learner would hit and nbval would not see: an exception in a cell, a widget whose
front end cannot be loaded, a slider whose callback raises (the traceback goes to the log console, not
to a cell), a slider whose callback kills the kernel, a figure that the stored notebook has and the run
does not draw. A clean notebook with a slider and a figure must pass, so the checks are not blind.
"""
from __future__ import annotations

import nbformat
import pytest

from tests.browser.lab import Expected, run_notebooks, write_without_outputs

SLIDER = "import ipywidgets as W\nslider = W.IntSlider(value=3, min=0, max=10)\n"
FIGURE = "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"

NOTEBOOKS = {
    # a FloatSlider with a fine step, as the board's smoothing slider (0.6 -> 0.601)
    "clean": ([FIGURE, SLIDER + "slider.observe(lambda change: print(change['new']), 'value')\n"
                       "fine = W.FloatSlider(value=0.6, min=0.0, max=0.999, step=0.001)\n"
                       "fine.observe(lambda change: print(change['new']), 'value')\nW.VBox([slider, fine])"],
              Expected(figures=[0], widgets=[1])),
    "cell_raises": (["x = 1", "x / 0", "print('never runs')"], Expected()),
    "widget_cannot_load": (["import ipywidgets as W, traitlets\n"
                            "class Missing(W.DOMWidget):\n"
                            "    _model_module = traitlets.Unicode('edutorch-no-such-widgets').tag(sync=True)\n"
                            "    _view_module = traitlets.Unicode('edutorch-no-such-widgets').tag(sync=True)\n"
                            "    _model_name = traitlets.Unicode('MissingModel').tag(sync=True)\n"
                            "    _view_name = traitlets.Unicode('MissingView').tag(sync=True)\n"
                            "Missing()"], Expected(widgets=[0])),
    # a widget view whose model the kernel never created ("Loading widget..." or "model not found")
    "widget_model_missing": (["display({'application/vnd.jupyter.widget-view+json': {'model_id': 'no-such-model', "
                              "'version_major': 2, 'version_minor': 0}}, raw=True)"], Expected(widgets=[0])),
    "slider_callback_raises": ([SLIDER + "def redraw(change):\n    raise ValueError('redraw failed')\n"
                                "slider.observe(redraw, 'value')\nslider"], Expected(widgets=[0])),
    "slider_kills_kernel": ([SLIDER + "import os\nslider.observe(lambda change: os._exit(1), 'value')\nslider"],
                            Expected(widgets=[0])),
    "figure_missing": (["%matplotlib inline\nimport matplotlib.pyplot as plt\nprint('no plot today')"],
                       Expected(figures=[0])),
}

# what the report must say for each defect
DETECTED = {
    "cell_raises": ["cell 1 [2]: `x / 0`: error output", "ZeroDivisionError", "code cell 2 shows '[ ]:'"],
    "widget_cannot_load": ["cell 0 [1]: `import ipywidgets as W, traitlets`: 1 widget(s) failed to display",
                            "edutorch-no-such-widgets"],
    "widget_model_missing": [": widget"],
    "slider_callback_raises": ["the log console", "ValueError: redraw failed", "slider 1 of 1"],
    "slider_kills_kernel": ["after moving slider 1 of 1", "the kernel died"],
    "figure_missing": ["cell 0 [1]: `%matplotlib inline`: the stored notebook shows a figure here, "
                       "the page shows no <img>"],
}


@pytest.fixture(scope="session")
def detector_reports(lab_server, screenshots):
    folder = lab_server.root / "detector"
    folder.mkdir()
    items = []
    for name, (sources, expected) in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        write_without_outputs(nb, folder / f"{name}.ipynb")
        items.append((f"detector/{name}.ipynb", expected))
    return run_notebooks(lab_server, items, screenshot_dir=screenshots)


def test_clean_notebook_passes(detector_reports):
    report = detector_reports["detector/clean.ipynb"]
    assert report.problems == [], report.text()
    assert report.sliders_moved == 2


@pytest.mark.parametrize("defect", list(DETECTED))
def test_defect_is_detected(defect, detector_reports):
    report = detector_reports[f"detector/{defect}.ipynb"]
    text = report.text()
    for phrase in DETECTED[defect]:
        assert phrase in text, f"{defect}: expected {phrase!r} in the report:\n{text}"
