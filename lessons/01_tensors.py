# %% [markdown]
# # 01 · Tensors
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# A **tensor** (张量) is an n-dimensional array of numbers with a **dtype** (数据类型) and a
# **shape**. Everything in PyTorch, from images to model weights to gradients, is a tensor.
#
# **Goals.** After this lesson you can
#
# - make tensors from data, from NumPy arrays, filled with constants, and from random distributions;
# - join and split them, index them (basic, boolean and integer indexing, `gather`), and reshape them,
#   knowing when a result is a **view** (视图) sharing memory;
# - compute with them: elementwise maths, **broadcasting** (广播), matrix products, reductions along a
#   dimension, type promotion, and in-place operations;
# - fit a line to data with nothing but tensor operations.
# - summarise data with medians, quantiles and modes, measure pairwise distances, rotate, and
#   replace missing values.

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
# ## 1. Tensors from data
#
# `torch.tensor(data)` copies Python data into a new tensor and infers its dtype: Python floats
# become `float32` (NumPy would choose `float64`), integers `int64`, booleans `bool`. A single number
# gives a 0-dimensional tensor, a scalar.

# %%
a = torch.tensor([[1, 2, 3], [4, 5, 6]])   # nested lists -> 2-D
b = torch.tensor([0.5, 1.5])
c = torch.tensor([True, False, True])
s = torch.tensor(3.0)                      # 0-d: a scalar
for name, t in [("a", a), ("b", b), ("c", c), ("s", s)]:
    print(name, t.dtype, t.shape, t.dim())

# %%
print(a)
print(torch.tensor([1, 2.5]))                     # one float makes the whole tensor float
print(torch.tensor([1, 2], dtype=torch.float64))  # or ask for a dtype

# %% [markdown]
# ## 2. Tensors from NumPy: shared or copied
#
# `torch.from_numpy(arr)` **shares** the array's memory: a write on one side shows on the other, and
# nothing is copied. `torch.tensor(arr)` **copies**. Watch what a write into the array does:

# %%
arr = np.array([1.0, 2.0, 3.0])     # NumPy's default float is float64, and the tensors keep it
shared = torch.from_numpy(arr)      # same memory as arr
copied = torch.tensor(arr)          # its own copy
arr[0] = 100.0
print(shared)
print(copied)

# %% [markdown]
# The sharing goes both ways, and `.numpy()` shares too. (Convert a `float64` tensor for a model
# with `.float()`.)

# %%
shared[1] = -1.0
print(arr)
back = copied.numpy()
back[2] = 0.0
print(copied, copied.float().dtype)

# %% [markdown]
# ### Look inside: `from_numpy`
#
# *edutorch-only cell*: an edutorch tensor keeps a NumPy array underneath, and `from_numpy` simply
# wraps the array you pass without copying it. (PyTorch does the same with its own C++ storage.)

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(torch.from_numpy)

# %% [markdown]
# On either engine the tensor's data pointer is the array's own memory address, while `tensor()`
# made a copy elsewhere:

# %%
print(shared.data_ptr() == arr.ctypes.data, copied.data_ptr() == arr.ctypes.data)

# %% [markdown]
# ## 3. Filled tensors
#
# Shapes can be given as separate numbers (`zeros(2, 3)`) or as a tuple (`zeros((2, 3))`).
# `arange` works like Python's `range` (the end is excluded); `linspace` includes both ends.

# %%
print(torch.zeros(2, 3))
print(torch.ones(2, dtype=torch.int64))
print(torch.full((2, 2), 7.0))
print(torch.eye(3))
print(torch.arange(5))
print(torch.arange(0, 1, 0.25))     # a float step gives float32
print(torch.linspace(0, 1, 5))
print(torch.zeros_like(a))          # same shape and dtype as a

# %% [markdown]
# Triangles and diagonals of a matrix have their own functions: `triu` keeps the upper triangle
# (上三角) and zeroes the rest, `tril` the lower one; the second argument shifts the diagonal
# (`tril(m, -1)` keeps what is strictly below it). `diag` reads the diagonal of a matrix, or builds a
# diagonal matrix from a vector; `trace` sums the diagonal. The causal masks of Transformers are
# made with `triu`.

# %%
m = torch.arange(1, 10).reshape(3, 3)
print(torch.triu(m))
print(m.tril(-1))
print(m.diag(), m.trace(), torch.diag(torch.tensor([1, 2])), sep="\n")

