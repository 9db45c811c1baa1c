#!/usr/bin/env python
"""Build lessons 06 (modules) and 09 (losses) from the cells written below, execute them, and check
them against PyTorch.

    python lessons/_build/build_06_09.py                 # write and execute both notebooks
    python lessons/_build/build_06_09.py 09_losses       # only the lessons named
    python lessons/_build/build_06_09.py --torch         # also run a copy on real PyTorch and compare
    python lessons/_build/build_06_09.py --torch-only    # only the PyTorch comparison (notebooks as stored)
    python lessons/_build/build_06_09.py --no-execute    # write the notebooks without outputs

The machinery (``md``, ``code``, ``setup``, building, executing, the PyTorch cross-run) lives in
``_common.py``; see its docstring for the rules every cell follows.
"""
from __future__ import annotations

import sys

from _common import IGNORE, code, main, md, setup  # the shared machinery: lessons/_build/_common.py

# ===================================================================================== 06 modules
L06 = [
    md(r"""
    # 06 · Modules: `nn.Module` and its containers

    A **module** (模块) is an object that holds **parameters** (参数, the tensors a model learns) and
    says in `forward` how to compute its output from its input. Layers, blocks and whole models are
    all modules, nested inside each other like folders.

    **Goals.** After this lesson you can

    - say where a module keeps its parameters, buffers and sub-modules (three dictionaries) and how
      they get there (registration, 注册);
    - build the same model three ways: a subclass with `forward`, `nn.Sequential`, and
      `nn.Sequential` with an `OrderedDict`;
    - use the containers `Sequential`, `ModuleList`, `ModuleDict`, `ParameterList`, `ParameterDict`,
      and explain why a plain Python list of layers is a bug;
    - read a printed model, list its `named_parameters`, count them, save and load a `state_dict`;
    - switch between `train()` and `eval()`;
    - follow the four stages of `model(x)` with hooks (钩子), and remove them again.
    """),
    setup("from collections import OrderedDict", nn=True),
    md(r"""
    ## 1. A module is three dictionaries

    Here is the smallest useful module: it multiplies its input by a learnable vector `w`. It also
    counts how often it was called, in a **buffer** (缓冲区): a tensor that belongs to the module's
    state but is not learned. Its `name` is an ordinary Python attribute.
    """),
    code(r"""
    class Scale(nn.Module):
        def __init__(self, w):
            super().__init__()                 # creates the dictionaries: always call it first
            self.w = nn.Parameter(torch.tensor(w))
            self.register_buffer("calls", torch.tensor(0))
            self.name = "scale"                # a plain attribute

        def forward(self, x):
            self.calls += 1
            return x * self.w

    scale = Scale([2.0, -1.0])
    print(scale(torch.tensor([1.0, 3.0])))
    print(scale.calls)
    """),
    md(r"""
    `nn.Parameter` is a tensor with `requires_grad=True` that says "I belong to a module". Assigning
    one to `self.w` does not store it in the object's `__dict__` like other attributes: `nn.Module`
    overrides `__setattr__` and files it under `_parameters`. Buffers go to `_buffers`, sub-modules
    to `_modules`.
    """),
    code(r"""
    print("_parameters:", scale._parameters)
    print("_buffers:   ", scale._buffers)
    print("_modules:   ", scale._modules)
    print("in __dict__:", "w" in scale.__dict__, "calls" in scale.__dict__, "name" in scale.__dict__)
    """),
    md(r"""
    Reading `scale.w` still works: Python calls `__getattr__` when the normal lookup fails, and
    `nn.Module.__getattr__` searches the three dictionaries. A module inside a module lands in
    `_modules`, under the attribute's name:
    """),
    code(r"""
    class TwoScales(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = Scale([2.0, -1.0])
            self.second = Scale([0.5, 0.5])
            self.register_buffer("offset", torch.tensor([1.0, 1.0]))

        def forward(self, x):
            return self.second(self.first(x)) + self.offset

    two = TwoScales()
    print(list(two._modules))
    print(list(two._parameters), list(two._buffers))
    print(two(torch.tensor([1.0, 3.0])))
    """),
    md(r"""
    The dictionaries only exist after `super().__init__()`. Assigning a parameter before it is a
    classic mistake, and the error says so:
    """),
    code(r"""
    class Forgetful(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(torch.zeros(2))   # too early!
            super().__init__()

    try:
        Forgetful()
    except AttributeError as e:
        print("AttributeError:", e)
    """),
    md(r"""
    ### Look inside: registration

    *edutorch-only cell*: `__setattr__` looks at the type of the value and files it in the right
    dictionary (and removes the name from the others, so a name is never in two places).
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        show_source(nn.Module.__setattr__)
    """),
    md(r"""
    ## 2. One model, three ways

    A small classifier (分类器): 4 input features → 8 hidden units → ReLU → 3 class scores.

    **Way 1: subclass `nn.Module`.** Create the layers in `__init__`, say how they connect in
    `forward`. This is the most flexible way: `forward` is ordinary Python, with loops, `if`s and
    several inputs or outputs.
    """),
    code(r"""
    class MLP(nn.Module):
        def __init__(self, n_in=4, n_hidden=8, n_out=3):
            super().__init__()
            self.fc1 = nn.Linear(n_in, n_hidden)
            self.act = nn.ReLU()
            self.fc2 = nn.Linear(n_hidden, n_out)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    torch.manual_seed(0)
    model1 = MLP()
    model1
    """),
    md(r"""
    **Way 2: `nn.Sequential`** with positional arguments: each module's output is the next one's
    input. The children are named `0`, `1`, `2`.
    """),
    code(r"""
    model2 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    model2
    """),
    md(r"""
    **Way 3: `nn.Sequential` with an `OrderedDict`**, to choose the names yourself:
    """),
    code(r"""
    model3 = nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(4, 8)),
        ("act", nn.ReLU()),
        ("fc2", nn.Linear(8, 3)),
    ]))
    model3
    """),
    md(r"""
    The three models have the same shapes of parameters, but each was initialised with its own
    random numbers. The names of the parameters (the keys of the `state_dict`, section 5) come from
    the names of the children: ReLU has no parameters, so `model2` jumps from `0.` to `2.`.
    """),
    code(r"""
    for m in (model1, model2, model3):
        print([name for name, p in m.named_parameters()])
    """),
    md(r"""
    `model3` uses the same names as `model1`, so it can load `model1`'s parameters directly.
    `model2` has other names; we give it `model1`'s values under its own names. Then all three
    compute exactly the same function:
    """),
    code(r"""
    model3.load_state_dict(model1.state_dict())
    model2.load_state_dict(dict(zip(model2.state_dict(), model1.state_dict().values())))

    x = torch.randn(5, 4)
    print(model1(x).shape)
    print(torch.equal(model1(x), model2(x)), torch.equal(model1(x), model3(x)))
    """),
    md(r"""
    ## 3. Printing a model

    `print(model)` shows the tree of sub-modules: each line is `(name): repr of the child`, nested
    children are indented, and each layer shows its settings (its `extra_repr`). Our `Scale` prints
    as `Scale()` because it does not define `extra_repr`.
    """),
    code(r"""
    class Block(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.linear = nn.Linear(n, n)
            self.norm = nn.LayerNorm(n)
            self.scale = Scale([1.0] * n)

        def forward(self, x):
            return self.scale(self.norm(torch.relu(self.linear(x))))

    net = nn.Sequential(OrderedDict([
        ("embed", nn.Linear(4, 2)),
        ("blocks", nn.ModuleList([Block(2) for _ in range(3)])),
        ("head", nn.Linear(2, 1)),
    ]))
    print(net)
    """),
    md(r"""
    A `ModuleList` prints runs of identical children once: `(0-2): 3 x Block(...)`.
    """),
    md(r"""
    `print(model)` shows the structure, not the sizes. *edutorch-only*: `edutorch.notebook.summary`
    runs the model once on zeros and tabulates every layer's output shape, parameter count and
    multiply-adds, like the `torchinfo` package does for PyTorch (`pip install torchinfo`, then
    `torchinfo.summary(model, input_size=...)`).
    """),
    code(rf"""
    {IGNORE}
    # edutorch-only table
    if EDUTORCH:
        from edutorch.notebook import summary
        print(summary(model1, input_size=(5, 4)))
    """),
    md(r"""
    Check the table's total by hand: a `Linear(n_in, n_out)` has `n_in * n_out` weights and `n_out`
    biases.
    """),
    code(r"""
    print(sum(p.numel() for p in model1.parameters()), (4 * 8 + 8) + (8 * 3 + 3))
    """),
    md(r"""
    ## 4. Containers

    ### `nn.Sequential`

    A `Sequential` can be indexed like a list. A negative index counts from the end, a slice gives a
    new `Sequential` (sharing the same layers), and `len` and iteration work as for a list.
    """),
    code(r"""
    seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))
    print(seq[0])
    print(seq[-1])
    print(seq[1:3])
    print(len(seq), [type(m).__name__ for m in seq])
    print(seq[2] is seq[1:3][1])       # a slice shares the layers
    """),
    md(r"""
    It can be edited: `append` adds at the end, `insert` at a position, `del` removes, and the
    children are renumbered so that the names stay `0, 1, 2, ...`.
    """),
    code(r"""
    seq.append(nn.Softmax(dim=1))
    seq.insert(1, nn.Dropout(0.1))
    del seq[3:5]                       # remove the 2nd Linear and its ReLU
    seq
    """),
    md(r"""
    ### `nn.ModuleList`: why not a Python list?

    When `forward` is more than a chain (a loop, a skip connection), keep the layers in a
    `ModuleList`. A plain Python list looks the same but **registers nothing**: the layers' parameters
    are invisible to `parameters()`, so an optimizer would never update them, `state_dict()` would not
    save them and `.to()`, `train()` and `eval()` would not reach them.
    """),
    code(r"""
    class WithList(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(4, 4) for _ in range(3)]                 # a Python list: a bug

    class WithModuleList(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])  # registered

    for m in (WithList(), WithModuleList()):
        print(type(m).__name__, "parameters:", len(list(m.parameters())),
              "state_dict keys:", len(m.state_dict()))
    """),
    md(r"""
    A `ModuleList` has the list operations `append`, `extend`, `insert`, indexing and slicing, but
    no `forward`: you write the loop yourself. Here is a residual stack, $x \leftarrow x + f_i(x)$:
    """),
    code(r"""
    class Residual(nn.Module):
        def __init__(self, n, depth):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(n, n) for _ in range(depth)])

        def forward(self, x):
            for layer in self.layers:
                x = x + torch.relu(layer(x))
            return x

    res = Residual(4, depth=2)
    res.layers.append(nn.Linear(4, 4))
    print(len(res.layers), res(torch.randn(3, 4)).shape)
    print([name for name, p in res.named_parameters()])
    """),
    md(r"""
    ### `nn.ModuleDict`, `nn.ParameterList`, `nn.ParameterDict`

    A `ModuleDict` is a registered dictionary of modules, handy to choose a part by name. The
    parameter containers do the same for single `Parameter`s.
    """),
    code(r"""
    acts = nn.ModuleDict({"relu": nn.ReLU(), "tanh": nn.Tanh()})
    acts["sigmoid"] = nn.Sigmoid()
    z = torch.tensor([-1.0, 0.0, 2.0])
    for name, act in acts.items():
        print(f"{name:8s}", act(z))
    print(list(acts.keys()))
    """),
    code(r"""
    class PerClassBias(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = nn.ParameterList([nn.Parameter(torch.ones(2)) for _ in range(2)])
            self.bias = nn.ParameterDict({"cat": nn.Parameter(torch.zeros(2)),
                                         "dog": nn.Parameter(torch.ones(2))})

    pcb = PerClassBias()
    print([name for name, p in pcb.named_parameters()])
    """),
    md(r"""
    ## 5. Parameters, `state_dict` and counting

    `named_parameters()` walks the tree and yields `(dotted.name, parameter)`. Counting the numbers a
    model learns is one line. For `Linear(n_in, n_out)`: a weight of shape `(n_out, n_in)` plus a
    bias of `n_out`.
    """),
    code(r"""
    for name, p in model1.named_parameters():
        print(f"{name:12s} {str(tuple(p.shape)):8s} {p.numel():4d}")
    n_params = sum(p.numel() for p in model1.parameters())
    print("total", n_params, "=", 4 * 8 + 8 + 8 * 3 + 3)
    """),
    md(r"""
    A picture of where the numbers are, per layer of `net` from section 3:
    """),
    code(r"""
    counts = {name: sum(p.numel() for p in m.parameters(recurse=False))
              for name, m in net.named_modules() if list(m.parameters(recurse=False))}
    print(counts)

    fig, ax = plt.subplots(figsize=(5, 2.6))
    ax.barh(list(counts), list(counts.values()))
    ax.invert_yaxis()
    ax.set_xlabel("number of parameters")
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    The **`state_dict`** (状态字典) is an ordered dictionary from names to tensors: every parameter
    **and every persistent buffer**, detached from autograd. It is what you save and load. A
    `BatchNorm1d` layer shows the difference: it learns `weight` and `bias`, and keeps running
    statistics as buffers.
    """),
    code(r"""
    bn_model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    print("parameters:", [name for name, p in bn_model.named_parameters()])
    print("buffers:   ", [name for name, b in bn_model.named_buffers()])
    print("state_dict:", list(bn_model.state_dict()))
    """),
    md(r"""
    `load_state_dict` copies the values into the model's own tensors. It checks names and shapes,
    and it reports what did not match; `strict=False` lists the problems instead of raising.
    """),
    code(r"""
    state = model3.state_dict()
    print(model1.load_state_dict(state))

    partial = {k: v for k, v in state.items() if k != "fc2.bias"}
    partial["extra.weight"] = torch.zeros(1)
    print(model1.load_state_dict(partial, strict=False))
    try:
        model1.load_state_dict(partial)
    except RuntimeError as e:
        print("RuntimeError:", e)
    """),
    code(r"""
    wrong = dict(state, **{"fc1.weight": torch.zeros(8, 5)})
    try:
        model1.load_state_dict(wrong)
    except RuntimeError as e:
        print("RuntimeError:", e)
    """),
    md(r"""
    ## 6. `train()` and `eval()`

    Some layers behave differently during training and evaluation: `Dropout` zeroes random elements
    only while training, `BatchNorm` uses batch statistics while training and its running statistics
    in evaluation. Every module has a `training` flag; `model.train()` and `model.eval()` set it on
    the module and all its descendants. (They do **not** turn off autograd: that is `torch.no_grad()`.)
    """),
    code(r"""
    drop_model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(p=0.5))
    print([m.training for m in drop_model.modules()])
    drop_model.eval()
    print([m.training for m in drop_model.modules()])

    x = torch.randn(2, 4)
    print(torch.equal(drop_model(x), drop_model[0](x)))    # in eval mode Dropout is the identity
    drop_model.train()
    print(drop_model[1].training)
    """),
    md(r"""
    ## 7. The four stages of `model(x)`

    Calling a module runs more than `forward`. `module(x)` calls `Module.__call__`, which runs:

    1. the **forward pre-hooks** `hook(module, args)`: may look at or replace the inputs;
    2. `forward(*args)`;
    3. the **forward hooks** `hook(module, args, output)`: may look at or replace the output;
    4. later, during `backward()`, the **full backward hooks** `hook(module, grad_input, grad_output)`:
       see the gradients with respect to the module's outputs and inputs.

    This is why you should call `model(x)` and never `model.forward(x)`: the latter skips the hooks.
    Let's make every stage print. A `Scale` with a loud `forward`:
    """),
    code(r"""
    class LoudScale(Scale):
        def forward(self, x):
            print(f"2 forward         x = {x.tolist()}")
            return x * self.w

    loud = LoudScale([2.0, -1.0])

    def pre_hook(module, args):
        print(f"1 pre-hook        args = {[a.tolist() for a in args]}")

    def forward_hook(module, args, output):
        print(f"3 forward hook    output = {output.tolist()}")

    def backward_hook(module, grad_input, grad_output):
        print(f"4 backward hook   grad_output = {[g.tolist() for g in grad_output]}, "
              f"grad_input = {[g.tolist() for g in grad_input]}")

    handles = [loud.register_forward_pre_hook(pre_hook),
               loud.register_forward_hook(forward_hook),
               loud.register_full_backward_hook(backward_hook)]
    """),
    code(r"""
    x = torch.tensor([1.0, 3.0], requires_grad=True)
    y = loud(x)
    print("-- forward done, now backward")
    (10 * y).sum().backward()
    print("x.grad =", x.grad, " w.grad =", loud.w.grad)
    """),
    md(r"""
    The backward hook saw $\partial L/\partial y = 10$ for both outputs (`grad_output`) and
    $\partial L/\partial x = 10\,w$ (`grad_input`). Each `register_*` call returns a **handle**;
    `handle.remove()` takes the hook off again. Always keep the handles: a forgotten hook keeps
    running (and keeps printing, or keeps storing tensors).
    """),
    code(r"""
    for h in handles:
        h.remove()
    print(loud(torch.tensor([1.0, 3.0])))
    """),
    md(r"""
    A pre-hook that returns something replaces the inputs; a forward hook that returns something
    replaces the output:
    """),
    code(r"""
    h1 = loud.register_forward_pre_hook(lambda module, args: (args[0] * 10,))
    h2 = loud.register_forward_hook(lambda module, args, output: output + 1)
    print(loud(torch.tensor([1.0, 3.0])))
    h1.remove()
    h2.remove()
    """),
    md(r"""
    The most common use of forward hooks: **look at the activations** (激活值) inside a model
    without changing its code. We record every layer's output of a deeper network, then plot their
    distributions.
    """),
    code(r"""
    torch.manual_seed(0)
    deep = nn.Sequential(nn.Linear(20, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh())
    activations = {}

    def record(name):
        def hook(module, args, output):
            activations[name] = output.detach()
        return hook

    handles = [m.register_forward_hook(record(name))
               for name, m in deep.named_children() if isinstance(m, nn.Tanh)]
    deep(torch.randn(256, 20))
    for h in handles:
        h.remove()
    print({name: tuple(a.shape) for name, a in activations.items()})

    fig, axes = plt.subplots(1, len(activations), figsize=(8, 2.2), sharey=True)
    for ax, (name, a) in zip(axes, activations.items()):
        ax.hist(a.flatten().numpy(), bins=40, range=(-1, 1))
        ax.set_title(f"Tanh ({name})", fontsize=9)
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    ### Look inside: `__call__`

    *edutorch-only cell*: the four stages are a few lines each. Note the fast path at the top: with
    no hooks at all, `module(x)` is just `forward(x)`. The backward hooks are attached by passing the
    inputs and the outputs through an identity `Function` whose backward calls them.
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        show_source(nn.Module.__call__)
    """),
    md(r"""
    ### Check your understanding

    1. How many parameters does `nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))` have,
       and what are the keys of its `state_dict`?
    """),
    code(r"""
    small = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
    assert sum(p.numel() for p in small.parameters()) == 10 * 5 + 5 + 5 * 1 + 1
    assert list(small.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    """),
    md(r"""
    2. In which order do the hooks of a `Sequential` and of its two children run? Predict the list
       before you run the cell.
    """),
    code(r"""
    order = []
    outer = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    for name, m in [("outer", outer), ("linear", outer[0]), ("relu", outer[1])]:
        m.register_forward_pre_hook(lambda module, args, name=name: order.append(f"pre {name}"))
        m.register_forward_hook(lambda module, args, output, name=name: order.append(f"hook {name}"))
    outer(torch.randn(1, 2))
    assert order == ["pre outer", "pre linear", "hook linear", "pre relu", "hook relu", "hook outer"]
    order
    """),
    md(r"""
    3. After `model.eval()`, does autograd still record operations?
    """),
    code(r"""
    small.eval()
    out = small(torch.randn(3, 10)).sum()
    assert out.requires_grad and not small.training   # eval() changes layers, not autograd
    """),
    md(r"""
    ## Summary

    - A module keeps its state in three dictionaries: `_parameters` (learned), `_buffers` (state
      that is not learned), `_modules` (children). `__setattr__` registers what you assign;
      call `super().__init__()` first.
    - Build models by subclassing (`__init__` + `forward`), with `nn.Sequential(...)`, or with
      `nn.Sequential(OrderedDict(...))` to name the layers.
    - Keep layers in `nn.ModuleList` / `nn.ModuleDict`, never in a plain list or dict: unregistered
      layers are invisible to `parameters()`, `state_dict()`, `train()`/`eval()`.
    - `named_parameters()`, `sum(p.numel() ...)`, `state_dict()` (parameters + persistent buffers),
      `load_state_dict()` (checks names and shapes).
    - `train()` / `eval()` set the `training` flag of the whole tree.
    - `model(x)` = forward pre-hooks → `forward` → forward hooks, and full backward hooks during
      `backward()`; every `register_*_hook` returns a handle to `remove()`.

    ## Exercises

    1. Write `MLP` with a configurable list of hidden sizes, e.g. `MLP([4, 16, 16, 3])`, using
       `nn.ModuleList`. Check the parameter count by hand.
    2. Rewrite `Residual` with a Python list instead of `nn.ModuleList` and call
       `res.load_state_dict(...)` with the state of the correct version. What happens?
    3. Register a forward pre-hook that raises an error when the input contains a NaN.
    4. Use a full backward hook on each `Linear` of `deep` to record the norm of `grad_output[0]`
       after a backward pass. Which layer gets the smallest gradients?
    5. Add a non-persistent buffer with `register_buffer(name, tensor, persistent=False)` and check
       that it is in `named_buffers()` but not in `state_dict()`.
    """),
]

