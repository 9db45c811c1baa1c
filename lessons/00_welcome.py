# %% [markdown]
# # 00 · Welcome to edutorch
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# **Goals.** After this lesson you can
#
# - say what edutorch is, and why the same notebook also runs on PyTorch;
# - run the lessons on your machine, with edutorch or with real PyTorch;
# - make a tensor (张量), apply an op, call `.backward()` and read `.grad` (梯度, the gradient);
# - open the source code of the op you just ran;
# - read the course in Chinese, with each lesson's 中文小结 and glossary (see *Reading this course in
#   Chinese · 中文读者* below).

# %% [markdown]
# ## What edutorch is
#
# edutorch is **PyTorch's API on a small engine written in NumPy that you can read**. The names,
# arguments, defaults and even the printed output are PyTorch's. Underneath, every operation is a
# short Python class whose forward computation and backward (gradient) computation sit side by side,
# so when you wonder *"what does `backward()` actually do?"* you can open the code and read it on one
# screen.
#
# You write `import edutorch as torch` and then ordinary PyTorch code. When you are ready for the
# real thing, change that one line to `import torch`: every code cell in these lessons runs
# unchanged on PyTorch and prints the same results.
#
# What edutorch is *not*: fast on big models, or complete. It runs on the CPU only, and it
# implements the part of PyTorch that the lessons teach.

# %% [markdown]
# ## Running the lessons
#
# From the root of the repository:
#
# ```bash
# pip install -e '.[lessons]'
# jupyter lab --notebook-dir=. lessons/00_welcome.ipynb
# ```
#
# JupyterLab opens this lesson, and `--notebook-dir=.` starts its file browser at the repository root
# (without it, JupyterLab would root the browser in `lessons/`, the folder of the file): the lessons are
# in `lessons/`, and the engine's source is next to them in `edutorch/`, so when a lesson asks you to
# read the code behind an op, it is one click away. (Running as root, e.g. in a container? Add
# `--allow-root`.)
#
# Run a notebook top to bottom (*Run → Run All Cells*). Each lesson runs offline in well under a
# minute on a laptop CPU. The notebooks are stored with their outputs, so you can also just read
# them. Every lesson ends with **exercises**: you write the code, and a check cell below it says ✓,
# or ✗ with a hint that names what is wrong; the solutions are one click away in
# `lessons/solutions/`.
#
# The lessons are tested. From the repository root,
#
# ```bash
# pip install -e '.[test]' torch==2.13.0 && pytest
# ```
#
# re-runs every lesson and checks that each printed output is still the same, that the exercises'
# solutions pass their checks, and that the lesson runs unchanged on real PyTorch with the same
# printed results.
#
# *For contributors:* each notebook is paired with a text file, `lessons/NN_topic.py`, that holds
# the same cells; that text file is what you edit. `docs/contributing.md` explains the format and
# the tool that executes and stores a lesson.

# %% [markdown]
# ## Reading this course in Chinese · 中文读者
#
# The lessons are written in English, with help for readers whose first language is Chinese:
#
# - every lesson ends with a **中文小结**, a short summary in Chinese of what it taught, and a
#   **Glossary · 术语表**: a table of its key terms in English, in Chinese and as PyTorch names;
# - the Chinese terms are those of the Chinese edition of *Dive into Deep Learning*,
#   《动手学深度学习》(d2l.ai/zh), so they match what you read there;
# - where the prose introduces a key term, its Chinese name follows in brackets, e.g.
#   **tensor** (张量), **gradient** (梯度);
# - code, API names and error messages stay in English, exactly as PyTorch writes them: that is
#   what you will type, and what a search engine will find.
#
# 本课程用英文写成，同时照顾以中文为母语的读者：
#
# - 每一课的最后都有 **中文小结**（用中文概括本课内容）和 **术语表**（Glossary · 术语表：英文、中文和
#   PyTorch 名称三栏对照）；
# - 中文术语采用《动手学深度学习》（d2l.ai/zh）中文版的译法，和你在那本书里读到的一致；
# - 正文引入重要术语时，会在括号中注明中文，例如 **tensor**（张量）、**gradient**（梯度）；
# - 代码、API 名称和报错信息保持英文，与 PyTorch 完全相同：这正是你要输入的内容，也是搜索时要用的关键词。
#
# 建议的读法：先看每一课末尾的中文小结和术语表，了解这一课讲什么，再从头阅读英文正文并运行代码。