# %% [markdown]
# ## 4. Random tensors
#
# `torch.manual_seed(0)` makes the random numbers that follow repeatable. edutorch's generator is
# PyTorch's own algorithm (a Mersenne Twister, `edutorch/random.py`), so the same seed gives the same
# values on both engines: the `tensor([0.4963, 0.7682, 0.0885])` that countless PyTorch tutorials show
# for `torch.manual_seed(0); torch.rand(3)` is what you get here too.

# %%
torch.manual_seed(0)
print(torch.rand(3))                 # the numbers every PyTorch tutorial shows
torch.manual_seed(0)
print(torch.rand(2, 3))              # uniform on [0, 1)
print(torch.randn(2, 3))             # standard normal: mean 0, std 1
print(torch.randint(0, 10, (2, 5)))  # integers in [0, 10)
print(torch.randperm(6))             # 0..5 in random order

# %%
torch.manual_seed(0)
u = torch.rand(10_000)
g = torch.randn(10_000)
n = torch.normal(mean=5.0, std=2.0, size=(10_000,))
k = torch.randint(0, 10, (10_000,))
coin = torch.bernoulli(torch.full((10_000,), 0.3))   # 1 with probability 0.3, else 0
print("rand     ", u.dtype, u.min().item() >= 0, u.max().item() < 1, round(u.mean().item(), 1))
print("randn    ", g.dtype, abs(g.mean().item()) < 0.05, round(g.std().item(), 1))
print("normal   ", round(n.mean().item()), round(n.std().item()))
print("randint  ", k.dtype, k.min().item(), k.max().item())
print("bernoulli", coin.dtype, round(coin.mean().item(), 1))
print("randperm ", torch.randperm(6).sort().values)

# %% [markdown]
# A histogram of 10 000 samples of `randn` against the standard normal density
# $\frac{1}{\sqrt{2\pi}}e^{-x^2/2}$:

# %%
torch.manual_seed(0)
samples = torch.randn(10_000)
grid = torch.linspace(-4, 4, 200)
density = torch.exp(-grid ** 2 / 2) / math.sqrt(2 * math.pi)

fig, ax = plt.subplots(figsize=(4, 3))
ax.hist(samples.numpy(), bins=50, density=True, alpha=0.6, label="torch.randn")
ax.plot(grid.numpy(), density.numpy(), "k", label="N(0, 1)")
ax.legend(loc="upper left", fontsize=8)
plt.show()
plt.close(fig)

# %% [markdown]
# ## 5. Joining: `cat` versus `stack`
#
# `torch.cat` joins tensors along an **existing** dimension; `torch.stack` puts them along a **new**
# one (so all must have the same shape).

# %%
a = torch.zeros(2, 3)
b = torch.ones(2, 3)
print(torch.cat([a, b]).shape)            # along dim 0: 2 + 2 rows
print(torch.cat([a, b], dim=1).shape)     # along dim 1: 3 + 3 columns
print(torch.stack([a, b]).shape)          # a new dim 0 of size 2
print(torch.stack([a, b], dim=2).shape)   # a new last dim

# %% [markdown]
# ## 6. Splitting: `split` and `chunk`
#
# `split(size)` cuts pieces of a given size (or a list of sizes); `chunk(n)` cuts into `n` pieces that
# are as equal as possible. The pieces are views of the original.

# %%
t = torch.arange(10)
print(t.split(4))
print(t.split([2, 3, 5]))
print(t.chunk(3))

# %% [markdown]
# ## 7. Indexing
#
# Basic indexing with integers and slices works as in NumPy, one index per dimension.

# %%
m = torch.arange(12).reshape(3, 4)
m

# %%
print(m[1])         # row 1
print(m[:, 2])      # column 2
print(m[1:, ::2])   # rows 1 and 2, every other column
print(m[-1, -1])    # one element: still a (0-d) tensor

# %% [markdown]
# Basic indexing returns a **view** (视图): no numbers are copied, and a write through the view
# changes the original.

# %%
row = m[0]
row[0] = 100
print(m[0])
m[0, 0] = 0      # put it back

# %% [markdown]
# A **boolean mask** of the same shape picks the elements where it is `True` (the result is 1-D and
# a copy). `masked_select` does the same as a function.

# %%
mask = m % 2 == 0
print(mask)
print(m[mask])
print(m.masked_select(m > 8))

# %% [markdown]
# **Integer arrays** pick whole rows, or single elements when there is one array per dimension;
# `index_select` picks entries along one dimension. **`gather`** picks one entry per position:
# for `dim=1`, `out[i][j] = m[i][index[i][j]]`, e.g. the score of the true class in each row of a
# batch.

