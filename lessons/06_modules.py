# %% [markdown]
# # 06 · Modules: `nn.Module` and its containers
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# A **module** (模块) is an object that holds **parameters** (参数, the tensors a model learns) and
# says in `forward` how to compute its output from its input. Layers, blocks and whole models are
# all modules, nested inside each other like folders.
#
# **Goals.** After this lesson you can
#
# - say where a module keeps its parameters, buffers and sub-modules (three dictionaries) and how
#   they get there (registration, 注册);
# - build the same model three ways: a subclass with `forward`, `nn.Sequential`, and
#   `nn.Sequential` with an `OrderedDict`;
# - use the containers `Sequential`, `ModuleList`, `ModuleDict`, `ParameterList`, `ParameterDict`,
#   and explain why a plain Python list of layers is a bug;
# - read a printed model, list its `named_parameters`, count them, save and load a `state_dict`;
# - switch between `train()` and `eval()`;
# - follow the four stages of `model(x)` with hooks (钩子), and remove them again.

# %%
# %matplotlib inline
import math
from collections import OrderedDict

import matplotlib.pyplot as plt
import numpy as np

import edutorch as torch                    # <- change `edutorch` to `torch` in these
import edutorch.nn as nn                    #    three lines to run this lesson
import edutorch.nn.functional as F          #    on PyTorch
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80


# %% [markdown]
# ## 1. A module is three dictionaries
#
# Here is the smallest useful module: it multiplies its input by a learnable vector `w`. It also
# counts how often it was called, in a **buffer** (缓冲区): a tensor that belongs to the module's
# state but is not learned. Its `name` is an ordinary Python attribute.

# %%
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

# %% [markdown]
# `nn.Parameter` is a tensor with `requires_grad=True` that says "I belong to a module". Assigning
# one to `self.w` does not store it in the object's `__dict__` like other attributes: `nn.Module`
# overrides `__setattr__` and files it under `_parameters`. Buffers go to `_buffers`, sub-modules
# to `_modules`.

# %%
print("_parameters:", scale._parameters)
print("_buffers:   ", scale._buffers)
print("_modules:   ", scale._modules)
print("in __dict__:", "w" in scale.__dict__, "calls" in scale.__dict__, "name" in scale.__dict__)


# %% [markdown]
# Reading `scale.w` still works: Python calls `__getattr__` when the normal lookup fails, and
# `nn.Module.__getattr__` searches the three dictionaries. A module inside a module lands in
# `_modules`, under the attribute's name:

# %%
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


# %% [markdown]
# The dictionaries only exist after `super().__init__()`. Assigning a parameter before it is a
# classic mistake, and the error says so:

# %%
class Forgetful(nn.Module):
    def __init__(self):
        self.w = nn.Parameter(torch.zeros(2))   # too early!
        super().__init__()

try:
    Forgetful()
except AttributeError as e:
    print("AttributeError:", e)

# %% [markdown]
# ### Look inside: registration
#
# *edutorch-only cell*: `__setattr__` looks at the type of the value and files it in the right
# dictionary (and removes the name from the others, so a name is never in two places).

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(nn.Module.__setattr__)


# %% [markdown]
# ## 2. One model, three ways
#
# A small classifier (分类器): 4 input features → 8 hidden units → ReLU → 3 class scores.
#
# **Way 1: subclass `nn.Module`.** Create the layers in `__init__`, say how they connect in
# `forward`. This is the most flexible way: `forward` is ordinary Python, with loops, `if`s and
# several inputs or outputs.

# %%
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

# %% [markdown]
# **Way 2: `nn.Sequential`** with positional arguments: each module's output is the next one's
# input. The children are named `0`, `1`, `2`.

# %%
model2 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
model2

# %% [markdown]
# **Way 3: `nn.Sequential` with an `OrderedDict`**, to choose the names yourself:

# %%
model3 = nn.Sequential(OrderedDict([
    ("fc1", nn.Linear(4, 8)),
    ("act", nn.ReLU()),
    ("fc2", nn.Linear(8, 3)),
]))
model3

# %% [markdown]
# The three models have the same shapes of parameters, but each was initialised with its own
# random numbers. The names of the parameters (the keys of the `state_dict`, section 5) come from
# the names of the children: ReLU has no parameters, so `model2` jumps from `0.` to `2.`.

# %%
for m in (model1, model2, model3):
    print([name for name, p in m.named_parameters()])

# %% [markdown]
# `model3` uses the same names as `model1`, so it can load `model1`'s parameters directly.
# `model2` has other names; we give it `model1`'s values under its own names. Then all three
# compute exactly the same function:

