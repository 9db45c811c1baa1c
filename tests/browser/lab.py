"""Open notebooks in JupyterLab inside headless Chromium, run them from the menu, and list what went wrong.

nbval proves that a lesson's cells print the right text. This module looks at what a learner sees:

- **error outputs**: JupyterLab 4 renders a traceback and a plain ``sys.stderr`` write (a warning) the same
  way, ``.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]``, with no CSS class to
  tell them apart. So an error is (a) any output whose type is ``error`` in the notebook's own model
  (read through ``window.jupyterapp``, which ``--LabApp.expose_app_in_browser`` exposes; exact, and it
  catches a SyntaxError or ``%xmode Minimal`` error that prints no "Traceback" line) or (b) any stderr
  output on the page, including inside widgets, whose text reads as a traceback (``looks_like_traceback``);
- **exceptions in widget callbacks** (a slider's ``observe`` raising): the kernel reports them outside
  any cell, and JupyterLab files them in the notebook's *log console*; the status bar's log item then
  counts them, and the log console panel (View → Show Log Console) shows their text;
- **widgets**: ipywidgets' error box (``.jupyter-widgets-error-widget``, "Click to show javascript
  error.", drawn when a widget's JavaScript cannot be loaded), an output that reads "Error displaying
  widget" or still reads "Loading widget..." after a bounded wait, or a cell whose stored output was a
  widget that shows no widget;
- **figures**: a cell whose stored output holds an ``image/png`` that shows no loaded ``<img>``;
- **the run itself**: after Run → Run All Cells, the kernel must go idle with every code cell numbered
  1, 2, 3, ... in order (so a run that stopped early, or a kernel that died, is caught too);
- **sliders**: each ipywidgets slider's handle is focused and moved one step with the keyboard; no new
  error may appear and the kernel must still be alive and idle afterwards (every status the kernel goes
  through is recorded, so a death followed by JupyterLab's automatic restart is not missed).

``run_notebooks`` does all of this for several notebooks, a few pages at a time, in one Chromium.
``python -m tests.browser.lab [NN ...]`` (from the repository root) checks lessons without pytest and
prints how long each phase took.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

CHROMIUM = os.environ.get("EDUTORCH_CHROMIUM", "/usr/bin/chromium")  # Debian's package; another build by path
# --no-sandbox: CI runs as root; the rest keep Chromium from calling Google's servers, which on a closed
# network floods the log with refused connections and slows the page down.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_HINT = ("apt-get install -y chromium && pip install playwright   "
                "(Debian's Chromium at /usr/bin/chromium; no `playwright install` needed)")

ERROR_TEXT_RE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)(: .*)?$")
TIMEOUT_RUN = 600.0      # seconds for Run All Cells (the slowest lesson: ~20 s quiet, 230 s on a busy CI box)
TIMEOUT_WIDGETS = 20.0   # seconds a widget may keep showing "Loading widget..." after the run


def looks_like_traceback(text: str) -> bool:
    """True for the text of a traceback (an error output) rather than a warning written to stderr.

    IPython's tracebacks contain "Traceback (most recent call last)", except for a SyntaxError and in
    ``%xmode Minimal``, which end with a line ``SomeError: message``. A warning's last line is the
    source line it points at, and its first names a file (``/path.py:2: UserWarning: ...``).
    """
    if "Traceback (most recent call last)" in text:
        return True
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return bool(lines) and bool(ERROR_TEXT_RE.match(lines[-1]))


def default_pages() -> int:
    """How many notebooks run at once: EDUTORCH_BROWSER_PAGES, else 2 (measured best on 2 cores)."""
    return int(os.environ.get("EDUTORCH_BROWSER_PAGES", "2"))


def chromium_available() -> str | None:
    """None when the browser stage can run here, else what is missing."""
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append(CHROMIUM)
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    return " and ".join(missing) or None


# --- the JupyterLab server -------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(settings_dir: Path) -> None:
    """User settings of this throwaway JupyterLab: no autosave, every cell in the page, no news."""
    settings = {
        # the copies are throwaway, but nothing should be written while the test looks at the page
        "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
        # JupyterLab 4 may leave cells far from the viewport out of the page; render them all so that
        # every output is there to inspect
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
    }
    for plugin, values in settings.items():
        package, name = plugin.split(":")
        folder = settings_dir / package
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.jupyterlab-settings").write_text(json.dumps(values))


class LabServer:
    """``jupyter lab`` serving ``root`` on a free port, with its own config, settings and workspaces."""

    def __init__(self, root: Path, extra_env: dict[str, str] | None = None):
        self.root = Path(root)
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        state = self.root / ".jupyter-state"
        _write_settings(state / "settings")
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(state / "config"), JUPYTER_RUNTIME_DIR=str(state / "runtime"),
                   JUPYTERLAB_SETTINGS_DIR=str(state / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"), **(extra_env or {}))
        # the kernels inherit this environment: without pytest's variables, or edutorch's widgets take them
        # for nbval's kernels and print text instead of drawing (edutorch/notebook/widgets/training.py)
        for name in ("PYTEST_VERSION", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER"):
            env.pop(name, None)
        # the kernel is "python3" of this environment: put its bin first, as `python -m ipykernel` runs
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        self.log_path = state / "server.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
             f"--ServerApp.token={self.token}", "--allow-root", f"--ServerApp.root_dir={self.root}",
             "--LabApp.expose_app_in_browser=True",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            env=env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        self._wait_until_up(60.0)

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                self.api("status")
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer in {timeout:.0f} s:\n{self.log_path.read_text()[-3000:]}")

    def shutdown_kernel(self, path: str) -> None:
        """Free the CPU and memory of the kernel a notebook started (the page is closed by then)."""
        for session in self.api("sessions"):
            if session["path"] == path:
                self.api(f"sessions/{session['id']}", method="DELETE")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def copy_lessons(repo: Path, root: Path) -> list[str]:
    """Prepare ``root`` as a copy of what the lessons see; return the lessons' paths relative to root.

    Lessons run with the kernel in ``lessons/``: they import ``checks``, read ``../data`` and write
    ``runs/`` and ``checkpoints/``. ``root/lessons`` gets the lessons' files (new copies, so nothing a run
    writes reaches the repository), ``data`` and ``edutorch`` are links to the repository's. The notebooks
    are copied without outputs, so every number and widget on the page comes from this run; the stored
    outputs stay in the repository for ``expected_outputs``. The jupytext text files are left out: the
    copies are not paired.
    """
    root.mkdir(parents=True, exist_ok=True)
    for name in ("data", "edutorch"):
        (root / name).symlink_to(repo / name, target_is_directory=True)
    lesson_re = re.compile(r"^\d\d_.*\.(py|ipynb)$")
    shutil.copytree(repo / "lessons", root / "lessons", ignore=lambda folder, names: [
        n for n in names if (folder == str(repo / "lessons") and (lesson_re.match(n) or n in (
            "jupytext.toml", "runs", "checkpoints", "conftest.py"))) or n in ("__pycache__", ".ipynb_checkpoints")])
    paths = []
    for notebook in sorted((repo / "lessons").glob("[0-9][0-9]_*.ipynb")):
        write_without_outputs(nbformat.read(notebook, as_version=4), root / "lessons" / notebook.name)
        paths.append(f"lessons/{notebook.name}")
    return paths


def write_without_outputs(nb, path: Path) -> None:
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)


@dataclass
class Expected:
    """What the stored notebook showed: which cells (by index) had a figure or a widget."""
    figures: list[int] = field(default_factory=list)
    widgets: list[int] = field(default_factory=list)


def expected_outputs(nb) -> Expected:
    expected = Expected()
    for index, cell in enumerate(nb.cells):
        datas = [output.get("data", {}) for output in cell.get("outputs", [])]
        if any("image/png" in data for data in datas):
            expected.figures.append(index)
        if any("application/vnd.jupyter.widget-view+json" in data for data in datas):
            expected.widgets.append(index)
    return expected


# --- one notebook in one page ----------------------------------------------------------------------------

@dataclass
class Report:
    path: str
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sliders_moved: int = 0
    screenshot: str | None = None
    phases: dict[str, float] = field(default_factory=dict)  # seconds: load, run, widgets, sliders
    _page: object = field(default=None, repr=False)  # kept open on failure, for the screenshot

    def text(self) -> str:
        return f"{self.path}: " + "\n\n".join(self.problems)


# What the page shows, read in one call: the kernel's status, each cell's prompt and outputs, and the
# notebook model's outputs of type "error" (exact, whatever the rendering).
_PAGE_STATE_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')].map((cell) => ({
    code: cell.classList.contains('jp-CodeCell'),
    head: ((cell.querySelector('.jp-InputArea-editor .cm-line') || {}).textContent || '').slice(0, 70),
    prompt: (cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
    stderr: [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
            .map((o) => o.innerText),
    images: [...cell.querySelectorAll('.jp-OutputArea-output img')]
            .map((img) => img.complete && img.naturalWidth > 0),
    widgetTexts: [...cell.querySelectorAll('.jp-OutputArea-output')]
            .map((o) => o.innerText).filter((t) => /Loading widget|Error displaying widget/.test(t)),
    widgets: cell.querySelectorAll('.jp-OutputArea-output .jupyter-widgets:not(.jp-OutputArea-output)').length,
    // ipywidgets 8 draws this (a broken-file icon, "Click to show javascript error.") when a widget's
    // model or view cannot be created, e.g. its JavaScript module is not installed
    brokenWidgets: cell.querySelectorAll('.jupyter-widgets-error-widget').length,
  }));
  let modelErrors = [];
  const app = window.jupyterapp;
  const notebook = app && app.shell.currentWidget && app.shell.currentWidget.content;
  if (notebook && notebook.model) {
    const n = notebook.model.cells.length;
    for (let i = 0; i < n; i++) {
      const cell = notebook.model.cells.get(i);
      if (cell.type !== 'code') continue;
      for (const out of cell.outputs.toJSON()) {
        if (out.output_type === 'error')
          modelErrors.push({cell: i, text: out.ename + ': ' + out.evalue + '\\n' + out.traceback.join('\\n')});
      }
    }
  }
  const log = document.querySelector('.jp-LogConsoleStatusItem [title]');
  const dialogs = [...document.querySelectorAll('.jp-Dialog')].map((d) => d.innerText);
  const deaths = (window.__kernelStatuses || []).filter((s) => ['dead', 'restarting', 'autorestarting'].includes(s));
  return {status: indicator ? indicator.dataset.status : null, cells, modelErrors, deaths,
          logTitle: log ? log.getAttribute('title') : '', dialogs};
}"""