# %%
print(m[[0, 2]])                                  # rows 0 and 2
print(m[[0, 2], [1, 3]])                          # elements (0, 1) and (2, 3)
print(m.index_select(1, torch.tensor([0, 3])))    # columns 0 and 3
index = torch.tensor([[3], [0], [2]])             # one column per row
print(m.gather(1, index))

# %% [markdown]
# ### Check your understanding
#
# Work out each value by hand, then run the cell.

# %%
assert m[2, 1].item() == 9
assert m[:, -1].tolist() == [3, 7, 11]
assert m[m > 9].tolist() == [10, 11]
assert m.gather(1, torch.tensor([[1], [1], [1]])).flatten().tolist() == [1, 5, 9]
print("all correct")

# %% [markdown]
# ## 8. Reshaping and contiguity
#
# A tensor is a block of memory plus a shape and **strides**: how many elements to skip to move one
# step along each dimension. `view` reinterprets the same memory with a new shape (`-1` means "work
# this size out"); it never copies.

# %%
x = torch.arange(6)
v = x.view(2, 3)
print(v)
print(x.reshape(3, -1).shape)
print(v.stride(), v.is_contiguous(), v.data_ptr() == x.data_ptr())

# %% [markdown]
# `transpose` (and `.t()`, `permute`) only swaps strides, so the result is a view whose elements are
# no longer in row order in memory: it is not **contiguous** (内存连续). `view` cannot flatten such a
# tensor; `reshape` can, because it copies when it must, and so does `.contiguous()`.

# %%
tt = v.t()
print(tt)
print(tt.stride(), tt.is_contiguous())
try:
    tt.view(6)
except RuntimeError as e:
    print("RuntimeError:", str(e).split(" (")[0])
print(tt.reshape(6))
print(tt.contiguous().view(6))

# %% [markdown]
# *edutorch-only cell*: `contiguous()` is two lines: a contiguous tensor is returned as it is,
# anything else is copied into fresh row-ordered memory.

# %%
# NBVAL_IGNORE_OUTPUT
if EDUTORCH:
    show_source(torch.Tensor.contiguous)

# %%
print(v.contiguous() is v, tt.contiguous() is tt, tt.contiguous().is_contiguous())

# %% [markdown]
# The other shape tools: `permute` reorders all dimensions, `flatten` merges a range of them,
# `squeeze` removes dimensions of size 1 and `unsqueeze` inserts one.

# %%
images = torch.zeros(2, 3, 4, 5)              # (batch, channels, height, width)
print(images.permute(0, 2, 3, 1).shape)       # channels last
print(images.transpose(1, 3).shape)
print(images.flatten(1).shape)                # keep the batch dimension
print(torch.zeros(3, 1, 4).squeeze().shape)
print(torch.zeros(3, 4).unsqueeze(0).shape)
print(torch.zeros(3, 4).unsqueeze(-1).shape)

# %% [markdown]
# ## 9. Maths
#
# Arithmetic operators and functions like `exp` and `sqrt` work **elementwise**:

# %%
a = torch.tensor([1.0, 2.0, 3.0])
b = torch.tensor([10.0, 20.0, 30.0])
print(a + b, a * b, b / a, a ** 2)
print(torch.exp(a), a.sqrt())

# %% [markdown]
# ### Broadcasting (广播)
#
# Shapes that differ can still be combined. Align the shapes on the right; each pair of sizes must be
# equal or one of them 1 (a missing dimension counts as 1); a size-1 dimension is repeated to match.
# A column `(3, 1)` plus a row `(1, 4)` gives a `(3, 4)` table, without the repeated copies ever being
# made in memory.

# %%
col = torch.tensor([[0.0], [10.0], [20.0]])     # shape (3, 1)
row = torch.tensor([[1.0, 2.0, 3.0, 4.0]])      # shape (1, 4)
table = col + row
print(table.shape)
table


# %%
def show_matrix(ax, t, title):
    ax.imshow(t.numpy(), cmap="Blues", vmin=-10, vmax=30)
    for (i, j), value in np.ndenumerate(t.numpy()):
        ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])

fig, axes = plt.subplots(1, 3, figsize=(6, 2), gridspec_kw={"width_ratios": [1, 4, 4]})
show_matrix(axes[0], col, "(3, 1)")
show_matrix(axes[1], row, "+ (1, 4)")
show_matrix(axes[2], table, "= (3, 4)")
plt.show()
plt.close(fig)

# %% [markdown]
# Shapes that do not follow the rule are an error:

# %%
try:
    torch.ones(3) + torch.ones(4)
except RuntimeError as e:
    print("RuntimeError:", str(e).split(":")[0])

# %% [markdown]
# ### Matrix products
#
# `@` (`torch.matmul`) multiplies matrices: `(2, 3) @ (3, 4)` gives `(2, 4)`. A 1-D operand acts
# as a vector, and leading "batch" dimensions broadcast.

# %%
A = torch.arange(6.0).reshape(2, 3)
B = torch.ones(3, 4)
print(A @ B)
print(A @ torch.tensor([1.0, 0.0, -1.0]))          # matrix @ vector
print((torch.ones(5, 2, 3) @ torch.ones(3, 4)).shape)

# %% [markdown]
# ### Reductions along a dimension
#
# `sum`, `mean`, `max`, ... reduce the whole tensor, or only along `dim`: that dimension disappears,
# unless `keepdim=True` keeps it with size 1, ready to broadcast against the original. `max(dim)`
# returns both the values and their positions.

# %%
x = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
print(x.sum(), x.mean())
print(x.sum(dim=0))                      # one value per column
print(x.sum(dim=1, keepdim=True))        # shape (2, 1)
print(x / x.sum(dim=1, keepdim=True))    # each row now sums to 1
values, indices = x.max(dim=1)
print(values, indices)
print(x.argmax(), x.argmax(dim=0))

# %% [markdown]
# ### Check your understanding
#
# What shape does each expression have? Run to check.

# %%
assert (torch.ones(4, 1) * torch.ones(3)).shape == (4, 3)
assert torch.ones(2, 3, 4).sum(dim=1).shape == (2, 4)
assert torch.ones(2, 3, 4).mean(dim=-1, keepdim=True).shape == (2, 3, 1)
assert (torch.ones(7, 2, 3) @ torch.ones(3, 5)).shape == (7, 2, 5)
print("all correct")

# %% [markdown]
# ## 10. Type promotion (类型提升)
#
# When an operation mixes dtypes, the result takes the "larger" one by fixed rules. The
# **categories** rank bool < integers < floats, and within a category the wider type wins
# (`int8` < `int64`, `float32` < `float64`). True division `/` always gives floats; `//` keeps
# integers.

