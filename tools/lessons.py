"""Sync, execute and check the lessons: the one command behind ``lessons/``.

Each lesson is a jupytext pair (``lessons/jupytext.toml``): ``NN_topic.py`` holds the cells as text
(py:percent; edit this side), ``NN_topic.ipynb`` the same cells with their stored outputs. ::

    python tools/lessons.py sync            # bring each pair in line (the side edited last wins)
    python tools/lessons.py run 02 07       # execute lessons 02 and 07, store their outputs
    python tools/lessons.py check           # are all pairs in sync and stored deterministically?
    python tools/lessons.py twin 02         # run lesson 02 on real PyTorch; fail on any error
    python tools/lessons.py run 02 --solutions --no-write   # with the solutions filled in
    python tools/lessons.py time            # measure each lesson at its defaults, update the tables

Lessons are named by number (``02``) or full name (``02_autograd``); no name means all of them.
``run`` writes notebooks deterministically: stable cell ids (``02-00``, ``02-01``...), no execution
timing metadata, widget model ids numbered in order, so executing an unchanged lesson changes nothing
but genuinely random outputs (those cells start with ``# NBVAL_IGNORE_OUTPUT``).
"""
from __future__ import annotations

import argparse
import configparser
import copy
import functools
import hashlib
import json
import math
import os
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
SOLUTIONS = LESSONS / "solutions"
TIMINGS = LESSONS / "timings.json"
IGNORE = "# NBVAL_IGNORE_OUTPUT"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

# The PyTorch twin of a lesson differs only in its import lines: `from edutorch.vision import transforms`
# becomes `from torchvision import transforms`, `import edutorch as torch` becomes `import torch`. Only
# lines that start with the import are changed: edutorch-only imports sit indented under `if EDUTORCH:`.
_VISION_IMPORT = re.compile(r"^(from|import) edutorch\.vision\b", re.MULTILINE)
_ENGINE_IMPORT = re.compile(r"^(from|import) edutorch\b", re.MULTILINE)
# An exercise cell starts with `# Exercise N` (the learner's stub); its solution is the cell titled
# `# %% Exercise N` in lessons/solutions/NN_topic.py.
_EXERCISE = re.compile(r"^# Exercise (\d+)\b")
_SOLUTION = re.compile(r"^# %% Exercise (\d+):?([^\n]*)\n", re.MULTILINE)
# A check cell calls `check.exN(...)`; the check prints one line starting `✓ Exercise N` or `✗ Exercise N`.
_CHECK = re.compile(r"^check\.ex(\d+)\(", re.MULTILINE)


# ================================================================================ finding lessons
def all_lessons() -> list[str]:
    return sorted(p.stem for p in LESSONS.glob("[0-9][0-9]_*.py"))


def resolve(names: list[str]) -> list[str]:
    """``["02", "07_conv"]`` -> ``["02_autograd", "07_conv_and_pooling"]``; ``[]`` -> every lesson."""
    lessons = all_lessons()
    if not names:
        return lessons
    chosen = []
    for name in names:
        matches = [lesson for lesson in lessons if lesson.startswith(name)]
        if len(matches) != 1:
            raise SystemExit(f"lessons.py: {name!r} matches {matches or 'no lesson'}; known: {', '.join(lessons)}")
        chosen.append(matches[0])
    return chosen


def text_path(name: str) -> Path:
    return LESSONS / f"{name}.py"


def notebook_path(name: str) -> Path:
    return LESSONS / f"{name}.ipynb"


# ================================================================================ the pair
def read_text(name: str) -> nbformat.NotebookNode:
    return jupytext.read(text_path(name), fmt="py:percent")


def inputs(nb) -> list[tuple[str, str]]:
    """What the two sides of a pair must agree on: each cell's type and source."""
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def sync(name: str) -> str:
    """Make the pair agree. The side modified last wins, as ``jupytext --sync`` does; outputs of
    cells whose source is unchanged are kept. Returns what happened."""
    text, ipynb = text_path(name), notebook_path(name)
    if not ipynb.exists() or text.stat().st_mtime >= ipynb.stat().st_mtime:
        stored = nbformat.read(ipynb, as_version=4) if ipynb.exists() else nbformat.v4.new_notebook()
        fresh = read_text(name)
        if ipynb.exists() and inputs(fresh) == inputs(stored):
            return "in sync"
        nb = jupytext.combine.combine_inputs_with_outputs(fresh, stored)
        write_notebook(name, nb)
        return f"{ipynb.name} <- {text.name}"
    nb = nbformat.read(ipynb, as_version=4)
    if inputs(nb) == inputs(read_text(name)):
        return "in sync"
    write_text(name, nb)
    return f"{text.name} <- {ipynb.name}"


