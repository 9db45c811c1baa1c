"""nn.utils.parametrize, parametrizations.weight_norm/spectral_norm and the legacy hook versions, against PyTorch."""
from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import edutorch
from edutorch.autograd import gradcheck
from tests.conftest import assert_same
from tests.optim._oracle import to_edutorch, to_torch

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)
W = np.array([[0.3, -0.2, 0.1], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9], [0.05, -0.15, 0.25]], dtype=np.float32)
B = np.array([0.1, -0.2, 0.3, -0.4], dtype=np.float32)


def _linear(lib):
    m = lib.nn.Linear(3, 4)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(W))
        m.bias.copy_(lib.tensor(B))
    return m


def _parametrizations(lib):
    """Two small parametrizations (the same classes written against either library)."""
    class Double(lib.nn.Module):
        def forward(self, X):
            return X * 2

        def right_inverse(self, Z):
            return Z / 2

    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    class Shrink(lib.nn.Module):  # changes the shape: only with unsafe=True
        def forward(self, X):
            return X[:2]

    return Double, Symmetric, Shrink


def _both(make):
    return [make(lib) for lib in (edutorch, pytest.importorskip("torch"))]


def _numpy_state(m):
    return {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}


# ---------------------------------------------------------------------- register_parametrization
def test_register_moves_the_tensor_and_changes_the_class(torch):
    results = []
    for lib in (edutorch, torch):
        P = lib.nn.utils.parametrize
        m = _linear(lib)
        original = m.weight
        Double, _, _ = _parametrizations(lib)
        P.register_parametrization(m, "weight", Double())
        assert type(m).__name__ == "ParametrizedLinear" and isinstance(m, lib.nn.Linear)
        assert P.type_before_parametrizations(m) is lib.nn.Linear
        assert P.is_parametrized(m) and P.is_parametrized(m, "weight") and not P.is_parametrized(m, "bias")
        # the very same Parameter object now holds right_inverse(W) = W / 2, so an optimizer keeps it
        assert m.parametrizations.weight.original is original
        np.testing.assert_allclose(original.detach().numpy(), W / 2)
        np.testing.assert_allclose(m.weight.detach().numpy(), W)
        assert "weight" not in m._parameters and type(lib.nn.Linear(2, 2)).__name__ == "Linear"
        results.append((list(m.state_dict()), [n for n, _ in m.named_parameters()], repr(m)))
    assert results[0] == results[1]
    assert results[0][0] == ["bias", "parametrizations.weight.original"]


def test_forward_and_gradients_match_torch(torch):
    outs = []
    for lib in (edutorch, torch):
        m = _linear(lib)
        Double, _, _ = _parametrizations(lib)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", Double())
        y = m(lib.tensor(X))
        (y ** 2).sum().backward()
        outs.append((y, m.parametrizations.weight.original.grad))
    for a, b in zip(*outs):
        assert_same(a, b)


def test_several_parametrizations_chain(torch):
    outs = []
    for lib in (edutorch, torch):
        m = lib.nn.Linear(4, 4)
        with lib.no_grad():
            m.weight.copy_(lib.tensor(np.arange(16, dtype=np.float32).reshape(4, 4) / 10))
        Double, Symmetric, _ = _parametrizations(lib)
        P = lib.nn.utils.parametrize
        P.register_parametrization(m, "weight", Symmetric())
        P.register_parametrization(m, "weight", Double())
        assert len(m.parametrizations.weight) == 2
        w = m.weight.detach().numpy()
        np.testing.assert_allclose(w, w.T)  # Double(Symmetric(original))
        outs.append(m.weight)
        assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert_same(*outs)