# %%
model3.load_state_dict(model1.state_dict())
model2.load_state_dict(dict(zip(model2.state_dict(), model1.state_dict().values())))

x = torch.randn(5, 4)
print(model1(x).shape)
print(torch.equal(model1(x), model2(x)), torch.equal(model1(x), model3(x)))


# %% [markdown]
# ## 3. Printing a model
#
# `print(model)` shows the tree of sub-modules: each line is `(name): repr of the child`, nested
# children are indented, and each layer shows its settings (its `extra_repr`). Our `Scale` prints
# as `Scale()` because it does not define `extra_repr`.

# %%
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

# %% [markdown]
# A `ModuleList` prints runs of identical children once: `(0-2): 3 x Block(...)`.

# %% [markdown]
# `print(model)` shows the structure, not the sizes. *edutorch-only*: `edutorch.notebook.summary`
# runs the model once on zeros and tabulates every layer's output shape, parameter count and
# multiply-adds, like the `torchinfo` package does for PyTorch (`pip install torchinfo`, then
# `torchinfo.summary(model, input_size=...)`). It also works on real `torch` models.

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch-only table
if EDUTORCH:
    from edutorch.notebook import summary
    print(summary(model1, input_size=(5, 4)))

# %% [markdown]
# Check the table's total by hand: a `Linear(n_in, n_out)` has `n_in * n_out` weights and `n_out`
# biases.

# %%
print(sum(p.numel() for p in model1.parameters()), (4 * 8 + 8) + (8 * 3 + 3))

# %% [markdown]
# ## 4. Containers
#
# ### `nn.Sequential`
#
# A `Sequential` can be indexed like a list. A negative index counts from the end, a slice gives a
# new `Sequential` (sharing the same layers), and `len` and iteration work as for a list.

# %%
seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))
print(seq[0])
print(seq[-1])
print(seq[1:3])
print(len(seq), [type(m).__name__ for m in seq])
print(seq[2] is seq[1:3][1])       # a slice shares the layers

# %% [markdown]
# It can be edited: `append` adds at the end, `insert` at a position, `del` removes, and the
# children are renumbered so that the names stay `0, 1, 2, ...`.

# %%
seq.append(nn.Softmax(dim=1))
seq.insert(1, nn.Dropout(0.1))
del seq[3:5]                       # remove the 2nd Linear and its ReLU
seq


# %% [markdown]
# ### `nn.ModuleList`: why not a Python list?
#
# When `forward` is more than a chain (a loop, a skip connection), keep the layers in a
# `ModuleList`. A plain Python list looks the same but **registers nothing**: the layers' parameters
# are invisible to `parameters()`, so an optimizer would never update them, `state_dict()` would not
# save them and `.to()`, `train()` and `eval()` would not reach them.

# %%
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


# %% [markdown]
# A `ModuleList` has the list operations `append`, `extend`, `insert`, indexing and slicing, but
# no `forward`: you write the loop yourself. Here is a residual stack, $x \leftarrow x + f_i(x)$:

# %%
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

# %% [markdown]
# ### `nn.ModuleDict`, `nn.ParameterList`, `nn.ParameterDict`
#
# A `ModuleDict` is a registered dictionary of modules, handy to choose a part by name. The
# parameter containers do the same for single `Parameter`s.

# %%
acts = nn.ModuleDict({"relu": nn.ReLU(), "tanh": nn.Tanh()})
acts["sigmoid"] = nn.Sigmoid()
z = torch.tensor([-1.0, 0.0, 2.0])
for name, act in acts.items():
    print(f"{name:8s}", act(z))
print(list(acts.keys()))


# %%
class PerClassBias(nn.Module):
    def __init__(self):
        super().__init__()
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(2)) for _ in range(2)])
        self.bias = nn.ParameterDict({"cat": nn.Parameter(torch.zeros(2)),
                                     "dog": nn.Parameter(torch.ones(2))})

pcb = PerClassBias()
print([name for name, p in pcb.named_parameters()])

# %% [markdown]
# ## 5. Parameters, `state_dict` and counting
#
# `named_parameters()` walks the tree and yields `(dotted.name, parameter)`. Counting the numbers a
# model learns is one line. For `Linear(n_in, n_out)`: a weight of shape `(n_out, n_in)` plus a
# bias of `n_out`.

# %%
for name, p in model1.named_parameters():
    print(f"{name:12s} {str(tuple(p.shape)):8s} {p.numel():4d}")
