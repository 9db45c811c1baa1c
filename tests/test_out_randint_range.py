"""Issue 18: ``out=`` (edutorch/_out.py), every form of ``randint``, ``randn()``/``rand()`` without a size,
and indexing with a Python ``range`` — each against PyTorch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import edutorch
from tests.conftest import assert_same

A = [[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]]
B = [[2.0, 1.0, -3.0], [1.0, 0.5, 2.0]]

# name -> a call taking the library and the out argument; each is a function PyTorch gives out=
CALLS = {
    "add": lambda m, out: m.add(m.tensor(A), m.tensor(B), alpha=2, out=out),
    "sub": lambda m, out: m.sub(m.tensor(A), m.tensor(B), out=out),
    "mul": lambda m, out: m.mul(m.tensor(A), 3, out=out),
    "div": lambda m, out: m.div(m.tensor(A), m.tensor(B), out=out),
    "matmul": lambda m, out: m.matmul(m.tensor(A), m.tensor(B).t(), out=out),
    "mm": lambda m, out: m.mm(m.tensor(A).t(), m.tensor(B), out=out),
    "bmm": lambda m, out: m.bmm(m.tensor([A]), m.tensor([B]).transpose(1, 2), out=out),
    "sum": lambda m, out: m.sum(m.tensor(A), 1, out=out),
    "mean": lambda m, out: m.mean(m.tensor(A), 0, keepdim=True, out=out),
    "cat": lambda m, out: m.cat([m.tensor(A), m.tensor(B)], 1, out=out),
    "stack": lambda m, out: m.stack([m.tensor(A), m.tensor(B)], out=out),
    "exp": lambda m, out: m.exp(m.tensor(A), out=out),
    "log": lambda m, out: m.log(m.tensor(B).abs(), out=out),
    "clamp": lambda m, out: m.clamp(m.tensor(A), -1, 2, out=out),
    "max_all": lambda m, out: m.max(m.tensor(A), out=out),
    "zeros": lambda m, out: m.zeros(2, 3, out=out),
    "ones": lambda m, out: m.ones((3,), out=out),
    "arange": lambda m, out: m.arange(1, 4, 0.5, out=out),
    "linspace": lambda m, out: m.linspace(0, 1, 5, out=out),
}
PAIRS = {  # functions returning (values, indices)
    "max": lambda m, out: m.max(m.tensor(A), 1, out=out),
    "min": lambda m, out: m.min(m.tensor(A), dim=0, keepdim=True, out=out),
    "sort": lambda m, out: m.sort(m.tensor(A), descending=True, out=out),
    "topk": lambda m, out: m.topk(m.tensor(A), 2, out=out),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_out_writes_into_the_given_tensor(torch, name):
    call = CALLS[name]
    for m in (torch, edutorch):  # an empty out is resized without a warning, and returned
        out = m.empty(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = call(m, out)
        assert result is out
        if m is torch:
            theirs = out
        else:
            ours = out
    assert_same(ours, theirs)
    assert ours._version > 0  # an in-place write, seen by autograd's checks


@pytest.mark.parametrize("name", sorted(CALLS))
def test_out_of_the_wrong_size_is_resized_with_torchs_warning(torch, name):
    messages = []
    for m in (torch, edutorch):
        out = m.zeros(7)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call = CALLS[name](m, out)
        messages.append([str(w.message).split(" (Triggered internally")[0] for w in caught
                         if issubclass(w.category, UserWarning)])
        assert call is out
    assert messages[1] == messages[0]


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("out_dtype", ["float64", "int64", "int32", "bool"])
def test_out_dtype_rule_matches_torch(torch, name, out_dtype):
    """A result may be cast into out, never to a lower kind (float -> int); mm/clamp want the same dtype."""
    results = []
    for m in (torch, edutorch):
        try:
            results.append(CALLS[name](m, m.empty(0, dtype=getattr(m, out_dtype))))
        except (RuntimeError, TypeError, ValueError, NotImplementedError) as e:  # arange(1, 4, 0.5) into int64
            results.append(type(e))
    if isinstance(results[0], type):
        assert results[1] is results[0], (name, out_dtype, results[1])
    else:
        assert_same(results[1], results[0])


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_out_pairs(torch, name):
    got = []
    for m in (torch, edutorch):
        values, indices = m.empty(0), m.empty(0, dtype=m.int64)
        result = PAIRS[name](m, (values, indices))
        assert result.values is values and result.indices is indices
        assert type(result).__name__ == f"{name}_out"
        got.append((values, indices, repr(result)))
    assert_same(got[1][0], got[0][0])
    assert_same(got[1][1], got[0][1])
    assert got[1][2] == got[0][2]
    for m in (torch, edutorch):  # the indices must be int64, the values the input's dtype
        with pytest.raises(RuntimeError, match="Expected out tensor to have dtype long int, but got float instead"):
            PAIRS[name](m, (m.empty(0), m.empty(0)))
        with pytest.raises(RuntimeError, match="Expected out tensor to have dtype float, but got double instead"):
            PAIRS[name](m, (m.empty(0, dtype=m.float64), m.empty(0, dtype=m.int64)))


GRAD_CALLS = {
    "add": lambda m, x: m.add(x, 1, out=m.empty(0)),
    "matmul": lambda m, x: m.matmul(x, x.t(), out=m.empty(0)),
    "sum": lambda m, x: m.sum(x, 0, out=m.empty(0)),
    "cat": lambda m, x: m.cat([x, x], out=m.empty(0)),
    "exp": lambda m, x: m.exp(x, out=m.empty(0)),
    "max": lambda m, x: m.max(x, 1, out=(m.empty(0), m.empty(0, dtype=m.int64))),
}


@pytest.mark.parametrize("name", sorted(GRAD_CALLS))
def test_out_refuses_inputs_that_require_grad(torch, name):
    for m in (torch, edutorch):
        x = m.tensor(A, requires_grad=True)
        with pytest.raises(RuntimeError, match=rf"^{name}\(\): functions with out=\.\.\. arguments don't support "
                                               "automatic differentiation, but one of the arguments requires grad"):
            GRAD_CALLS[name](m, x)
        with m.no_grad():  # without recording there is nothing to refuse
            GRAD_CALLS[name](m, x)
        out = m.zeros(2, 3, requires_grad=True)  # an out that requires grad is refused too
        with pytest.raises(RuntimeError, match="functions with out=... arguments don't support"):
            m.add(m.tensor(A), 1, out=out)


def test_out_for_creation_takes_out_dtype(torch):
    for m in (torch, edutorch):
        out = m.empty(0, dtype=m.float64)
        assert m.zeros(2, out=out).dtype == m.float64 and m.arange(5, out=out).dtype == m.float64
        with pytest.raises(RuntimeError, match=r"^dtype Float does not match dtype of out parameter \(Double\)"):
            m.ones(2, dtype=m.float32, out=out)
    assert_same(edutorch.arange(3, out=edutorch.empty(0, dtype=edutorch.int32)),
                torch.arange(3, out=torch.empty(0, dtype=torch.int32)))


def test_sum_takes_out_only_with_a_dim(torch):
    for m in (torch, edutorch):
        with pytest.raises(TypeError, match=r"^sum\(\) received an invalid combination of arguments"):
            m.sum(m.tensor(A), out=m.empty(0))
        assert m.sum(m.tensor(A), dim=(0, 1), out=m.empty(0)).item() == 6.0
        assert m.mean(m.tensor(A), out=m.empty(0)).item() == 1.0  # mean takes it either way


def test_out_aliasing_an_input(torch):
    for m in (torch, edutorch):
        a = m.tensor(A)
        m.add(a, a, out=a)
        m.matmul(m.tensor(A), m.tensor(B).t(), out=a)  # a resized from (2, 3) to (2, 2)
        if m is torch:
            theirs = a
    assert_same(a, theirs)


# ------------------------------------------------------------------ randint and friends
RANDINT_CALLS = [
    "randint(10, (3,))", "randint(10, size=(1,))", "randint(3, 10, (2, 2))", "randint(low=3, high=10, size=(2,))",
    "randint(high=10, size=(2,))", "randint(size=[2, 3], high=4)", "randint(10, size=[2, 3], dtype=m.int32)",
    "randint(-5, 0, (3,))", "randint(10, (2,), dtype=m.float32)", "randint(0, 2, (4,), dtype=m.bool)",
    "randint(10, m.Size([2]))", "randint(10, ())", "randint(m.tensor(5), (2,))",
    "randint(3, 10, (2,), generator=m.Generator().manual_seed(1))", "randint(0, 256, (2,), dtype=m.uint8)",
    "randint(10, (2,), dtype=m.float32, requires_grad=True)",
    # errors
    "randint(10)", "randint(10, 5)", "randint(5, 5, (2,))", "randint(10, size=2)", "randint(2.5, (2,))",
    "randint(0, 2.0, (2,))", "randint(10, (2.0,))", "randint(0, 300, (2,), dtype=m.uint8)",
    "randint(-1, 2, (2,), dtype=m.uint8)", "randint(0, 2**40, (2,), dtype=m.int32)",
    "randint(0, 3, (2,), dtype=m.bool)",
    "randint(10, (2,), requires_grad=True)",
    "randn()", "rand()", "randn(())", "rand([])", "randn(2, 3, dtype=m.float64)",
]


@pytest.mark.parametrize("call", RANDINT_CALLS)
def test_randint_forms_and_randn_without_size(torch, call):
    answers = []
    for m in (torch, edutorch):
        try:
            r = eval("m." + call, {"m": m})  # our own fixed strings
            answers.append((tuple(r.shape), repr(r.dtype), r.requires_grad))
            if call.startswith("randint") and "(-5, 0" in call:
                assert (r >= -5).all() and (r < 0).all()
            elif call.startswith(("randint(10", "randint(3, 10", "randint(low=3")):
                assert (r >= 0).all() and (r < 10).all()
        except (TypeError, RuntimeError) as e:
            answers.append(type(e))
    assert answers[1] == answers[0]


def test_randint_follows_the_seed():
    edutorch.manual_seed(3)
    a = edutorch.randint(10, size=(5,))
    edutorch.manual_seed(3)
    assert a.tolist() == edutorch.randint(0, 10, (5,)).tolist()
    assert edutorch.randint(10, (10000,)).unique().tolist() == list(range(10))  # all of [0, 10), nothing else


# ------------------------------------------------------------------ indexing with range
@pytest.mark.parametrize("index", ["range(3), t", "range(3)", "(range(0, 3, 2), slice(1, None))",
                                   "(slice(None), range(2))", "range(3), [1, 0, 3]", "range(0)",
                                   "range(-1, -3, -1)"])
def test_range_index(torch, index):
    got = []
    for m in (torch, edutorch):
        x = m.arange(12.0).reshape(3, 4).requires_grad_()
        t = m.tensor([1, 0, 3])
        key = eval(index, {"t": t})
        r = x[key]
        r.sum().backward()
        got.append((r, x.grad, r.grad_fn.name()))
    assert_same(got[1][0], got[0][0])
    assert_same(got[1][1], got[0][1])
    assert got[1][2] == got[0][2]


def test_range_index_setitem(torch):
    got = []
    for m in (torch, edutorch):
        x = m.arange(12.0).reshape(3, 4)
        x[range(3), m.tensor([1, 0, 3])] = 0
        x[range(1, 3), 0] = m.tensor([-1.0, -2.0])
        got.append(x)
    assert_same(got[1], got[0])
    np.testing.assert_array_equal(got[1].numpy()[[0, 1, 2], [1, 0, 3]], [0, -1, 0])


@pytest.mark.parametrize("call", [
    lambda m: m.rand(size=(2,)), lambda m: m.randn(size=[2, 3]), lambda m: m.zeros(size=(2,)),
    lambda m: m.ones(size=[1]), lambda m: m.empty(size=(2, 0)), lambda m: m.zeros(2, size=(3,)),
    lambda m: m.rand(size=3), lambda m: m.randn(),
])
def test_size_keyword_of_the_factories(torch, call):
    """``torch.rand(size=(2,))`` as in PyTorch: the shape as a keyword, with its errors."""
    outcomes = []
    for m in (torch, edutorch):
        try:
            outcomes.append(tuple(call(m).shape))
        except TypeError:
            outcomes.append(TypeError)
    assert outcomes[1] == outcomes[0]
    if outcomes[0] is not TypeError:  # the same numbers too (empty(size=(2, 0)) has none to compare)
        torch.manual_seed(3)
        edutorch.manual_seed(3)
        assert np.array_equal(call(edutorch).numpy(), call(torch).numpy())