def test_assigning_the_tensor_stores_its_right_inverse(torch):
    outs = []
    for lib in (edutorch, torch):
        m = _linear(lib)
        Double, Symmetric, _ = _parametrizations(lib)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", Double())
        original = m.parametrizations.weight.original
        m.weight = lib.ones(4, 3)
        assert m.parametrizations.weight.original is original
        np.testing.assert_allclose(original.detach().numpy(), 0.5)
        np.testing.assert_allclose(m.weight.detach().numpy(), 1.0)
        # a parametrization without right_inverse cannot be assigned to
        s = lib.nn.Linear(3, 3)
        lib.nn.utils.parametrize.register_parametrization(s, "weight", Symmetric())
        with pytest.raises(RuntimeError, match="parametrization Symmetric does not implement right_inverse"):
            s.weight = lib.ones(3, 3)
        outs.append(original)
    assert_same(*outs)


def test_unsafe_and_the_checks(torch):
    for lib in (edutorch, torch):
        P = lib.nn.utils.parametrize
        _, _, Shrink = _parametrizations(lib)
        m = lib.nn.Linear(3, 4)
        with pytest.raises(ValueError, match="may not change the shape of the tensor, unless `unsafe` flag is "
                                             "enabled.\nunparametrized shape: torch.Size"):
            P.register_parametrization(m, "weight", Shrink())
        assert not P.is_parametrized(m) and type(m) is lib.nn.Linear  # nothing was changed
        P.register_parametrization(m, "weight", Shrink(), unsafe=True)
        assert tuple(m.weight.shape) == (2, 3)
        with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element "
                                             "with name 'nope'"):
            P.register_parametrization(m, "nope", Shrink())
        with pytest.raises(ValueError, match="does not have a parametrization on bias"):
            P.remove_parametrizations(m, "bias")
        n = lib.nn.Linear(3, 4)
        P.register_parametrization(n, "weight", _parametrizations(lib)[0]())
        with pytest.raises(ValueError, match="Registering a parametrization may not change the shape of the tensor, "
                                             "unless the `unsafe` flag is enabled.\nmodule.weight.shape"):
            P.register_parametrization(n, "weight", Shrink())


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_remove_parametrizations(torch, leave_parametrized):
    outs = []
    for lib in (edutorch, torch):
        P = lib.nn.utils.parametrize
        m = _linear(lib)
        P.register_parametrization(m, "weight", _parametrizations(lib)[0]())
        original = m.parametrizations.weight.original
        P.remove_parametrizations(m, "weight", leave_parametrized=leave_parametrized)
        assert type(m) is lib.nn.Linear and not hasattr(m, "parametrizations")
        assert m.weight is original and isinstance(m.weight, lib.nn.Parameter)
        np.testing.assert_allclose(m.weight.detach().numpy(), W if leave_parametrized else W / 2)
        outs.append(list(m.state_dict()))
    assert outs[0] == outs[1] == ["weight", "bias"] or outs[0] == outs[1] == ["bias", "weight"]


def test_cached_computes_once(torch):
    for lib in (edutorch, torch):
        calls = []

        class Counted(lib.nn.Module):
            def __init__(self, calls):
                super().__init__()
                self.calls = calls

            def forward(self, X):
                self.calls.append(1)
                return X * 1

        m = lib.nn.Linear(3, 3)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", Counted(calls))
        calls.clear()
        _ = m.weight, m.weight
        assert len(calls) == 2
        with lib.nn.utils.parametrize.cached():
            assert m.weight is m.weight
            m(lib.ones(2, 3))
        assert len(calls) == 3
        _ = m.weight
        assert len(calls) == 4  # the cache is gone after the block


def test_pickle_refuses_and_deepcopy_works(torch):
    for lib in (edutorch, torch):
        m = _linear(lib)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _parametrizations(lib)[0]())
        with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only supported through "
                                               "state_dict()"):
            pickle.dumps(m)
        c = copy.deepcopy(m)
        assert type(c) is type(m) and c.parametrizations.weight.original is not m.parametrizations.weight.original
        np.testing.assert_allclose(c.weight.detach().numpy(), W)