n_params = sum(p.numel() for p in model1.parameters())
print("total", n_params, "=", 4 * 8 + 8 + 8 * 3 + 3)

# %% [markdown]
# A picture of where the numbers are, per layer of `net` from section 3:

# %%
counts = {name: sum(p.numel() for p in m.parameters(recurse=False))
          for name, m in net.named_modules() if list(m.parameters(recurse=False))}
print(counts)

fig, ax = plt.subplots(figsize=(5, 2.6))
ax.barh(list(counts), list(counts.values()))
ax.invert_yaxis()
ax.set_xlabel("number of parameters")
plt.show()
plt.close(fig)

# %% [markdown]
# The **`state_dict`** (状态字典) is an ordered dictionary from names to tensors: every parameter
# **and every persistent buffer**, detached from autograd. It is what you save and load. A
# `BatchNorm1d` layer shows the difference: it learns `weight` and `bias`, and keeps running
# statistics as buffers.

# %%
bn_model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
print("parameters:", [name for name, p in bn_model.named_parameters()])
print("buffers:   ", [name for name, b in bn_model.named_buffers()])
print("state_dict:", list(bn_model.state_dict()))

# %% [markdown]
# `load_state_dict` copies the values into the model's own tensors. It checks names and shapes,
# and it reports what did not match; `strict=False` lists the problems instead of raising.

# %%
state = model3.state_dict()
print(model1.load_state_dict(state))

partial = {k: v for k, v in state.items() if k != "fc2.bias"}
partial["extra.weight"] = torch.zeros(1)
print(model1.load_state_dict(partial, strict=False))
try:
    model1.load_state_dict(partial)
except RuntimeError as e:
    print("RuntimeError:", e)

# %%
wrong = dict(state, **{"fc1.weight": torch.zeros(8, 5)})
try:
    model1.load_state_dict(wrong)
except RuntimeError as e:
    print("RuntimeError:", e)

# %% [markdown]
# ## 6. `train()` and `eval()`
#
# Some layers behave differently during training and evaluation: `Dropout` zeroes random elements
# only while training, `BatchNorm` uses batch statistics while training and its running statistics
# in evaluation. Every module has a `training` flag; `model.train()` and `model.eval()` set it on
# the module and all its descendants. (They do **not** turn off autograd: that is `torch.no_grad()`.)

# %%
drop_model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(p=0.5))
print([m.training for m in drop_model.modules()])
drop_model.eval()
print([m.training for m in drop_model.modules()])

x = torch.randn(2, 4)
print(torch.equal(drop_model(x), drop_model[0](x)))    # in eval mode Dropout is the identity
drop_model.train()
print(drop_model[1].training)


# %% [markdown]
# ## 7. The four stages of `model(x)`
#
# Calling a module runs more than `forward`. `module(x)` calls `Module.__call__`, which runs:
#
# 1. the **forward pre-hooks** `hook(module, args)`: may look at or replace the inputs;
# 2. `forward(*args)`;
# 3. the **forward hooks** `hook(module, args, output)`: may look at or replace the output;
# 4. later, during `backward()`, the **full backward hooks** `hook(module, grad_input, grad_output)`:
#    see the gradients with respect to the module's outputs and inputs.
#
# This is why you should call `model(x)` and never `model.forward(x)`: the latter skips the hooks.
# Let's make every stage print. A `Scale` with a loud `forward`:

# %%
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

# %%
x = torch.tensor([1.0, 3.0], requires_grad=True)
y = loud(x)
print("-- forward done, now backward")
(10 * y).sum().backward()
print("x.grad =", x.grad, " w.grad =", loud.w.grad)

# %% [markdown]
# The backward hook saw $\partial L/\partial y = 10$ for both outputs (`grad_output`) and
# $\partial L/\partial x = 10\,w$ (`grad_input`). Each `register_*` call returns a **handle**;
# `handle.remove()` takes the hook off again. Always keep the handles: a forgotten hook keeps
# running (and keeps printing, or keeps storing tensors).

# %%
for h in handles:
    h.remove()
print(loud(torch.tensor([1.0, 3.0])))

# %% [markdown]
# A pre-hook that returns something replaces the inputs; a forward hook that returns something
# replaces the output:

# %%
h1 = loud.register_forward_pre_hook(lambda module, args: (args[0] * 10,))
h2 = loud.register_forward_hook(lambda module, args, output: output + 1)
print(loud(torch.tensor([1.0, 3.0])))
h1.remove()
h2.remove()

