"""Differential fuzzing of edutorch against PyTorch: program generator, runner, shrinker, repro printer.

A *program* is a few lines of PyTorch code over literal inputs::

    a0 = torch.tensor([[1.5, -2.0], [0.25, 3.0]], dtype=torch.float32, requires_grad=True)
    x0 = a0.t()                                # a non-contiguous view of the leaf
    v0 = torch.clamp(x0, min=None, max=0.5)    # step 0
    v1 = v0.sum(dim=-1, keepdim=True)          # step 1

It is plain text (``Program``: input lines + steps, each step one op tagged with its name), so the same
text runs on both engines (``torch`` and ``F`` are bound to edutorch's or PyTorch's modules) and is printed
as the repro of a failure. Leaves are the names ``a<N>``; step results are ``v<N>``.

``generate(seed)`` builds a program step by step, executing each new step on PyTorch to learn the shapes
and dtypes of what it made (so that later steps mostly fit, and sometimes deliberately do not); it stops
after the first step PyTorch rejects. ``compare(program)`` runs the program on both engines and returns
the first disagreement: an exception on one side only, different exception types, different dtype, shape,
``requires_grad`` or values of a step's result, or different gradients of the leaves after backward of the
sum of all floating results. Gradient disagreements are attributed to the first step whose own results'
backward disagrees.

Everything runs in a worker process (``Worker``): a crash or hang of an engine kills only the worker, is
recorded as a ``crash`` disagreement, and the worker is restarted. ``shrink`` drops steps, unused inputs and
``requires_grad`` while the same kind of disagreement remains; ``repro`` prints the snippet;
``python -m tests.fuzz.programs N [FIRST_SEED]`` counts disagreements per known category and shrinks one of each.
"""
from __future__ import annotations

import math
import multiprocessing
import random
import re
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

FLOAT_DTYPES = ("float32", "float64")
ALL_DTYPES = ("float32", "float64", "int64", "bool")
TOLERANCES = {"float32": (1e-4, 1e-5), "float64": (1e-7, 1e-9), "float16": (1e-2, 1e-3)}


# ----------------------------------------------------------------------------------------------------------
# programs and disagreements
# ----------------------------------------------------------------------------------------------------------

@dataclass
class Program:
    """Input lines (leaves ``a<N>`` and their views ``x<N>``) and steps ``(op, code)``; each step assigns
    its result to one ``v<N>`` name (the last such assignment in its code is the step's result)."""
    inputs: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    seed: int | None = None

    def source(self) -> str:
        return "\n".join(list(self.inputs) + [code for _, code in self.steps])

    def to_dict(self) -> dict:
        return {"inputs": list(self.inputs), "steps": [list(s) for s in self.steps], "seed": self.seed}

    @classmethod
    def from_dict(cls, d: dict) -> "Program":
        return cls(list(d["inputs"]), [tuple(s) for s in d["steps"]], d.get("seed"))


_TARGET = re.compile(r"^\s*(v\d+)\s*=", re.M)


def step_target(code: str) -> str:
    return _TARGET.findall(code)[-1]


@dataclass
class Disagreement:
    """The first place where edutorch and PyTorch differ in one program.

    kind: ``edu_raises`` (only edutorch raised), ``torch_raises`` (only PyTorch raised), ``exception``
    (both raised, different types), ``dtype``, ``shape``, ``requires_grad``, ``value``, ``structure``
    (different number/kind of results), ``grad`` (leaf gradients differ), ``backward_edu_raises``,
    ``backward_torch_raises``, ``backward_exception``, ``crash`` (worker died or hung).
    """
    kind: str
    op: str
    code: str
    ours: str
    theirs: str
    step: int = -1
    ours_type: str = ""
    theirs_type: str = ""
    input_dtypes: tuple = ()
    ops: tuple = ()  # the op tags of all the program's steps

    def signature(self) -> tuple:
        return (self.kind, self.op, self.ours_type, self.theirs_type)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


# ----------------------------------------------------------------------------------------------------------
# literals
# ----------------------------------------------------------------------------------------------------------

def _fmt_number(x) -> str:
    if isinstance(x, (bool, np.bool_)):
        return "True" if x else "False"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def _fmt_nested(a: np.ndarray) -> str:
    if a.ndim == 0:
        return _fmt_number(a.item())
    return "[" + ", ".join(_fmt_nested(sub) for sub in a) + "]"


def tensor_literal(a: np.ndarray, dtype: str, requires_grad: bool = False) -> str:
    rg = ", requires_grad=True" if requires_grad else ""
    if a.size == 0:
        return f"torch.zeros({tuple(a.shape)}, dtype=torch.{dtype}{rg})"
    return f"torch.tensor({_fmt_nested(a)}, dtype=torch.{dtype}{rg})"


# ----------------------------------------------------------------------------------------------------------
# running one program on one engine
# ----------------------------------------------------------------------------------------------------------

def _namespace(mod) -> dict:
    return {"torch": mod, "F": mod.nn.functional, "nan": float("nan"), "inf": float("inf")}


def _exc(e: BaseException) -> tuple:
    """(type name, builtin base name, one-line message) of an exception."""
    builtin = next((c.__name__ for c in type(e).__mro__ if c.__module__ == "builtins"), "Exception")
    msg = str(e).strip().splitlines()[0][:200] if str(e).strip() else ""
    return (type(e).__name__, builtin, msg, [c.__name__ for c in type(e).__mro__])


def _snapshot(value):
    """A picklable description of a step's result."""
    if hasattr(value, "detach") and hasattr(value, "dtype") and hasattr(value, "shape"):
        arr = np.array(value.detach().numpy(), copy=True) if str(value.dtype) != "torch.bfloat16" else None
        return ("tensor", str(value.dtype), tuple(int(s) for s in value.shape), bool(value.requires_grad), arr)
    if isinstance(value, (tuple, list)):
        return ("seq", len(value), [_snapshot(v) for v in value])
    if isinstance(value, (bool, int, float)):
        return ("number", type(value).__name__, value)
    return ("other", type(value).__name__, None)


def _tensors_of(value, is_tensor):
    if is_tensor(value):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors_of(v, is_tensor)]
    return []