# %% [markdown]
# ## Switching to real PyTorch
#
# The setup cell of every lesson (the next cell) contains the line
#
# ```python
# import edutorch as torch
# ```
#
# Change it to `import torch` (after `pip install torch`) and run all cells again. The numbers stay
# the same — **random numbers included**: edutorch's generator is PyTorch's (a Mersenne Twister, with
# PyTorch's recipes for turning its bits into uniform, normal and integer samples; read it in
# `edutorch/random.py`), so after `torch.manual_seed(0)` both engines draw the same values, initialise
# `nn.Linear` with the same weights and shuffle a `DataLoader` in the same order. Long training runs
# can still drift apart in the last digits, because the two engines add floating-point numbers in
# different orders. One thing differs:
#
# - **edutorch-only cells.** A few cells look inside edutorch with `show_source` (from
#   `edutorch.notebook`). PyTorch's ops are written in C++, so there is nothing to show there: these
#   cells are marked *edutorch-only* and wrapped in `if EDUTORCH:`, which makes them do nothing on
#   PyTorch.
#
# Try it once with this lesson: switch, *Run All*, and compare the outputs with the stored ones.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

import edutorch as torch   # <- change to `import torch` to run this lesson on PyTorch
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# ## The map
#
# | lesson | what you learn |
# |---|---|
# | **00 welcome** | what edutorch is, running and switching, a first look at autograd |
# | **01 tensors** | making tensors, indexing, reshaping, broadcasting, reductions, dtypes; linear regression by hand |
# | **02 autograd** | the computation graph, leaves, `backward` and `autograd.grad`, hooks, `no_grad`, in-place rules, custom Functions; logistic regression |
# | **03 data** | `Dataset`, a custom image-folder dataset, `DataLoader`, samplers, collate, workers |
# | **04 transforms** | `ToTensor`, `Normalize`, crops, flips, colour, pipelines, augmentation |
# | **05 tensorboard** | `SummaryWriter`, reading event files, the board in the notebook |
# | **06 modules** | `nn.Module`, containers, parameters, `state_dict`, `train()`/`eval()` |
# | **07 conv and pooling** | convolution by hand, output sizes, the playground, transposed conv, pooling |
# | **08 layers** | `Linear`, activations, `Flatten`, `BatchNorm`, `Dropout` |
# | **09 losses** | regression, classification and ranking losses |
# | **10 optimizers** | gradient descent, momentum, Adam, parameter groups, schedulers |
# | **11 training loop** | data → model → loss → optimizer → loop, evaluation, logging, checkpoints |
# | **12 save and resume** | `save`/`load`, checkpoints, resuming training |
# | **13 hooks and CAM** | tensor and module hooks, feature maps, class activation maps |
# | **14 init and regularisation** | weight initialisation, weight decay, dropout, batch norm |
# | **15 pretrained and fine-tuning** | the model zoo, weights, feature extraction, fine-tuning, `torch.hub` |
# | **16 ResNet from source** | residual blocks, bottlenecks, stages, reading the source |
# | **17 detection basics** | IoU, NMS, one-stage grid heads, RoI pooling and RoI align |
# | **18 GAN** | generator and discriminator, `detach()`, a DCGAN on digits |
# | **19 graph networks** | `edge_index`, message passing with `index_add_`, a GCN |
# | **20 common errors** | the errors learners hit, their messages, and the fixes |
#
# Take them in order: each lesson uses what the earlier ones taught.