# %% [markdown]
# The most common use of forward hooks: **look at the activations** (激活值) inside a model
# without changing its code. We record the output of every `Tanh` of a deeper network, then plot
# their distributions.

# %%
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

# %% [markdown]
# ### Look inside: `__call__`
#
# *edutorch-only cell*: the four stages are a few lines each. Note the fast path at the top: with
# no hooks at all, `module(x)` is just `forward(x)`. The backward hooks are attached by passing the
# inputs and the outputs through an identity `Function` whose backward calls them.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(nn.Module.__call__)

# %% [markdown]
# ### Check your understanding
#
# 1. How many parameters does `nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))` have,
#    and what are the keys of its `state_dict`?

# %%
small = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
assert sum(p.numel() for p in small.parameters()) == 10 * 5 + 5 + 5 * 1 + 1
assert list(small.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]

# %% [markdown]
# 2. In which order do the hooks of a `Sequential` and of its two children run? Predict the list
#    before you run the cell.

# %%
order = []
outer = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
for name, m in [("outer", outer), ("linear", outer[0]), ("relu", outer[1])]:
    m.register_forward_pre_hook(lambda module, args, name=name: order.append(f"pre {name}"))
    m.register_forward_hook(lambda module, args, output, name=name: order.append(f"hook {name}"))
outer(torch.randn(1, 2))
assert order == ["pre outer", "pre linear", "hook linear", "pre relu", "hook relu", "hook outer"]
order

# %% [markdown]
# 3. After `model.eval()`, does autograd still record operations?

# %%
small.eval()
out = small(torch.randn(3, 10)).sum()
assert out.requires_grad and not small.training   # eval() changes layers, not autograd

# %% [markdown]
# ## Summary
#
# - A module keeps its state in three dictionaries: `_parameters` (learned), `_buffers` (state
#   that is not learned), `_modules` (children). `__setattr__` registers what you assign;
#   call `super().__init__()` first.
# - Build models by subclassing (`__init__` + `forward`), with `nn.Sequential(...)`, or with
#   `nn.Sequential(OrderedDict(...))` to name the layers.
# - Keep layers in `nn.ModuleList` / `nn.ModuleDict`, never in a plain list or dict: unregistered
#   layers are invisible to `parameters()`, `state_dict()`, `train()`/`eval()`.
# - `named_parameters()`, `sum(p.numel() ...)`, `state_dict()` (parameters + persistent buffers),
#   `load_state_dict()` (checks names and shapes).
# - `train()` / `eval()` set the `training` flag of the whole tree.
# - `model(x)` = forward pre-hooks → `forward` → forward hooks, and full backward hooks during
#   `backward()`; every `register_*_hook` returns a handle to `remove()`.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/06_modules.py](solutions/06_modules.py) (one click; try first!).

# %%
from checks.lesson06 import Checks   # the checks of these exercises: lessons/checks/lesson06.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — an MLP of any depth.** Write `MLP(sizes)`. For `sizes = [4, 16, 16, 3]` it has the
# layers `Linear(4, 16)`, `Linear(16, 16)` and `Linear(16, 3)`, one per pair of consecutive sizes,
# kept in an `nn.ModuleList` called `layers`; `forward` applies a ReLU after every layer except the
# last (the last one gives the class scores). The check builds `MLP([4, 16, 16, 3])`, `MLP([2, 5, 1])`
# and `MLP([3, 2])`, and compares the `state_dict` keys (`layers.0.weight`, `layers.0.bias`,
# `layers.1.weight`, ...), the number of parameters and the output with what they should be.

# %%
# Exercise 1: an MLP whose Linear layers live in an nn.ModuleList called `layers`
class MLP(nn.Module):
    def __init__(self, sizes):
        raise NotImplementedError("call super().__init__(), then make self.layers, an nn.ModuleList")

    def forward(self, x):
        raise NotImplementedError("apply each layer, with a ReLU after all but the last")

# %%
check.ex1(MLP)

# %% [markdown]
# **Exercise 2 — a module with buffers.** Write `Standardize(mean, std)`, a module whose `forward`
# computes `(x - mean) / std` feature by feature. `mean` and `std` are statistics of a data set,
# fixed, not learned: register them as **buffers** named `mean` and `std`, so that they are saved in
# the `state_dict` (and moved by `.to()`) but never given to an optimizer. The check looks at
# `named_parameters()`, `named_buffers()` and `state_dict()`, and loads the state of one
# `Standardize` into another.

