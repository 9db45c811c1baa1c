"""nn.Module against PyTorch: registration, tree walks, modes, conversion, state_dict, hooks, repr.

The test models are written once, as a function of the library (``edutorch`` or ``torch``), and built
in both: the same code must give the same names, orders, reprs, hook calls and errors.
"""
from __future__ import annotations

import copy
import pickle
import types
import warnings

import numpy as np
import pytest

import edutorch
import edutorch.nn as enn
from tests.conftest import assert_same


def make_models(lib):
    """Small modules built only from ``nn.Parameter``, ``register_buffer`` and containers."""
    nn = lib.nn

    class Lin(nn.Module):
        def __init__(self, i, o, bias=True):
            super().__init__()
            self.i, self.o = i, o
            self.weight = nn.Parameter(lib.ones(o, i) * 0.1 * (lib.arange(o * i).reshape(o, i) % 5 - 2))
            if bias:
                self.bias = nn.Parameter(lib.arange(o).float() * 0.01)
            else:
                self.register_parameter("bias", None)

        def forward(self, x):
            y = x @ self.weight.t()
            return y + self.bias if self.bias is not None else y

        def extra_repr(self):
            return f"in_features={self.i}, out_features={self.o}, bias={self.bias is not None}"

    class Norm(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.scale = nn.Parameter(lib.ones(n))
            self.register_buffer("running_mean", lib.zeros(n))
            self.register_buffer("num_batches_tracked", lib.tensor(0))
            self.register_buffer("scratch", lib.zeros(n), persistent=False)

        def forward(self, x):
            return x * self.scale - self.running_mean

        def extra_repr(self):
            return f"{self.scale.shape[0]}"

    class Act(nn.Module):
        def forward(self, x):
            return x.relu()

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = Lin(3, 4)
            self.norm = Norm(4)
            self.act = Act()

        def forward(self, x):
            return self.act(self.norm(self.fc(x)))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.temperature = nn.Parameter(lib.tensor(1.5))
            self.block = Block()
            self.layers = nn.ModuleList([Lin(4, 4) for _ in range(2)])
            self.head = nn.Sequential(Lin(4, 2), Act())
            self.register_buffer("step", lib.tensor(0))

        def forward(self, x):
            x = self.block(x)
            for layer in self.layers:
                x = layer(x)
            return self.head(x) * self.temperature

    class Tied(nn.Module):
        """Two layers sharing one weight; the same module registered twice."""

        def __init__(self):
            super().__init__()
            self.a = Lin(3, 3)
            self.b = Lin(3, 3)
            self.b.weight = self.a.weight
            self.again = self.a

        def forward(self, x):
            return self.b(self.a(x))

    return types.SimpleNamespace(Lin=Lin, Norm=Norm, Act=Act, Block=Block, Net=Net, Tied=Tied)


@pytest.fixture
def both(torch):
    return make_models(edutorch), make_models(torch)


def names(pairs):
    return [name for name, _ in pairs]


def copy_weights(ours, theirs):
    """Make our module's parameters equal to torch's (keys are the same)."""
    ours.load_state_dict({k: edutorch.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()})


# ---------------------------------------------------------------------------- construction
def test_init_creates_pytorch_internal_dicts(torch):
    ours, theirs = enn.Module(), torch.nn.Module()
    assert set(vars(ours)) == set(vars(theirs))
    for key in vars(theirs):
        assert type(getattr(ours, key)) is type(getattr(theirs, key)), key
    assert ours.training is True


@pytest.mark.parametrize("what", ["parameter", "module", "buffer"])
def test_assign_before_super_init_raises(torch, what):
    def make(lib):
        class Early(lib.nn.Module):
            def __init__(self):
                if what == "parameter":
                    self.w = lib.nn.Parameter(lib.ones(2))
                elif what == "module":
                    self.m = lib.nn.Module()
                else:
                    self.register_buffer("b", lib.ones(2))
                super().__init__()
        return Early

    with pytest.raises(AttributeError) as theirs:
        make(torch)()
    with pytest.raises(AttributeError) as ours:
        make(edutorch)()
    assert str(ours.value) == str(theirs.value)
    assert "before Module.__init__() call" in str(ours.value)


def test_module_init_rejects_arguments(torch):
    with pytest.raises(TypeError) as theirs:
        torch.nn.Module(3)
    with pytest.raises(TypeError) as ours:
        enn.Module(3)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError) as theirs:
        torch.nn.Module(foo=3)
    with pytest.raises(TypeError) as ours:
        enn.Module(foo=3)
    assert str(ours.value) == str(theirs.value)