# ===================================================================================== 09 losses
L09 = [
    md(r"""
    # 09 · Loss functions

    A **loss function** (损失函数) turns the model's output and the target into one number that says
    how wrong the model is. Training makes that number small, so the loss decides what "good" means:
    choosing it is choosing the task.

    **Goals.** After this lesson you can

    - write the formula of each loss in `torch.nn` and compute it by hand with tensor ops;
    - use `reduction='none' | 'mean' | 'sum'`;
    - explain why `cross_entropy` takes raw scores (logits, 未归一化的分数) and equals
      `log_softmax` + `nll_loss`; use class weights, `ignore_index`, label smoothing and
      probability targets;
    - explain why `BCEWithLogitsLoss` is preferred over `sigmoid` + `BCELoss`;
    - pick a loss for regression (回归), classification (分类), distributions and ranking.

    Every loss exists twice: as a function `F.mse_loss(input, target)` and as a module
    `nn.MSELoss()`, which stores the options and calls the function in its `forward`. Each example
    below computes the loss **by hand**, then checks that both built-in versions agree.
    """),
    setup(nn=True),
    code(r"""
    def check(name, by_hand, *builtins):
        "Assert that the built-in losses equal the hand-computed one, and print them."
        for b in builtins:
            assert torch.allclose(b, by_hand, atol=1e-5), (name, by_hand, b)
        print(f"{name:28s} {by_hand.item():.4f}")
    """),
    md(r"""
    ## 1. Regression losses

    Four predictions $x$ and their targets $y$; the errors $d = x - y$ are $-0.5, 0.5, 0, 1$.

    | loss | per element $\ell(d)$ |
    |---|---|
    | `L1Loss` | $\lvert d\rvert$ |
    | `MSELoss` | $d^2$ |
    | `SmoothL1Loss(beta)` | $\frac{0.5\,d^2}{\beta}$ if $\lvert d\rvert < \beta$, else $\lvert d\rvert - 0.5\,\beta$ |
    | `HuberLoss(delta)` | $0.5\,d^2$ if $\lvert d\rvert \le \delta$, else $\delta\,(\lvert d\rvert - 0.5\,\delta)$ |

    With the default `reduction='mean'` the loss is the mean of $\ell$ over all elements.
    """),
    code(r"""
    pred = torch.tensor([2.5, 0.0, 2.0, 8.0])
    target = torch.tensor([3.0, -0.5, 2.0, 7.0])
    d = pred - target

    check("L1", d.abs().mean(), F.l1_loss(pred, target), nn.L1Loss()(pred, target))
    check("MSE", (d ** 2).mean(), F.mse_loss(pred, target), nn.MSELoss()(pred, target))
    small = d.abs() < 1.0
    check("SmoothL1 (beta=1)", torch.where(small, 0.5 * d ** 2, d.abs() - 0.5).mean(),
          F.smooth_l1_loss(pred, target), nn.SmoothL1Loss()(pred, target))
    check("Huber (delta=1)", torch.where(d.abs() <= 1.0, 0.5 * d ** 2, d.abs() - 0.5).mean(),
          F.huber_loss(pred, target), nn.HuberLoss()(pred, target))
    """),
    md(r"""
    ### `reduction`

    `reduction='none'` returns the loss of every element, `'sum'` their sum and `'mean'` (the
    default) their mean. `'none'` is useful to weight or mask elements yourself.
    """),
    code(r"""
    for reduction in ("none", "sum", "mean"):
        print(f"{reduction:5s}", F.mse_loss(pred, target, reduction=reduction))
    assert torch.equal(F.mse_loss(pred, target, reduction="sum"), F.mse_loss(pred, target, reduction="none").sum())
    """),
    md(r"""
    ### Picture: how each loss punishes an error

    MSE grows quadratically, so one large error (an outlier, 离群值) dominates the mean. L1 grows
    linearly but has a kink at 0. SmoothL1 and Huber are quadratic near 0 and linear far away: the
    best of both. They differ only by a factor: SmoothL1 with `beta` equals Huber with
    `delta = beta`, divided by `beta`.
    """),
    code(r"""
    err = torch.linspace(-3, 3, 301)
    zero = torch.zeros_like(err)
    curves = {
        "L1": F.l1_loss(err, zero, reduction="none"),
        "MSE": F.mse_loss(err, zero, reduction="none"),
        "SmoothL1 (beta=2)": F.smooth_l1_loss(err, zero, reduction="none", beta=2.0),
        "Huber (delta=2)": F.huber_loss(err, zero, reduction="none", delta=2.0),
    }
    assert torch.allclose(curves["SmoothL1 (beta=2)"], curves["Huber (delta=2)"] / 2)

    fig, ax = plt.subplots(figsize=(5, 3))
    for name, c in curves.items():
        ax.plot(err.numpy(), c.numpy(), label=name)
    ax.set_xlabel("error  x - y")
    ax.set_ylabel("loss")
    ax.set_ylim(0, 4)
    ax.legend(fontsize=8)
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    ## 2. Classification with several classes: `NLLLoss` and `CrossEntropyLoss`

    A classifier outputs one raw score (a **logit**) per class. `softmax` turns the scores $z$ into
    probabilities $p_c = e^{z_c} / \sum_k e^{z_k}$, and the loss is the **negative log-likelihood**
    (负对数似然) of the correct class $y$:

    $$\ell = -\log p_y = -z_y + \log \sum_k e^{z_k}.$$

    `NLLLoss` takes log-probabilities and picks $-\log p_y$; `CrossEntropyLoss` (交叉熵) takes the
    raw logits and does both steps. Three samples, three classes; the model is wrong on the second:
    """),
    code(r"""
    logits = torch.tensor([[2.0, 1.0, 0.1],
                           [0.5, 2.5, 0.3],
                           [1.2, 0.2, 3.1]])
    labels = torch.tensor([0, 2, 2])              # class indices, int64

    log_probs = logits - logits.logsumexp(dim=1, keepdim=True)   # log_softmax by hand
    assert torch.allclose(log_probs, F.log_softmax(logits, dim=1))
    picked = log_probs[torch.arange(3), labels]                  # log p_y for each sample
    print("log p_y:", picked)

    check("NLL", -picked.mean(), F.nll_loss(log_probs, labels), nn.NLLLoss()(log_probs, labels))
    check("CrossEntropy", -picked.mean(), F.cross_entropy(logits, labels),
          nn.CrossEntropyLoss()(logits, labels))
    """),
    md(r"""
    **Cross-entropy = `log_softmax` + `nll_loss`**, in code. Computing `log_softmax` in one step (with
    the log-sum-exp trick, $\log\sum_k e^{z_k} = m + \log\sum_k e^{z_k - m}$ with $m = \max_k z_k$)
    stays finite for any logits, while `softmax` followed by `log` underflows: $e^{-200}$ is 0 in
    float32, and $\log 0 = -\infty$, where `log_softmax` gives the right $-200$ and $-400$.
    """),
    code(r"""
    assert torch.equal(F.cross_entropy(logits, labels), F.nll_loss(F.log_softmax(logits, dim=1), labels))

    extreme = torch.tensor([[200.0, 0.0, -200.0]])
    wrong = torch.tensor([2])
    print("softmax:      ", F.softmax(extreme, dim=1))      # log of these zeros would be -inf
    print("log_softmax:  ", F.log_softmax(extreme, dim=1))
    print("cross_entropy:", F.cross_entropy(extreme, wrong))
    """),
    md(r"""
    The gradient of cross-entropy with respect to the logits is simply $p - \text{onehot}(y)$ (divided
    by $N$ for the mean): push the correct score up and the others down, in proportion to the
    probabilities.
    """),
    code(r"""
    z = logits.clone().requires_grad_()
    F.cross_entropy(z, labels).backward()
    expected = (F.softmax(logits, dim=1) - F.one_hot(labels, 3)) / 3
    assert torch.allclose(z.grad, expected, atol=1e-6)
    print(z.grad)
    """),
    md(r"""
    ### Class weights and `ignore_index`

    `weight` gives each class $c$ a weight $w_c$ (for unbalanced data: rare classes get larger
    weights). With `reduction='mean'` the result is a **weighted** mean:
    $\sum_n w_{y_n}\ell_n / \sum_n w_{y_n}$.

    Targets equal to `ignore_index` (default $-100$) contribute nothing, not even to the count of
    the mean: padding tokens in a sentence, unlabelled pixels in an image.
    """),
    code(r"""
    w = torch.tensor([1.0, 1.0, 4.0])
    losses = -picked
    check("CE weight", (w[labels] * losses).sum() / w[labels].sum(),
          F.cross_entropy(logits, labels, weight=w), nn.CrossEntropyLoss(weight=w)(logits, labels))

    masked = torch.tensor([0, -100, 2])            # ignore the second sample
    check("CE ignore_index", (losses[0] + losses[2]) / 2,
          F.cross_entropy(logits, masked), nn.CrossEntropyLoss(ignore_index=-100)(logits, masked))
    """),
    md(r"""
    ### Label smoothing and probability targets

    With `label_smoothing=ε` the target is no longer "all on class $y$" but the distribution
    $q = (1-ε)\,\text{onehot}(y) + ε/C$, and the loss is the cross-entropy
    $-\sum_c q_c \log p_c$. It stops the model from pushing its logits to infinity to reach
    probability 1. You can also pass such target distributions yourself: a **float** target of the
    same shape as the logits is read as probabilities.
    """),
    code(r"""
    eps, C = 0.1, 3
    q = (1 - eps) * F.one_hot(labels, C) + eps / C
    by_hand = -(q * log_probs).sum(dim=1).mean()
    check("CE label_smoothing=0.1", by_hand, F.cross_entropy(logits, labels, label_smoothing=eps),
          nn.CrossEntropyLoss(label_smoothing=eps)(logits, labels))
    check("CE probability target", by_hand, F.cross_entropy(logits, q))
    """),
    md(r"""
    ### More dimensions

    For a prediction per position (a class per pixel, per word) the input is $(N, C, d_1, \dots)$ and
    the target $(N, d_1, \dots)$: the class dimension is always dim 1. It is the same as moving the
    class dimension last and flattening:
    """),
    code(r"""
    seg_logits = torch.arange(24.0).reshape(2, 3, 4).sin()      # N=2, C=3, 4 positions
    seg_labels = torch.tensor([[0, 1, 2, 1], [2, 2, 0, 1]])
    flat = F.cross_entropy(seg_logits.permute(0, 2, 1).reshape(-1, 3), seg_labels.reshape(-1))
    check("CE (N, C, d)", flat, F.cross_entropy(seg_logits, seg_labels))
    """),
    md(r"""
    ## 3. Binary classification: `BCELoss` and `BCEWithLogitsLoss`

    For a yes/no target $y \in \{0, 1\}$ and a predicted probability $p$, the **binary
    cross-entropy** is

    $$\ell = -\big[\,y \log p + (1 - y)\log(1 - p)\,\big].$$

    `BCELoss` takes probabilities $p$ (after a sigmoid). `BCEWithLogitsLoss` takes the logit $z$ and
    computes $p = \sigma(z)$ inside, in the stable form
    $\ell = \max(z, 0) - z\,y + \log(1 + e^{-\lvert z\rvert})$.
    `pos_weight` multiplies the positive term $y \log p$ (to balance rare positives).
    """),
    code(r"""
    z = torch.tensor([1.5, -0.5, 3.0, -2.0])
    y = torch.tensor([1.0, 0.0, 0.0, 1.0])
    p = torch.sigmoid(z)
    bce = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))

    check("BCE", bce.mean(), F.binary_cross_entropy(p, y), nn.BCELoss()(p, y))
    stable = z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))
    check("BCEWithLogits", stable.mean(), F.binary_cross_entropy_with_logits(z, y),
          nn.BCEWithLogitsLoss()(z, y))
    pw = torch.tensor(3.0)
    check("BCEWithLogits pos_weight=3", (-(pw * y * torch.log(p) + (1 - y) * torch.log(1 - p))).mean(),
          F.binary_cross_entropy_with_logits(z, y, pos_weight=pw), nn.BCEWithLogitsLoss(pos_weight=pw)(z, y))
    """),
    md(r"""
    ### Why take logits: stability at extreme values

    At a logit of $30$, $\sigma(30) = 1 - 10^{-13}$ rounds to exactly `1.0` in float32, so
    $\log(1 - p) = -\infty$. `BCELoss` clamps the log at $-100$ (as PyTorch does) so the loss stays
    finite, but it is wrong (100 instead of 30), and its gradient is **zero**: a model that is very
    confidently wrong gets no signal to change. `BCEWithLogitsLoss` never forms $p$ and gets both
    right.
    """),
    code(r"""
    z = torch.tensor([-1e4, 0.0, 30.0, 1e4], requires_grad=True)
    y = torch.tensor([1.0, 1.0, 0.0, 0.0])     # very wrong, unsure, wrong, very wrong

    naive = F.binary_cross_entropy(torch.sigmoid(z), y, reduction="none")
    naive_grad, = torch.autograd.grad(naive.sum(), z)
    logit = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    logit_grad, = torch.autograd.grad(logit.sum(), z)

    print("sigmoid + BCE   loss", naive.detach(), " grad", naive_grad)
    print("BCEWithLogits   loss", logit.detach(), " grad", logit_grad)
    """),
    md(r"""
    The loss against the logit when the target is 0: the true loss grows linearly, like $z$. Once
    $\sigma(z)$ rounds to 1 (near $z \approx 17$ in float32), sigmoid + `BCELoss` jumps to the clamp
    at 100 and becomes flat.
    """),
    code(r"""
    zs = torch.linspace(-5, 40, 451)
    zeros = torch.zeros_like(zs)
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(zs.numpy(), F.binary_cross_entropy_with_logits(zs, zeros, reduction="none").numpy(),
            label="BCEWithLogitsLoss(z, 0)")
    ax.plot(zs.numpy(), F.binary_cross_entropy(torch.sigmoid(zs), zeros, reduction="none").numpy(),
            "--", label="BCELoss(sigmoid(z), 0)")
    ax.set_xlabel("logit z")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    ## 4. Losses between distributions and for counts

    **`KLDivLoss`**: the Kullback-Leibler divergence (KL 散度) from a target distribution $q$ to the
    model's $p$. The **input is $\log p$** (like `NLLLoss`), the target is $q$ (or $\log q$ with
    `log_target=True`):

    $$\ell = \sum_c q_c\,(\log q_c - \log p_c).$$

    Use `reduction='batchmean'` (sum, divided by the batch size $N$): that is the mathematical KL
    divergence. `'mean'` divides by the number of elements $N \cdot C$ instead.
    """),
    code(r"""
    log_p = F.log_softmax(logits, dim=1)
    q = F.softmax(torch.tensor([[1.0, 1.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 1.0]]), dim=1)
    kl = (q * (q.log() - log_p)).sum() / 3
    check("KLDiv batchmean", kl, F.kl_div(log_p, q, reduction="batchmean"),
          nn.KLDivLoss(reduction="batchmean")(log_p, q))
    check("KLDiv log_target", kl, F.kl_div(log_p, q.log(), reduction="batchmean", log_target=True))
    """),
    md(r"""
    **`PoissonNLLLoss`**: for counts $y$ (events per hour, ...) predicted with rate $\lambda$. With
    the default `log_input=True` the input is $\log\lambda$:

    $$\ell = e^{x} - y\,x \quad(\text{`log\_input=True`}), \qquad \ell = \lambda - y\log(\lambda + \text{eps}) \quad(\text{`log\_input=False`}).$$

    (`full=True` adds Stirling's approximation of $\log y!$.)

    **`GaussianNLLLoss`**: the model predicts a mean $\mu$ **and a variance** $\sigma^2$ per target;

    $$\ell = \tfrac12\Big(\log \max(\sigma^2, \text{eps}) + \frac{(\mu - y)^2}{\max(\sigma^2, \text{eps})}\Big)
    \quad (+\tfrac12\log 2\pi \text{ with } \texttt{full=True}).$$

    A large predicted variance makes errors cheap but costs $\log\sigma^2$: the model learns how
    unsure it is.
    """),
    code(r"""
    log_rate = torch.tensor([0.5, 1.0, -1.0])
    counts = torch.tensor([1.0, 3.0, 0.0])
    check("PoissonNLL", (log_rate.exp() - counts * log_rate).mean(),
          F.poisson_nll_loss(log_rate, counts), nn.PoissonNLLLoss()(log_rate, counts))
    rate = log_rate.exp()
    check("PoissonNLL log_input=False", (rate - counts * torch.log(rate + 1e-8)).mean(),
          F.poisson_nll_loss(rate, counts, log_input=False))

    mu, y_true, var = torch.tensor([0.5, 1.0, 2.0]), torch.tensor([1.0, 3.0, 2.0]), torch.tensor([0.5, 2.0, 0.1])
    check("GaussianNLL", (0.5 * (var.log() + (mu - y_true) ** 2 / var)).mean(),
          F.gaussian_nll_loss(mu, y_true, var), nn.GaussianNLLLoss()(mu, y_true, var))
    """),
    md(r"""
    ## 5. Margin and ranking losses

    These losses do not ask for a probability. They ask that a score be on the right side of a
    **margin** (间隔), and are zero once it is: a hinge $\max(0, \cdot)$.

    | loss | per sample | target |
    |---|---|---|
    | `MarginRankingLoss` | $\max(0,\ -y\,(x_1 - x_2) + \text{margin})$ | $y = 1$: $x_1$ should rank higher; $-1$: $x_2$ |
    | `HingeEmbeddingLoss` | $x$ if $y = 1$, $\max(0, \text{margin} - x)$ if $y = -1$ | $x$ is a distance |
    | `SoftMarginLoss` | $\log(1 + e^{-y x})$ | $y \in \{1, -1\}$ |
    | `CosineEmbeddingLoss` | $1 - \cos(x_1, x_2)$ if $y = 1$, $\max(0, \cos(x_1, x_2) - \text{margin})$ if $y = -1$ | similar or not |
    | `TripletMarginLoss` | $\max(d(a, p) - d(a, n) + \text{margin},\ 0)$ | anchor, positive, negative |
    """),
    code(r"""
    x1, x2 = torch.tensor([0.8, 0.2, 0.5]), torch.tensor([0.3, 0.6, 0.4])
    y = torch.tensor([1.0, 1.0, -1.0])
    check("MarginRanking (margin=0.2)", (-y * (x1 - x2) + 0.2).clamp(min=0).mean(),
          F.margin_ranking_loss(x1, x2, y, margin=0.2), nn.MarginRankingLoss(margin=0.2)(x1, x2, y))

    dist = torch.tensor([0.3, 2.0, 0.5])
    check("HingeEmbedding (margin=1)", torch.where(y == 1, dist, (1 - dist).clamp(min=0)).mean(),
          F.hinge_embedding_loss(dist, y), nn.HingeEmbeddingLoss()(dist, y))

    check("SoftMargin", torch.log1p(torch.exp(-y * x1)).mean(),
          F.soft_margin_loss(x1, y), nn.SoftMarginLoss()(x1, y))
    """),
    code(r"""
    u = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    v = torch.tensor([[1.0, 1.0], [-1.0, 1.0], [0.0, 1.0]])
    cos = (u * v).sum(dim=1) / (u.norm(dim=1) * v.norm(dim=1))
    print("cos:", cos)
    check("CosineEmbedding (margin=0)", torch.where(y == 1, 1 - cos, cos.clamp(min=0)).mean(),
          F.cosine_embedding_loss(u, v, y), nn.CosineEmbeddingLoss()(u, v, y))

    anchor, positive, negative = u, u + 0.1, v
    d_ap = (anchor - positive + 1e-6).norm(dim=1)    # pairwise_distance adds eps = 1e-6
    d_an = (anchor - negative + 1e-6).norm(dim=1)
    check("TripletMargin (margin=1)", (d_ap - d_an + 1.0).clamp(min=0).mean(),
          F.triplet_margin_loss(anchor, positive, negative), nn.TripletMarginLoss()(anchor, positive, negative))
    """),
    md(r"""
    ### Multi-class and multi-label margins

    **`MultiMarginLoss`** (the multi-class SVM loss): the correct score $x_y$ should beat every other
    score $x_i$ by the margin; per sample,
    $\frac{1}{C}\sum_{i \ne y} \max(0,\ \text{margin} - x_y + x_i)^p$.

    In **multi-label** problems a sample can belong to several classes at once (a photo with a cat
    *and* a dog).

    - **`MultiLabelSoftMarginLoss`**: a binary cross-entropy per class on the logits,
      averaged over the $C$ classes: $-\frac1C\sum_c \big[y_c\log\sigma(x_c) + (1 - y_c)\log\sigma(-x_c)\big]$,
      with a 0/1 target of shape $(N, C)$.
    - **`MultiLabelMarginLoss`**: the target lists the sample's classes as indices, padded with
      $-1$ (`[3, 0, -1, 1]` means classes 3 and 0; everything after the first $-1$ is ignored). Every
      target class $j$ should beat every other class $i$ by 1:
      $\frac1C\sum_{j}\sum_{i \notin \text{targets}} \max(0,\ 1 - (x_j - x_i))$.
    """),
    code(r"""
    scores = torch.tensor([[0.1, 0.2, 0.4, 0.8],
                           [0.9, 0.3, 0.5, 0.2]])
    cls = torch.tensor([3, 2])
    correct = scores.gather(1, cls[:, None])                       # x_y, shape (N, 1)
    hinge = (1.0 - correct + scores).clamp(min=0)
    hinge = hinge * (1 - F.one_hot(cls, 4))                        # leave out i = y
    check("MultiMargin", (hinge.sum(dim=1) / 4).mean(),
          F.multi_margin_loss(scores, cls), nn.MultiMarginLoss()(scores, cls))

    multi_hot = torch.tensor([[1.0, 0.0, 0.0, 1.0],
                              [1.0, 0.0, 1.0, 0.0]])
    per_class = -(multi_hot * F.logsigmoid(scores) + (1 - multi_hot) * F.logsigmoid(-scores))
    check("MultiLabelSoftMargin", per_class.mean(dim=1).mean(),
          F.multilabel_soft_margin_loss(scores, multi_hot), nn.MultiLabelSoftMarginLoss()(scores, multi_hot))

    index_target = torch.tensor([[3, 0, -1, 1],                    # classes {3, 0}
                                 [0, 2, -1, -1]])                  # classes {0, 2}
    pos = multi_hot.bool()                                         # the same classes, as a mask
    pair = (1 - (scores[:, :, None] - scores[:, None, :])).clamp(min=0)   # pair[n, j, i]
    pair = pair * (pos[:, :, None] & ~pos[:, None, :])             # j a target class, i not
    check("MultiLabelMargin", (pair.sum(dim=(1, 2)) / 4).mean(),
          F.multilabel_margin_loss(scores, index_target), nn.MultiLabelMarginLoss()(scores, index_target))
    """),
    md(r"""
    ## 6. Wrong targets give clear errors

    The most common loss bug is a target of the wrong dtype or shape. `cross_entropy` wants class
    indices as `int64` (shape $(N,)$), or probabilities as float with the same shape as the input:
    """),
    code(r"""
    for bad in (torch.tensor([0.0, 2.0, 2.0]), torch.tensor([[0, 2, 2]])):
        try:
            F.cross_entropy(logits, bad)
        except (RuntimeError, ValueError) as e:
            print(type(e).__name__)     # print(e) to read the message: it names the dtype or the shapes
    """),
    md(r"""
    ### Look inside

    *edutorch-only cell*: `cross_entropy` really is `log_softmax` followed by `nll_loss` (plus the
    options), and `BinaryCrossEntropyWithLogits` computes the stable form and its gradient
    $\sigma(z) - y$ side by side.
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        show_source(F.cross_entropy)
        show_source(F.binary_cross_entropy_with_logits(torch.zeros(1, requires_grad=True), torch.ones(1)).grad_fn)
    """),
    md(r"""
    ### Check your understanding

    1. A model that knows nothing outputs equal logits for all $C = 10$ classes. What is its
       cross-entropy loss?
    """),
    code(r"""
    uniform = torch.zeros(4, 10)
    assert torch.allclose(F.cross_entropy(uniform, torch.tensor([0, 3, 5, 9])), torch.tensor(math.log(10)))
    print(round(math.log(10), 4))
    """),
    md(r"""
    2. What is `BCEWithLogitsLoss` at logit 0, for either target? And how do `'sum'` and `'mean'`
       relate?
    """),
    code(r"""
    zero_logits = torch.zeros(6)
    targets = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 1.0])
    mean = F.binary_cross_entropy_with_logits(zero_logits, targets)
    total = F.binary_cross_entropy_with_logits(zero_logits, targets, reduction="sum")
    assert torch.allclose(mean, torch.tensor(math.log(2)))
    assert torch.allclose(total, 6 * mean)
    """),
    md(r"""
    3. Which is the same loss: `nn.CrossEntropyLoss()(z, y)`, `nn.NLLLoss()(z, y)` or
       `nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), y)`?
    """),
    code(r"""
    ce = nn.CrossEntropyLoss()(logits, labels)
    assert torch.allclose(ce, nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), labels))
    assert not torch.allclose(ce, nn.NLLLoss()(logits, labels))
    """),
    md(r"""
    ## Summary

    | task | output of the model | loss |
    |---|---|---|
    | regression | a number | `MSELoss`; `L1Loss`, `HuberLoss` / `SmoothL1Loss` when there are outliers; `GaussianNLLLoss` with a variance; `PoissonNLLLoss` for counts |
    | one class out of $C$ | $C$ logits | `CrossEntropyLoss` (= `LogSoftmax` + `NLLLoss`); `MultiMarginLoss` |
    | yes / no, or several labels | logits | `BCEWithLogitsLoss` (not sigmoid + `BCELoss`); `MultiLabelSoftMarginLoss`; `MultiLabelMarginLoss` |
    | match a distribution | log-probabilities | `KLDivLoss(reduction='batchmean')` |
    | ranking, similarity | scores, embeddings | `MarginRankingLoss`, `HingeEmbeddingLoss`, `SoftMarginLoss`, `CosineEmbeddingLoss`, `TripletMarginLoss` |

    - `reduction='mean'` (default), `'sum'`, `'none'`; with class weights, `'mean'` is a weighted mean.
    - Give losses **logits** whenever they accept them: `log_softmax` and the log-sum-exp trick keep
      them finite and their gradients alive.
    - `ignore_index` drops targets, `label_smoothing` softens them, a float target of the input's
      shape is a distribution.

    ## Exercises

    1. Show that `MSELoss` is `GaussianNLLLoss` with a fixed variance of 1, up to a factor and a
       constant.
    2. Compute `cross_entropy` for logits `[[1000., 0., -1000.]]` with your hand-written formula
       `-(z_y - log(sum(exp(z))))`. Fix it with the log-sum-exp trick.
    3. Plot `MultiMarginLoss` for one sample with two classes against $x_y - x_i$, for `p=1` and
       `p=2`.
    4. With `reduction='none'`, implement a loss that ignores all samples whose target is 0 and
       check it against `ignore_index=0`.
    5. Make `KLDivLoss` with `reduction='batchmean'` equal `CrossEntropyLoss` with probability
       targets minus a constant. What is the constant?
    """),
]

NOTEBOOKS = {"06_modules": L06, "09_losses": L09}


if __name__ == "__main__":
    sys.exit(main(NOTEBOOKS, sys.argv[1:]))