# %%
i = torch.tensor([1, 2, 3])                                   # int64
f = torch.tensor([0.5, 0.5, 0.5])                             # float32
d = torch.tensor([0.5, 0.5, 0.5], dtype=torch.float64)
print((i + f).dtype)                                          # int < float
print((f + d).dtype)                                          # float32 < float64
print(i / 2, i // 2)
print((i > 1).dtype, (i > 1).sum())                           # True counts as 1

# %% [markdown]
# Not every operand counts the same, though. A tensor with dimensions outranks a 0-d tensor, which
# outranks a Python number. A 0-d tensor or a number decides the dtype only when its **category**
# is higher than that of every dimensioned tensor:
#
# - **higher category**: a 0-d tensor brings its own dtype (an `int64` tensor plus a 0-d `float64`
#   tensor is `float64`), a Python float brings the default float dtype (an `int64` tensor times
#   `2.5` is `float32`);
# - **same or lower category**: the dimensioned tensor keeps its dtype, whatever the width of the
#   other operand (a `float32` tensor plus a 0-d `float64` tensor stays `float32`; an `int8` tensor
#   plus a 0-d `int64` tensor stays `int8`).
#
# This is why `x * 0.5` never turns your `float32` batch into `float64`.

# %%
scalar64 = torch.tensor(1.0, dtype=torch.float64)             # a 0-d float64 tensor
print((i + scalar64).dtype)     # int64 tensor, 0-d float: higher category -> its own dtype, float64
print((f + scalar64).dtype)     # float32 tensor, 0-d float: same category -> float32 stays
print((i * 2.5).dtype)          # a Python float: higher category -> the default float, float32
small = torch.tensor([1, 2, 3], dtype=torch.int8)
print((small + torch.tensor(1)).dtype, (small + i).dtype)     # 0-d int64 keeps int8; 1-d int64 widens
print(torch.result_type(i, scalar64), torch.result_type(i, 2.5))

# %% [markdown]
# ## 11. In-place operations and `_version`
#
# A method ending in an underscore, like `add_`, changes the tensor **in place** (原地操作) and returns
# it; `+=` does the same. Every in-place write bumps the tensor's version counter `_version`; in
# lesson 02 autograd uses it to notice that a value it saved has been overwritten.

# %%
v = torch.ones(3)
print(v._version)
v.add_(1)
v.mul_(3)
v += 1
print(v, v._version)
w = v.add(1)            # no underscore: a new tensor, v is untouched
print(w, v._version)

# %% [markdown]
# ## 12. `torch.Size`, `.item()` and `.detach()`
#
# A shape is a `torch.Size`, which is a tuple. `.item()` turns a one-element tensor into a Python
# number. `.detach()` returns a tensor that shares memory with the original but is cut off from
# autograd (a taste of lesson 02). `.numpy()` refuses a tensor that requires grad: detach it first.

# %%
size = torch.zeros(2, 3, 4).shape
print(size, isinstance(size, tuple), size[1:], size.numel())
print(torch.tensor([2.5]).item(), torch.tensor([[7]]).item(), type(torch.tensor(1).item()))

# %%
p = torch.ones(3, requires_grad=True)
q = p.detach()
print(q.requires_grad, q.data_ptr() == p.data_ptr())
q[0] = 5.0                     # shared memory: p changes too
print(p)
try:
    p.numpy()
except RuntimeError as e:
    print("RuntimeError:", e)
print(p.detach().numpy())

# %% [markdown]
# ## 13. Linear regression (线性回归) by hand
#
# Time to use all this. We make noisy points around the line $y = 2x + 1$ and fit $\hat y = wx + b$
# by minimising the mean squared error $L = \frac1n \sum_i (w x_i + b - y_i)^2$, twice:
#
# 1. **Closed form.** Setting the derivatives to zero gives
#    $w = \frac{\sum (x_i - \bar x)(y_i - \bar y)}{\sum (x_i - \bar x)^2}$ and $b = \bar y - w \bar x$.
# 2. **Gradient descent** with gradients derived by hand:
#    $\frac{\partial L}{\partial w} = \frac2n \sum_i (w x_i + b - y_i)\,x_i$ and
#    $\frac{\partial L}{\partial b} = \frac2n \sum_i (w x_i + b - y_i)$.
#    Lesson 02 lets autograd find these for us.

# %%
torch.manual_seed(0)
n = 100
x = torch.linspace(-1, 1, n)
y = 2.0 * x + 1.0 + 0.2 * torch.randn(n)     # slope 2, intercept 1, plus noise

# 1. closed form
x_mean, y_mean = x.mean(), y.mean()
w_closed = ((x - x_mean) * (y - y_mean)).sum() / ((x - x_mean) ** 2).sum()
b_closed = y_mean - w_closed * x_mean

# 2. gradient descent, gradients by hand
w, b, lr = torch.tensor(0.0), torch.tensor(0.0), 0.1
losses = []
for step in range(300):
    error = w * x + b - y                    # shape (n,)
    losses.append((error ** 2).mean().item())
    grad_w = 2 * (error * x).mean()
    grad_b = 2 * error.mean()
    w -= lr * grad_w                         # in place
    b -= lr * grad_b
print(x.shape, y.shape, len(losses))

# %% [markdown]
# The fitted values depend on the random noise (so the next output is not compared), but both
# methods must agree, and land near the true slope 2 and intercept 1:

# %%
# NBVAL_IGNORE_OUTPUT
print(f"closed form:      w = {w_closed.item():.3f}, b = {b_closed.item():.3f}")
print(f"gradient descent: w = {w.item():.3f}, b = {b.item():.3f}")

# %%
assert abs(w.item() - w_closed.item()) < 1e-3 and abs(b.item() - b_closed.item()) < 1e-3
assert abs(w.item() - 2.0) < 0.2 and abs(b.item() - 1.0) < 0.2
assert losses[-1] < losses[0] / 10
print("both fits agree and are close to y = 2x + 1")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
ax1.scatter(x.numpy(), y.numpy(), s=8, alpha=0.6, label="data")
ax1.plot(x.numpy(), (w * x + b).numpy(), "r", label="fit")
ax1.plot(x.numpy(), (2 * x + 1).numpy(), "k--", lw=1, label="y = 2x + 1")
ax1.legend(fontsize=8)
ax1.set_title("data and fitted line", fontsize=9)
ax2.semilogy(losses)
ax2.set_xlabel("step")
ax2.set_title("mean squared error", fontsize=9)
plt.tight_layout()
plt.show()
plt.close(fig)

# %% [markdown]
# ## 14. A few everyday tools: medians, distances, rotations, missing values
#
# Some functions you will meet again and again when looking at data:
#
# - The **median** (中位数) of an even number of values is, in PyTorch, the *lower* of the two middle
#   ones: an element of the tensor, so `median(dim=...)` can also say where it is. A **quantile**
#   (分位数) interpolates between neighbours instead, so `quantile(x, 0.5)` is the median you learnt
#   at school. The **mode** (众数) is the most frequent value.

# %%
x = torch.tensor([3.0, 1.0, 4.0, 1.0, 5.0, 9.0])
print(x.median())                                   # sorted: 1 1 3 4 5 9 -> the lower middle, 3
print(torch.quantile(x, 0.5))                       # halfway between 3 and 4
print(torch.quantile(x, torch.tensor([0.25, 0.75])))
print(torch.median(x, dim=0))                       # the value and where it is
values, indices = torch.mode(torch.tensor([[1, 2, 2, 3], [4, 4, 5, 5]]), dim=1)
print(values, indices)                              # a tie in counts goes to the smaller value

# %% [markdown]
# - `torch.cdist` computes every **pairwise distance** (成对距离) between two sets of points in one
#   call: row `i`, column `j` is the Euclidean distance from point `i` to centre `j`. The nearest
#   centre of each point is then an `argmin`, the first step of k-means clustering.

# %%
points = torch.tensor([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0]])
centres = torch.tensor([[0.0, 0.0], [3.0, 3.0]])
distances = torch.cdist(points, centres)
print(distances)
print(distances.argmin(dim=1))                      # nearest centre of each point