def test_forward_unimplemented(torch):
    with pytest.raises(NotImplementedError) as theirs:
        torch.nn.Module()(1)
    with pytest.raises(NotImplementedError) as ours:
        enn.Module()(1)
    assert str(ours.value) == str(theirs.value)


# ---------------------------------------------------------------------------- registration
def test_setattr_routes_into_registries(both):
    for lib, m in ((edutorch, both[0]), (None, both[1])):
        net = m.Net()
        assert "temperature" in net._parameters and "temperature" not in net.__dict__
        assert "block" in net._modules and "step" in net._buffers
    ours, theirs = both[0].Net(), both[1].Net()
    assert list(ours._parameters) == list(theirs._parameters)
    assert list(ours._modules) == list(theirs._modules)
    assert list(ours._buffers) == list(theirs._buffers)
    assert ours.block.norm._non_persistent_buffers_set == theirs.block.norm._non_persistent_buffers_set


def test_reassigning_kind_moves_between_registries(torch):
    for lib in (edutorch, torch):
        m = lib.nn.Module()
        m.x = lib.nn.Parameter(lib.ones(1))
        m.x = None  # stays a (None) parameter
        assert "x" in m._parameters and m.x is None
        m.y = lib.nn.Module()
        m.y = lib.nn.Parameter(lib.ones(1))  # a Parameter replaces the module
        assert "y" in m._parameters and "y" not in m._modules
        m.z = 3
        m.z = lib.nn.Module()  # a Module replaces the plain attribute
        assert "z" in m._modules and "z" not in m.__dict__
        m.register_buffer("b", lib.zeros(1), persistent=False)
        m.b = lib.ones(2)  # a tensor assigned to a buffer name stays a non-persistent buffer
        assert "b" in m._buffers and "b" in m._non_persistent_buffers_set
        m.c = lib.nn.Buffer(lib.ones(1), persistent=False)
        assert "c" in m._buffers and "c" in m._non_persistent_buffers_set


@pytest.mark.parametrize("case", ["tensor_to_param", "int_to_module", "str_to_buffer"])
def test_setattr_type_errors(torch, case):
    def run(lib):
        m = lib.nn.Module()
        m.p = lib.nn.Parameter(lib.ones(2))
        m.c = lib.nn.Module()
        m.register_buffer("b", lib.ones(2))
        if case == "tensor_to_param":
            m.p = lib.ones(2)
        elif case == "int_to_module":
            m.c = 3
        else:
            m.b = "text"

    with pytest.raises(TypeError) as theirs:
        run(torch)
    with pytest.raises(TypeError) as ours:
        run(edutorch)
    assert str(ours.value) == str(theirs.value)


def test_getattr_and_delattr(torch):
    for lib in (edutorch, torch):
        m = lib.nn.Module()
        m.w = lib.nn.Parameter(lib.ones(2))
        m.register_buffer("b", lib.ones(2), persistent=False)
        m.sub = lib.nn.Module()
        m.plain = 1
        del m.w, m.b, m.sub, m.plain
        assert not m._parameters and not m._buffers and not m._modules and "b" not in m._non_persistent_buffers_set
    with pytest.raises(AttributeError) as theirs:
        torch.nn.Module().nothing
    with pytest.raises(AttributeError) as ours:
        enn.Module().nothing
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("call", [
    ("register_parameter", "a.b", "param"), ("register_parameter", "", "param"),
    ("register_parameter", "training", "param"), ("register_parameter", 3, "param"),
    ("register_parameter", "w", "tensor"), ("register_parameter", "w", "nonleaf"),
    ("register_buffer", "a.b", "tensor"), ("register_buffer", "", "tensor"),
    ("register_buffer", "training", "tensor"), ("register_buffer", "w", "int"),
    ("add_module", "a.b", "module"), ("add_module", "", "module"), ("add_module", "training", "module"),
    ("add_module", "m", "int"), ("add_module", 3, "module"), ("register_module", "a.b", "module"),
])
def test_registration_errors(torch, call):
    method, name, value = call

    def run(lib):
        m = lib.nn.Module()
        v = {"param": lib.nn.Parameter(lib.ones(1)), "tensor": lib.ones(1), "int": 3,
             "module": lib.nn.Module(),
             "nonleaf": lib.nn.Parameter(lib.ones(1)) * 2}[value]
        if value == "nonleaf":
            v.__class__ = lib.nn.Parameter
        getattr(m, method)(name, v)

    try:
        run(torch)
    except Exception as e:  # noqa: BLE001 - compare whatever torch raises
        expected = e
    else:
        pytest.fail("torch did not raise")
    with pytest.raises(type(expected)) as ours:
        run(edutorch)
    assert str(ours.value) == str(expected)


