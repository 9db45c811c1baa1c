"""The machinery shared by the lesson builders (``build_00_02.py``, ``build_06_09.py``, ...).

A lesson is a list of cells: ``md(...)`` for prose, ``code(...)`` for code. A builder script defines
its lessons in a dict ``{"06_modules": [cells...], ...}`` and ends with ``sys.exit(main(NOTEBOOKS, argv))``:

    python lessons/_build/build_XX_YY.py                 # write and execute all its notebooks
    python lessons/_build/build_XX_YY.py 06_modules      # only the lessons named
    python lessons/_build/build_XX_YY.py --torch         # also run a copy on real PyTorch and compare
    python lessons/_build/build_XX_YY.py --torch-only    # only the PyTorch comparison (notebooks as stored)
    python lessons/_build/build_XX_YY.py --no-execute    # write the notebooks without outputs
    python lessons/_build/build_XX_YY.py --torch --twin-kernel=torchvision-oracle
                                         # run the PyTorch copy in a kernel that has torchvision

Every code cell must run unchanged on PyTorch: the only difference between the two runs is the
``import edutorch...`` lines of the setup cell, which become ``import torch...``. Cells whose output is
random or shows edutorch's source start with ``# NBVAL_IGNORE_OUTPUT``; all other outputs are compared
by nbval (against the stored outputs) and by ``--torch`` (against PyTorch).
"""
from __future__ import annotations

import configparser
import copy
import re
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

LESSONS = Path(__file__).resolve().parents[1]
IMPORT_LINE = "import edutorch as torch"
IGNORE = "# NBVAL_IGNORE_OUTPUT"
# The PyTorch twin's import lines: `from edutorch.vision import transforms` -> `from torchvision import
# transforms`, then `import edutorch as torch`, `from edutorch.utils.data import ...` -> `... torch...`
_VISION_IMPORT = re.compile(r"^(from|import) edutorch\.vision\b", re.MULTILINE)
_ENGINE_IMPORT = re.compile(r"^(from|import) edutorch\b", re.MULTILINE)


def to_pytorch(source: str) -> str:
    """A cell's code with edutorch's import lines turned into PyTorch's (and torchvision's)."""
    return _ENGINE_IMPORT.sub(r"\1 torch", _VISION_IMPORT.sub(r"\1 torchvision", source))


def md(text: str):
    return new_markdown_cell(textwrap.dedent(text).strip("\n"))


def code(text: str):
    return new_code_cell(textwrap.dedent(text).strip("\n"))


def setup(*extra_imports: str, nn: bool = False, engine_imports: tuple = ()):
    """The one setup cell of a lesson: imports, the engine switch, seeds, inline figures.

    ``nn=True`` also imports ``nn`` and ``F`` (``torch.nn`` and ``torch.nn.functional``);
    ``engine_imports`` are more ``from edutorch... import ...`` lines, placed under the engine switch.
    """
    if engine_imports:  # a longer import block: one comment above it
        engine = ["# to run this lesson on PyTorch, change `edutorch` to `torch` and `edutorch.vision` to",
                  "# `torchvision` in the import lines below",
                  IMPORT_LINE, *(["import edutorch.nn as nn", "import edutorch.nn.functional as F"] if nn else []),
                  *engine_imports]
    elif nn:
        engine = [f"{IMPORT_LINE}                    # <- change `edutorch` to `torch` in these",
                  "import edutorch.nn as nn                    #    three lines to run this lesson",
                  "import edutorch.nn.functional as F          #    on PyTorch"]
    else:
        engine = [f"{IMPORT_LINE}   # <- change to `import torch` to run this lesson on PyTorch"]
    lines = ["%matplotlib inline", "import math", *extra_imports, "",
             "import matplotlib.pyplot as plt", "import numpy as np", "",
             *engine,
             'EDUTORCH = torch.__name__ == "edutorch"',
             "if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node",
             "    from edutorch.notebook import show_source",
             "",
             "torch.manual_seed(0)",
             'plt.rcParams["figure.dpi"] = 80']
    return new_code_cell("\n".join(lines))


# ===================================================================================== machinery
def build(name: str, cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=copy.deepcopy(cells))
    for i, cell in enumerate(nb.cells):
        cell.id = f"{name.split('_')[0]}-{i:02d}"  # stable ids: rebuilding gives a small diff
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def execute(nb, allow_errors: bool = False, kernel_name: str = "python3"):
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=300, kernel_name=kernel_name, allow_errors=allow_errors,
                            resources={"metadata": {"path": str(LESSONS)}})
    client.execute()
    return nb


def _sanitizers():
    config = configparser.ConfigParser()
    config.read(LESSONS / "sanitize.cfg")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def texts(cell) -> list:
    """A code cell's outputs as the text nbval compares (images are not compared)."""
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif o.output_type in ("execute_result", "display_data"):
            out.append(o.data.get("text/plain", ""))
        elif o.output_type == "error":
            out.append(f"ERROR {o.ename}: {o.evalue}")
    text = "".join(out)
    for regex, replace in _sanitizers():
        text = regex.sub(replace, text)
    return [text]


def check_errors(name: str, nb) -> None:
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr"):
                print(f"  !! {name} cell {i}: {o.get('ename', 'stderr')} {o.get('evalue', o.get('text', ''))[:300]}")


def torch_compare(name: str, nb, kernel_name: str = "python3") -> int:
    """Run a copy with `import torch` and compare every compared cell's output. Returns #differences.

    Lessons that use torchvision need a kernel where it is installed: torchvision cannot live beside
    the torch our tests use, so ``--twin-kernel=NAME`` names a Jupyter kernel of another environment
    (we used one with torch 2.14 + torchvision 0.29.1, registered as ``torchvision-oracle``).
    """
    twin = copy.deepcopy(nb)
    for cell in twin.cells:
        if cell.cell_type == "code":
            cell.source = to_pytorch(cell.source)
            cell.outputs = []
    execute(twin, allow_errors=True, kernel_name=kernel_name)
    diffs = 0
    for i, (ours, theirs) in enumerate(zip(nb.cells, twin.cells)):
        if ours.cell_type != "code":
            continue
        errors = [o for o in theirs.outputs if o.output_type == "error"]
        if errors:
            diffs += 1
            print(f"  !! torch error in {name} cell {i}: {errors[0].ename}: {errors[0].evalue[:300]}")
            continue
        if ours.source.startswith(IGNORE):
            continue
        if texts(ours) != texts(theirs):
            diffs += 1
            print(f"  !! {name} cell {i} differs\n---- edutorch:\n{texts(ours)[0]}\n---- torch:\n{texts(theirs)[0]}")
    print(f"{name}: PyTorch cross-run: {diffs} cell(s) differ")
    return diffs


def main(notebooks: dict, argv: list) -> int:
    names = [a for a in argv if not a.startswith("--")] or list(notebooks)
    kernels = [a.split("=", 1)[1] for a in argv if a.startswith("--twin-kernel=")]
    twin_kernel = kernels[0] if kernels else "python3"
    failures = 0
    for name in names:
        path = LESSONS / f"{name}.ipynb"
        if "--torch-only" in argv:
            failures += torch_compare(name, nbformat.read(path, as_version=4), twin_kernel)
            continue
        nb = build(name, notebooks[name])
        if "--no-execute" not in argv:
            execute(nb, allow_errors=True)
            check_errors(name, nb)
        nbformat.write(nb, path)
        print(f"wrote {path.relative_to(LESSONS.parent)}")
        if "--torch" in argv:
            failures += torch_compare(name, nb, twin_kernel)
    return 1 if failures else 0