# %% [markdown]
# - `torch.rot90` turns a tensor a quarter turn in the plane of two dimensions (an image, for
#   instance: a common data augmentation), and `torch.nan_to_num` replaces **missing values**
#   (缺失值) marked as `nan`, and infinities, by numbers of your choice; `torch.nanmean` averages
#   only the values that are there.

# %%
image = torch.arange(6).reshape(2, 3)
print(image)
print(torch.rot90(image))                           # a quarter turn counter-clockwise
print(torch.rot90(image, k=-1))                     # and clockwise
readings = torch.tensor([1.5, float("nan"), 2.5, float("inf")])
print(torch.nan_to_num(readings, nan=0.0, posinf=100.0))
print(torch.nanmean(readings[:3]))

# %% [markdown]
# - `torch.special` holds the special functions of statistics under SciPy's names: `gammaln` (the
#   log of the gamma function, so `gammaln(n + 1)` is $\ln n!$ without overflowing), `ndtr` (the
#   standard normal's cumulative distribution function, 正态分布函数), `ndtri` (its inverse), `expit`
#   (the sigmoid), `entr` ($-x \ln x$, a term of an entropy).

# %%
n = torch.tensor([5.0, 20.0, 100.0])
print(torch.special.gammaln(n + 1))                 # ln 5! = ln 120 = 4.787..., ln 100! = 363.7...
print(torch.special.ndtr(torch.tensor([-1.96, 0.0, 1.96])))   # 2.5 %, 50 %, 97.5 %
print(torch.special.ndtri(torch.tensor([0.025, 0.975])))      # back to -1.96 and 1.96

# %% [markdown]
# ### Check your understanding
#
# Predict each value before you run the cell.

# %%
four = torch.tensor([1.0, 2.0, 3.0, 4.0])
assert four.median().item() == 2.0                  # the lower of 2 and 3
assert torch.quantile(four, 0.5).item() == 2.5      # interpolated
assert torch.cdist(torch.zeros(1, 2), torch.tensor([[3.0, 4.0]])).item() == 5.0
assert torch.equal(torch.rot90(torch.rot90(image)), torch.rot90(image, k=2))
assert torch.equal(torch.rot90(image, k=4), image)  # four quarter turns: back where we started
print("all correct")

# %% [markdown]
# ## Summary
#
# - `torch.tensor` copies data and infers the dtype (float32 / int64 / bool); `from_numpy`, `.numpy()`,
#   `view`, basic indexing and `detach()` share memory.
# - Filled: `zeros`, `ones`, `full`, `eye`, `arange`, `linspace`. Random: `rand`, `randn`, `randint`,
#   `normal`, `randperm`, `bernoulli`, repeatable after `torch.manual_seed` (and the same values as
#   PyTorch's).
# - `cat` joins along an existing dimension, `stack` along a new one; `split`/`chunk` cut.
# - Indexing: slices (views), boolean masks and integer arrays (copies), `index_select`,
#   `masked_select`, `gather`.
# - `view` needs contiguous memory, `reshape` copies when needed; `transpose`/`permute` swap strides.
# - Broadcasting aligns shapes on the right and stretches size-1 dimensions; reductions take `dim`
#   and `keepdim`.
# - Mixed dtypes promote bool < int < float, and the wider type within a category. A 0-d tensor or a
#   Python number counts only when its category is higher than every dimensioned tensor's: then a 0-d
#   tensor brings its own dtype, a Python float the default `float32`.
# - `op_` methods work in place and bump `_version`.
# - `median` returns the lower middle value (with its index along a `dim`), `quantile` interpolates,
#   `mode` counts; `cdist` gives all pairwise distances; `rot90` turns, `nan_to_num` fills in `nan`.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/01_tensors.py](solutions/01_tensors.py) (one click; try first!).