def test_get_submodule_parameter_buffer(both, torch):
    ours, theirs = both[0].Net(), both[1].Net()
    assert ours.get_submodule("") is ours
    assert ours.get_submodule("block.fc") is ours.block.fc
    assert ours.get_submodule("layers.1") is ours.layers[1]
    assert ours.get_parameter("block.fc.weight") is ours.block.fc.weight
    assert ours.get_parameter("temperature") is ours.temperature
    assert ours.get_buffer("block.norm.running_mean") is ours.block.norm.running_mean
    for method, target in [("get_submodule", "block.nope"), ("get_submodule", "block.fc.weight"),
                           ("get_parameter", "block.fc.nope"), ("get_parameter", "block.norm.running_mean"),
                           ("get_buffer", "block.norm.scale"), ("get_buffer", "block.x")]:
        with pytest.raises(AttributeError) as e_theirs:
            getattr(theirs, method)(target)
        with pytest.raises(AttributeError) as e_ours:
            getattr(ours, method)(target)
        assert str(e_ours.value) == str(e_theirs.value), (method, target)


# ---------------------------------------------------------------------------- walking the tree
def test_named_parameters_buffers_modules_match_torch(both):
    ours, theirs = both[0].Net(), both[1].Net()
    assert names(ours.named_parameters()) == names(theirs.named_parameters())
    assert names(ours.named_parameters(prefix="model")) == names(theirs.named_parameters(prefix="model"))
    assert names(ours.named_parameters(recurse=False)) == names(theirs.named_parameters(recurse=False))
    assert names(ours.named_buffers()) == names(theirs.named_buffers())
    assert names(ours.block.named_buffers(recurse=False)) == names(theirs.block.named_buffers(recurse=False))
    assert names(ours.named_modules()) == names(theirs.named_modules())
    assert names(ours.named_modules(prefix="m")) == names(theirs.named_modules(prefix="m"))
    assert names(ours.named_children()) == names(theirs.named_children())
    assert [type(m).__name__ for m in ours.modules()] == [type(m).__name__ for m in theirs.modules()]
    assert [type(m).__name__ for m in ours.children()] == [type(m).__name__ for m in theirs.children()]
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert len(list(ours.parameters(recurse=False))) == 1
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert isinstance(p, enn.Parameter) and p.shape == q.shape


def test_shared_parameters_and_modules_are_listed_once(both):
    ours, theirs = both[0].Tied(), both[1].Tied()
    for kwargs in ({}, {"remove_duplicate": False}):
        assert names(ours.named_parameters(**kwargs)) == names(theirs.named_parameters(**kwargs))
        assert names(ours.named_modules(**kwargs)) == names(theirs.named_modules(**kwargs))
    assert names(ours.named_children()) == names(theirs.named_children())
    assert len(list(ours.modules(remove_duplicate=False))) == len(list(theirs.modules(remove_duplicate=False)))
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_apply_visits_children_first(both):
    seen = {}
    for key, m in zip(("ours", "theirs"), both):
        order = []
        net = m.Net()
        assert net.apply(lambda mod: order.append(type(mod).__name__)) is net
        seen[key] = order
    assert seen["ours"] == seen["theirs"]