# ---------------------------------------------------------------------- weight_norm
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(torch, dim):
    outs = []
    for lib in (edutorch, torch):
        m = lib.nn.utils.parametrizations.weight_norm(_linear(lib), dim=dim)
        g, v = m.parametrizations.weight.original0, m.parametrizations.weight.original1
        np.testing.assert_allclose(m.weight.detach().numpy(), W, rtol=1e-6)  # the same weight at first
        y = m(lib.tensor(X))
        (y ** 2).sum().backward()
        outs.append((g, v, y, g.grad, v.grad, m.bias.grad))
        assert list(m.state_dict()) == ["bias", "parametrizations.weight.original0",
                                        "parametrizations.weight.original1"]
    for a, b in zip(*outs):
        assert_same(a, b)
    assert tuple(outs[0][0].shape) == {0: (4, 1), 1: (1, 3), None: ()}[dim]


def test_weight_norm_on_a_conv_and_remove(torch):
    rng = np.random.default_rng(0)
    w = rng.normal(size=(5, 2, 3, 3)).astype(np.float32)
    outs = []
    for lib in (edutorch, torch):
        conv = lib.nn.Conv2d(2, 5, 3)
        with lib.no_grad():
            conv.weight.copy_(lib.tensor(w))
        lib.nn.utils.parametrizations.weight_norm(conv)
        g = conv.parametrizations.weight.original0
        with lib.no_grad():
            g.mul_(2)  # longer filters, same directions
        lib.nn.utils.parametrize.remove_parametrizations(conv, "weight")
        outs.append((g, conv.weight))
        with pytest.raises(ValueError, match="Cannot leave unparametrized"):
            m = lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(2, 2))
            lib.nn.utils.parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert tuple(outs[0][0].shape) == (5, 1, 1, 1)
    np.testing.assert_allclose(outs[0][1].detach().numpy(), 2 * w, rtol=1e-5)
    for a, b in zip(*outs):
        assert_same(a, b)


def test_weight_norm_gradcheck():
    """g · v / ‖v‖ differentiated with respect to g and v, against finite differences in float64."""
    m = edutorch.nn.Linear(3, 4).double()
    edutorch.nn.utils.parametrizations.weight_norm(m)
    x = edutorch.tensor(X.astype(np.float64))
    plist = m.parametrizations.weight

    def f(g, v):
        plist.original0, plist.original1 = g, v
        return m(x)
    g = edutorch.nn.Parameter(plist.original0.detach().clone())
    v = edutorch.nn.Parameter(plist.original1.detach().clone())
    assert gradcheck(f, (g, v))