# %%
from checks.lesson01 import Checks   # the checks of these exercises: lessons/checks/lesson01.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — a matrix from `eye` and indexing.** Write `bidiagonal(n)`: the `n × n` float
# matrix with 1 on the diagonal and 2 just above it (at positions `(i, i + 1)`), everything else 0.
# Start from `torch.eye(n)` and set the 2s with integer-array indexing (section 7), no loop. For
# `n = 3`: `[[1, 2, 0], [0, 1, 2], [0, 0, 1]]`. The check tries `n = 1, 4, 5`.

# %%
# Exercise 1: 1 on the diagonal, 2 just above it
def bidiagonal(n):
    m = torch.eye(n)
    raise NotImplementedError("set m[i, i + 1] = 2 for every i with one indexing assignment")
    return m

# %%
check.ex1(bidiagonal)

# %% [markdown]
# **Exercise 2 — standardise each row.** Write `standardize_rows(x)` for a 2-D `x` (one sample
# per row): subtract each row's mean and divide by each row's standard deviation (`std`, with its
# default settings), so that afterwards `y.mean(dim=1)` is 0 and `y.std(dim=1)` is 1. Use
# `keepdim=True` (section 9) so the statistics broadcast against the rows. The check tries a
# square matrix, where a missing `keepdim` does not even raise an error, and a `(5, 3)` one.

# %%
# Exercise 2: each row to mean 0 and standard deviation 1
def standardize_rows(x):
    raise NotImplementedError("(x - row means) / row standard deviations, with keepdim=True")

# %%
check.ex2(standardize_rows)

# %% [markdown]
# **Exercise 3 — predict the dtypes.** Without running them, write the dtype (`torch.int8`,
# `torch.int64`, `torch.float32` or `torch.float64`) of each result, in order (section 10):
#
# 1. `torch.arange(3) + torch.tensor(1, dtype=torch.int8)`
# 2. `torch.arange(3, dtype=torch.int8) + torch.arange(3)`
# 3. `torch.arange(3, dtype=torch.int8) + torch.tensor(7)`
# 4. `torch.arange(3) + torch.tensor(0.5, dtype=torch.float64)`
# 5. `torch.arange(3.0) + torch.tensor(0.5, dtype=torch.float64)`
# 6. `torch.arange(3) / 2`
#
# (`torch.arange(3)` is `int64`, `torch.arange(3.0)` is `float32`.) The check computes them.

# %%
# Exercise 3: the dtypes of the six results, in order
dtypes = [..., ..., ..., ..., ..., ...]

# %%
check.ex3(dtypes)

# %% [markdown]
# **Exercise 4 — the score of the true class.** `scores` has one row per sample and one column
# per class; `labels` holds each sample's class index. Write `true_class_scores(scores, labels)`
# returning the 1-D tensor `scores[i, labels[i]]` for every row `i`, with `gather` (or with integer
# arrays, one per dimension). This is the number a classification loss looks at.

# %%
# Exercise 4: one score per row, the one in the column labels[i]
def true_class_scores(scores, labels):
    raise NotImplementedError("pick scores[i, labels[i]] for every i: gather, or two index arrays")

# %%
check.ex4(true_class_scores)

# %% [markdown]
# **Exercise 5 — fit a parabola by gradient descent.** Extend section 13 to
# $\hat y = a x^2 + b x + c$. Write `fit_quadratic(x, y, steps, lr)`: start from
# $a = b = c = 0$ and take `steps` steps of gradient descent on the mean squared error
# $L = \frac1n \sum_i (\hat y_i - y_i)^2$, with gradients **derived by hand** (no autograd):
# $\frac{\partial L}{\partial a} = \frac2n \sum_i (\hat y_i - y_i)\,x_i^2$, and likewise for $b$
# (times $x_i$) and $c$ (times 1). Compute all three gradients before updating any coefficient.
# Return `(a, b, c)`. The check compares 20 steps with its own loop, then lets yours run until it
# meets the least-squares fit.