def test_dir_lists_registered_names(both):
    ours, theirs = both[0].Net(), both[1].Net()
    d = dir(ours)
    for name in ("temperature", "block", "step", "forward", "training", "_parameters"):
        assert name in d
    assert d == sorted(d)
    assert {"temperature", "block", "step"} <= set(dir(theirs))
    assert not any(key[0].isdigit() for key in dir(ours.layers))


# ---------------------------------------------------------------------------- modes and grads
def test_train_eval_propagate_and_return_self(both, torch):
    for m in both:
        net = m.Net()
        assert net.eval() is net
        assert all(not mod.training for mod in net.modules())
        assert net.train() is net and all(mod.training for mod in net.modules())
        assert net.train(False) is net and not net.head[1].training
        net.block.train()
        assert net.block.norm.training and not net.training
    with pytest.raises(ValueError) as theirs:
        torch.nn.Module().train("yes")
    with pytest.raises(ValueError) as ours:
        enn.Module().train("yes")
    assert str(ours.value) == str(theirs.value)


def test_requires_grad_and_zero_grad(both):
    ours, theirs = both[0].Net(), both[1].Net()
    x_ours, x_theirs = edutorch.ones(2, 3), __import__("torch").ones(2, 3)
    for net, x in ((ours, x_ours), (theirs, x_theirs)):
        assert net.requires_grad_(False) is net
        assert not any(p.requires_grad for p in net.parameters())
        net.requires_grad_()
        net(x).sum().backward()
        assert all(p.grad is not None for p in net.parameters())
        net.zero_grad(set_to_none=False)
        assert all(p.grad is not None and float(p.grad.abs().sum()) == 0 for p in net.parameters())
        net.zero_grad()
        assert all(p.grad is None for p in net.parameters())


def test_forward_and_gradients_match_torch(both, torch):
    ours, theirs = both[0].Net(), both[1].Net()
    copy_weights(ours, theirs)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    xo, xt = edutorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    assert_same(yo, yt)
    yo.sum().backward()
    yt.sum().backward()
    assert_same(xo.grad, xt.grad)
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_same(p.grad, q.grad)


# ---------------------------------------------------------------------------- conversion
@pytest.mark.parametrize("convert", ["double", "half", "float", "to_double", "to_tensor", "type_double"])
def test_conversion_matches_torch_and_keeps_parameter_objects(both, torch, convert):
    def run(net, lib):
        {"double": lambda: net.double(), "half": lambda: net.half(), "float": lambda: net.double().float(),
         "to_double": lambda: net.to(lib.float64), "to_tensor": lambda: net.to(lib.zeros(1, dtype=lib.float64)),
         "type_double": lambda: net.type(lib.float64)}[convert]()

    ours, theirs = both[0].Net(), both[1].Net()
    ours(edutorch.ones(2, 3)).sum().backward()
    before = list(ours.parameters())
    grads_before = [p.grad for p in before]
    run(ours, edutorch)
    run(theirs, torch)
    assert list(ours.parameters()) == before and all(a is b for a, b in zip(ours.parameters(), before))
    assert all(p.grad is g for p, g in zip(ours.parameters(), grads_before))  # same grad objects, converted
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert repr(p.dtype) == repr(q.dtype), n
        assert repr(p.grad.dtype) == repr(q.dtype), n
    for (n, b), (_, c) in zip(ours.named_buffers(), theirs.named_buffers()):
        assert repr(b.dtype) == repr(c.dtype), n


def test_to_rejects_integer_dtype_and_accepts_cpu(both, torch):
    ours, theirs = both[0].Net(), both[1].Net()
    with pytest.raises(TypeError) as e_theirs:
        theirs.to(torch.int64)
    with pytest.raises(TypeError) as e_ours:
        ours.to(edutorch.int64)
    assert str(e_ours.value) == str(e_theirs.value)
    assert ours.to("cpu") is ours and ours.cpu() is ours and ours.to(device="cpu", dtype=edutorch.float32) is ours
    assert ours.block.fc.weight.dtype is edutorch.float32