_KERNEL_READY_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return Boolean(kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle' && panel.content
                 && panel.content.widgets.length === panel.content.model.cells.length
                 && document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell').length
                    === panel.content.model.cells.length);
}"""

_WATCH_KERNEL_JS = """() => {
  window.__kernelStatuses = [];
  window.jupyterapp.shell.currentWidget.sessionContext.statusChanged.connect(
    (_, status) => window.__kernelStatuses.push(status));
}"""

# a slider handle's range and value: noUiSlider's own (the aria-value* attributes are rounded to one
# decimal, so a FloatSlider's step of 0.001 would not show in them)
_SLIDER_JS = """(handle) => {
  const api = handle.closest('.noUi-target').noUiSlider;
  const range = api && api.options && api.options.range;
  return {value: api ? JSON.stringify(api.get()) : handle.getAttribute('aria-valuetext'),
          min: JSON.stringify(range ? range.min : handle.getAttribute('aria-valuemin')),
          max: JSON.stringify(range ? range.max : handle.getAttribute('aria-valuemax'))};
}"""

# before a screenshot: scroll the notebook to the first error output or broken widget
_SHOW_FIRST_PROBLEM_JS = """() => {
  const candidates = [...document.querySelectorAll(
    '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    + '.jp-Notebook .jupyter-widgets-error-widget, .jp-Notebook .jp-OutputArea-output')];
  const bad = candidates.find((e) => e.matches('.jupyter-widgets-error-widget')
    || /Traceback|Error displaying widget|Loading widget/.test(e.innerText));
  if (bad) bad.scrollIntoView({block: 'center'});
}"""

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


def _log_entries(state) -> int:
    match = re.search(r"(\d+) log entr", state["logTitle"] or "")
    return int(match.group(1)) if match else 0


async def _state(page):
    return await page.evaluate(_PAGE_STATE_JS)


def _finished(state) -> bool:
    """Run All is over: the kernel is idle and no cell is queued or running ("[*]")."""
    return state is not None and state["status"] == "idle" and not any(
        c["code"] and "*" in c["prompt"] for c in state["cells"])


async def _wait_until_idle(page, timeout: float, settle: float = 1.0):
    """Poll until the run is over and has stayed over for ``settle`` seconds; return the last state."""
    deadline = time.monotonic() + timeout
    since = None
    while True:
        state = await _state(page)
        if _finished(state):
            since = since or time.monotonic()
            if time.monotonic() - since >= settle:
                return state
        else:
            since = None
        if time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.25)


def _where(state, index: int) -> str:
    """A cell as a reader finds it: its index in the notebook (from 0), its prompt and first line."""
    cell = state["cells"][index] if index < len(state["cells"]) else {"prompt": "", "head": ""}
    return f"cell {index} {cell['prompt'].strip()} `{cell['head']}`"


def _errors(state) -> list[str]:
    """Every error the page shows: error outputs of the model, traceback-like stderr anywhere."""
    found = [f"{_where(state, e['cell'])}: error output\n{_ANSI_RE.sub('', e['text'])}"
             for e in state["modelErrors"]]
    cells_with_error_outputs = {e["cell"] for e in state["modelErrors"]}
    for index, cell in enumerate(state["cells"]):
        if index in cells_with_error_outputs:
            continue  # already reported, with the model's exact text
        for text in cell["stderr"]:
            if looks_like_traceback(text):
                found.append(f"{_where(state, index)}: traceback on the page\n{text}")
    found += [f"dialog: {text}" for text in state["dialogs"]]
    if state["deaths"]:
        found.append(f"the kernel died (its statuses included {', '.join(sorted(set(state['deaths'])))})")
    return found


async def _log_console_tracebacks(page) -> list[str]:
    """Open View → Show Log Console and return its entries that are tracebacks."""
    await page.get_by_role("menuitem", name="View", exact=True).click()
    await page.get_by_role("menuitem", name="Show Log Console", exact=True).click()
    panel = page.locator(".jp-LogConsolePanel")
    await panel.wait_for(timeout=10_000)
    await asyncio.sleep(0.5)
    texts = await panel.locator(".jp-OutputArea-output").all_inner_texts()
    return [text for text in texts if looks_like_traceback(text)]


async def check_notebook(context, server: LabServer, path: str, expected: Expected, workspace: str,
                         move_sliders: bool = True) -> Report:
    """Open ``path`` (relative to the server's root), Run All Cells, and list every problem."""
    report = Report(path)
    start = time.monotonic()
    page = await context.new_page()
    problems = report.problems
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    try:
        # a workspace of its own, reset, so no earlier notebook is reopened (and its kernel restarted)
        await page.goto(f"{server.url}/lab/workspaces/{workspace}/tree/{path}?reset&token={server.token}")
        # the toolbar may read "idle" before the kernel even started: ask the notebook's session itself
        await page.wait_for_function(_KERNEL_READY_JS, timeout=90_000, polling=250)
        # remember every status the kernel goes through: a death is followed by an automatic restart,
        # which a later look at the page would miss
        await page.evaluate(_WATCH_KERNEL_JS)
        report.phases["load"] = time.monotonic() - start
        await page.get_by_role("menuitem", name="Run", exact=True).click()
        await page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        # the first cell shows "[*]" as soon as the request is sent; wait for it, then for the end
        await page.wait_for_function("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                                           .some((p) => p.textContent.trim() !== '[ ]:')""", timeout=30_000)
        state = await _wait_until_idle(page, TIMEOUT_RUN)
        report.phases["run"] = time.monotonic() - start - report.phases["load"]
        if not _finished(state):
            problems.append(f"Run All Cells did not finish in {TIMEOUT_RUN:.0f} s (kernel {state and state['status']})")
        problems += _errors(state)

        numbers = [c["prompt"].strip() for c in state["cells"] if c["code"]]
        wanted = [f"[{n}]:" for n in range(1, len(numbers) + 1)]
        if numbers != wanted:
            first = next(i for i, (a, b) in enumerate(zip(numbers, wanted)) if a != b)
            problems.append(f"not every code cell ran in order: code cell {first} shows {numbers[first]!r}, "
                            f"expected {wanted[first]!r} (prompts: {' '.join(numbers)})")

        # widgets are drawn after their cell ran; give them a bounded time to leave "Loading widget..."
        deadline = time.monotonic() + TIMEOUT_WIDGETS
        while any("Loading widget" in t for c in state["cells"] for t in c["widgetTexts"]) \
                and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            state = await _state(page)
        for index, cell in enumerate(state["cells"]):
            for text in cell["widgetTexts"]:
                what = "still loading" if "Loading widget" in text else "failed"
                problems.append(f"{_where(state, index)}: widget {what} after {TIMEOUT_WIDGETS:.0f} s: {text.strip()}")
            if cell["brokenWidgets"]:
                problems.append(f"{_where(state, index)}: {cell['brokenWidgets']} widget(s) failed to display "
                                f"(ipywidgets' error widget; the browser console says why, below)")
            if index in expected.widgets and not cell["widgets"] and not cell["widgetTexts"]:
                problems.append(f"{_where(state, index)}: the stored notebook shows a widget here, the page shows none")
            if index in expected.figures and not any(cell["images"]):
                seen = f"{len(cell['images'])} <img>, none loaded" if cell["images"] else "no <img>"
                problems.append(f"{_where(state, index)}: the stored notebook shows a figure here, "
                                f"the page shows {seen}")

        log_suspects = []
        report.phases["widgets"] = time.monotonic() - start - sum(report.phases.values())
        if move_sliders and not problems:
            report.sliders_moved, slider_problems, log_suspects = await _move_sliders(page, state)
            problems += slider_problems

        report.phases["sliders"] = time.monotonic() - start - sum(report.phases.values())
        # anything that appeared late (after the first look, not tied to a slider)
        problems += [e for e in _errors(await _state(page)) if not any(e in p for p in problems)]
        if _log_entries(await _state(page)):
            after = f" (it grew after moving {', '.join(log_suspects)})" if log_suspects else ""
            for text in await _log_console_tracebacks(page):
                problems.append(f"the log console{after}: an error raised outside any cell, e.g. in a "
                                f"widget callback:\n{text.strip()[-3000:]}")
    except Exception as exc:  # a page that never loads, a menu that is not there: report, don't crash
        problems.append(f"{type(exc).__name__} while driving the page: {exc}")
    finally:
        report.seconds = time.monotonic() - start
        if problems and console_errors:
            problems.append("(context) the browser console's errors:\n" + "\n".join(
                text[:500] for text in console_errors[:10]))
        if problems:
            report.screenshot = "pending"
            report._page = page  # the caller saves a screenshot, then closes it
        else:
            await page.close()
    return report


async def _move_sliders(page, state) -> tuple[int, list[str], list[str]]:
    """Move every enabled slider one step with the keyboard; report errors and a kernel that died.

    Returns how many sliders moved, the problems, and the sliders after which the log console grew.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError

    problems, log_suspects = [], []
    # ipywidgets 8 draws every slider (IntSlider, FloatSlider, SelectionSlider, ...) with noUiSlider;
    # its handle takes the keyboard focus, and a disabled slider's target carries `disabled`
    handles = page.locator(".jp-Notebook .widget-slider .noUi-target:not([disabled]) .noUi-handle")
    count = await handles.count()
    moved = 0
    for i in range(count):
        handle = handles.nth(i)
        if not await handle.is_visible():
            continue
        slider = await handle.evaluate(_SLIDER_JS)
        if slider["min"] == slider["max"]:
            continue  # a slider with a single position (e.g. a step slider before there are steps)
        before = slider["value"]
        statuses = await page.evaluate("() => window.__kernelStatuses.length")
        await handle.focus()
        await page.keyboard.press("ArrowRight")
        if (await handle.evaluate(_SLIDER_JS))["value"] == before:  # at its maximum: go the other way
            await page.keyboard.press("ArrowLeft")
        label = f"slider {i + 1} of {count}"
        if (await handle.evaluate(_SLIDER_JS))["value"] == before:
            problems.append(f"{label} did not move with the arrow keys (value {before})")
            break
        moved += 1
        # wait for the kernel to take the change (it goes busy), then for it to be idle again
        try:
            await page.wait_for_function(f"() => window.__kernelStatuses.length > {statuses}", timeout=5_000)
        except PlaywrightTimeoutError:
            pass  # the change did not reach the kernel (a slider without a callback may send nothing)
        after = await _wait_until_idle(page, 60.0, settle=0.5)
        new = [e for e in _errors(after) if e not in _errors(state)]
        problems += [f"after moving {label}: {e}" for e in new]
        if _log_entries(after) > _log_entries(state):
            log_suspects.append(label)
        if after["status"] != "idle":
            problems.append(f"after moving {label}: the kernel is {after['status']!r}, not idle")
        if problems:
            break
        state = after
    return moved, problems, log_suspects


async def _run_notebooks(server: LabServer, items: list[tuple[str, Expected]], pages: int,
                         screenshot_dir: Path | None = None, move_sliders: bool = True,
                         progress: bool = False) -> dict[str, Report]:
    """Check each (path, expected) in one Chromium, at most ``pages`` notebooks at a time."""
    from playwright.async_api import async_playwright

    reports: dict[str, Report] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        slots = asyncio.Semaphore(pages)

        async def one(index: int, path: str, expected: Expected):
            async with slots:
                report = await check_notebook(context, server, path, expected, f"w{index}", move_sliders)
                if report.screenshot and screenshot_dir is not None:
                    shot = screenshot_dir / (Path(path).stem + ".png")
                    try:
                        await report._page.evaluate(_SHOW_FIRST_PROBLEM_JS)
                        await report._page.screenshot(path=str(shot))
                        report.screenshot = str(shot)
                    except Exception as exc:
                        report.screenshot = f"(no screenshot: {exc})"
                if report.screenshot:
                    await report._page.close()
                await asyncio.to_thread(server.shutdown_kernel, path)
                reports[path] = report
                if progress:
                    phases = " ".join(f"{k} {v:.1f}" for k, v in report.phases.items())
                    print(f"{path}: {report.seconds:.1f} s ({phases}), {report.sliders_moved} sliders moved, "
                          f"{len(report.problems)} problems", file=sys.stderr, flush=True)

        await asyncio.gather(*(one(i, path, expected) for i, (path, expected) in enumerate(items)))
        await browser.close()
    return reports


def run_notebooks(server: LabServer, items: list[tuple[str, Expected]], pages: int | None = None,
                  screenshot_dir: Path | None = None, move_sliders: bool = True,
                  progress: bool = False) -> dict[str, Report]:
    """Check each (path relative to the server's root, expected) notebook; reports by path."""
    return asyncio.run(_run_notebooks(server, items, pages or default_pages(), screenshot_dir, move_sliders,
                                      progress))


def main(argv: list[str]) -> int:
    """``python -m tests.browser.lab [NN ...]``: check lessons (all by default), print each report."""
    import tempfile

    repo = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory(prefix="edutorch-lab-") as tmp:
        root = Path(tmp)
        server = LabServer(root, extra_env={"EDUTORCH_LESSON_EPOCHS": os.environ.get("EDUTORCH_LESSON_EPOCHS", "3")})
        try:
            paths = [p for p in copy_lessons(repo, root) if not argv or Path(p).name[:2] in argv]
            items = [(p, expected_outputs(nbformat.read(repo / p, as_version=4))) for p in paths]
            start = time.monotonic()
            reports = run_notebooks(server, items, screenshot_dir=Path.cwd(), progress=True)
            print(f"{len(items)} notebooks in {time.monotonic() - start:.0f} s, {default_pages()} at a time")
        finally:
            server.stop()
    failed = [r for r in reports.values() if r.problems]
    for report in failed:
        print("\n" + report.text() + f"\n(screenshot {report.screenshot})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