# %% [markdown]
# ## A first taste
#
# A **tensor** (张量) is an n-dimensional array of numbers. `requires_grad=True` asks autograd
# (自动微分) to record every operation done with it, so that gradients can be computed later.

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
x

# %% [markdown]
# An operation makes a new tensor. Because `x` requires grad, the result remembers how it was made:
# `grad_fn` names the operation that produced it.

# %%
y = (x * x).sum()      # y = x1² + x2² + x3²
y

# %% [markdown]
# `y.backward()` computes the derivative of `y` with respect to every tensor that requires grad and
# stores it in that tensor's `.grad`. Here $y = \sum_i x_i^2$, so $\partial y / \partial x_i = 2x_i$:

# %%
y.backward()
x.grad

# %% [markdown]
# ### Check your understanding
#
# Predict `x3.grad` before you run the cell: what is the derivative of $\sum_i x_i^3$?

# %%
x3 = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
(x3 ** 3).sum().backward()
assert torch.allclose(x3.grad, 3 * x3.detach() ** 2)
x3.grad

# %% [markdown]
# ## Look inside
#
# Every operation recorded by autograd becomes a **node** of a graph. The node of `x * x` is a
# `MulBackward0`:

# %%
z = x * x
print(z.grad_fn)

# %% [markdown]
# In edutorch you can read the code behind the node: the `Function` class of the multiplication,
# with `forward` (compute `a * b`) and `backward` (given the gradient of the output, return the
# gradient of each input) next to each other. It is the class `Mul` in `edutorch/ops/arithmetic.py`,
# which you can also open from JupyterLab's file browser, next to its neighbours (`Add`, `Div`,
# ...). The second call shows the `Tensor.backward` method you called above; it hands the work to
# the engine in `edutorch/autograd/`.
#
# *edutorch-only cell* (on PyTorch it does nothing):

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(z.grad_fn)
    show_source(torch.Tensor.backward)

# %% [markdown]
# The backward of `a * b` returns `grad * b` for `a` and `grad * a` for `b`. In `x * x` both inputs
# are `x`, so `x` receives `grad * x` twice, and the two contributions add up to $2x$. Check it:
# we first clear the gradient left over from `y.backward()`, because gradients *add up* across
# backward calls (lesson 02 explains why).

# %%
x.grad = None
z.sum().backward()
assert torch.equal(x.grad, x.detach() + x.detach())
x.grad

# %% [markdown]
# ## Summary
#
# - edutorch = PyTorch's API + a NumPy engine you can read. `import edutorch as torch` ↔ `import torch`.
# - A tensor with `requires_grad=True` records the operations done with it; each result has a
#   `grad_fn`, a node of the **computation graph** (计算图).
# - `loss.backward()` fills `.grad` of the tensors that require grad with $\partial\,\text{loss} / \partial\,\text{tensor}$.
# - Gradients add up across `backward()` calls: clear `.grad` (`x.grad = None`) before computing a new one.
# - Each node's backward is a few lines of code: `show_source(t.grad_fn)` prints them (edutorch only).

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/00_welcome.py](solutions/00_welcome.py) (one click; try first!).

# %%
from checks.lesson00 import Checks   # the checks of these exercises: lessons/checks/lesson00.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — a tensor that records, and its gradient.** Make `t`, a 2 × 3 tensor of floats
# holding 1, 2, 3 in its first row and 4, 5, 6 in its second, that requires grad. Compute
# `y = (t ** 2).sum()`, call `y.backward()`, and pass `t` to the check: it looks at the shape, the
# dtype, `requires_grad` and `t.grad`.

# %%
# Exercise 1: a 2 x 3 float tensor that requires grad; then y = (t ** 2).sum() and y.backward()
t = ...

# %%
check.ex1(t)