# %%
# Exercise 5: gradient descent for y ≈ a x² + b x + c; return (a, b, c)
def fit_quadratic(x, y, steps, lr):
    a, b, c = torch.tensor(0.0), torch.tensor(0.0), torch.tensor(0.0)
    raise NotImplementedError("loop: error = a*x**2 + b*x + c - y; the three gradients; update a, b, c")
    return a, b, c

# %%
check.ex5(fit_quadratic)

# %% [markdown]
# ## 中文小结
#
# - **张量**是带有数据类型（dtype）和形状（shape）的多维数组。`torch.tensor` 复制数据并推断数据类型
#   （Python 浮点数得到 float32，整数得到 int64）；`torch.from_numpy` 和 `.numpy()` 与 NumPy 数组共享内存。
# - 常用的创建函数：`zeros`、`ones`、`full`、`eye`、`arange`、`linspace`；随机数：`rand`、`randn`、`randint`
#   等。`torch.manual_seed` 让随机数可重复，但 edutorch 与 PyTorch 生成的随机数并不相同。
# - `cat` 沿已有的维度拼接，`stack` 沿新维度堆叠；`split`、`chunk` 把张量切开。
# - **索引**：切片得到**视图**（与原张量共享内存）；布尔掩码和整数数组索引得到副本；
#   `gather` 为每一行取一个元素（练习 4）。
# - `view` 只重新解释同一块内存，要求内存布局相容；`transpose`、`permute` 只交换步幅，结果不再连续，
#   这时用 `reshape` 或先 `.contiguous()`。
# - **广播机制**：形状从右对齐，大小为 1 的维度被扩展；`sum`、`mean` 等归约用 `dim` 指定维度，
#   `keepdim=True` 保留该维度以便继续广播（练习 2）。
# - **类型提升**：bool < 整数 < 浮点数，同类中更宽的类型胜出；0 维张量和 Python 数字只有在类别更高时才决定结果
#   类型（0 维张量带来自己的类型，Python 浮点数带来默认的 float32）。
# - 带下划线的方法（如 `add_`）是**原地操作**，会增加 `_version`；最后我们只用张量运算和手推的梯度完成了
#   **线性回归**。
# - `median` 给出偏下的中位数（沿 `dim` 时还给出它的位置），`quantile` 在相邻值之间插值，`mode` 给出众数；
#   `cdist` 一次算出所有成对距离；`rot90` 把张量旋转 90°，`nan_to_num` 替换缺失值（`nan`）和无穷大。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | tensor | 张量 | `torch.Tensor`, `torch.tensor` |
# | data type (dtype) | 数据类型 | `Tensor.dtype`, `torch.float32` |
# | shape | 形状 | `Tensor.shape`, `torch.Size` |
# | scalar (0-d tensor) | 标量（0 维张量） | `torch.tensor(3.0)`, `Tensor.item()` |
# | random seed | 随机种子 | `torch.manual_seed` |
# | concatenate / stack | 连结 / 堆叠 | `torch.cat`, `torch.stack` |
# | indexing / slicing | 索引 / 切片 | `t[i, j]`, `t[1:, ::2]` |
# | boolean mask | 布尔掩码 | `t[mask]`, `Tensor.masked_select` |
# | view | 视图 | `Tensor.view` |
# | stride / contiguous | 步幅 / 连续 | `Tensor.stride()`, `Tensor.contiguous()` |
# | reshape | 改变形状 | `Tensor.reshape`, `Tensor.permute` |
# | elementwise operation | 按元素运算 | `+`, `*`, `torch.exp` |
# | broadcasting | 广播机制 | — |
# | matrix multiplication | 矩阵乘法 | `@`, `torch.matmul` |
# | reduction | 降维（归约） | `Tensor.sum(dim=..., keepdim=...)` |
# | type promotion | 类型提升 | `torch.result_type` |
# | in-place operation | 原地操作 | `Tensor.add_()` |
# | linear regression | 线性回归 | — |
# | mean squared error | 均方误差 | `torch.nn.MSELoss` |
# | gradient descent | 梯度下降 | — |
# | median / quantile / mode | 中位数 / 分位数 / 众数 | `torch.median`, `torch.quantile`, `torch.mode` |
# | pairwise distance | 成对距离 | `torch.cdist` |
# | missing value | 缺失值 | `torch.nan_to_num`, `torch.nanmean` |
