"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict against PyTorch.

Each test runs the same operations on both libraries and compares names, reprs, results and errors.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import edutorch
import edutorch.nn as enn
from tests.conftest import assert_same


def make_layers(lib):
    nn = lib.nn

    class Lin(nn.Module):
        def __init__(self, i, o):
            super().__init__()
            self.i, self.o = i, o
            self.weight = nn.Parameter(lib.ones(o, i) * 0.1 * (lib.arange(o * i).reshape(o, i) % 3 - 1))
            self.bias = nn.Parameter(lib.arange(o).float() * 0.1)

        def forward(self, x):
            return x @ self.weight.t() + self.bias

        def extra_repr(self):
            return f"in_features={self.i}, out_features={self.o}"

    class Act(nn.Module):
        def forward(self, x):
            return x.relu()

    return Lin, Act


def structure(m):
    """What must match torch: the repr, parameter names and state_dict keys."""
    return repr(m), [n for n, _ in m.named_parameters()], list(m.state_dict())


def run_both(torch, fn):
    """Run ``fn(lib, Lin, Act)`` on both libraries and return (ours, theirs)."""
    return fn(edutorch, *make_layers(edutorch)), fn(torch, *make_layers(torch))


def same_error(torch, fn):
    """``fn`` raises the same exception type and message in both libraries."""
    try:
        fn(torch, *make_layers(torch))
    except Exception as e:  # noqa: BLE001 - compare whatever torch raises
        expected = e
    else:
        pytest.fail("torch did not raise")
    with pytest.raises(type(expected)) as ours:
        fn(edutorch, *make_layers(edutorch))
    assert str(ours.value) == str(expected)


# ---------------------------------------------------------------------------- Sequential
def test_sequential_positional_and_ordered_dict(torch):
    def build(lib, Lin, Act):
        a = lib.nn.Sequential(Lin(3, 4), Act(), Lin(4, 2))
        b = lib.nn.Sequential(OrderedDict([("fc1", Lin(3, 4)), ("relu", Act()), ("fc2", Lin(4, 2))]))
        return structure(a), structure(b)

    ours, theirs = run_both(torch, build)
    assert ours == theirs


def test_sequential_forward_matches_torch(torch):
    models = run_both(torch, lambda lib, Lin, Act: lib.nn.Sequential(Lin(3, 4), Act(), Lin(4, 2)))
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    assert_same(models[0](edutorch.tensor(x)), models[1](torch.tensor(x)))
    assert len(models[0]) == 3 and [type(m).__name__ for m in models[0]] == ["Lin", "Act", "Lin"]


@pytest.mark.parametrize("op", [
    "index0", "index_neg", "slice", "slice_step", "slice_named", "setitem", "setitem_neg", "del0", "del_neg",
    "del_slice", "del_named", "append", "insert0", "insert_neg", "insert_end", "extend", "pop", "pop_neg",
    "add", "iadd", "mul", "rmul", "imul",
])
def test_sequential_operations_match_torch(torch, op):
    def run(lib, Lin, Act):
        s = lib.nn.Sequential(Lin(1, 2), Act(), Lin(2, 3), Lin(3, 4))
        named = lib.nn.Sequential(OrderedDict([("a", Lin(1, 2)), ("b", Act()), ("c", Lin(2, 3))]))
        out = None
        if op == "index0":
            out = s[0]
        elif op == "index_neg":
            out = s[-1]
        elif op == "slice":
            out = s[1:3]
        elif op == "slice_step":
            out = s[::2]
        elif op == "slice_named":
            out = named[1:]
        elif op == "setitem":
            s[1] = Lin(9, 9)
        elif op == "setitem_neg":
            s[-2] = Act()
        elif op == "del0":
            del s[0]
        elif op == "del_neg":
            del s[-1]
        elif op == "del_slice":
            del s[1:3]
        elif op == "del_named":
            del named[0]
            s = named
        elif op == "append":
            out = s.append(Lin(4, 5))
            assert out is s
        elif op == "insert0":
            s.insert(0, Lin(7, 1))
        elif op == "insert_neg":
            s.insert(-1, Act())
        elif op == "insert_end":
            s.insert(len(s), Act())
        elif op == "extend":
            s.extend([Lin(4, 4), Act()])
        elif op == "pop":
            out = s.pop(1)
        elif op == "pop_neg":
            out = s.pop(-1)
        elif op == "add":
            s = s + lib.nn.Sequential(Act(), Lin(4, 1))
        elif op == "iadd":
            s += named
        elif op == "mul":
            s = lib.nn.Sequential(Lin(1, 1), Act()) * 2
        elif op == "rmul":
            s = 2 * lib.nn.Sequential(Lin(1, 1))
        elif op == "imul":
            s = lib.nn.Sequential(Lin(1, 1), Act())
            s *= 3
        return structure(s), (None if out is None else repr(out)), type(out).__name__

    ours, theirs = run_both(torch, run)
    assert ours == theirs