def run_program(mod, program: Program, loss_steps=None) -> dict:
    """Execute ``program`` with ``torch`` bound to ``mod``; record each step's result or exception, then
    backward of the sum of the floating results that require grad, and the leaves' gradients."""
    ns = _namespace(mod)
    trace = {"input_error": None, "steps": [], "backward": None, "grads": {}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec("\n".join(program.inputs), ns)
        except Exception as e:  # the inputs themselves are made by one engine only
            trace["input_error"] = _exc(e)
            return trace
        for _, code in program.steps:
            try:
                exec(code, ns)
            except Exception as e:
                trace["steps"].append(("raise", _exc(e)))
                return trace
            trace["steps"].append(("ok", _snapshot(ns.get(step_target(code)))))

        def is_tensor(v):
            return isinstance(v, mod.Tensor)

        outs, seen = [], set()
        chosen = range(len(program.steps)) if loss_steps is None else loss_steps
        for i in chosen:
            for t in _tensors_of(ns.get(step_target(program.steps[i][1])), is_tensor):
                if id(t) not in seen and t.requires_grad and t.dtype.is_floating_point:
                    seen.add(id(t))
                    outs.append(t)
        if outs:
            try:
                loss = outs[0].sum()
                for t in outs[1:]:
                    loss = loss + t.sum()
                loss.backward()
                trace["backward"] = ("ok",)
            except Exception as e:
                trace["backward"] = ("raise", _exc(e))
                return trace
        for name in sorted(k for k in ns if re.fullmatch(r"a\d+", k)):
            leaf = ns[name]
            if is_tensor(leaf) and leaf.requires_grad:
                trace["grads"][name] = _snapshot(leaf.grad) if leaf.grad is not None else None
    return trace


# ----------------------------------------------------------------------------------------------------------
# comparing two traces
# ----------------------------------------------------------------------------------------------------------

def _short(arr) -> str:
    if arr is None:
        return "?"
    s = np.array2string(np.asarray(arr), precision=5, threshold=12, separator=", ")
    return " ".join(s.split())[:300]


def _describe(snap) -> str:
    kind = snap[0]
    if kind == "tensor":
        return f"{_short(snap[4])} dtype={snap[1]} shape={list(snap[2])} requires_grad={snap[3]}"
    if kind == "seq":
        return "(" + "; ".join(_describe(s) for s in snap[2]) + ")"
    return f"{snap[1]} {snap[2]!r}"


def values_close(ours: np.ndarray, theirs: np.ndarray, dtype: str, loose: bool = False) -> bool:
    """Close within ``dtype``'s tolerances (float32's when ``loose``: float64 values computed from float32
    ones carry float32 rounding); integers and bools exactly; nan and inf in the same places."""
    if ours.shape != theirs.shape:
        return False
    if dtype.replace("torch.", "") in TOLERANCES:
        rtol, atol = TOLERANCES["float32" if loose and dtype == "torch.float64" else dtype.replace("torch.", "")]
        o, t = ours.astype(np.float64), theirs.astype(np.float64)
        if not np.array_equal(np.isnan(o), np.isnan(t)):
            return False
        finite = np.isfinite(t)
        if not np.array_equal(o[~finite & ~np.isnan(t)], t[~finite & ~np.isnan(t)]):
            return False
        if not np.array_equal(np.isfinite(o), finite):
            return False
        # atol scales with the largest magnitude, so sums of many terms compare fairly
        scale = max(1.0, float(np.max(np.abs(t[finite]))) if finite.any() else 1.0)
        return bool(np.allclose(o[finite], t[finite], rtol=rtol, atol=atol * scale))
    return bool(np.array_equal(ours, theirs))


def _compare_snap(ours, theirs, loose=False) -> tuple | None:
    """None if equal, else (kind, ours text, theirs text)."""
    if ours[0] != theirs[0] or (ours[0] == "seq" and ours[1] != theirs[1]):
        return ("structure", _describe(ours), _describe(theirs))
    if ours[0] == "seq":
        for o, t in zip(ours[2], theirs[2]):
            r = _compare_snap(o, t, loose)
            if r:
                return r
        return None
    if ours[0] == "number":
        same = ours[1] == theirs[1] and (ours[2] == theirs[2] or (ours[2] != ours[2] and theirs[2] != theirs[2]))
        return None if same else ("value", _describe(ours), _describe(theirs))
    if ours[0] == "other":
        return None if ours[1] == theirs[1] else ("structure", _describe(ours), _describe(theirs))
    _, odt, osh, org, oarr = ours
    _, tdt, tsh, trg, tarr = theirs
    if odt != tdt:
        return ("dtype", _describe(ours), _describe(theirs))
    if osh != tsh:
        return ("shape", _describe(ours), _describe(theirs))
    if oarr is not None and tarr is not None and not values_close(oarr, tarr, tdt, loose):
        return ("value", _describe(ours), _describe(theirs))
    if org != trg:
        return ("requires_grad", _describe(ours), _describe(theirs))
    return None


def _exc_compatible(ours: tuple, theirs: tuple) -> bool:
    """edutorch's exception can be caught as PyTorch's builtin exception type."""
    return theirs[1] in ours[3]


def _input_dtypes(program: Program) -> tuple:
    return tuple(sorted(set(re.findall(r"dtype=torch\.(\w+)", "\n".join(program.inputs)))))


_FLOAT32_MAKERS = re.compile(r"float32|\.float\(\)|torch\.(zeros|ones|full|arange|linspace|eye)\(")


def compare_traces(program: Program, ours: dict, theirs: dict) -> Disagreement | None:
    dts = _input_dtypes(program)
    loose = bool(_FLOAT32_MAKERS.search(program.source()))
    if ours["input_error"] or theirs["input_error"]:
        o, t = ours["input_error"], theirs["input_error"]
        if o and t and _exc_compatible(o, t):
            return None
        return Disagreement("edu_raises" if o else "torch_raises", "inputs", "\n".join(program.inputs),
                            f"{o[0]}: {o[2]}" if o else "ok", f"{t[0]}: {t[2]}" if t else "ok",
                            ours_type=o[0] if o else "", theirs_type=t[0] if t else "", input_dtypes=dts)
    for i, (o, t) in enumerate(zip(ours["steps"], theirs["steps"])):
        op, code = program.steps[i]
        if o[0] == "raise" or t[0] == "raise":
            if o[0] == "raise" and t[0] == "raise":
                if _exc_compatible(o[1], t[1]):
                    return None
                kind = "exception"
            else:
                kind = "edu_raises" if o[0] == "raise" else "torch_raises"
            return Disagreement(kind, op, code,
                                f"{o[1][0]}: {o[1][2]}" if o[0] == "raise" else _describe(o[1]),
                                f"{t[1][0]}: {t[1][2]}" if t[0] == "raise" else _describe(t[1]), i,
                                o[1][0] if o[0] == "raise" else "", t[1][0] if t[0] == "raise" else "", dts)
        r = _compare_snap(o[1], t[1], loose)
        if r:
            return Disagreement(r[0], op, code, r[1], r[2], i, input_dtypes=dts)
    if len(ours["steps"]) != len(theirs["steps"]):  # cannot happen without an exception; be safe
        return Disagreement("structure", "program", "", str(len(ours["steps"])), str(len(theirs["steps"])))
    ob, tb = ours["backward"], theirs["backward"]
    if ob != tb and not (ob and tb and ob[0] == tb[0] == "ok"):
        if ob and tb and ob[0] == tb[0] == "raise":
            if _exc_compatible(ob[1], tb[1]):
                return None
            kind = "backward_exception"
        elif ob is None or tb is None:
            kind = "backward_structure"
        else:
            kind = "backward_edu_raises" if ob[0] == "raise" else "backward_torch_raises"
        return Disagreement(kind, "backward", "", f"{ob[1][0]}: {ob[1][2]}" if ob and ob[0] == "raise" else str(ob),
                            f"{tb[1][0]}: {tb[1][2]}" if tb and tb[0] == "raise" else str(tb),
                            ours_type=ob[1][0] if ob and ob[0] == "raise" else "",
                            theirs_type=tb[1][0] if tb and tb[0] == "raise" else "", input_dtypes=dts)
    if ob is not None and ob[0] == "raise":
        return None
    for name in sorted(set(ours["grads"]) | set(theirs["grads"])):
        og, tg = ours["grads"].get(name, "missing"), theirs["grads"].get(name, "missing")
        if og is None or tg is None or og == "missing" or tg == "missing":
            if og is tg or (og is None and tg is None):
                continue
            return Disagreement("grad", "backward", name,
                                f"{name}.grad = " + (og if isinstance(og, str) else _describe(og) if og else "None"),
                                f"{name}.grad = " + (tg if isinstance(tg, str) else _describe(tg) if tg else "None"),
                                input_dtypes=dts)
        r = _compare_snap(og, tg, loose)
        if r:
            return Disagreement("grad", "backward", name, f"{name}.grad = {r[1]}", f"{name}.grad = {r[2]}",
                                input_dtypes=dts)
    return None


# ----------------------------------------------------------------------------------------------------------
# the engines, as imported inside the worker
# ----------------------------------------------------------------------------------------------------------

_ENGINES = {}


def _engines():
    if not _ENGINES:
        import edutorch
        import torch
        torch.set_num_threads(1)
        _ENGINES["edutorch"], _ENGINES["torch"] = edutorch, torch
    return _ENGINES["edutorch"], _ENGINES["torch"]


_PHASE = [lambda name: None]  # the worker reports which engine runs, so a crash can name it
_POISONED = [False]  # PyTorch may have corrupted its heap: the worker exits after replying


def _has_neg_inf(snap) -> bool:
    if snap[0] == "seq":
        return any(_has_neg_inf(s) for s in snap[2])
    arr = snap[4] if snap[0] == "tensor" else None
    return arr is not None and arr.dtype.kind == "f" and bool(np.isneginf(arr).any())


def _poisons_torch(program: Program, theirs: dict) -> bool:
    """max_pool2d with dilation whose window lies entirely in the padding (-inf in the output) makes PyTorch write
    out of bounds in backward (glibc aborts later: 'double free or corruption'); start a fresh worker after it."""
    for (op, code), step in zip(program.steps, theirs["steps"]):
        if op == "max_pool2d" and "dilation" in code and step[0] == "ok" and _has_neg_inf(step[1]):
            return True
    return False


def compare(program: Program) -> Disagreement | None:
    edu, tor = _engines()
    _PHASE[0]("edutorch")
    ours = run_program(edu, program)
    _PHASE[0]("torch")
    theirs = run_program(tor, program)
    _PHASE[0]("both")
    _POISONED[0] = _poisons_torch(program, theirs)
    d = compare_traces(program, ours, theirs)
    if d is not None:
        d.ops = tuple(op for op, _ in program.steps)
    if d is not None and d.kind.startswith(("grad", "backward")) and _POISONED[0]:
        # no reruns on a poisoned PyTorch: blame the max_pool2d step (see _poisons_torch)
        d.step, (d.op, d.code) = next((i, s) for i, s in enumerate(program.steps) if s[0] == "max_pool2d")
    elif d is not None and d.kind.startswith(("grad", "backward")):
        _PHASE[0]("attributing a gradient disagreement")
        # attribute the gradient disagreement to the first step whose own results' backward disagrees
        for i, (op, code) in enumerate(program.steps):
            di = compare_traces(program, run_program(edu, program, [i]), run_program(tor, program, [i]))
            if di is not None and di.kind.startswith(("grad", "backward")):
                d.op, d.step = op, i
                d.code = code + (f"   # gradient of {d.code}" if d.kind == "grad" else "")
                break
    return d


# ----------------------------------------------------------------------------------------------------------
# the generator
# ----------------------------------------------------------------------------------------------------------

class _Gen:
    """Builds one program; executes each step on PyTorch (``self.ns``) to know what it made."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.seed = seed
        _, self.torch = _engines()
        self.ns = _namespace(self.torch)
        self.prog = Program(seed=seed)
        self.n_leaves = 0
        self.n_steps = 0
        self.specials = self.rng.random() < 0.15  # some programs get nan / inf / -0.0 in their inputs
        self.pending: list = []  # input lines made by the current step (new operands)

    # ---- values ----------------------------------------------------------------------------------------
    def array(self, shape, dtype):
        r = self.rng
        n = int(np.prod(shape)) if shape else 1
        if dtype == "bool":
            vals = [r.random() < 0.5 for _ in range(n)]
        elif dtype == "int64":
            vals = [r.randint(-4, 5) for _ in range(n)]
        else:
            vals = []
            for _ in range(n):
                u = r.random()
                if self.specials and u < 0.12:
                    vals.append(r.choice([float("nan"), float("inf"), -float("inf"), -0.0, 0.0]))
                elif u < 0.3:
                    vals.append(float(r.randint(-3, 3)))
                else:
                    vals.append(round(r.uniform(-3, 3), 2))
        return np.array(vals, dtype={"bool": np.bool_, "int64": np.int64}.get(dtype, np.float64)).reshape(shape)

    def shape(self, max_ndim=4, max_dim=4):
        r = self.rng
        nd = r.choice([0, 1, 1, 2, 2, 2, 3, 3, 4][: max_ndim * 2 + 1])
        return tuple(0 if r.random() < 0.05 else r.randint(1, max_dim) for _ in range(nd))

    def dtype(self, float_bias=0.7):
        r = self.rng
        if r.random() < float_bias:
            return "float32" if r.random() < 0.75 else "float64"
        return r.choice(["int64", "int64", "bool"])

    # ---- new leaves --------------------------------------------------------------------------------------
    def leaf(self, shape, dtype, requires_grad=None, view=True) -> str:
        """A new literal leaf (maybe requiring grad) and maybe a non-contiguous view of it; returns the name
        the program should use."""
        r = self.rng
        k = self.n_leaves
        self.n_leaves += 1
        if requires_grad is None:
            requires_grad = dtype in FLOAT_DTYPES and r.random() < 0.6
        kind = r.random() if view else 1.0
        if kind < 0.15 and len(shape) >= 2:
            base = shape[:-2] + (shape[-1], shape[-2])
            lines = [f"a{k} = {tensor_literal(self.array(base, dtype), dtype, requires_grad)}",
                     f"x{k} = a{k}.transpose(-1, -2)"]
        elif kind < 0.25 and len(shape) >= 1:
            base = (shape[0] * 2,) + tuple(shape[1:])
            lines = [f"a{k} = {tensor_literal(self.array(base, dtype), dtype, requires_grad)}",
                     f"x{k} = a{k}[::2]"]
        else:
            lines = [f"a{k} = {tensor_literal(self.array(shape, dtype), dtype, requires_grad)}", f"x{k} = a{k}"]
        exec("\n".join(lines), self.ns)
        self.pending.extend(lines)
        return f"x{k}"

    def inputs(self):
        r = self.rng
        base = self.shape()
        for _ in range(r.randint(1, 3)):
            if r.random() < 0.6:  # a broadcast-compatible relative of the base shape
                shp = tuple(1 if r.random() < 0.3 else d for d in base[r.randint(0, len(base)):])
            else:
                shp = self.shape()
            self.leaf(shp, self.dtype())
        self.prog.inputs.extend(self.pending)
        self.pending = []

    # ---- the pool of values -----------------------------------------------------------------------------
    def tensors(self, pred=None):
        names = [k for k, v in self.ns.items() if re.fullmatch(r"[xv]\d+", k) and isinstance(v, self.torch.Tensor)]
        return [n for n in names if pred is None or pred(self.ns[n])]

    def pick(self, pred=None):
        names = self.tensors(pred)
        return self.rng.choice(names) if names else None

    def t(self, name):
        return self.ns[name]

    def is_float(self, name):
        return self.ns[name].dtype.is_floating_point

    def dim(self, nd, allow_none=False, invalid=0.05):
        r = self.rng
        if allow_none and r.random() < 0.25:
            return None
        if r.random() < invalid:
            return r.choice([nd, -nd - 1, 5])
        if nd == 0:
            return r.choice([0, -1])
        return r.randint(-nd, nd - 1)

    def scalar(self, kind=None):
        r = self.rng
        kind = kind or r.choice(["int", "float", "float", "bool"])
        if kind == "int":
            return str(r.randint(-3, 3))
        if kind == "bool":
            return r.choice(["True", "False"])
        return repr(r.choice([0.5, -1.5, 2.0, 0.0, 1e-3, 3.25, -0.0]))

    def operand(self, like: str, p_scalar=0.3, p_pool=0.3):
        """A second operand for an op with ``like``: a scalar, a pool tensor, or a new broadcastable leaf."""
        r = self.rng
        u = r.random()
        if u < p_scalar:
            return self.scalar()
        if u < p_scalar + p_pool:
            return self.pick()
        shp = tuple(self.t(like).shape)
        if r.random() < 0.1:
            shp = self.shape()  # often incompatible
        else:
            shp = tuple(1 if r.random() < 0.3 else d for d in shp[r.randint(0, len(shp)):])
            if r.random() < 0.2:
                shp = (r.randint(1, 2),) + shp
        dt = str(self.t(like).dtype).replace("torch.", "") if r.random() < 0.6 else self.dtype()
        return self.leaf(shp, dt)

    # ---- steps ----------------------------------------------------------------------------------------
    def step(self) -> bool:
        """Add one step; False when the program should end (PyTorch raised, or nothing fit)."""
        families = [(self.elementwise_binary, 14), (self.unary, 8), (self.clamp, 3), (self.where_lerp, 3),
                    (self.comparison, 3), (self.reduction, 12), (self.matmul, 6), (self.shape_op, 12),
                    (self.indexing, 9), (self.setitem, 3), (self.softmax, 2), (self.loss, 5), (self.conv_pool, 5),
                    (self.inplace, 5), (self.creation, 2), (self.cast, 3)]
        fns, weights = zip(*families)
        self.pending = []
        for _ in range(5):
            made = self.rng.choices(fns, weights)[0]()
            if made:
                break
        else:
            return False
        op, code = made
        target = f"v{self.n_steps}"
        code = "\n".join(self.pending + [code.replace("OUT", target)])
        self.n_steps += 1
        self.prog.steps.append((op, code))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(code, self.ns)
        except Exception:
            return False
        return True

    def elementwise_binary(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        b = self.operand(a)
        op = r.choice(["add", "sub", "mul", "div", "div", "pow", "fmod", "remainder", "floor_divide",
                       "maximum", "minimum", "atan2"])
        if op == "atan2":
            op = "add"
        if op in ("maximum", "minimum") and not b.startswith(("x", "v")):
            b = self.leaf((), self.dtype())
        if op in ("add", "sub", "mul") and r.random() < 0.4:
            sym = {"add": "+", "sub": "-", "mul": "*"}[op]
            return op, f"OUT = {a} {sym} {b}" if r.random() < 0.7 else f"OUT = {b} {sym} {a}"
        if op == "add" and r.random() < 0.3:
            return op, f"OUT = torch.add({a}, {b}, alpha={r.choice([2, -1, 0.5])})"
        if op == "div":
            mode = r.choice([None, None, "'trunc'", "'floor'"])
            if mode is None and r.random() < 0.5:
                return op, f"OUT = {a} / {b}" if r.random() < 0.7 else f"OUT = {b} / {a}"
            extra = f", rounding_mode={mode}" if mode else ""
            return op, f"OUT = torch.div({a}, {b}{extra})"
        if op == "pow":
            if r.random() < 0.4:
                return op, f"OUT = {a} ** {r.choice(['2', '3', '0.5', '-1', '0', '2.0', '-2'])}"
            if r.random() < 0.2:
                return op, f"OUT = {r.choice(['2', '2.0', '0.5', '-1.5'])} ** {a}"
            return op, f"OUT = torch.pow({a}, {b})"
        if op == "floor_divide" and r.random() < 0.4:
            return op, f"OUT = {a} // {b}"
        if op == "remainder" and r.random() < 0.4:
            return op, f"OUT = {a} % {b}"
        return op, f"OUT = torch.{op}({a}, {b})"

    def unary(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        op = r.choice(["exp", "log", "sqrt", "abs", "neg", "sign", "sin", "tanh", "sigmoid", "relu"])
        form = r.random()
        if op == "relu" and form < 0.3:
            return op, f"OUT = F.relu({a})"
        if op == "neg" and form < 0.3:
            return op, f"OUT = -{a}"
        if op == "abs" and form < 0.2:
            return op, f"OUT = abs({a})"
        return op, f"OUT = torch.{op}({a})" if form < 0.6 else f"OUT = {a}.{op}()"

    def clamp(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None

        def bound():
            u = r.random()
            if u < 0.3:
                return "None"
            if u < 0.75:
                return self.scalar(r.choice(["int", "float"]))
            return self.operand(a, p_scalar=0, p_pool=0.2)

        lo, hi = bound(), bound()
        if r.random() < 0.5:
            return "clamp", f"OUT = torch.clamp({a}, min={lo}, max={hi})"
        return "clamp", f"OUT = {a}.clamp({lo}, {hi})"

    def where_lerp(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        if r.random() < 0.6:
            c = self.pick(lambda t: t.dtype == self.torch.bool)
            cond = c if c and r.random() < 0.5 else f"{a} > 0"
            b = self.operand(a)
            if r.random() < 0.5:
                return "where", f"OUT = torch.where({cond}, {a}, {b})"
            return "where", f"OUT = torch.where({cond}, {b}, {self.scalar()})"
        b = self.operand(a, p_scalar=0)
        w = self.scalar("float") if r.random() < 0.6 else self.operand(a, p_scalar=0)
        return "lerp", f"OUT = torch.lerp({a}, {b}, {w})"

    def comparison(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        b = self.operand(a)
        op = r.choice(["eq", "ne", "lt", "le", "gt", "ge"])
        if r.random() < 0.5:
            sym = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
            return op, f"OUT = {a} {sym} {b}"
        return op, f"OUT = torch.{op}({a}, {b})"

    def reduction(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        nd = self.t(a).dim()
        op = r.choice(["sum", "mean", "prod", "max", "min", "amax", "argmax", "var", "std", "logsumexp", "cumsum"])
        kd = r.choice([None, True, False])
        kds = "" if kd is None else f", keepdim={kd}"
        meth = r.random() < 0.5
        call = (lambda args: f"OUT = {a}.{op}({args})") if meth else (
            lambda args: f"OUT = torch.{op}({a}{', ' if args else ''}{args})")
        if op in ("sum", "mean", "prod", "amax"):
            u = r.random()
            if u < 0.3 and op != "prod":
                return op, call("")
            if u < 0.5 and op != "prod" and nd >= 1:
                dims = sorted(r.sample(range(-nd, nd), r.randint(1, min(nd, 2))))
                if r.random() < 0.1:
                    dims = [dims[0], dims[0]]
                return op, call(f"dim={tuple(dims)}{kds}")
            extra = ", dtype=torch.float64" if op in ("sum", "mean") and r.random() < 0.1 else ""
            return op, call(f"dim={self.dim(nd)}{kds}{extra}")
        if op in ("max", "min"):
            u = r.random()
            if u < 0.35:
                return op, call("")
            if u < 0.5:
                return op, f"OUT = torch.{op}({a}, {self.operand(a, p_scalar=0)})"
            return op, call(f"dim={self.dim(nd)}{kds}")
        if op == "argmax":
            d = self.dim(nd, allow_none=True)
            return op, call(f"dim={d}{kds}" if d is not None else ("" if r.random() < 0.5 else f"keepdim={bool(kd)}"))
        if op in ("var", "std"):
            corr = r.choice(["", ", correction=0", ", correction=1", ", correction=2", ", unbiased=False"])
            d = self.dim(nd, allow_none=True)
            args = (f"dim={d}" if d is not None else "") + (kds if d is not None else "") + corr
            return op, call(args.lstrip(", "))
        if op == "logsumexp":
            return op, call(f"dim={self.dim(nd)}{kds}")
        return op, call(f"dim={self.dim(nd)}")

    def matmul(self):
        r = self.rng
        op = r.choice(["matmul", "mm", "bmm", "mv", "dot", "einsum", "matmul"])
        dt = self.dtype(0.9) if r.random() < 0.15 else "float32"
        n, k, m, b = (r.randint(0 if r.random() < 0.05 else 1, 4) for _ in range(4))
        bad = r.random() < 0.1
        k2 = k + 1 if bad else k
        if op == "mm":
            x, y = self.leaf((n, k), "float32"), self.leaf((k2, m), dt)
            return op, f"OUT = torch.mm({x}, {y})" if r.random() < 0.6 else f"OUT = {x} @ {y}"
        if op == "bmm":
            x, y = self.leaf((b, n, k), "float32"), self.leaf((b, k2, m), dt)
            return op, f"OUT = torch.bmm({x}, {y})"
        if op == "mv":
            x, y = self.leaf((n, k), "float32"), self.leaf((k2,), dt)
            return op, f"OUT = torch.mv({x}, {y})"
        if op == "dot":
            x, y = self.leaf((k,), "float32"), self.leaf((k2,), dt)
            return op, f"OUT = torch.dot({x}, {y})"
        if op == "einsum":
            eq, shapes = r.choice([("ij,jk->ik", [(n, k), (k2, m)]), ("ij->ji", [(n, k)]), ("i,i->", [(k,), (k2,)]),
                                   ("bij,bjk->bik", [(b, n, k), (b, k2, m)]), ("ij->", [(n, k)]),
                                   ("ii->i", [(k, k2)]), ("ij,j->i", [(n, k), (k2,)]), ("i,j->ij", [(n,), (m,)])])
            names = [self.leaf(s, "float32") for s in shapes]
            return op, f"OUT = torch.einsum('{eq}', {', '.join(names)})"
        # matmul: 1-D to 3-D, broadcast batch dims
        a = self.pick(lambda t: t.dim() >= 1 and t.dtype.is_floating_point)
        if a is not None and r.random() < 0.5:
            shp = tuple(self.t(a).shape)
            other = (shp[-1] + int(bad),) if r.random() < 0.4 else (
                tuple(1 if r.random() < 0.3 else d for d in shp[:-2][r.randint(0, 1):]) + (shp[-1] + int(bad), m))
            dt2 = str(self.t(a).dtype).replace("torch.", "") if r.random() < 0.9 else dt
            return op, f"OUT = torch.matmul({a}, {self.leaf(other, dt2)})"
        xs = r.choice([(k,), (n, k), (b, n, k)])
        ys = r.choice([(k2,), (k2, m), (b, k2, m), (1, k2, m)])
        return op, f"OUT = torch.matmul({self.leaf(xs, 'float32')}, {self.leaf(ys, dt)})"

    def shape_op(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        t = self.t(a)
        shp, nd = tuple(t.shape), t.dim()
        op = r.choice(["reshape", "view", "transpose", "permute", "squeeze", "unsqueeze", "flatten", "expand",
                       "cat", "stack", "split", "chunk", "narrow", "flip", "roll", "movedim", "gather", "scatter",
                       "t", "contiguous"])
        if op in ("reshape", "view"):
            n = t.numel()
            divs = [d for d in range(1, n + 1) if n % d == 0] or [1]
            d0 = r.choice(divs)
            new = r.choice([(n,), (d0, -1), (-1, d0), (d0, n // d0 if d0 else 0), (-1,), (n + 1,), (1, -1, 1)])
            if n == 0:
                new = r.choice([(0,), (0, -1), (-1, 0), (2, 0)])
            return op, f"OUT = {a}.{op}{new}" if r.random() < 0.5 else f"OUT = {a}.{op}({new})"
        if op == "transpose":
            return op, f"OUT = torch.transpose({a}, {self.dim(nd)}, {self.dim(nd)})"
        if op == "permute":
            perm = list(range(nd))
            r.shuffle(perm)
            if r.random() < 0.1:
                perm = perm[:-1] if perm else [0]
            return op, f"OUT = {a}.permute({tuple(perm)})"
        if op == "squeeze":
            d = self.dim(nd, allow_none=True)
            return op, f"OUT = {a}.squeeze()" if d is None else f"OUT = torch.squeeze({a}, {d})"
        if op == "unsqueeze":
            return op, f"OUT = {a}.unsqueeze({self.dim(nd + 1)})"
        if op == "flatten":
            s, e = self.dim(nd), self.dim(nd)
            return op, f"OUT = torch.flatten({a}, {s}, {e})" if r.random() < 0.7 else f"OUT = {a}.flatten()"
        if op == "expand":
            new = tuple(r.choice([d, -1, 3]) if d == 1 else r.choice([d, -1]) for d in shp)
            if r.random() < 0.4:
                new = (2,) + new
            if r.random() < 0.1 and new:
                new = new[:-1] + (5,)
            return op, f"OUT = {a}.expand{new}" if new else f"OUT = {a}.expand(())"
        if op in ("cat", "stack"):
            d = self.dim(nd + (op == "stack"))
            others = []
            for _ in range(r.randint(0, 2)):
                s2 = list(shp)
                if op == "cat" and nd and r.random() < 0.7:
                    s2[d % nd if -nd <= d < nd else 0] = r.randint(0, 3)
                if r.random() < 0.1:
                    s2 = list(self.shape())
                others.append(self.leaf(tuple(s2), str(t.dtype).replace("torch.", "")
                                        if r.random() < 0.8 else self.dtype()))
            seq = [a] + others
            if r.random() < 0.3:
                seq.reverse()
            return op, f"OUT = torch.{op}([{', '.join(seq)}], dim={d})"
        if op in ("split", "chunk"):
            d = self.dim(nd)
            size = shp[d] if nd and -nd <= d < nd else 1
            if op == "chunk":
                return op, f"OUT = torch.chunk({a}, {r.choice([1, 2, 3, 0])}, dim={d})"
            if r.random() < 0.3:
                parts = [r.randint(0, size)]
                parts.append(size - parts[0] + (1 if r.random() < 0.1 else 0))
                return op, f"OUT = torch.split({a}, {parts}, dim={d})"
            return op, f"OUT = {a}.split({r.choice([1, 2, 3])}, dim={d})"
        if op == "narrow":
            d = self.dim(nd)
            size = shp[d] if nd and -nd <= d < nd else 1
            start = r.randint(-size, size) if size else 0
            length = r.randint(0, size + 1)
            return op, f"OUT = {a}.narrow({d}, {start}, {length})"
        if op == "flip":
            dims = tuple(sorted(set(self.dim(nd) for _ in range(r.randint(1, 2)))))
            return op, f"OUT = torch.flip({a}, {dims})"
        if op == "roll":
            if r.random() < 0.2:
                return op, f"OUT = torch.roll({a}, {r.randint(-5, 5)})"
            return op, f"OUT = torch.roll({a}, {r.randint(-5, 5)}, {self.dim(nd)})"
        if op == "movedim":
            return op, f"OUT = torch.movedim({a}, {self.dim(nd)}, {self.dim(nd)})"
        if op == "t":
            return op, f"OUT = {a}.t()" if r.random() < 0.5 else f"OUT = {a}.T"
        if op == "contiguous":
            return op, f"OUT = {a}.contiguous()"
        # gather / scatter: an index of the input's rank with values in range (sometimes not)
        d = self.dim(nd)
        size = shp[d] if nd and -nd <= d < nd else 1
        ishp = tuple(r.randint(0, s) if s else 0 for s in shp) if r.random() < 0.8 else shp
        hi = size if r.random() < 0.92 else size + 2
        lo = 0 if r.random() < 0.95 else -1
        idx_arr = np.array([r.randint(lo, max(hi - 1, 0)) for _ in range(int(np.prod(ishp)) if ishp else 1)],
                           dtype=np.int64).reshape(ishp)
        k = self.n_leaves
        self.n_leaves += 1
        line = f"a{k} = {tensor_literal(idx_arr, 'int64')}"
        exec(line, self.ns)
        self.pending.append(line)
        if op == "gather":
            return op, f"OUT = torch.gather({a}, {d}, a{k})"
        if r.random() < 0.5:
            return op, f"OUT = torch.scatter({a}, {d}, a{k}, {self.scalar('float')})"
        src = self.leaf(ishp, str(t.dtype).replace("torch.", ""))
        return op, f"OUT = torch.scatter({a}, {d}, a{k}, {src})"

    def index(self, t):
        """A random index expression for tensor ``t``."""
        r = self.rng
        shp = list(t.shape)
        parts, dim = [], 0
        for _ in range(r.randint(1, 3)):
            u = r.random()
            size = shp[dim] if dim < len(shp) else 0
            if u < 0.25:
                parts.append(str(r.randint(-size, size - 1) if size and r.random() < 0.93 else size))
                dim += 1
            elif u < 0.55:
                start = r.choice(["", str(r.randint(-size - 1, size + 1))])
                stop = r.choice(["", str(r.randint(-size - 1, size + 1))])
                step = r.choice(["", "", ":2", ":3"] + ([":-1"] if r.random() < 0.05 else []))
                parts.append(f"{start}:{stop}{step}")
                dim += 1
            elif u < 0.65:
                parts.append("None")
            elif u < 0.72:
                parts.append("...")
                dim = len(shp)
            elif u < 0.86 and dim < len(shp):
                k = self.n_leaves
                self.n_leaves += 1
                n = r.randint(0, 3)
                vals = np.array([r.randint(-size, max(size - 1, 0)) if size and r.random() < 0.95 else size
                                 for _ in range(n)], dtype=np.int64)
                line = f"a{k} = {tensor_literal(vals, 'int64')}"
                exec(line, self.ns)
                self.pending.append(line)
                parts.append(f"a{k}")
                dim += 1
            elif dim < len(shp):
                k = self.n_leaves
                self.n_leaves += 1
                mshape = tuple(shp[dim:dim + r.randint(1, 2)])
                if r.random() < 0.05:
                    mshape = tuple(s + 1 for s in mshape)
                line = f"a{k} = {tensor_literal(self.array(mshape, 'bool'), 'bool')}"
                exec(line, self.ns)
                self.pending.append(line)
                parts.append(f"a{k}")
                dim += len(mshape)
        if r.random() < 0.1 and t.dim() and t.dtype.is_floating_point:
            return "mask"
        if not parts:
            parts.append(":")
        return ", ".join(parts) if len(parts) > 1 or r.random() < 0.5 else parts[0]

    def indexing(self):
        a = self.pick()
        if a is None:
            return None
        idx = self.index(self.t(a))
        if idx == "mask":
            return "index", f"OUT = {a}[{a} > 0]"
        return "index", f"OUT = {a}[{idx}]"

    def setitem(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        idx = self.index(self.t(a))
        idx = f"{a} > 0" if idx == "mask" else idx
        val = self.scalar() if r.random() < 0.6 else self.leaf(tuple(s for s in self.t(a).shape[-1:]),
                                                              str(self.t(a).dtype).replace("torch.", ""))
        if r.random() < 0.5:  # on a fresh non-leaf copy, so the write is legal under autograd
            return "setitem", f"OUT = {a} * 1\nOUT[{idx.replace(a, 'OUT')}] = {val}"
        return "setitem", f"{a}[{idx}] = {val}\nOUT = {a}"

    def softmax(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        op = r.choice(["softmax", "log_softmax"])
        d = self.dim(self.t(a).dim())
        if r.random() < 0.5:
            return op, f"OUT = torch.{op}({a}, dim={d})"
        return op, f"OUT = F.{op}({a}, dim={d})"

    def loss(self):
        r = self.rng
        op = r.choice(["cross_entropy", "cross_entropy", "nll_loss", "mse_loss", "l1_loss",
                       "binary_cross_entropy_with_logits"])
        red = r.choice(["", ", reduction='mean'", ", reduction='sum'", ", reduction='none'"])
        n, c = r.randint(0 if r.random() < 0.05 else 1, 4), r.randint(1, 4)
        if op in ("cross_entropy", "nll_loss"):
            shape = r.choice([(n, c), (n, c), (c,), (n, c, 2)])
            x = self.leaf(shape, "float32" if r.random() < 0.85 else "float64", view=False)
            if op == "nll_loss":
                x = f"F.log_softmax({x}, dim={1 if len(shape) > 1 else 0})"
            tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
            if op == "cross_entropy" and r.random() < 0.25:  # class probabilities
                probs = np.abs(self.array(shape, "float64")) + 0.1
                probs = np.round(probs / probs.sum(axis=1 if len(shape) > 1 else 0, keepdims=True), 3)
                k = self.n_leaves
                self.n_leaves += 1
                line = f"a{k} = {tensor_literal(probs, 'float32')}"
                exec(line, self.ns)
                self.pending.append(line)
                target = f"a{k}"
            else:
                hi = c - 1 if r.random() < 0.95 else c
                tv = np.array([r.randint(0, hi) for _ in range(int(np.prod(tshape)) if tshape else 1)],
                              dtype=np.int64).reshape(tshape)
                ign = ""
                if r.random() < 0.3 and tv.size:
                    ignore = r.choice([-100, 1])
                    tv.flat[r.randrange(tv.size)] = ignore
                    ign = f", ignore_index={ignore}" if ignore != -100 or r.random() < 0.5 else ""
                k = self.n_leaves
                self.n_leaves += 1
                line = f"a{k} = {tensor_literal(tv, 'int64')}"
                exec(line, self.ns)
                self.pending.append(line)
                target = f"a{k}" + ign
            extra = ""
            if op == "cross_entropy" and r.random() < 0.3:
                extra += f", label_smoothing={r.choice([0.1, 0.5, 1.0, -0.1])}"
            if r.random() < 0.2:
                extra += f", weight={self.leaf((c,), 'float32', requires_grad=False, view=False)}"
            if "ignore_index" in target:
                target, ign = target.split(", ", 1)
                extra += ", " + ign
            return op, f"OUT = F.{op}({x}, {target}{extra}{red})"
        a = self.pick(lambda t: t.dtype.is_floating_point)
        if a is None or r.random() < 0.3:
            a = self.leaf(self.shape(3), "float32")
        shp = tuple(self.t(a).shape)
        if r.random() < 0.15:
            shp = tuple(1 if r.random() < 0.5 else s for s in shp)  # broadcasts (PyTorch warns)
        if op == "binary_cross_entropy_with_logits":
            k = self.n_leaves
            self.n_leaves += 1
            line = f"a{k} = {tensor_literal(np.round(np.abs(self.array(shp, 'float64')) % 1, 2), 'float32')}"
            exec(line, self.ns)
            self.pending.append(line)
            pw = ""
            if r.random() < 0.3:
                pw = f", pos_weight={self.leaf(shp[-1:], 'float32', requires_grad=False, view=False)}"
            return op, f"OUT = F.{op}({a}, a{k}{pw}{red})"
        b = self.leaf(shp, "float32")
        return op, f"OUT = F.{op}({a}, {b}{red})"

    def conv_pool(self):
        r = self.rng
        op = r.choice(["conv2d", "conv2d", "max_pool2d", "avg_pool2d"])
        nb, c, h, w = r.randint(1, 2), r.randint(1, 3), r.randint(1, 6), r.randint(1, 6)
        shape = (nb, c, h, w) if r.random() < 0.85 else (c, h, w)
        x = self.leaf(shape, "float32" if r.random() < 0.9 else "float64")
        kh, kw = r.randint(1, 3), r.randint(1, 3)
        k = kh if r.random() < 0.5 else (kh, kw)
        stride = r.choice(["", "", ", stride=2", ", stride=(1, 2)", ", stride=0"][: 4 + (r.random() < 0.2)])
        if op == "conv2d":
            groups = r.choice([1, 1, 1, c])
            o = groups * r.randint(1, 2)
            cin = c // groups if r.random() < 0.93 else c + 1
            wt = self.leaf((o, cin, kh, kw), "float32")
            bias = f", {self.leaf((o,), 'float32')}" if r.random() < 0.5 else ""
            pad = r.choice(["", ", padding=1", ", padding=(0, 1)", ", padding='same'", ", padding='valid'",
                            ", padding=-1"][: 5 + (r.random() < 0.2)])
            dil = r.choice(["", "", ", dilation=2"])
            if "same" in pad and r.random() < 0.7:
                stride = ""
            g = f", groups={groups}" if groups != 1 else ""
            return op, f"OUT = F.conv2d({x}, {wt}{bias}{stride}{pad}{dil}{g})"
        kk = kh if isinstance(k, int) else max(k)
        pad = r.choice(["", f", padding={kk // 2}", f", padding={kk // 2 + 1}"])
        ceil = r.choice(["", ", ceil_mode=True"])
        if op == "max_pool2d":
            dil = r.choice(["", "", ", dilation=2"])
            ri = r.choice(["", ", return_indices=True"])
            return op, f"OUT = F.max_pool2d({x}, {k}{stride}{pad}{dil}{ceil}{ri})"
        cip = r.choice(["", ", count_include_pad=False"])
        div = r.choice(["", "", ", divisor_override=3"])
        return op, f"OUT = F.avg_pool2d({x}, {k}{stride}{pad}{ceil}{cip}{div})"

    def inplace(self):
        r = self.rng
        op = r.choice(["add_", "mul_", "sub_", "div_", "clamp_", "zero_", "fill_", "relu_", "exp_", "iadd",
                       "copy_", "neg_"])
        if op == "iadd":
            arg = ""
        elif op in ("zero_", "relu_", "exp_", "neg_"):
            arg = "()"
        elif op == "clamp_":
            arg = f"(min={self.scalar(r.choice(['int', 'float']))})"
        elif op == "fill_":
            arg = f"({self.scalar()})"
        else:
            arg = None
        u = r.random()
        if u < 0.4:  # a leaf under no_grad (or without it: PyTorch's leaf error)
            leaves = [k for k, v in self.ns.items() if re.fullmatch(r"a\d+", k)
                      and isinstance(v, self.torch.Tensor) and f"x{k[1:]}" in self.ns]
            if not leaves:
                return None
            tgt = r.choice(leaves)
            if arg is None:
                arg = f"({self.operand(tgt, p_pool=0.1)})"
            call = f"{tgt} += {self.operand(tgt)}" if op == "iadd" else f"{tgt}.{op}{arg}"
            if r.random() < 0.85:
                return op, f"with torch.no_grad():\n    {call}\nOUT = {tgt}" if op == "iadd" else \
                    f"with torch.no_grad():\n    OUT = {call}"
            return op, f"{call}\nOUT = {tgt}" if op == "iadd" else f"OUT = {call}"
        src = self.pick(lambda t: not t.is_leaf or not t.requires_grad)
        if src is None:
            return None
        view = r.choice(["", "[0]", ".t()", "[..., ::2]", ".unsqueeze(0)", "[1:]"])
        if view and self.t(src).dim() < (2 if view == ".t()" and r.random() < 0.9 else 1):
            view = ""
        if arg is None:
            arg = f"({self.operand(src, p_pool=0.1)})"
        if op == "iadd":
            k = self.n_steps
            return op, f"w{k} = {src}{view}\nw{k} += {self.operand(src)}\nOUT = {src}"
        return op, f"OUT = {src}{view}.{op}{arg}\nOUT = {src}"

    def creation(self):
        r = self.rng
        op = r.choice(["zeros", "ones", "full", "arange", "linspace", "eye"])
        dt = r.choice(["", "", ", dtype=torch.int64", ", dtype=torch.float64", ", dtype=torch.bool"])
        rg = ", requires_grad=True" if r.random() < 0.2 else ""
        if op in ("zeros", "ones"):
            shp = r.choice(["()", "(2, 0)", "2, 3", "(3,)", "0", "[2, 1]", "(-1,)"])
            return op, f"OUT = torch.{op}({shp}{dt}{rg})"
        if op == "full":
            fill = r.choice(["7", "1.5", "True", "-0.0", "nan"])
            return op, f"OUT = torch.full({r.choice(['(2, 3)', '()', '(0,)', '[3]'])}, {fill}{dt})"
        if op == "arange":
            args = r.choice(["5", "0", "2.5", "1, 4", "0, 1, 0.3", "5, 0, -2", "1, 0", "0, 3, 0", "-3, 3, 1.5",
                             "0.1, 0.7, 0.2", "3, 3", "-1"])
            return op, f"OUT = torch.arange({args}{dt})"
        if op == "linspace":
            args = r.choice(["0, 1, 5", "0, 1, 0", "-1, 1, 1", "0, 10, 5", "1, 0, 4", "0, 1, -1", "2, 2, 3"])
            return op, f"OUT = torch.linspace({args}{dt})"
        args = r.choice(["3", "0", "2, 3", "3, 0", "-1", "1, 4"])
        return op, f"OUT = torch.eye({args}{dt})"

    def cast(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        op = r.choice(["to", "float", "long", "bool", "double", "to"])
        if op in ("long", "to") and self.t(a).dtype.is_floating_point:
            if not bool(self.torch.isfinite(self.t(a)).all()):  # float -> int of nan/inf is undefined
                op = "float"
        if op == "to":
            dt = r.choice(["int64", "float32", "float64", "bool"])
            return op, f"OUT = {a}.to(torch.{dt})" if r.random() < 0.7 else f"OUT = {a}.to(dtype=torch.{dt})"
        return op, f"OUT = {a}.{op}()"


@np.errstate(all="ignore")
def generate(seed: int, max_steps: int = 4) -> Program:
    g = _Gen(seed)
    g.inputs()
    for _ in range(g.rng.randint(1, max_steps)):
        if not g.step():
            break
    return g.prog


# ----------------------------------------------------------------------------------------------------------
# the worker process
# ----------------------------------------------------------------------------------------------------------

def _worker_main(conn):
    import os
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _engines()
    _PHASE[0] = lambda name: conn.send(("phase", name))
    conn.send(("ready", None))
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        kind, payload = msg
        try:
            if kind == "gen":
                prog = generate(payload)
                conn.send(("program", prog.to_dict()))
            else:
                prog = Program.from_dict(payload)
            d = compare(prog)
            conn.send(("result_restart" if _POISONED[0] else "result", d.to_dict() if d else None))
            if _POISONED[0]:
                return
        except Exception:
            conn.send(("error", traceback.format_exc()))


def _risky(program: Program | None) -> bool:
    return program is not None and any(op == "max_pool2d" and "dilation" in code for op, code in program.steps)


class Worker:
    """One worker process running programs; a crash or a hang is a ``crash`` disagreement, then restart."""

    def __init__(self, timeout: float = 20.0):
        self.timeout = timeout
        self.proc = None
        self.conn = None
        self.startup_timeout = 120.0

    def _start(self):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.tainted = False  # has this process run PyTorch's max_pool2d with dilation (see _poisons_torch)?
        # importing both engines takes seconds on a loaded machine: wait for it outside the per-program timeout
        if not self.conn.poll(self.startup_timeout) or self.conn.recv()[0] != "ready":
            self.close()
            raise RuntimeError("the fuzz worker did not start (importing edutorch and torch)")

    def close(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(5)
            self.proc = None

    def _recv(self):
        if not self.conn.poll(self.timeout):
            raise TimeoutError
        return self.conn.recv()

    def run(self, seed: int | None = None, program: Program | None = None):
        """Generate (from ``seed``) or take ``program``, compare; returns (program, Disagreement or None)."""
        if self.proc is None:
            self._start()
        request = ("gen", seed) if program is None else ("check", program.to_dict())
        try:
            self.conn.send(request)
        except OSError:  # the worker died between programs
            self.close()
            self._start()
            self.conn.send(request)
        phase = "generating on torch"
        try:
            if program is None:
                tag, payload = self._recv()
                if tag == "error":
                    raise RuntimeError(f"fuzz generator failed on seed {seed}:\n{payload}")
                program = Program.from_dict(payload)
            tag, payload = self._recv()
            while tag == "phase":
                phase = payload
                tag, payload = self._recv()
        except (TimeoutError, EOFError, OSError) as e:
            tainted = self.tainted or _risky(program)
            self.close()  # the next run starts a fresh worker
            what = "hung (timeout)" if isinstance(e, TimeoutError) else "crashed"
            if program is None:  # the generator runs PyTorch only
                return Program(seed=seed), Disagreement("crash", "generate", "", "ok",
                                                        f"worker {what} in torch while generating seed {seed}"
                                                        + (" after PyTorch ran max_pool2d with dilation"
                                                           if tainted else ""))
            step = program.steps[-1] if program.steps else ("inputs", "")
            ours, theirs = ("ok", f"worker {what} in torch") if phase == "torch" else (f"worker {what} ({phase})", "ok")
            if tainted:  # glibc notices PyTorch's out-of-bounds writes later, in any phase
                ours, theirs = "ok", f"worker {what} ({phase}) after PyTorch ran max_pool2d with dilation"
            return program, Disagreement("crash", step[0], step[1], ours, theirs, len(program.steps) - 1,
                                         ours_type=phase, ops=tuple(op for op, _ in program.steps))
        if tag == "error":
            raise RuntimeError(f"fuzz runner failed:\n{payload}")
        self.tainted = self.tainted or _risky(program)
        if tag == "result_restart":  # the worker exits: start a fresh one for the next program
            self.close()
        return program, (Disagreement(**payload) if payload else None)


# ----------------------------------------------------------------------------------------------------------
# shrinking and repros
# ----------------------------------------------------------------------------------------------------------

def _names_used(text: str) -> set:
    return set(re.findall(r"\b[axvw]\d+\b", text))


def shrink(worker: Worker, program: Program, d: Disagreement, budget: int = 40) -> tuple:
    """Drop steps and unused inputs while the same kind of disagreement (kind, op, exception types) remains."""
    sig = d.signature()
    best, best_d = program, d
    tries = 0

    def attempt(candidate):
        nonlocal tries
        tries += 1
        _, dd = worker.run(program=candidate)
        return dd if dd is not None and dd.signature() == sig else None

    changed = True
    while changed and tries < budget:
        changed = False
        # later steps first: the disagreement is usually at or before them
        for i in reversed(range(len(best.steps))):
            if tries >= budget or len(best.steps) <= 1:
                break
            # the step's own new leaves stay (as inputs): later steps may use them
            leaves = [ln for ln in best.steps[i][1].splitlines() if re.match(r"[ax]\d+ = ", ln)]
            cand = Program(best.inputs + leaves, best.steps[:i] + best.steps[i + 1:], best.seed)
            dd = attempt(cand)
            if dd:
                best, best_d, changed = cand, dd, True
        # inputs no step uses
        used = _names_used("\n".join(code for _, code in best.steps))
        keep = []
        for line in best.inputs:
            names = _names_used(line.split("=")[0])
            k = next(iter(names))[1:]
            if f"x{k}" in used or f"a{k}" in used:
                keep.append(line)
        if len(keep) < len(best.inputs) and tries < budget:
            cand = Program(keep, best.steps, best.seed)
            dd = attempt(cand)
            if dd:
                best, best_d, changed = cand, dd, True
        # requires_grad=True dropped, when the disagreement is not about gradients
        if "requires_grad=True" in best.source() and not d.kind.startswith(("grad", "backward")) \
                and tries < budget:
            cand = Program([ln.replace(", requires_grad=True", "") for ln in best.inputs], best.steps, best.seed)
            dd = attempt(cand)
            if dd:
                best, best_d, changed = cand, dd, True
    return best, best_d


def repro(program: Program, d: Disagreement) -> str:
    """A copy-pasteable snippet (PyTorch names; ``import edutorch as torch`` runs it on edutorch)."""
    lines = ["import torch  # on edutorch: import edutorch as torch",
             "import torch.nn.functional as F  # on edutorch: import edutorch.nn.functional as F"]
    src = program.source()
    if re.search(r"\b(nan|inf)\b", src):
        lines.append("nan, inf = float('nan'), float('inf')")
    lines.append(src)
    if d.kind.startswith(("grad", "backward")):
        outs = [step_target(code) for _, code in program.steps]
        lines.append("# backward of the sum of the floating results that require grad:")
        lines.append("outs = [t for v in (" + ", ".join(outs) + ",)")
        lines.append("        for t in (v if isinstance(v, (tuple, list)) else [v])]")
        lines.append("outs = list({id(t): t for t in outs}.values())  # each tensor once")
        lines.append("sum(t.sum() for t in outs if t.requires_grad and t.dtype.is_floating_point).backward()")
        leaves = sorted(set(re.findall(r"\ba\d+\b", "\n".join(program.inputs))))
        lines.append("print(" + ", ".join(f"{a}.grad" for a in leaves) + ")")
    else:
        if d.step >= 0 and d.kind not in ("edu_raises", "torch_raises", "exception"):
            lines.append(f"print({step_target(program.steps[d.step][1])})")
    lines.append(f"# {d.kind} at `{d.op}`" + (f" (seed {program.seed})" if program.seed is not None else ""))
    lines.append(f"# edutorch: {d.ours}")
    lines.append(f"# torch:    {d.theirs}")
    return "\n".join(lines)


def explore(n: int, first_seed: int = 0, time_budget: float | None = None, worker: Worker | None = None):
    """Run programs ``first_seed .. first_seed + n - 1`` (or until ``time_budget`` seconds); yields
    ``(program, disagreement)`` for each program that disagrees, and counts them in ``stats``."""
    import time
    own = worker is None
    worker = worker or Worker()
    start = time.monotonic()
    try:
        for seed in range(first_seed, first_seed + n):
            if time_budget is not None and time.monotonic() - start > time_budget:
                return
            program, d = worker.run(seed=seed)
            yield program, d
    finally:
        if own:
            worker.close()


def _main(argv):
    """python -m tests.fuzz.programs N [FIRST_SEED]: counts per known category (and new signatures), then a
    shrunk repro of each."""
    import collections
    import time

    from tests.fuzz import known_disagreements

    n = int(argv[0]) if argv else 200
    first = int(argv[1]) if len(argv) > 1 else 0
    worker = Worker()
    counts, examples, t0, total = collections.Counter(), {}, time.monotonic(), 0
    for prog, dis in explore(n, first, worker=worker):
        total += 1
        if dis is None:
            continue
        entry = known_disagreements.match(dis)
        key = entry.name if entry else f"NEW {dis.signature()}"
        counts[key] += 1
        if key not in examples or len(prog.source()) < len(examples[key][0].source()):
            examples[key] = (prog, dis)
    print(f"{total} programs (seeds {first}..{first + total - 1}) in {time.monotonic() - t0:.0f} s, "
          f"{sum(counts.values())} disagreements")
    for key, c in counts.most_common():
        print(f"{c:6d}  {key}")
    for key, (prog, dis) in examples.items():
        prog, dis = shrink(worker, prog, dis)
        print("=" * 40, key)
        print(repro(prog, dis))
    worker.close()


if __name__ == "__main__":
    import sys

    _main(sys.argv[1:])