def test_weight_norm_checkpoints_move_both_ways(torch):
    """state_dicts cross between the libraries, and a legacy (weight_g, weight_v) checkpoint still loads."""
    ours = edutorch.nn.utils.parametrizations.weight_norm(_linear(edutorch))
    theirs = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(3, 4))
    theirs.load_state_dict(to_torch(ours.state_dict(), torch))
    assert_same(ours(edutorch.tensor(X)), theirs(torch.tensor(X)))
    back = edutorch.nn.utils.parametrizations.weight_norm(edutorch.nn.Linear(3, 4))
    back.load_state_dict(to_edutorch(theirs.state_dict(), torch))
    assert_same(back(edutorch.tensor(X)), theirs(torch.tensor(X)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        legacy = torch.nn.utils.weight_norm(torch.nn.Linear(3, 4))
    fresh = edutorch.nn.utils.parametrizations.weight_norm(edutorch.nn.Linear(3, 4))
    fresh.load_state_dict(to_edutorch(legacy.state_dict(), torch))
    assert_same(fresh(edutorch.tensor(X)), legacy(torch.tensor(X)))


def test_sgd_through_weight_norm_matches_torch(torch):
    """An optimizer trains g and v (the originals): the same trajectory as PyTorch."""
    history = []
    for lib in (edutorch, torch):
        m = lib.nn.utils.parametrizations.weight_norm(_linear(lib))
        opt = lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        for _ in range(5):
            opt.zero_grad()
            ((m(lib.tensor(X)) - 1) ** 2).mean().backward()
            opt.step()
        history.append(m.weight)
    assert_same(*history, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------- spectral_norm
def test_spectral_norm_matches_torch_given_the_same_u_v(torch):
    """Our random u, v differ from torch's (another RNG); with torch's loaded, every forward agrees."""
    theirs = torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(3, 4))
    ours = edutorch.nn.utils.parametrizations.spectral_norm(edutorch.nn.Linear(3, 4))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == [
        "bias", "parametrizations.weight.original", "parametrizations.weight.0._u", "parametrizations.weight.0._v"]
    ours.load_state_dict(to_edutorch(theirs.state_dict(), torch))
    for mode in ("train", "train", "eval"):
        getattr(ours, mode)(), getattr(theirs, mode)()
        y_ours, y_theirs = ours(edutorch.tensor(X)), theirs(torch.tensor(X))
        assert_same(y_ours, y_theirs, rtol=1e-5, atol=1e-6)
        (y_ours ** 2).sum().backward()
        (y_theirs ** 2).sum().backward()
        assert_same(ours.parametrizations.weight.original.grad, theirs.parametrizations.weight.original.grad,
                    rtol=1e-4, atol=1e-6)
        for key in ("_u", "_v"):  # the power iteration moved the buffers the same way
            assert_same(getattr(ours.parametrizations.weight[0], key), getattr(theirs.parametrizations.weight[0], key),
                        rtol=1e-5, atol=1e-6)


def test_spectral_norm_makes_the_top_singular_value_one():
    m = edutorch.nn.utils.parametrizations.spectral_norm(_linear(edutorch), n_power_iterations=5)
    assert abs(np.linalg.svd(W, compute_uv=False)[0] - 1) > 0.1  # W itself is not normalised
    for _ in range(3):
        m(edutorch.tensor(X))
    np.testing.assert_allclose(np.linalg.svd(m.weight.detach().numpy(), compute_uv=False)[0], 1.0, rtol=1e-4)


def test_spectral_norm_gradcheck():
    """W / (uᵀWv) with u, v fixed (eval mode), against finite differences in float64."""
    m = edutorch.nn.utils.parametrizations.spectral_norm(edutorch.nn.Linear(3, 4).double()).eval()
    plist = m.parametrizations.weight

    def f(w):
        plist.original = w
        return m.weight
    assert gradcheck(f, (edutorch.nn.Parameter(plist.original.detach().clone()),))


def test_spectral_norm_errors_and_conv_transpose_dim(torch):
    for lib in (edutorch, torch):
        sn = lib.nn.utils.parametrizations.spectral_norm
        with pytest.raises(ValueError, match="has no parameter or buffer with name 'kernel'"):
            sn(lib.nn.Linear(2, 2), "kernel")
        with pytest.raises(ValueError, match="Expected n_power_iterations to be positive, but got "
                                             "n_power_iterations=0"):
            sn(lib.nn.Linear(2, 2), n_power_iterations=0)
        with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\] but "
                                             r"got 2\)"):
            sn(lib.nn.Linear(2, 2), dim=2)
        m = sn(lib.nn.ConvTranspose2d(3, 5, 2))  # weight (3, 5, 2, 2): the outputs are dim 1
        assert tuple(m.parametrizations.weight[0]._u.shape) == (5,)
        assert tuple(m.parametrizations.weight[0]._v.shape) == (12,)