def test_sequential_slice_shares_modules_and_mul_shares_too(torch):
    Lin, Act = make_layers(edutorch)
    s = enn.Sequential(Lin(1, 2), Act(), Lin(2, 3))
    sub = s[1:]
    assert isinstance(sub, enn.Sequential) and sub[0] is s[1] and sub[1] is s[2]
    tripled = enn.Sequential(Lin(1, 1)) * 3
    assert tripled[0] is tripled[2]
    assert len(list(tripled.parameters())) == 2  # the shared layer's parameters are listed once


@pytest.mark.parametrize("bad", ["index", "setitem", "delitem", "insert_range", "insert_type", "add",
                                 "iadd", "mul_zero", "mul_type"])
def test_sequential_errors_match_torch(torch, bad):
    def run(lib, Lin, Act):
        s = lib.nn.Sequential(Lin(1, 2), Act())
        if bad == "index":
            s[2]
        elif bad == "setitem":
            s[-3] = Act()
        elif bad == "delitem":
            del s[5]
        elif bad == "insert_range":
            s.insert(4, Act())
        elif bad == "insert_type":
            s.insert(0, 3)
        elif bad == "add":
            s + [Act()]
        elif bad == "iadd":
            s += [Act()]
        elif bad == "mul_zero":
            s * 0
        elif bad == "mul_type":
            s * 1.5

    if bad in ("add", "iadd", "mul_zero", "mul_type", "insert_type"):
        # Messages name the classes (torch.nn... vs edutorch.nn...): compare types and the message start.
        def outcome(lib):
            with pytest.raises(Exception) as e:
                run(lib, *make_layers(lib))
            return e.type, str(e.value).split(" ")[:3]
        assert outcome(edutorch) == outcome(torch)
    else:
        same_error(torch, run)


# ---------------------------------------------------------------------------- ModuleList
@pytest.mark.parametrize("op", ["build", "append", "extend", "insert", "insert_end", "getitem", "getitem_neg",
                                "slice", "setitem", "del", "del_slice", "pop", "add", "iadd", "empty"])
def test_module_list_operations_match_torch(torch, op):
    def run(lib, Lin, Act):
        ml = lib.nn.ModuleList([Lin(2, 2), Lin(2, 2), Act(), Lin(2, 2)])
        out = None
        if op == "append":
            assert ml.append(Lin(2, 3)) is ml
        elif op == "extend":
            ml.extend([Act(), Act()])
        elif op == "insert":
            ml.insert(1, Act())
        elif op == "insert_end":
            ml.insert(len(ml), Lin(5, 5))
        elif op == "getitem":
            out = ml[2]
        elif op == "getitem_neg":
            out = ml[-1]
        elif op == "slice":
            out = ml[1:3]
        elif op == "setitem":
            ml[-1] = Act()
        elif op == "del":
            del ml[1]
        elif op == "del_slice":
            del ml[::2]
        elif op == "pop":
            out = ml.pop(0)
        elif op == "add":
            ml = ml + [Act()]
        elif op == "iadd":
            ml += lib.nn.ModuleList([Act()])
        elif op == "empty":
            ml = lib.nn.ModuleList()
        return structure(ml), len(ml), (None if out is None else repr(out)), type(out).__name__

    ours, theirs = run_both(torch, run)
    assert ours == theirs