def test_double_module_passes_gradcheck(both):
    net = both[0].Block().double()
    x = edutorch.randn(4, 3, dtype=edutorch.float64, requires_grad=True)
    assert edutorch.autograd.gradcheck(lambda x: net(x), (x,))


# ---------------------------------------------------------------------------- state_dict
def test_state_dict_keys_order_and_detached(both):
    ours, theirs = both[0].Net(), both[1].Net()
    sd, sd_t = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(sd_t)
    assert type(sd).__name__ == type(sd_t).__name__ == "OrderedDict"
    assert list(sd._metadata) == list(sd_t._metadata)
    assert sd._metadata[""] == sd_t._metadata[""] == {"version": 1}
    assert "block.norm.scratch" not in sd  # non-persistent buffer
    w = sd["block.fc.weight"]
    assert not w.requires_grad and not isinstance(w, enn.Parameter)
    assert np.shares_memory(w.numpy(), ours.block.fc.weight.detach().numpy())
    kept = ours.state_dict(keep_vars=True)
    assert kept["block.fc.weight"] is ours.block.fc.weight
    assert list(ours.state_dict(prefix="net.")) == list(theirs.state_dict(prefix="net."))
    dest = {}
    assert ours.state_dict(destination=dest) is dest and list(dest) == list(sd_t)


