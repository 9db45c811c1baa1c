"""The lessons as a course: pairs in sync, exercises whose stubs fail and solutions pass, the PyTorch twin.

nbval (configured in pyproject.toml) re-runs every stored notebook and compares its outputs; these
tests add what nbval cannot see. The twin executes each whole lesson on real PyTorch with the
exercise solutions filled in: no cell may raise, every check must pass, and every compared output
must equal the one edutorch stored. Lessons that import torchvision run in the "edutorch-twin" kernel
(tools/make_twin_env.sh; .ci/run makes it) and are skipped without one, since torchvision cannot be
installed beside the torch of the parity tests.
"""
from __future__ import annotations

import copy

import nbformat
import pytest

from tools import lessons as L

LESSONS = L.all_lessons()


def stored(name: str) -> nbformat.NotebookNode:
    return nbformat.read(L.notebook_path(name), as_version=4)


@pytest.mark.parametrize("name", LESSONS)
def test_pair_in_sync_and_stored_normalised(name):
    assert L.problems(name) == []


def test_tool_help_and_names():
    assert L.resolve(["02"]) == ["02_autograd"]
    with pytest.raises(SystemExit, match="matches no lesson"):
        L.resolve(["99"])
    with pytest.raises(SystemExit):
        L.main(["--help"])


def test_normalise_is_idempotent_and_renumbers_widgets():
    nb = stored("02_autograd")
    once = L.normalise("02_autograd", nb)
    assert L.normalise("02_autograd", once) == once
    assert [c.id for c in once.cells[:3]] == ["02-00", "02-01", "02-02"]
    assert all("execution" not in c.metadata for c in once.cells)


@pytest.mark.parametrize("name", LESSONS)
def test_exercises_structure(name):
    nb = stored(name)
    stubs = L.exercise_cells(nb)
    assert 3 <= len(stubs) <= 6, f"{name} has {len(stubs)} exercises"
    assert sorted(stubs) == list(range(1, len(stubs) + 1))
    checks = {n for c in nb.cells for n in L.checked_exercises(c)}
    assert checks == set(stubs), f"{name}: exercises {sorted(stubs)}, check cells for {sorted(checks)}"
    assert set(L.solutions(name)) == set(stubs)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert any(h.startswith("## 中文小结") for h in headings), f"{name} has no 中文小结"
    assert any(h.startswith("## Glossary") for h in headings), f"{name} has no glossary"
    # the stored notebook shows the stubs: every check says "not yet" (nbval proves a fresh run agrees)
    results = L.check_results(nb)
    assert set(results) == set(stubs)
    assert all(line.startswith("✗") for line in results.values()), results


@pytest.mark.parametrize("name", LESSONS)
def test_solutions_pass_and_mistakes_get_their_hint(name):
    """On edutorch: the exercise section with the solutions (every check ✓), then with the common
    mistakes of tests/lessons/mistakes/ (each check ✗, naming the mistake)."""
    nb = stored(name)
    mistakes = L.titled_cell_list(L.ROOT / "tests" / "lessons" / "mistakes" / f"{name}.py")
    assert mistakes, f"{name}: no common mistakes recorded in tests/lessons/mistakes/{name}.py"
    section = L.exercise_section(L.with_solutions(name, nb))
    answers = L.solutions(name)
    check_cell = {n: next(c for c in section.cells if n in L.checked_exercises(c)) for n in answers}
    # one kernel: the solutions first; then each mistake (several per exercise allowed), its check, and
    # the solution again (a later exercise may build on an earlier one)
    for n, _, code in mistakes:
        section.cells += [nbformat.v4.new_code_cell(code), copy.deepcopy(check_cell[n]),
                          nbformat.v4.new_code_cell(answers[n])]
    ran = L.execute(section)
    assert L.errors(ran) == []
    first, after = {}, []  # the solutions' check lines, then the mistakes' in order
    for cell in ran.cells:
        for n, line in L.check_lines(cell).items():
            if n in first:
                after.append((n, line))
            else:
                first[n] = line
    assert all(line.startswith("✓") for line in first.values()) and set(first) == set(answers), first
    assert [n for n, _ in after] == [n for n, _, _ in mistakes], after
    for (n, hint, _), (_, line) in zip(mistakes, after):
        assert line.startswith("✗") and hint in line, (n, hint, line)


@pytest.mark.parametrize("name", LESSONS)
def test_torch_twin(name, torch):
    lesson = stored(name)
    nb = L.with_solutions(name, lesson)
    kernel = L.twin_kernel(nb)
    if kernel is None:
        pytest.skip(f"{name} uses torchvision, which cannot be installed beside torch {torch.__version__}: "
                    "make its environment with tools/make_twin_env.sh")
    twin = L.execute(L.on_pytorch(nb), kernel_name=kernel)
    assert L.errors(twin) == [], f"{name} on PyTorch ({kernel})"
    results = L.check_results(twin)
    assert all(line.startswith("✓") for line in results.values()), results
    # compared: every code cell but the ignored ones, the exercises (solutions here) and their checks
    exercises = set(L.exercise_cells(lesson).values())
    differ = []
    for i, (ours, theirs) in enumerate(zip(lesson.cells, twin.cells)):
        if ours.cell_type != "code" or ours.source.startswith(L.IGNORE) or i in exercises or L.checked_exercises(ours):
            continue
        if L.sanitized(L.text_of(ours)) != L.sanitized(L.text_of(theirs)):
            differ.append(f"cell {i}:\n--- edutorch\n{L.text_of(ours)}\n--- torch\n{L.text_of(theirs)}")
    assert not differ, "\n".join(differ)


def test_sync_takes_the_side_edited_last_and_keeps_outputs(tmp_path, monkeypatch):
    import os
    import shutil

    monkeypatch.setattr(L, "LESSONS", tmp_path)
    shutil.copy(L.ROOT / "lessons" / "jupytext.toml", tmp_path)
    for suffix in (".py", ".ipynb"):
        shutil.copy(L.ROOT / "lessons" / f"02_autograd{suffix}", tmp_path)
    assert L.sync("02_autograd") == "in sync"
    # an edit of the text side: the notebook follows, outputs of unchanged cells stay
    text = (tmp_path / "02_autograd.py").read_text(encoding="utf-8")
    (tmp_path / "02_autograd.py").write_text(text.replace("# # 02 · Autograd", "# # 02 · Autograd (edited)", 1),
                                              encoding="utf-8")
    assert L.sync("02_autograd") == "02_autograd.ipynb <- 02_autograd.py"
    nb = nbformat.read(tmp_path / "02_autograd.ipynb", as_version=4)
    assert nb.cells[0].source.startswith("# 02 · Autograd (edited)")
    before = stored("02_autograd")
    assert [c.get("outputs") for c in nb.cells] == [c.get("outputs") for c in before.cells]
    assert L.problems("02_autograd") == []
    # an edit of the notebook side (as JupyterLab without jupytext would make): the text follows
    nb.cells[0].source += "\nA new line."
    nbformat.write(nb, tmp_path / "02_autograd.ipynb")
    os.utime(tmp_path / "02_autograd.py", (1, 1))
    assert L.sync("02_autograd") == "02_autograd.py <- 02_autograd.ipynb"
    assert "# A new line." in (tmp_path / "02_autograd.py").read_text(encoding="utf-8")
    assert L.problems("02_autograd") == []