# %%
# Exercise 2: (x - mean) / std, with mean and std registered as buffers
class Standardize(nn.Module):
    def __init__(self, mean, std):
        raise NotImplementedError("call super().__init__(), then register the two buffers")

    def forward(self, x):
        raise NotImplementedError("standardize x with the buffers")

# %%
check.ex2(Standardize)

# %% [markdown]
# **Exercise 3 — a NaN guard.** Write a forward pre-hook `nan_guard(module, args)` (section 7) that
# raises a `ValueError` whose message names the module's class (`type(module).__name__`) when **any**
# of the inputs contains a NaN (`torch.isnan(a).any()`), and otherwise lets the call go on unchanged.
# The check registers it on an `nn.Linear` and on a module whose `forward` takes two inputs.

# %%
# Exercise 3: a forward pre-hook that raises ValueError when an input contains a NaN
def nan_guard(module, args):
    raise NotImplementedError("look at every tensor in args")

# %%
check.ex3(nan_guard)

# %% [markdown]
# **Exercise 4 — gradient norms with backward hooks.** Write `grad_norms(model, x)`: register a full
# backward hook on every `nn.Linear` inside `model` (find them with `model.named_modules()`), run
# `model(x).sum().backward()`, and return a dict `{name: norm of grad_output[0]}` with Python floats
# (`.norm().item()`). Remove the hooks before you return: the check runs the model once more
# afterwards, and your dict must not change. The check uses a deep `Tanh` network like `deep` of
# section 7, and its message says which layer gets the smallest gradient.

# %%
# Exercise 4: {name of each Linear: norm of the gradient at its output}, hooks removed afterwards
def grad_norms(model, x):
    norms = {}
    raise NotImplementedError("register the hooks, run backward, remove the hooks")
    return norms

# %%
check.ex4(grad_norms)

# %% [markdown]
# ## 中文小结
#
# - 模块（`nn.Module`）把状态放在三个字典里：`_parameters`（要学习的**参数**）、`_buffers`（不学习的
#   状态，即**缓冲区**，如 BatchNorm 的运行统计量）和 `_modules`（子模块）。给属性赋值时，
#   `__setattr__` 会按值的类型自动**注册**，因此在 `__init__` 中要先调用 `super().__init__()`（练习 1、2）。
# - 同一个模型有三种写法：继承 `nn.Module` 并写 `forward`；`nn.Sequential(...)`；
#   `nn.Sequential(OrderedDict(...))`（自己给层命名）。参数的名字（`state_dict` 的键）来自子模块的名字。
# - 层要放在 `nn.ModuleList` / `nn.ModuleDict` 里，不能放在普通的 Python 列表或字典里：
#   没有注册的层不会出现在 `parameters()` 和 `state_dict()` 中，优化器也不会更新它们（练习 1）。
# - `named_parameters()` 列出参数，`sum(p.numel() ...)` 统计参数个数；`state_dict()` 包含参数和
#   持久的缓冲区，`load_state_dict()` 会检查名字和形状。
# - `model.train()` / `model.eval()` 设置整棵模块树的 `training` 标志，但不会关闭自动微分。
# - 调用 `model(x)` 依次运行前向预钩子、`forward`、前向钩子，反向传播时运行完整的反向钩子；
#   每个 `register_*_hook` 都返回一个句柄，用完要 `remove()`（练习 3、4）。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | module | 模块 | `torch.nn.Module` |
# | layer / block / model | 层 / 块 / 模型 | — |
# | parameter | 参数 | `torch.nn.Parameter`, `Module.parameters()` |
# | buffer | 缓冲区 | `Module.register_buffer` |
# | registration | 注册 | `Module.__setattr__` |
# | sub-module | 子模块 | `Module.children()`, `Module.named_modules()` |
# | sequential block | 顺序块 | `torch.nn.Sequential` |
# | module list / module dictionary | 模块列表 / 模块字典 | `torch.nn.ModuleList`, `torch.nn.ModuleDict` |
# | forward propagation | 前向传播 | `Module.forward` |
# | multilayer perceptron | 多层感知机 | — |
# | state dictionary | 状态字典 | `Module.state_dict()`, `Module.load_state_dict()` |
# | training / evaluation mode | 训练模式 / 评估模式 | `Module.train()`, `Module.eval()` |
# | hook | 钩子 | `Module.register_forward_hook`, `Module.register_full_backward_hook` |
# | forward pre-hook | 前向预钩子 | `Module.register_forward_pre_hook` |
# | handle | 句柄 | `RemovableHandle.remove()` |
# | activation (value) | 激活值 | — |