def test_load_state_dict_roundtrip_copies_in_place(both):
    src, dst = both[0].Net(), both[0].Net()
    for p in src.parameters():
        p.data = p.data + 1.0
    params_before = list(dst.parameters())
    result = dst.load_state_dict(src.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert all(a is b for a, b in zip(dst.parameters(), params_before))
    for (n, a), (_, b) in zip(dst.state_dict().items(), src.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_load_state_dict_non_strict_result_matches_torch(both, torch):
    ours, theirs = both[0].Net(), both[1].Net()
    sd_o, sd_t = ours.state_dict(), theirs.state_dict()
    for sd in (sd_o, sd_t):
        del sd["block.fc.bias"], sd["step"]
    sd_o["extra.weight"], sd_t["extra.weight"] = edutorch.ones(1), torch.ones(1)
    sd_o["block.unknown"], sd_t["block.unknown"] = edutorch.ones(1), torch.ones(1)
    r_o, r_t = ours.load_state_dict(sd_o, strict=False), theirs.load_state_dict(sd_t, strict=False)
    # strict=False still reports the keys; it only does not raise.
    assert r_o.missing_keys == r_t.missing_keys == ["step", "block.fc.bias"]
    assert r_o.unexpected_keys == r_t.unexpected_keys
    assert "extra.weight" in r_o.unexpected_keys and "block.unknown" in r_o.unexpected_keys
    assert repr(r_o) == repr(r_t) and str(r_o) == str(r_t)
    assert r_o == r_t  # a namedtuple: compares as (missing_keys, unexpected_keys)


@pytest.mark.parametrize("case", ["missing", "unexpected", "size", "all"])
def test_load_state_dict_strict_error_matches_torch(both, torch, case):
    def run(lib, m):
        net = m.Net()
        sd = net.state_dict()
        if case in ("missing", "all"):
            del sd["block.fc.bias"], sd["head.0.weight"]
        if case in ("unexpected", "all"):
            sd["extra.weight"] = lib.ones(1)
            sd["block.fc.nope"] = lib.ones(1)
        if case in ("size", "all"):
            sd["block.fc.weight"] = lib.ones(5, 3)
        net.load_state_dict(sd)

    with pytest.raises(RuntimeError) as e_theirs:
        run(torch, both[1])
    with pytest.raises(RuntimeError) as e_ours:
        run(edutorch, both[0])
    assert str(e_ours.value) == str(e_theirs.value)
    assert str(e_ours.value).startswith("Error(s) in loading state_dict for Net:\n\t")


def test_load_state_dict_assign_and_type_errors(both, torch):
    net = both[0].Net()
    new = {k: v.clone() + 1 for k, v in net.state_dict().items()}
    w = new["block.fc.weight"]
    net.load_state_dict(new, assign=True)
    assert isinstance(net.block.fc.weight, enn.Parameter) and net.block.fc.weight.requires_grad
    np.testing.assert_array_equal(net.block.fc.weight.detach().numpy(), w.numpy())
    assert net.step is new["step"]  # buffers are taken as they are
    with pytest.raises(TypeError) as e_theirs:
        both[1].Net().load_state_dict([1, 2])
    with pytest.raises(TypeError) as e_ours:
        both[0].Net().load_state_dict([1, 2])
    assert type(e_ours.value) is type(e_theirs.value)
    assert "Expected state_dict to be dict-like" in str(e_ours.value)


def test_load_state_dict_accepts_torch_numbers_through_numpy(both, torch):
    ours, theirs = both[0].Net(), both[1].Net()
    copy_weights(ours, theirs)
    for (k, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_state_dict_and_load_hooks(both):
    net = both[0].Block()
    calls = []
    h1 = net.register_state_dict_pre_hook(lambda m, prefix, keep_vars: calls.append(("pre", prefix)))
    h2 = net.register_state_dict_post_hook(lambda m, sd, prefix, meta: calls.append(("post", len(sd))))
    net.state_dict()
    assert calls == [("pre", ""), ("post", 5)]
    h1.remove(), h2.remove()
    net.register_load_state_dict_pre_hook(lambda m, sd, prefix, *rest: calls.append(("load_pre", prefix)))
    net.register_load_state_dict_post_hook(lambda m, keys: keys.unexpected_keys.clear())
    sd = net.state_dict()
    sd["bogus"] = edutorch.ones(1)
    assert repr(net.load_state_dict(sd)) == "<All keys matched successfully>"  # the hook cleared it
    assert calls[-1] == ("load_pre", "")


def test_extra_state_is_saved_and_loaded(torch):
    def make(lib):
        class WithExtra(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = lib.nn.Parameter(lib.ones(1))
                self.note = "a"

            def get_extra_state(self):
                return {"note": self.note}

            def set_extra_state(self, state):
                self.note = state["note"]
        return WithExtra

    ours, theirs = make(edutorch)(), make(torch)()
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["w", "_extra_state"]
    other = make(edutorch)()
    other.note = "b"
    ours.load_state_dict(other.state_dict())
    assert ours.note == "b"


def test_deepcopy_and_pickle(both):
    net = both[0].Net()
    clone = copy.deepcopy(net)
    assert names(clone.named_parameters()) == names(net.named_parameters())
    assert all(a is not b for a, b in zip(clone.parameters(), net.parameters()))
    clone.block.fc.weight.data.fill_(3.0)
    assert float(net.block.fc.weight.detach().sum()) != float(clone.block.fc.weight.detach().sum())
    tied = copy.deepcopy(both[0].Tied())
    assert tied.a.weight is tied.b.weight and tied.again is tied.a  # sharing survives the copy
    m = enn.Module()
    m.w = enn.Parameter(edutorch.ones(2))
    back = pickle.loads(pickle.dumps(m))
    assert isinstance(back.w, enn.Parameter) and list(back.state_dict()) == ["w"]


# ---------------------------------------------------------------------------- forward hooks
def _record_forward_hooks(lib, m, log):
    """Register the same set of forward (pre-)hooks; return the model and the input."""
    net = m.Block()
    net.register_forward_pre_hook(lambda mod, args: log.append(("pre", type(mod).__name__, len(args))))
    net.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))  # replaces the input
    net.register_forward_pre_hook(lambda mod, args, kwargs: log.append(("pre_kw", sorted(kwargs))),
                                  with_kwargs=True)
    net.register_forward_pre_hook(lambda mod, args: log.append(("first",)), prepend=True)
    net.register_forward_hook(lambda mod, args, out: log.append(("fwd", tuple(out.shape))))
    net.register_forward_hook(lambda mod, args, out: out + 1)  # replaces the output
    net.register_forward_hook(lambda mod, args, kwargs, out: log.append(("fwd_kw", float(out.detach().sum()))),
                              with_kwargs=True)
    net.fc.register_forward_hook(lambda mod, args, out: log.append(("fc", float(args[0].sum()))))
    net.norm.register_forward_pre_hook(lambda mod, args: log.append(("norm_pre",)))
    return net


def test_forward_hooks_order_arguments_and_replacement(both, torch):
    log_o, log_t = [], []
    ours = _record_forward_hooks(edutorch, both[0], log_o)
    theirs = _record_forward_hooks(torch, both[1], log_t)
    copy_weights(ours, theirs)
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 10
    yo, yt = ours(edutorch.tensor(x)), theirs(torch.tensor(x))
    assert_same(yo, yt)
    assert len(log_o) == len(log_t)
    for a, b in zip(log_o, log_t):
        assert a[:-1] == b[:-1] and (a[-1] == pytest.approx(b[-1]) if isinstance(a[-1], float) else a == b)
    assert log_o[0] == ("first",)


def test_forward_pre_hook_with_kwargs_replaces_args_and_kwargs(torch):
    def make(lib):
        class Scale(lib.nn.Module):
            def forward(self, x, *, factor=1.0):
                return x * factor
        m = Scale()
        m.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0] + 1,), {"factor": 10.0}),
                                    with_kwargs=True)
        return m

    assert_same(make(edutorch)(edutorch.ones(2), factor=2.0), make(torch)(torch.ones(2), factor=2.0))
    bad_o, bad_t = make(edutorch), make(torch)
    for m in (bad_o, bad_t):
        m._forward_pre_hooks.clear()
        m._forward_pre_hooks_with_kwargs.clear()
    bad_t.register_forward_pre_hook(lambda mod, a, k: 3, with_kwargs=True)
    bad_o.register_forward_pre_hook(lambda mod, a, k: 3, with_kwargs=True)
    with pytest.raises(RuntimeError) as e_t:
        bad_t(torch.ones(1))
    with pytest.raises(RuntimeError) as e_o:
        bad_o(edutorch.ones(1))
    assert str(e_o.value) == str(e_t.value)