def write_text(name: str, nb) -> None:
    jupytext.write(nb, text_path(name), fmt="py:percent", config=jupytext.config.load_jupytext_configuration_file(
        str(LESSONS / "jupytext.toml")))


def normalise(name: str, nb) -> nbformat.NotebookNode:
    """The stored form of a lesson: stable ids and execution counts, no timing metadata, widget ids
    numbered in order."""
    nb = copy.deepcopy(nb)
    number = name.split("_")[0]
    count = 0
    for i, cell in enumerate(nb.cells):
        cell.id = f"{number}-{i:02d}"
        cell.metadata = {}
        if cell.cell_type == "code":  # numbered as "Run All" numbers them (nbval skips unnumbered cells)
            count += 1
            cell.execution_count = count
            _coalesce_streams(cell)
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output.execution_count = count
    widgets = nb.metadata.get("widgets")
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    if widgets:
        nb.metadata["widgets"] = widgets
    nb.nbformat, nb.nbformat_minor = 4, 5
    return _renumber_widgets(name, nb)


def _renumber_widgets(name: str, nb) -> nbformat.NotebookNode:
    """Keep the widget models that stored outputs show (and the models they refer to, through
    ``IPY_MODEL_<id>``), and replace their random ids by ids made from the lesson name and their order
    of appearance. Models no output shows cannot be displayed, so they are not stored."""
    key = "application/vnd.jupyter.widget-state+json"
    state = nb.metadata.get("widgets", {}).get(key, {}).get("state", {})
    order: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in order or model_id not in state:
            return
        order.append(model_id)
        for ref in re.findall(r"IPY_MODEL_([0-9a-f]{32})", json.dumps(state[model_id], sort_keys=True)):
            visit(ref)

    for model_id in re.findall(r'"model_id": "([0-9a-f]{32})"', json.dumps(nb.cells, sort_keys=True)):
        visit(model_id)
    if "widgets" in nb.metadata:
        if order:
            nb.metadata.widgets[key]["state"] = {i: state[i] for i in order}
        else:
            del nb.metadata["widgets"]
    new = {old: hashlib.md5(f"{name}/{k}".encode()).hexdigest() for k, old in enumerate(order)}
    blob = json.dumps(nb, ensure_ascii=False, sort_keys=True)
    blob = re.sub(r"[0-9a-f]{32}", lambda m: new.get(m.group(0), m.group(0)), blob)
    return nbformat.from_dict(json.loads(blob))


@functools.lru_cache(maxsize=None)
def _sanitizers(path: Path) -> list[tuple[re.Pattern, str]]:
    """nbval's sanitizers (lessons/sanitize.cfg): what may differ between runs of the same cell."""
    config = configparser.ConfigParser()
    config.read(path)
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def sanitized(text: str) -> str:
    for regex, replace in _sanitizers(LESSONS / "sanitize.cfg"):
        text = regex.sub(replace, text)
    return text


def _comparable(cell) -> str:
    return sanitized(json.dumps(cell.get("outputs", []), sort_keys=True))


def _coalesce_streams(cell) -> None:
    """Join consecutive stdout (or stderr) pieces: how a print is split depends on timing."""
    merged = []
    for out in cell.get("outputs", []):
        same_stream = merged and merged[-1].output_type == "stream" and merged[-1].name == getattr(out, "name", None)
        if out.output_type == "stream" and same_stream:
            merged[-1].text += out.text
        else:
            merged.append(out)
    cell.outputs = merged


def keep_stored_outputs(fresh, stored) -> nbformat.NotebookNode:
    """Outputs of a cell that are the same up to nbval's sanitizers (memory addresses, timings) are
    kept as stored, so re-executing a lesson does not rewrite them."""
    fresh = copy.deepcopy(fresh)
    old = {cell.source: cell for cell in stored.cells if cell.cell_type == "code"}
    for cell in fresh.cells:
        before = old.get(cell.source) if cell.cell_type == "code" else None
        widget = "widget-view" in json.dumps(cell.get("outputs", []))  # its ids are renumbered below
        if before is not None and not widget and _comparable(before) == _comparable(cell):
            cell.outputs = copy.deepcopy(before.outputs)
    return fresh