def test_module_list_repr_collapses_repeated_blocks(torch):
    def build(lib, Lin, Act):
        inner = lib.nn.Sequential(Lin(2, 2), Act())
        return repr(lib.nn.ModuleList([Lin(2, 2), Lin(2, 2), Lin(2, 2), Act(), inner, inner, Lin(2, 2)]))

    ours, theirs = run_both(torch, build)
    assert ours == theirs
    assert "(0-2): 3 x Lin(in_features=2, out_features=2)" in ours
    assert "(4-5): 2 x Sequential(" in ours


def test_module_list_registers_parameters_and_errors(torch):
    Lin, Act = make_layers(edutorch)
    ml = enn.ModuleList([Lin(2, 2), Lin(2, 3)])
    assert [n for n, _ in ml.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    same_error(torch, lambda lib, Lin, Act: lib.nn.ModuleList([Act()])[3])
    same_error(torch, lambda lib, Lin, Act: lib.nn.ModuleList().extend(3))
    same_error(torch, lambda lib, Lin, Act: lib.nn.ModuleList([3]))
    # PyTorch's ModuleList.insert does not take negative indices (unlike Sequential.insert): same KeyError.
    same_error(torch, lambda lib, Lin, Act: lib.nn.ModuleList([Act(), Act()]).insert(-1, Act()))
    with pytest.raises(NotImplementedError):
        ml(edutorch.ones(1))


# ---------------------------------------------------------------------------- ModuleDict
@pytest.mark.parametrize("op", ["build", "getitem", "setitem", "delitem", "pop", "clear", "update_dict",
                                "update_pairs", "keys", "contains"])
def test_module_dict_operations_match_torch(torch, op):
    def run(lib, Lin, Act):
        md = lib.nn.ModuleDict({"fc": Lin(2, 3), "act": Act()})
        out = None
        if op == "getitem":
            out = repr(md["fc"])
        elif op == "setitem":
            md["new"] = Lin(3, 1)
        elif op == "delitem":
            del md["fc"]
        elif op == "pop":
            out = repr(md.pop("act"))
        elif op == "clear":
            md.clear()
        elif op == "update_dict":
            md.update({"z": Act(), "fc": Lin(1, 1)})
        elif op == "update_pairs":
            md.update([("b", Act()), ("a", Lin(1, 1))])
        elif op == "keys":
            out = (list(md.keys()), [type(v).__name__ for v in md.values()], [k for k, _ in md.items()], list(md))
        elif op == "contains":
            out = ("fc" in md, "nope" in md)
        return structure(md), len(md), out

    ours, theirs = run_both(torch, run)
    assert ours == theirs


def test_module_dict_errors(torch):
    same_error(torch, lambda lib, Lin, Act: lib.nn.ModuleDict({"a": Act()})["b"])
    same_error(torch, lambda lib, Lin, Act: lib.nn.ModuleDict().update([("a", Act(), 1)]))
    same_error(torch, lambda lib, Lin, Act: lib.nn.ModuleDict().update(3))
    same_error(torch, lambda lib, Lin, Act: lib.nn.ModuleDict({"a.b": Act()}))


# ---------------------------------------------------------------------------- ParameterList
@pytest.mark.parametrize("op", ["build", "append", "extend", "getitem", "slice", "setitem", "iadd", "mixed"])
def test_parameter_list_operations_match_torch(torch, op):
    def run(lib, Lin, Act):
        pl = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3)), lib.zeros(4)])
        out = None
        if op == "append":
            assert pl.append(lib.ones(1)) is pl
        elif op == "extend":
            pl.extend([lib.ones(5), lib.nn.Parameter(lib.ones(1, 1), requires_grad=False)])
        elif op == "getitem":
            out = (type(pl[1]).__name__, tuple(pl[-1].shape), pl[1].requires_grad)
        elif op == "slice":
            sub = pl[1:]
            out = (type(sub).__name__, len(sub), sub[0] is pl[1])
        elif op == "setitem":
            pl[0] = lib.ones(7, dtype=lib.float64)
        elif op == "iadd":
            pl += [lib.ones(2)]
        elif op == "mixed":
            pl.append("text")
        return structure(pl), len(pl), [type(p).__name__ for p in pl], out

    ours, theirs = run_both(torch, run)
    assert ours == theirs