def test_forward_hook_always_call_runs_on_error(torch):
    def run(lib):
        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")
        calls = []
        m = Boom()
        m.register_forward_hook(lambda mod, args, out: calls.append(("always", out)), always_call=True)
        m.register_forward_hook(lambda mod, args, out: calls.append(("normal", out)))
        with pytest.raises(ValueError, match="boom"):
            m(lib.ones(1))
        return calls

    assert run(edutorch) == run(torch) == [("always", None)]


def test_hook_handles_remove_hooks_and_flags(both):
    net = both[0].Act()
    calls = []
    h1 = net.register_forward_pre_hook(lambda m, a, k: calls.append(1), with_kwargs=True)
    h2 = net.register_forward_hook(lambda m, a, k, o: calls.append(2), with_kwargs=True, always_call=True)
    net(edutorch.ones(1))
    assert calls == [1, 2]
    h1.remove()
    with h2:
        pass  # leaving the with-block removes it too
    net(edutorch.ones(1))
    assert calls == [1, 2]
    assert not net._forward_pre_hooks and not net._forward_hooks
    assert not net._forward_pre_hooks_with_kwargs and not net._forward_hooks_with_kwargs
    assert not net._forward_hooks_always_called
    assert type(h1).__module__ == "edutorch.utils.hooks"


# ---------------------------------------------------------------------------- backward hooks
def _register_backward_hooks(net, log, to_numpy):
    def describe(grads):
        return tuple(None if g is None else to_numpy(g) for g in grads)

    for name in ("fc", "norm", "act"):
        sub = getattr(net, name)
        sub.register_full_backward_pre_hook(
            lambda m, go, name=name: log.append(("pre", name, describe(go))))
        sub.register_full_backward_hook(
            lambda m, gi, go, name=name: log.append(("bw", name, describe(gi), describe(go))))
    net.register_full_backward_hook(lambda m, gi, go: log.append(("bw", "block", describe(gi), describe(go))))


def _compare_logs(log_o, log_t):
    assert [entry[:2] for entry in log_o] == [entry[:2] for entry in log_t]
    for a, b in zip(log_o, log_t):
        for ga, gb in zip(a[2:], b[2:]):
            assert len(ga) == len(gb)
            for x, y in zip(ga, gb):
                assert (x is None) == (y is None)
                if x is not None:
                    np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)