# %% [markdown]
# **Exercise 2 — a derivative calculator.** Write `derivative(f, values)`: it turns the list
# `values` into a tensor `x` that requires grad, computes `f(x)` (an elementwise function such as
# `torch.sin`), calls `backward()`, and returns `x.grad`, the derivative of `f` at each value.
# `backward()` needs a single number to start from: sum `f(x)` first (each element of the sum
# depends on its own `x_i` only, so `x.grad` holds $f'(x_i)$). The check tries `torch.sin`,
# `x ** 3` and `torch.exp`, and a list of integers: only floating-point tensors can require
# gradients, so ask for `dtype=torch.float32`.

# %%
# Exercise 2: the derivative of an elementwise f at each of the values, with backward()
def derivative(f, values):
    raise NotImplementedError("x = a float tensor that requires grad; f(x).sum().backward(); return x.grad")

# %%
check.ex2(derivative)

# %% [markdown]
# **Exercise 3 — one tensor, several gradients.** Write `gradients(x, functions)`: `x` is a
# tensor that requires grad and `functions` a list of elementwise functions. For each `f`, compute
# the gradient of `f(x).sum()` with respect to the **same** `x` and collect it; return the list.
# Remember the last section: gradients *add up* across backward calls, so each gradient must start
# from a clean `x.grad`.

# %%
# Exercise 3: the gradient of f(x).sum() for each f, each from a clean x.grad
def gradients(x, functions):
    result = []
    raise NotImplementedError("for each f: backward, keep x.grad, clear it (x.grad = None)")
    return result

# %%
check.ex3(gradients)

# %% [markdown]
# ## 中文小结
#
# - edutorch 用 NumPy 实现了 PyTorch 的 API，代码短小、可以直接阅读：`import edutorch as torch` 与
#   `import torch` 之间只差一行，课程中的每个代码单元格在两者上都能运行并输出相同的结果（随机数除外）。
# - 在仓库根目录运行 `pip install -e '.[lessons]'` 和 `jupyter lab --notebook-dir=. lessons/00_welcome.ipynb`；
#   JupyterLab 的文件浏览器从仓库根目录开始，`edutorch/` 的源代码就在课程旁边。
# - **张量**是多维数组；`requires_grad=True` 让**自动微分**记录对它的每一步运算，每个结果的 `grad_fn`
#   是**计算图**中的一个节点。
# - `y.backward()` 计算 `y` 对每个需要梯度的张量的导数，存入该张量的 `.grad`；只能从标量出发，
#   非标量要先求和（练习 2）。
# - 梯度会在多次 `backward()` 之间**累加**：再次求梯度之前要先清空（`x.grad = None`，练习 3）。
# - 在 edutorch 中，`show_source(t.grad_fn)` 可以显示某个运算的前向和反向代码。
# - 每一课的末尾都有练习（带自动检查）、中文小结和术语表，中文术语与《动手学深度学习》一致。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | tensor | 张量 | `torch.Tensor`, `torch.tensor` |
# | shape / data type | 形状 / 数据类型 | `Tensor.shape`, `Tensor.dtype` |
# | automatic differentiation | 自动微分 | `torch.autograd` |
# | requires gradient | 需要梯度 | `requires_grad=True` |
# | gradient | 梯度 | `Tensor.grad` |
# | derivative | 导数 | — |
# | computational graph | 计算图 | `Tensor.grad_fn` |
# | node (of the graph) | （计算图的）节点 | `grad_fn`, `next_functions` |
# | forward / backward pass | 前向传播 / 反向传播 | `Tensor.backward()`, `Function.backward` |
# | gradient accumulation | 梯度累加 | `x.grad = None`, `Optimizer.zero_grad()` |
# | random seed | 随机种子 | `torch.manual_seed` |
# | source code | 源代码 | `edutorch.notebook.show_source` (edutorch only) |
# | notebook / cell | 笔记本 / 单元格 | — |