def test_parameter_list_errors(torch):
    same_error(torch, lambda lib, Lin, Act: lib.nn.ParameterList([lib.ones(1)])[1])
    same_error(torch, lambda lib, Lin, Act: lib.nn.ParameterList().extend(lib.ones(3)))
    same_error(torch, lambda lib, Lin, Act: lib.nn.ParameterList()(1))


# ---------------------------------------------------------------------------- ParameterDict
@pytest.mark.parametrize("op", ["dict_sorted", "ordered", "pairs", "setitem", "delitem", "pop", "popitem",
                                "get", "setdefault", "clear", "copy", "or", "ior", "fromkeys", "keys",
                                "update_pd"])
def test_parameter_dict_operations_match_torch(torch, op):
    def run(lib, Lin, Act):
        pd = lib.nn.ParameterDict({"b": lib.ones(2), "a": lib.nn.Parameter(lib.zeros(3, 1))})
        out = None
        if op == "ordered":
            pd = lib.nn.ParameterDict(OrderedDict([("z", lib.ones(1)), ("y", lib.ones(2))]))
        elif op == "pairs":
            pd = lib.nn.ParameterDict([("z", lib.ones(1)), ("y", lib.ones(2))])
        elif op == "setitem":
            pd["c"] = lib.ones(4, dtype=lib.float64)
            pd["s"] = "a string"
        elif op == "delitem":
            del pd["b"]
        elif op == "pop":
            out = tuple(pd.pop("a").shape)
        elif op == "popitem":
            k, v = pd.popitem()
            out = (k, tuple(v.shape))
        elif op == "get":
            out = (tuple(pd.get("a").shape), pd.get("nope"), pd.get("nope", 3))
        elif op == "setdefault":
            out = (tuple(pd.setdefault("a").shape), tuple(pd.setdefault("n", lib.ones(9)).shape))
        elif op == "clear":
            pd.clear()
        elif op == "copy":
            c = pd.copy()
            out = (repr(c), c["a"] is pd["a"])
        elif op == "or":
            pd = pd | lib.nn.ParameterDict({"c": lib.ones(1)})
        elif op == "ior":
            pd |= lib.nn.ParameterDict({"a": lib.ones(5)})
        elif op == "fromkeys":
            pd = pd.fromkeys(["x", "y"], lib.ones(2))
        elif op == "keys":
            out = (list(pd.keys()), [tuple(v.shape) for v in pd.values()], [k for k, _ in pd.items()],
                   list(pd), list(reversed(pd)), "a" in pd)
        elif op == "update_pd":
            pd.update(lib.nn.ParameterDict(OrderedDict([("q", lib.ones(1)), ("b", lib.ones(3))])))
        return structure(pd), len(pd), out

    ours, theirs = run_both(torch, run)
    assert ours == theirs


def test_parameter_dict_errors(torch):
    same_error(torch, lambda lib, Lin, Act: lib.nn.ParameterDict()[3])
    same_error(torch, lambda lib, Lin, Act: lib.nn.ParameterDict().update([("a",)]))
    same_error(torch, lambda lib, Lin, Act: lib.nn.ParameterDict().update(3))
    same_error(torch, lambda lib, Lin, Act: lib.nn.ParameterDict()(1))
    with pytest.raises(AttributeError):
        enn.ParameterDict()["missing"]


def test_parameter_containers_in_a_model_train_together(torch):
    def build(lib, Lin, Act):
        class Model(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.scales = lib.nn.ParameterList([lib.ones(3) * (i + 1) for i in range(2)])
                self.shifts = lib.nn.ParameterDict({"x": lib.ones(3) * 0.5})
                self.blocks = lib.nn.ModuleDict({"lin": Lin(3, 3), "act": Act()})

            def forward(self, x):
                for s in self.scales:
                    x = x * s
                return self.blocks["act"](self.blocks["lin"](x + self.shifts["x"]))
        return Model()

    ours, theirs = run_both(torch, build)
    assert structure(ours) == structure(theirs)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    yo, yt = ours(edutorch.tensor(x)), theirs(torch.tensor(x))
    assert_same(yo, yt)
    yo.sum().backward()
    yt.sum().backward()
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_same(p.grad, q.grad)