# ---------------------------------------------------------------------- the legacy hook versions
def test_legacy_weight_norm_matches_torch(torch):
    outs = []
    for lib in (edutorch, torch):
        with pytest.warns(FutureWarning, match=r"`torch.nn.utils.weight_norm` is deprecated in favor of "
                                               r"`torch.nn.utils.parametrizations.weight_norm`."):
            m = lib.nn.utils.weight_norm(_linear(lib))
        assert list(m.state_dict()) == ["bias", "weight_g", "weight_v"]
        assert not isinstance(m.weight, lib.nn.Parameter)
        y = m(lib.tensor(X))
        (y ** 2).sum().backward()
        outs.append((y, m.weight_g, m.weight_g.grad, m.weight_v.grad))
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            lib.nn.utils.weight_norm(m)
        lib.nn.utils.remove_weight_norm(m)
        assert isinstance(m.weight, lib.nn.Parameter) and list(m.state_dict()) == ["bias", "weight"]
        np.testing.assert_allclose(m.weight.detach().numpy(), W, rtol=1e-6)
        with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
            lib.nn.utils.remove_weight_norm(m)
    for a, b in zip(*outs):
        assert_same(a, b)


def test_legacy_spectral_norm_matches_torch(torch):
    theirs = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 4))
    ours = edutorch.nn.utils.spectral_norm(edutorch.nn.Linear(3, 4))
    sd = theirs.state_dict()
    assert list(ours.state_dict()) == list(sd) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert ours.state_dict()._metadata == sd._metadata  # {'': {'version': 1, 'spectral_norm': {...}}}
    ours.load_state_dict(to_edutorch(sd, torch))
    for mode in ("train", "train", "eval"):
        getattr(ours, mode)(), getattr(theirs, mode)()
        assert_same(ours(edutorch.tensor(X)), theirs(torch.tensor(X)), rtol=1e-5, atol=1e-6)
        assert_same(ours.weight_u, theirs.weight_u, rtol=1e-5, atol=1e-6)
    for lib, m in ((edutorch, ours), (torch, theirs)):
        with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks on the same parameter weight"):
            lib.nn.utils.spectral_norm(m)
        lib.nn.utils.remove_spectral_norm(m)
        assert list(m.state_dict()) == ["bias", "weight"] and isinstance(m.weight, lib.nn.Parameter)
        assert "spectral_norm" not in m.state_dict()._metadata[""]
    assert_same(ours.weight, theirs.weight, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------- orthogonal
ORTHOGONAL_CASES = [((4, 4), None, True), ((4, 4), "cayley", True), ((4, 4), "householder", False),
                    ((5, 3), None, True), ((5, 3), "matrix_exp", True), ((5, 3), None, False),
                    ((3, 5), None, True), ((3, 5), "cayley", True), ((3, 5), "householder", False)]


@pytest.mark.parametrize("shape,orthogonal_map,use_trivialization", ORTHOGONAL_CASES)
def test_orthogonal_matches_torch(torch, shape, orthogonal_map, use_trivialization):
    """Same starting weight: the same orthogonal weight at registration (QR is unique up to signs, which
    both fix), the same state_dict keys; with torch's state_dict loaded (its random completion of a tall
    base), the same forward and gradients. The weight stays orthogonal through training."""
    torch.manual_seed(0)
    theirs = torch.nn.Linear(shape[1], shape[0])
    ours = edutorch.nn.Linear(shape[1], shape[0])
    ours.load_state_dict(to_edutorch(theirs.state_dict(), torch))
    for lib, m in ((edutorch, ours), (torch, theirs)):
        lib.nn.utils.parametrizations.orthogonal(m, orthogonal_map=orthogonal_map,
                                                 use_trivialization=use_trivialization)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ("parametrizations.weight.0.base" in ours.state_dict()) == use_trivialization
    assert_same(ours.weight, theirs.weight, rtol=1e-5, atol=1e-6)
    ours.load_state_dict(to_edutorch(theirs.state_dict(), torch))
    for lib, m in ((edutorch, ours), (torch, theirs)):
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            ((m(lib.tensor(np.linspace(-1, 1, 2 * shape[1], dtype=np.float32).reshape(2, -1))) - 1) ** 2
             ).sum().backward()
            opt.step()
    assert_same(ours.parametrizations.weight.original, theirs.parametrizations.weight.original, rtol=1e-4,
                atol=1e-5)
    assert_same(ours.weight, theirs.weight, rtol=1e-4, atol=1e-5)
    w = ours.weight.detach().numpy().astype(np.float64)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-5)


