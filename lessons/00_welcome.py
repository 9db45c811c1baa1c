# %% [markdown]
# # 00 · Welcome to edutorch
#
# **Goals.** After this lesson you can
#
# - say what edutorch is, and why the same notebook also runs on PyTorch;
# - run the lessons on your machine, with edutorch or with real PyTorch;
# - make a tensor (张量), apply an op, call `.backward()` and read `.grad` (梯度, the gradient);
# - open the source code of the op you just ran.

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
# jupyter lab lessons/
# ```
#
# Open a notebook and run it top to bottom (*Run → Run All Cells*). Each lesson runs offline in well
# under a minute on a laptop CPU. The notebooks are stored with their outputs, so you can also just
# read them; and they are tested: `pytest` re-runs every lesson and checks that each printed output
# is still the same.
#
# ## Switching to real PyTorch
#
# The setup cell of every lesson (the next cell) contains the line
#
# ```python
# import edutorch as torch
# ```
#
# Change it to `import torch` (after `pip install torch`) and run all cells again. Two things differ:
#
# - **Random numbers.** edutorch draws its random numbers with NumPy, PyTorch with its own
#   generator. After `torch.manual_seed(0)` both are repeatable, but they are not the same numbers.
#   So the lessons print shapes and statistics of random tensors rather than their values.
# - **edutorch-only cells.** A few cells look inside edutorch with `show_source` (from
#   `edutorch.notebook`). PyTorch's ops are written in C++, so there is nothing to show there: these
#   cells are marked *edutorch-only* and wrapped in `if EDUTORCH:`, which makes them do nothing on
#   PyTorch.

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
# gradient of each input) next to each other. The second call shows the `Tensor.backward` method you
# called above; it hands the work to the engine in `edutorch/autograd/`.
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
# - Each node's backward is a few lines of code: `show_source(t.grad_fn)` prints them (edutorch only).
#
# ## Exercises
#
# 1. Replace `x * x` by `torch.sin(x)` and check that `x.grad` equals `torch.cos(x)`.
# 2. Print `y.grad_fn.next_functions`, then the `next_functions` of what you find there. Where does
#    the chain end?
# 3. Change the setup cell to `import torch`, run all cells and compare the outputs with the stored ones.
# 4. *(edutorch)* Run `show_source(torch.sin(x).grad_fn)` and find the line that computes the gradient.