def write_notebook(name: str, nb) -> None:
    if notebook_path(name).exists():
        nb = keep_stored_outputs(nb, nbformat.read(notebook_path(name), as_version=4))
    nbformat.write(normalise(name, nb), notebook_path(name))


def problems(name: str) -> list[str]:
    """Why a pair is not in order: the sides disagree, or the notebook is not stored normalised."""
    found = []
    text, stored = read_text(name), nbformat.read(notebook_path(name), as_version=4)
    a, b = inputs(text), inputs(stored)
    if a != b:
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        found.append(f"{name}: {name}.py and {name}.ipynb differ from cell {first} on "
                     f"({len(a)} cells in the text, {len(b)} in the notebook): "
                     f"run `python tools/lessons.py sync {name}`")
    if normalise(name, stored) != stored:
        found.append(f"{name}: {name}.ipynb is not stored normalised (ids, metadata): "
                     f"run `python tools/lessons.py run {name}`")
    return found


# ================================================================================ variants
def to_pytorch(source: str) -> str:
    """A cell's code with edutorch's import lines turned into PyTorch's (and torchvision's)."""
    return _ENGINE_IMPORT.sub(r"\1 torch", _VISION_IMPORT.sub(r"\1 torchvision", source))


def solutions(name: str) -> dict[int, str]:
    """Exercise number -> solution cell, from lessons/solutions/NN_topic.py (cells `# %% Exercise N`)."""
    return {number: body for number, (_, body) in titled_cells(SOLUTIONS / f"{name}.py").items()}


def titled_cells(path: Path) -> dict[int, tuple[str, str]]:
    """Exercise number -> (the rest of its title line, its code) for a file of `# %% Exercise N...` cells."""
    return {number: (rest, body) for number, rest, body in titled_cell_list(path)}


def titled_cell_list(path: Path) -> list[tuple[int, str, str]]:
    """Every `# %% Exercise N...` cell in order, as (N, the rest of its title line, its code): a file
    of recorded mistakes may hold several for one exercise."""
    if not path.exists():
        return []
    parts = _SOLUTION.split(path.read_text(encoding="utf-8"))
    return [(int(number), rest.strip(), body.strip("\n"))
            for number, rest, body in zip(parts[1::3], parts[2::3], parts[3::3])]


def exercise_cells(nb) -> dict[int, int]:
    """Exercise number -> index of the learner's stub cell."""
    found = {}
    for i, cell in enumerate(nb.cells):
        match = _EXERCISE.match(cell.source) if cell.cell_type == "code" else None
        if match:
            found[int(match.group(1))] = i
    return found


def with_solutions(name: str, nb, answers: dict[int, str] | None = None) -> nbformat.NotebookNode:
    """The lesson with each exercise cell replaced by its solution (or by ``answers[N]``)."""
    nb = copy.deepcopy(nb)
    answers, stubs = solutions(name) if answers is None else answers, exercise_cells(nb)
    if set(stubs) != set(answers):
        raise ValueError(f"{name}: exercises {sorted(stubs)} in the lesson but solutions for {sorted(answers)} "
                         f"in lessons/solutions/{name}.py")
    for number, index in stubs.items():
        nb.cells[index].source = answers[number]
    return nb


def exercise_section(nb) -> nbformat.NotebookNode:
    """The setup cell (the first code cell) and every cell from the one that makes the checks
    (``check = Checks(torch)``) on: all the exercises need, so their checks can run without re-running
    the lesson. (In a lesson that is all exercises, as the build-it track, that is the whole lesson.)"""
    nb = copy.deepcopy(nb)
    setup = next(cell for cell in nb.cells if cell.cell_type == "code")
    start = next(i for i, cell in enumerate(nb.cells)
                 if cell.cell_type == "code" and re.search(r"^check = Checks\(torch\)", cell.source, re.MULTILINE))
    nb.cells = [setup, *nb.cells[start:]]
    return nb


def on_pytorch(nb) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = to_pytorch(cell.source)
    return nb