def test_orthogonal_gradcheck():
    for orthogonal_map in ("matrix_exp", "cayley", "householder"):
        m = edutorch.nn.utils.parametrizations.orthogonal(edutorch.nn.Linear(3, 4).double(),
                                                          orthogonal_map=orthogonal_map)
        plist = m.parametrizations.weight

        def f(x, plist=plist, m=m):
            plist.original = x
            return m.weight
        assert gradcheck(f, (edutorch.nn.Parameter(plist.original.detach().clone() + 0.1),))


def test_orthogonal_errors_match_torch(torch):
    for lib in (edutorch, torch):
        orthogonal = lib.nn.utils.parametrizations.orthogonal
        with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a tensor of 1 dimensions."):
            orthogonal(lib.nn.Linear(2, 2), "bias")
        with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                                             "Got: qr"):
            orthogonal(lib.nn.Linear(2, 2), orthogonal_map="qr")
        m = orthogonal(lib.nn.Linear(3, 3), orthogonal_map="cayley", use_trivialization=False)
        with pytest.raises(NotImplementedError, match="It is not possible to assign to the matrix exponential"):
            m.weight = lib.eye(3)


def test_transfer_parametrizations_and_params(torch):
    for lib in (edutorch, torch):
        P = lib.nn.utils.parametrize
        src = lib.nn.utils.parametrizations.weight_norm(_linear(lib))
        dst = lib.nn.Linear(3, 4)
        P.transfer_parametrizations_and_params(src, dst)
        assert type(dst).__name__ == "ParametrizedLinear"
        assert dst.parametrizations.weight.original0 is src.parametrizations.weight.original0
        assert dst.parametrizations.weight.original1 is src.parametrizations.weight.original1
        np.testing.assert_allclose(dst.weight.detach().numpy(), W, rtol=1e-6)
        fresh = lib.nn.Module()  # no weight yet: it is created from the source's value
        P.transfer_parametrizations_and_params(src, fresh, "weight")
        assert list(fresh.state_dict()) == ["parametrizations.weight.original0", "parametrizations.weight.original1"]
        np.testing.assert_allclose(fresh.weight.detach().numpy(), W, rtol=1e-6)


def _wrap(lib, kind):
    utils = lib.nn.utils
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return {"weight_norm": lambda m: utils.parametrizations.weight_norm(m),
                "spectral_norm": lambda m: utils.parametrizations.spectral_norm(m),
                "orthogonal": lambda m: utils.parametrizations.orthogonal(m),
                "legacy_weight_norm": lambda m: utils.weight_norm(m),
                "legacy_spectral_norm": lambda m: utils.spectral_norm(m)}[kind](lib.nn.Linear(3, 4))


@pytest.mark.parametrize("kind", ["weight_norm", "spectral_norm", "orthogonal", "legacy_weight_norm",
                                  "legacy_spectral_norm"])
def test_checkpoints_move_both_ways(torch, kind):
    """Our state_dict loads strictly into torch's module and back; both then compute the same outputs."""
    ours, theirs = _wrap(edutorch, kind).eval(), _wrap(torch, kind).eval()
    theirs.load_state_dict(to_torch(ours.state_dict(), torch))
    assert_same(ours(edutorch.tensor(X)), theirs(torch.tensor(X)), rtol=1e-5, atol=1e-6)
    ours2 = _wrap(edutorch, kind).eval()
    ours2.load_state_dict(to_edutorch(theirs.state_dict(), torch))
    assert_same(ours2(edutorch.tensor(X)), theirs(torch.tensor(X)), rtol=1e-5, atol=1e-6)
    assert list(ours2.state_dict()) == list(theirs.state_dict())