def test_full_backward_hooks_order_and_gradients(both, torch):
    ours, theirs = both[0].Block(), both[1].Block()
    copy_weights(ours, theirs)
    log_o, log_t = [], []
    _register_backward_hooks(ours, log_o, lambda g: g.numpy().copy())
    _register_backward_hooks(theirs, log_t, lambda g: g.detach().numpy().copy())
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    xo, xt = edutorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    assert yo.grad_fn.name() == yt.grad_fn.name() == "BackwardHookFunctionBackward"
    g = np.random.default_rng(2).standard_normal((4, 4)).astype(np.float32)
    yo.backward(edutorch.tensor(g))
    yt.backward(torch.tensor(g))
    _compare_logs(log_o, log_t)
    assert_same(xo.grad, xt.grad)
    assert [e[:2] for e in log_o][:3] == [("pre", "act"), ("bw", "act"), ("pre", "norm")]


def test_backward_hooks_can_replace_gradients(both, torch):
    def setup(lib, m):
        net = m.Block()
        net.act.register_full_backward_pre_hook(lambda mod, go: (go[0] * 3,))
        net.fc.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0 + 1,))
        return net

    ours, theirs = setup(edutorch, both[0]), setup(torch, both[1])
    copy_weights(ours, theirs)
    x = np.random.default_rng(3).standard_normal((2, 3)).astype(np.float32)
    xo, xt = edutorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours(xo).sum().backward()
    theirs(xt).sum().backward()
    assert_same(xo.grad, xt.grad)  # all ones, from the fc hook
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_same(p.grad, q.grad)  # tripled by the act pre-hook


def test_backward_hook_when_no_input_requires_grad(both, torch):
    logs = []
    for lib, m in ((edutorch, both[0]), (torch, both[1])):
        net = m.Lin(3, 2)
        log = []
        net.register_full_backward_hook(lambda mod, gi, go: log.append((gi, tuple(go[0].shape))))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            net(lib.ones(4, 3)).sum().backward()
        assert any("no inputs require gradients" in str(w.message) for w in caught)
        logs.append(log)
    assert logs[0] == logs[1] == [((None,), (4, 2))]


def test_backward_hooks_with_non_tensor_arguments_and_tuple_outputs(torch):
    def make(lib):
        class Split(lib.nn.Module):
            def forward(self, x, scale, y, z):
                return x * scale, y * 2, z * 5  # the last output is unused: its grad_output is None

        log = []
        m = Split()
        m.register_full_backward_hook(lambda mod, gi, go: log.append(
            (tuple(None if g is None else tuple(g.shape) for g in gi),
             tuple(None if g is None else tuple(g.shape) for g in go))))
        return m, log

    results = []
    for lib in (edutorch, torch):
        m, log = make(lib)
        x = lib.ones(2, requires_grad=True)
        y, z = lib.ones(3), lib.ones(4, requires_grad=True)
        a, b, c = m(x, 3.0, y, z)
        a.sum().backward()
        results.append(log)
    assert results[0] == results[1]
    # grad_input: zeros for tensor inputs that got no gradient; grad_output: None for unused outputs
    assert results[0] == [(((2,), None, (3,), (4,)), ((2,), None, None))]


def test_backward_hook_wrong_number_of_gradients(both, torch):
    msgs = []
    for lib, m in ((edutorch, both[0]), (torch, both[1])):
        net = m.Act()
        net.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError) as e:
            net(x).sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


# ---------------------------------------------------------------------------- repr
def test_repr_matches_torch(both):
    ours, theirs = both[0].Net(), both[1].Net()
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)
    assert repr(both[0].Act()) == repr(both[1].Act()) == "Act()"
    assert repr(both[0].Tied()) == repr(both[1].Tied())


def test_repr_multiline_extra_repr_and_children(torch):
    def make(lib):
        class Fancy(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = lib.nn.Sequential(lib.nn.Module(), lib.nn.ModuleList())

            def extra_repr(self):
                return "line one,\nline two"
        return Fancy()

    assert repr(make(edutorch)) == repr(make(torch))
    single = enn.Module()
    single.extra_repr = lambda: "just one"
    assert repr(single) == "Module(just one)"