# ================================================================================ executing
def execute(nb, kernel_name: str = "python3", timeout: int = 600):
    """Run every cell (errors are recorded in the outputs, not raised) in a kernel started in lessons/;
    the kernel inherits this process's environment (EDUTORCH_LESSON_EPOCHS)."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
                   resources={"metadata": {"path": str(LESSONS)}}).execute()
    return nb


def errors(nb) -> list[str]:
    """Every error output and every stderr stream, as ``cell N: ...`` lines."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"cell {i}: {out.ename}: {out.evalue}"[:400])
            elif out.output_type == "stream" and out.name == "stderr" and "Warning" not in out.text:
                found.append(f"cell {i}: stderr: {out.text}"[:400])
    return found


def text_of(cell) -> str:
    """A code cell's outputs as the text nbval compares (images are not compared)."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"ERROR {out.ename}: {out.evalue}")
    return "".join(parts)


def checked_exercises(cell) -> list[int]:
    """The exercise numbers a cell checks (its ``check.exN(...)`` calls)."""
    return [int(n) for n in _CHECK.findall(cell.source)] if cell.cell_type == "code" else []


def check_lines(cell) -> dict[int, str]:
    """Exercise number -> the line its check printed in this cell (or what the cell printed instead)."""
    text = text_of(cell)
    results = {}
    for number in checked_exercises(cell):
        printed = [line for line in text.splitlines() if re.match(rf"[✓✗] Exercise {number}\b", line)]
        results[number] = printed[0] if printed else text.strip()[:300] or "(printed nothing)"
    return results


def check_results(nb) -> dict[int, str]:
    """Exercise number -> the line its check printed, over all the lesson's check cells."""
    return {number: line for cell in nb.cells for number, line in check_lines(cell).items()}


def needs_torchvision(nb) -> bool:
    return any(_VISION_IMPORT.search(cell.source) for cell in nb.cells if cell.cell_type == "code")


def twin_kernel(nb) -> str | None:
    """The kernel that runs a lesson's PyTorch twin: this environment's ("python3", with the torch of
    the parity tests) unless the lesson uses torchvision, which cannot be installed beside that torch.
    Those run in EDUTORCH_TWIN_KERNEL, else in a kernel named "edutorch-twin" if one is installed
    (tools/make_twin_env.sh makes it), else here if torchvision imports; None when there is none."""
    if not needs_torchvision(nb):
        return "python3"
    if os.environ.get("EDUTORCH_TWIN_KERNEL"):
        return os.environ["EDUTORCH_TWIN_KERNEL"]
    from jupyter_client.kernelspec import find_kernel_specs

    if "edutorch-twin" in find_kernel_specs():
        return "edutorch-twin"
    try:
        import torchvision  # noqa: F401
    except ImportError:
        return None
    return "python3"


# ================================================================================ commands
def cmd_sync(args) -> int:
    for name in resolve(args.lessons):
        print(f"{name}: {sync(name)}")
    return 0


def cmd_run(args) -> int:
    failed = 0
    for name in resolve(args.lessons):
        sync(name)
        nb = nbformat.read(notebook_path(name), as_version=4)
        if args.solutions:
            nb = with_solutions(name, nb)
        kernel = twin_kernel(nb) if args.torch else "python3"
        if args.torch:
            nb = on_pytorch(nb)
        if kernel is None:
            print(f"{name}: skipped: it uses torchvision and no twin kernel exists (tools/make_twin_env.sh)")
            continue
        start = time.perf_counter()
        nb = execute(nb, kernel_name=kernel)
        seconds = time.perf_counter() - start
        found = errors(nb)
        for line in found:
            print(f"  !! {name} {line}")
        for number, line in sorted(check_results(nb).items()):
            print(f"  {line}")
        failed += bool(found)
        store = not (args.no_write or args.solutions or args.torch)  # only the lesson as written is stored
        if store:
            write_notebook(name, nb)
        print(f"{name}: executed in {seconds:.1f} s" + (", stored" if store else ""))
    return 1 if failed else 0


def cmd_twin(args) -> int:
    args.torch, args.no_write = True, True
    return cmd_run(args)


def cmd_check(args) -> int:
    found = [p for name in resolve(args.lessons) for p in problems(name)]
    print("\n".join(found) if found else "all lessons in sync and stored normalised")
    return 1 if found else 0


def cmd_time(args) -> int:
    """Run each lesson at its defaults (no EDUTORCH_LESSON_EPOCHS) and record the wall time, in
    lessons/timings.json, in the lesson's first cell and in README.md's table."""
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    os.environ.pop("EDUTORCH_LESSON_EPOCHS", None)  # the kernel inherits this environment
    for name in resolve(args.lessons):
        sync(name)
        start = time.perf_counter()
        nb = execute(nbformat.read(notebook_path(name), as_version=4))
        seconds = time.perf_counter() - start
        for line in errors(nb):
            print(f"  !! {name} {line}")
        timings[name] = round(seconds, 1)
        print(f"{name}: {seconds:.1f} s")
    TIMINGS.write_text(json.dumps(dict(sorted(timings.items())), indent=1) + "\n")
    for name in resolve(args.lessons):
        if name in timings:
            stamp_run_time(name, timings[name])
            sync(name)
    write_readme_table(timings)
    return 0


def about(seconds: float) -> str:
    """A run time as a reader wants it: "about 15 s", rounded up to 5 s so small jitter changes nothing."""
    return f"about {max(5, 5 * math.ceil(seconds / 5))} s"


_RUN_TIME = re.compile(r"^# \*Runs in about \d+ s[^\n]*\n", re.MULTILINE)


def stamp_run_time(name: str, seconds: float) -> None:
    """Write the run time under the title of the lesson's first cell (its text side)."""
    text = text_path(name).read_text(encoding="utf-8")
    line = f"# *Runs in {about(seconds)} on a 2-core CPU (measured with `python tools/lessons.py time`).*\n"
    if _RUN_TIME.search(text):
        new = _RUN_TIME.sub(line, text, count=1)
    else:
        title = re.search(r"^# # [^\n]*\n", text, re.MULTILINE)
        new = text[:title.end()] + "#\n" + line + text[title.end():]
    if new != text:
        text_path(name).write_text(new, encoding="utf-8")


def title_of(name: str) -> str:
    first = read_text(name).cells[0].source.splitlines()[0]
    return first.lstrip("# ").split("·", 1)[-1].strip()


def write_readme_table(timings: dict) -> None:
    """The lesson table of README.md, between its <!-- lessons --> markers."""
    rows = ["| Lesson | Topic | Exercises | Run time (2-core CPU) |", "| --- | --- | --- | --- |"]
    for name in all_lessons():
        exercises = len(exercise_cells(read_text(name)))
        run = about(timings[name]) if name in timings else "not measured"
        rows.append(f"| [{name[:2]}](lessons/{name}.ipynb) | {title_of(name)} | {exercises or '—'} | {run} |")
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- lessons -->\n", "<!-- /lessons -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + start + "\n".join(rows) + "\n" + end + rest.split(end, 1)[1]
    readme.write_text(_stamp_milestones(text, timings), encoding="utf-8")


_MILESTONE_ROW = re.compile(r"^(\|.*\| )about \d+ s( \| \[\d\d\]\(lessons/(\w+)\.ipynb\) \|)$", re.MULTILINE)


def _stamp_milestones(text: str, timings: dict) -> str:
    """The Milestones table's time column: each row ends with its lesson, whose whole run time it shows."""
    def stamp(match):
        name = match.group(3)
        return f"{match.group(1)}{about(timings[name])}{match.group(2)}" if name in timings else match.group(0)
    return _MILESTONE_ROW.sub(stamp, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/lessons.py", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.split("\n")[2:]))
    sub = parser.add_subparsers(dest="command", required=True)
    for command, help_text in [("sync", "make each text/notebook pair agree (the side edited last wins)"),
                               ("run", "execute lessons and store their outputs"),
                               ("check", "fail if a pair disagrees or a notebook is not stored normalised"),
                               ("twin", "execute lessons on real PyTorch; fail on errors"),
                               ("time", "measure each lesson at its default settings into lessons/timings.json")]:
        p = sub.add_parser(command, help=help_text, description=help_text)
        p.add_argument("lessons", nargs="*", help="lesson numbers or names (default: all)")
        if command in ("run", "twin"):
            p.add_argument("--solutions", action="store_true", help="fill in the exercise solutions first")
        if command == "run":
            p.add_argument("--torch", action="store_true", help="run on PyTorch (as `twin`)")
            p.add_argument("--no-write", action="store_true", help="execute only; keep the stored notebook")
        p.set_defaults(run=globals()[f"cmd_{command}"])
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
