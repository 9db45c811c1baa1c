#!/usr/bin/env python
"""Build lessons 00-02 from the cells written below, execute them, and check them against PyTorch.

    python lessons/_build/build_00_02.py                 # write and execute all three notebooks
    python lessons/_build/build_00_02.py 01_tensors      # only the lessons named
    python lessons/_build/build_00_02.py --torch         # also run a copy on real PyTorch and compare
    python lessons/_build/build_00_02.py --torch-only    # only the PyTorch comparison (notebooks as stored)
    python lessons/_build/build_00_02.py --no-execute    # write the notebooks without outputs

A lesson is a list of cells: ``md(...)`` for prose, ``code(...)`` for code. Every code cell must run
unchanged on PyTorch: the only difference between the two runs is the import line of the setup cell.
Cells whose output is random or shows edutorch's source start with ``# NBVAL_IGNORE_OUTPUT``; all
other outputs are compared by nbval (against the stored outputs) and by ``--torch`` (against PyTorch).
"""
from __future__ import annotations

import sys

from _common import IGNORE, code, main, md, setup  # the shared machinery: lessons/_build/_common.py

# ===================================================================================== 00 welcome
L00 = [
    md(r"""
    # 00 · Welcome to edutorch

    **Goals.** After this lesson you can

    - say what edutorch is, and why the same notebook also runs on PyTorch;
    - run the lessons on your machine, with edutorch or with real PyTorch;
    - make a tensor (张量), apply an op, call `.backward()` and read `.grad` (梯度, the gradient);
    - open the source code of the op you just ran.
    """),
    md(r"""
    ## What edutorch is

    edutorch is **PyTorch's API on a small engine written in NumPy that you can read**. The names,
    arguments, defaults and even the printed output are PyTorch's. Underneath, every operation is a
    short Python class whose forward computation and backward (gradient) computation sit side by side,
    so when you wonder *"what does `backward()` actually do?"* you can open the code and read it on one
    screen.

    You write `import edutorch as torch` and then ordinary PyTorch code. When you are ready for the
    real thing, change that one line to `import torch`: every code cell in these lessons runs
    unchanged on PyTorch and prints the same results.

    What edutorch is *not*: fast on big models, or complete. It runs on the CPU only, and it
    implements the part of PyTorch that the lessons teach.
    """),
    md(r"""
    ## Running the lessons

    From the root of the repository:

    ```bash
    pip install -e '.[lessons]'
    jupyter lab lessons/
    ```

    Open a notebook and run it top to bottom (*Run → Run All Cells*). Each lesson runs offline in well
    under a minute on a laptop CPU. The notebooks are stored with their outputs, so you can also just
    read them; and they are tested: `pytest` re-runs every lesson and checks that each printed output
    is still the same.

    ## Switching to real PyTorch

    The setup cell of every lesson (the next cell) contains the line

    ```python
    import edutorch as torch
    ```

    Change it to `import torch` (after `pip install torch`) and run all cells again. Two things differ:

    - **Random numbers.** edutorch draws its random numbers with NumPy, PyTorch with its own
      generator. After `torch.manual_seed(0)` both are repeatable, but they are not the same numbers.
      So the lessons print shapes and statistics of random tensors rather than their values.
    - **edutorch-only cells.** A few cells look inside edutorch with `show_source` (from
      `edutorch.notebook`). PyTorch's ops are written in C++, so there is nothing to show there: these
      cells are marked *edutorch-only* and wrapped in `if EDUTORCH:`, which makes them do nothing on
      PyTorch.
    """),
    setup(),
    md(r"""
    ## The map

    | lesson | what you learn |
    |---|---|
    | **00 welcome** | what edutorch is, running and switching, a first look at autograd |
    | **01 tensors** | making tensors, indexing, reshaping, broadcasting, reductions, dtypes; linear regression by hand |
    | **02 autograd** | the computation graph, leaves, `backward` and `autograd.grad`, hooks, `no_grad`, in-place rules, custom Functions; logistic regression |
    | **03 data** | `Dataset`, a custom image-folder dataset, `DataLoader`, samplers, collate, workers |
    | **04 transforms** | `ToTensor`, `Normalize`, crops, flips, colour, pipelines, augmentation |
    | **05 tensorboard** | `SummaryWriter`, reading event files, the board in the notebook |
    | **06 modules** | `nn.Module`, containers, parameters, `state_dict`, `train()`/`eval()` |
    | **07 conv and pooling** | convolution by hand, output sizes, the playground, transposed conv, pooling |
    | **08 layers** | `Linear`, activations, `Flatten`, `BatchNorm`, `Dropout` |
    | **09 losses** | regression, classification and ranking losses |
    | **10 optimizers** | gradient descent, momentum, Adam, parameter groups, schedulers |
    | **11 training loop** | data → model → loss → optimizer → loop, evaluation, logging, checkpoints |
    | **12 save and resume** | `save`/`load`, checkpoints, resuming training |
    | **13 hooks and CAM** | tensor and module hooks, feature maps, class activation maps |
    | **14 init and regularisation** | weight initialisation, weight decay, dropout, batch norm |
    | **15 pretrained and fine-tuning** | the model zoo, weights, feature extraction, fine-tuning, `torch.hub` |
    | **16 ResNet from source** | residual blocks, bottlenecks, stages, reading the source |
    | **17 detection basics** | IoU, NMS, one-stage grid heads, RoI pooling and RoI align |
    | **18 GAN** | generator and discriminator, `detach()`, a DCGAN on digits |
    | **19 graph networks** | `edge_index`, message passing with `index_add_`, a GCN |
    | **20 common errors** | the errors learners hit, their messages, and the fixes |

    Take them in order: each lesson uses what the earlier ones taught.
    """),
    md(r"""
    ## A first taste

    A **tensor** (张量) is an n-dimensional array of numbers. `requires_grad=True` asks autograd
    (自动微分) to record every operation done with it, so that gradients can be computed later.
    """),
    code(r"""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x
    """),
    md(r"""
    An operation makes a new tensor. Because `x` requires grad, the result remembers how it was made:
    `grad_fn` names the operation that produced it.
    """),
    code(r"""
    y = (x * x).sum()      # y = x1² + x2² + x3²
    y
    """),
    md(r"""
    `y.backward()` computes the derivative of `y` with respect to every tensor that requires grad and
    stores it in that tensor's `.grad`. Here $y = \sum_i x_i^2$, so $\partial y / \partial x_i = 2x_i$:
    """),
    code(r"""
    y.backward()
    x.grad
    """),
    md(r"""
    ### Check your understanding

    Predict `x3.grad` before you run the cell: what is the derivative of $\sum_i x_i^3$?
    """),
    code(r"""
    x3 = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x3 ** 3).sum().backward()
    assert torch.allclose(x3.grad, 3 * x3.detach() ** 2)
    x3.grad
    """),
    md(r"""
    ## Look inside

    Every operation recorded by autograd becomes a **node** of a graph. The node of `x * x` is a
    `MulBackward0`:
    """),
    code(r"""
    z = x * x
    print(z.grad_fn)
    """),
    md(r"""
    In edutorch you can read the code behind the node: the `Function` class of the multiplication,
    with `forward` (compute `a * b`) and `backward` (given the gradient of the output, return the
    gradient of each input) next to each other. The second call shows the `Tensor.backward` method you
    called above; it hands the work to the engine in `edutorch/autograd/`.

    *edutorch-only cell* (on PyTorch it does nothing):
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        show_source(z.grad_fn)
        show_source(torch.Tensor.backward)
    """),
    md(r"""
    The backward of `a * b` returns `grad * b` for `a` and `grad * a` for `b`. In `x * x` both inputs
    are `x`, so `x` receives `grad * x` twice, and the two contributions add up to $2x$. Check it:
    we first clear the gradient left over from `y.backward()`, because gradients *add up* across
    backward calls (lesson 02 explains why).
    """),
    code(r"""
    x.grad = None
    z.sum().backward()
    assert torch.equal(x.grad, x.detach() + x.detach())
    x.grad
    """),
    md(r"""
    ## Summary

    - edutorch = PyTorch's API + a NumPy engine you can read. `import edutorch as torch` ↔ `import torch`.
    - A tensor with `requires_grad=True` records the operations done with it; each result has a
      `grad_fn`, a node of the **computation graph** (计算图).
    - `loss.backward()` fills `.grad` of the tensors that require grad with $\partial\,\text{loss} / \partial\,\text{tensor}$.
    - Each node's backward is a few lines of code: `show_source(t.grad_fn)` prints them (edutorch only).

    ## Exercises

    1. Replace `x * x` by `torch.sin(x)` and check that `x.grad` equals `torch.cos(x)`.
    2. Print `y.grad_fn.next_functions`, then the `next_functions` of what you find there. Where does
       the chain end?
    3. Change the setup cell to `import torch`, run all cells and compare the outputs with the stored ones.
    4. *(edutorch)* Run `show_source(torch.sin(x).grad_fn)` and find the line that computes the gradient.
    """),
]

# ===================================================================================== 01 tensors
L01 = [
    md(r"""
    # 01 · Tensors

    A **tensor** (张量) is an n-dimensional array of numbers with a **dtype** (数据类型) and a
    **shape**. Everything in PyTorch, from images to model weights to gradients, is a tensor.

    **Goals.** After this lesson you can

    - make tensors from data, from NumPy arrays, filled with constants, and from random distributions;
    - join and split them, index them (basic, boolean and integer indexing, `gather`), and reshape them,
      knowing when a result is a **view** (视图) sharing memory;
    - compute with them: elementwise maths, **broadcasting** (广播), matrix products, reductions along a
      dimension, type promotion, and in-place operations;
    - fit a line to data with nothing but tensor operations.
    """),
    setup(),
    md(r"""
    ## 1. Tensors from data

    `torch.tensor(data)` copies Python data into a new tensor and infers its dtype: Python floats
    become `float32` (NumPy would choose `float64`), integers `int64`, booleans `bool`. A single number
    gives a 0-dimensional tensor, a scalar.
    """),
    code(r"""
    a = torch.tensor([[1, 2, 3], [4, 5, 6]])   # nested lists -> 2-D
    b = torch.tensor([0.5, 1.5])
    c = torch.tensor([True, False, True])
    s = torch.tensor(3.0)                      # 0-d: a scalar
    for name, t in [("a", a), ("b", b), ("c", c), ("s", s)]:
        print(name, t.dtype, t.shape, t.dim())
    """),
    code(r"""
    print(a)
    print(torch.tensor([1, 2.5]))                     # one float makes the whole tensor float
    print(torch.tensor([1, 2], dtype=torch.float64))  # or ask for a dtype
    """),
    md(r"""
    ## 2. Tensors from NumPy: shared or copied

    `torch.from_numpy(arr)` **shares** the array's memory: a write on one side shows on the other, and
    nothing is copied. `torch.tensor(arr)` **copies**. Watch what a write into the array does:
    """),
    code(r"""
    arr = np.array([1.0, 2.0, 3.0])     # NumPy's default float is float64, and the tensors keep it
    shared = torch.from_numpy(arr)      # same memory as arr
    copied = torch.tensor(arr)          # its own copy
    arr[0] = 100.0
    print(shared)
    print(copied)
    """),
    md(r"""
    The sharing goes both ways, and `.numpy()` shares too. (Convert a `float64` tensor for a model
    with `.float()`.)
    """),
    code(r"""
    shared[1] = -1.0
    print(arr)
    back = copied.numpy()
    back[2] = 0.0
    print(copied, copied.float().dtype)
    """),
    md(r"""
    ### Look inside: `from_numpy`

    *edutorch-only cell*: an edutorch tensor keeps a NumPy array underneath, and `from_numpy` simply
    wraps the array you pass without copying it. (PyTorch does the same with its own C++ storage.)
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        show_source(torch.from_numpy)
    """),
    md(r"""
    On either engine the tensor's data pointer is the array's own memory address, while `tensor()`
    made a copy elsewhere:
    """),
    code(r"""
    print(shared.data_ptr() == arr.ctypes.data, copied.data_ptr() == arr.ctypes.data)
    """),
    md(r"""
    ## 3. Filled tensors

    Shapes can be given as separate numbers (`zeros(2, 3)`) or as a tuple (`zeros((2, 3))`).
    `arange` works like Python's `range` (the end is excluded); `linspace` includes both ends.
    """),
    code(r"""
    print(torch.zeros(2, 3))
    print(torch.ones(2, dtype=torch.int64))
    print(torch.full((2, 2), 7.0))
    print(torch.eye(3))
    print(torch.arange(5))
    print(torch.arange(0, 1, 0.25))     # a float step gives float32
    print(torch.linspace(0, 1, 5))
    print(torch.zeros_like(a))          # same shape and dtype as a
    """),
    md(r"""
    ## 4. Random tensors

    `torch.manual_seed(0)` makes the random numbers that follow repeatable. **edutorch's random numbers
    are not PyTorch's**: edutorch draws them with NumPy, so the same seed gives different values on
    the two engines. That is why the next cell's output is not compared, and why we then look at
    shapes, dtypes and statistics, which agree.
    """),
    code(rf"""
    {IGNORE}
    torch.manual_seed(0)
    print(torch.rand(2, 3))              # uniform on [0, 1)
    print(torch.randn(2, 3))             # standard normal: mean 0, std 1
    print(torch.randint(0, 10, (2, 5)))  # integers in [0, 10)
    print(torch.randperm(6))             # 0..5 in random order
    """),
    code(r"""
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
    """),
    md(r"""
    A histogram of 10 000 samples of `randn` against the standard normal density
    $\frac{1}{\sqrt{2\pi}}e^{-x^2/2}$:
    """),
    code(r"""
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
    """),
    md(r"""
    ## 5. Joining: `cat` versus `stack`

    `torch.cat` joins tensors along an **existing** dimension; `torch.stack` puts them along a **new**
    one (so all must have the same shape).
    """),
    code(r"""
    a = torch.zeros(2, 3)
    b = torch.ones(2, 3)
    print(torch.cat([a, b]).shape)            # along dim 0: 2 + 2 rows
    print(torch.cat([a, b], dim=1).shape)     # along dim 1: 3 + 3 columns
    print(torch.stack([a, b]).shape)          # a new dim 0 of size 2
    print(torch.stack([a, b], dim=2).shape)   # a new last dim
    """),
    md(r"""
    ## 6. Splitting: `split` and `chunk`

    `split(size)` cuts pieces of a given size (or a list of sizes); `chunk(n)` cuts into `n` pieces that
    are as equal as possible. The pieces are views of the original.
    """),
    code(r"""
    t = torch.arange(10)
    print(t.split(4))
    print(t.split([2, 3, 5]))
    print(t.chunk(3))
    """),
    md(r"""
    ## 7. Indexing

    Basic indexing with integers and slices works as in NumPy, one index per dimension.
    """),
    code(r"""
    m = torch.arange(12).reshape(3, 4)
    m
    """),
    code(r"""
    print(m[1])         # row 1
    print(m[:, 2])      # column 2
    print(m[1:, ::2])   # rows 1 and 2, every other column
    print(m[-1, -1])    # one element: still a (0-d) tensor
    """),
    md(r"""
    Basic indexing returns a **view** (视图): no numbers are copied, and a write through the view
    changes the original.
    """),
    code(r"""
    row = m[0]
    row[0] = 100
    print(m[0])
    m[0, 0] = 0      # put it back
    """),
    md(r"""
    A **boolean mask** of the same shape picks the elements where it is `True` (the result is 1-D and
    a copy). `masked_select` does the same as a function.
    """),
    code(r"""
    mask = m % 2 == 0
    print(mask)
    print(m[mask])
    print(m.masked_select(m > 8))
    """),
    md(r"""
    **Integer arrays** pick whole rows, or single elements when there is one array per dimension;
    `index_select` picks entries along one dimension. **`gather`** picks one entry per position:
    for `dim=1`, `out[i][j] = m[i][index[i][j]]`, e.g. the score of the true class in each row of a
    batch.
    """),
    code(r"""
    print(m[[0, 2]])                                  # rows 0 and 2
    print(m[[0, 2], [1, 3]])                          # elements (0, 1) and (2, 3)
    print(m.index_select(1, torch.tensor([0, 3])))    # columns 0 and 3
    index = torch.tensor([[3], [0], [2]])             # one column per row
    print(m.gather(1, index))
    """),
    md(r"""
    ### Check your understanding

    Work out each value by hand, then run the cell.
    """),
    code(r"""
    assert m[2, 1].item() == 9
    assert m[:, -1].tolist() == [3, 7, 11]
    assert m[m > 9].tolist() == [10, 11]
    assert m.gather(1, torch.tensor([[1], [1], [1]])).flatten().tolist() == [1, 5, 9]
    print("all correct")
    """),
    md(r"""
    ## 8. Reshaping and contiguity

    A tensor is a block of memory plus a shape and **strides**: how many elements to skip to move one
    step along each dimension. `view` reinterprets the same memory with a new shape (`-1` means "work
    this size out"); it never copies.
    """),
    code(r"""
    x = torch.arange(6)
    v = x.view(2, 3)
    print(v)
    print(x.reshape(3, -1).shape)
    print(v.stride(), v.is_contiguous(), v.data_ptr() == x.data_ptr())
    """),
    md(r"""
    `transpose` (and `.t()`, `permute`) only swaps strides, so the result is a view whose elements are
    no longer in row order in memory: it is not **contiguous** (内存连续). `view` cannot flatten such a
    tensor; `reshape` can, because it copies when it must, and so does `.contiguous()`.
    """),
    code(r"""
    tt = v.t()
    print(tt)
    print(tt.stride(), tt.is_contiguous())
    try:
        tt.view(6)
    except RuntimeError as e:
        print("RuntimeError:", str(e).split(" (")[0])
    print(tt.reshape(6))
    print(tt.contiguous().view(6))
    """),
    md(r"""
    *edutorch-only cell*: `contiguous()` is two lines: a contiguous tensor is returned as it is,
    anything else is copied into fresh row-ordered memory.
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        show_source(torch.Tensor.contiguous)
    """),
    code(r"""
    print(v.contiguous() is v, tt.contiguous() is tt, tt.contiguous().is_contiguous())
    """),
    md(r"""
    The other shape tools: `permute` reorders all dimensions, `flatten` merges a range of them,
    `squeeze` removes dimensions of size 1 and `unsqueeze` inserts one.
    """),
    code(r"""
    images = torch.zeros(2, 3, 4, 5)              # (batch, channels, height, width)
    print(images.permute(0, 2, 3, 1).shape)       # channels last
    print(images.transpose(1, 3).shape)
    print(images.flatten(1).shape)                # keep the batch dimension
    print(torch.zeros(3, 1, 4).squeeze().shape)
    print(torch.zeros(3, 4).unsqueeze(0).shape)
    print(torch.zeros(3, 4).unsqueeze(-1).shape)
    """),
    md(r"""
    ## 9. Maths

    Arithmetic operators and functions like `exp` and `sqrt` work **elementwise**:
    """),
    code(r"""
    a = torch.tensor([1.0, 2.0, 3.0])
    b = torch.tensor([10.0, 20.0, 30.0])
    print(a + b, a * b, b / a, a ** 2)
    print(torch.exp(a), a.sqrt())
    """),
    md(r"""
    ### Broadcasting (广播)

    Shapes that differ can still be combined. Align the shapes on the right; each pair of sizes must be
    equal or one of them 1 (a missing dimension counts as 1); a size-1 dimension is repeated to match.
    A column `(3, 1)` plus a row `(1, 4)` gives a `(3, 4)` table, without the repeated copies ever being
    made in memory.
    """),
    code(r"""
    col = torch.tensor([[0.0], [10.0], [20.0]])     # shape (3, 1)
    row = torch.tensor([[1.0, 2.0, 3.0, 4.0]])      # shape (1, 4)
    table = col + row
    print(table.shape)
    table
    """),
    code(r"""
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
    """),
    md(r"""
    Shapes that do not follow the rule are an error:
    """),
    code(r"""
    try:
        torch.ones(3) + torch.ones(4)
    except RuntimeError as e:
        print("RuntimeError:", str(e).split(":")[0])
    """),
    md(r"""
    ### Matrix products

    `@` (`torch.matmul`) multiplies matrices: `(2, 3) @ (3, 4)` gives `(2, 4)`. A 1-D operand acts
    as a vector, and leading "batch" dimensions broadcast.
    """),
    code(r"""
    A = torch.arange(6.0).reshape(2, 3)
    B = torch.ones(3, 4)
    print(A @ B)
    print(A @ torch.tensor([1.0, 0.0, -1.0]))          # matrix @ vector
    print((torch.ones(5, 2, 3) @ torch.ones(3, 4)).shape)
    """),
    md(r"""
    ### Reductions along a dimension

    `sum`, `mean`, `max`, ... reduce the whole tensor, or only along `dim`: that dimension disappears,
    unless `keepdim=True` keeps it with size 1, ready to broadcast against the original. `max(dim)`
    returns both the values and their positions.
    """),
    code(r"""
    x = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    print(x.sum(), x.mean())
    print(x.sum(dim=0))                      # one value per column
    print(x.sum(dim=1, keepdim=True))        # shape (2, 1)
    print(x / x.sum(dim=1, keepdim=True))    # each row now sums to 1
    values, indices = x.max(dim=1)
    print(values, indices)
    print(x.argmax(), x.argmax(dim=0))
    """),
    md(r"""
    ### Check your understanding

    What shape does each expression have? Run to check.
    """),
    code(r"""
    assert (torch.ones(4, 1) * torch.ones(3)).shape == (4, 3)
    assert torch.ones(2, 3, 4).sum(dim=1).shape == (2, 4)
    assert torch.ones(2, 3, 4).mean(dim=-1, keepdim=True).shape == (2, 3, 1)
    assert (torch.ones(7, 2, 3) @ torch.ones(3, 5)).shape == (7, 2, 5)
    print("all correct")
    """),
    md(r"""
    ## 10. Type promotion (类型提升)

    When an operation mixes dtypes, the result takes the "larger" one by fixed rules: bool < integers <
    floats, and within a kind the wider type wins. Python numbers and 0-d tensors only change the
    *kind* (an int tensor times `2.5` becomes float), never the width. True division `/` always
    gives floats; `//` keeps integers.
    """),
    code(r"""
    i = torch.tensor([1, 2, 3])                                   # int64
    f = torch.tensor([0.5, 0.5, 0.5])                             # float32
    d = torch.tensor([0.5, 0.5, 0.5], dtype=torch.float64)
    print((i + f).dtype)
    print((i * 2.5).dtype)
    print((f + d).dtype)
    print((f + torch.tensor(1.0, dtype=torch.float64)).dtype)     # 0-d: kind only, float32 stays
    print(i / 2, i // 2)
    print((i > 1).dtype, (i > 1).sum())                           # True counts as 1
    print(torch.result_type(i, 2.5))
    """),
    md(r"""
    ## 11. In-place operations and `_version`

    A method ending in an underscore, like `add_`, changes the tensor **in place** (原地操作) and returns
    it; `+=` does the same. Every in-place write bumps the tensor's version counter `_version`; in
    lesson 02 autograd uses it to notice that a value it saved has been overwritten.
    """),
    code(r"""
    v = torch.ones(3)
    print(v._version)
    v.add_(1)
    v.mul_(3)
    v += 1
    print(v, v._version)
    w = v.add(1)            # no underscore: a new tensor, v is untouched
    print(w, v._version)
    """),
    md(r"""
    ## 12. `torch.Size`, `.item()` and `.detach()`

    A shape is a `torch.Size`, which is a tuple. `.item()` turns a one-element tensor into a Python
    number. `.detach()` returns a tensor that shares memory with the original but is cut off from
    autograd (a taste of lesson 02). `.numpy()` refuses a tensor that requires grad: detach it first.
    """),
    code(r"""
    size = torch.zeros(2, 3, 4).shape
    print(size, isinstance(size, tuple), size[1:], size.numel())
    print(torch.tensor([2.5]).item(), torch.tensor([[7]]).item(), type(torch.tensor(1).item()))
    """),
    code(r"""
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
    """),
    md(r"""
    ## 13. Linear regression (线性回归) by hand

    Time to use all this. We make noisy points around the line $y = 2x + 1$ and fit $\hat y = wx + b$
    by minimising the mean squared error $L = \frac1n \sum_i (w x_i + b - y_i)^2$, twice:

    1. **Closed form.** Setting the derivatives to zero gives
       $w = \frac{\sum (x_i - \bar x)(y_i - \bar y)}{\sum (x_i - \bar x)^2}$ and $b = \bar y - w \bar x$.
    2. **Gradient descent** with gradients derived by hand:
       $\frac{\partial L}{\partial w} = \frac2n \sum_i (w x_i + b - y_i)\,x_i$ and
       $\frac{\partial L}{\partial b} = \frac2n \sum_i (w x_i + b - y_i)$.
       Lesson 02 lets autograd find these for us.
    """),
    code(r"""
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
    """),
    md(r"""
    The fitted values depend on the random noise (so the next output is not compared), but both
    methods must agree, and land near the true slope 2 and intercept 1:
    """),
    code(rf"""
    {IGNORE}
    print(f"closed form:      w = {{w_closed.item():.3f}}, b = {{b_closed.item():.3f}}")
    print(f"gradient descent: w = {{w.item():.3f}}, b = {{b.item():.3f}}")
    """),
    code(r"""
    assert abs(w.item() - w_closed.item()) < 1e-3 and abs(b.item() - b_closed.item()) < 1e-3
    assert abs(w.item() - 2.0) < 0.2 and abs(b.item() - 1.0) < 0.2
    assert losses[-1] < losses[0] / 10
    print("both fits agree and are close to y = 2x + 1")
    """),
    code(r"""
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
    """),
    md(r"""
    ## Summary

    - `torch.tensor` copies data and infers the dtype (float32 / int64 / bool); `from_numpy`, `.numpy()`,
      `view`, basic indexing and `detach()` share memory.
    - Filled: `zeros`, `ones`, `full`, `eye`, `arange`, `linspace`. Random: `rand`, `randn`, `randint`,
      `normal`, `randperm`, `bernoulli`, repeatable after `torch.manual_seed` (edutorch's values differ
      from PyTorch's).
    - `cat` joins along an existing dimension, `stack` along a new one; `split`/`chunk` cut.
    - Indexing: slices (views), boolean masks and integer arrays (copies), `index_select`,
      `masked_select`, `gather`.
    - `view` needs contiguous memory, `reshape` copies when needed; `transpose`/`permute` swap strides.
    - Broadcasting aligns shapes on the right and stretches size-1 dimensions; reductions take `dim`
      and `keepdim`.
    - Mixed dtypes promote bool < int < float; Python numbers and 0-d tensors only change the kind.
    - `op_` methods work in place and bump `_version`.

    ## Exercises

    1. Build the 4 × 4 matrix with 1 on the diagonal and 2 just above it, from `torch.eye` and indexing.
    2. Standardise each column of `torch.randn(5, 3)` to mean 0 and standard deviation 1, using
       `keepdim=True`. Check with `mean(dim=0)` and `std(dim=0)`.
    3. Predict the dtype of `torch.arange(3) + torch.tensor(1, dtype=torch.int8)` and of
       `torch.arange(3, dtype=torch.int8) + torch.arange(3)`; check.
    4. Why does `torch.arange(6).view(2, 3).t().view(-1)` fail while `.reshape(-1)` works? Use `stride()`.
    5. Fit $y = a x^2 + b x + c$ to noisy data by gradient descent with hand-derived gradients.
    """),
]

# ===================================================================================== 02 autograd
GRAPH_HELPER = r"""
def draw_graph(tensor, names, ax):
    "Draw the backward graph ending at `tensor`: one box per node, arrows where gradients flow."
    depth, order = {}, []

    def visit(node, d):
        if node is None:
            return
        if node not in depth:
            order.append(node)
        depth[node] = max(depth.get(node, 0), d)
        for child, _ in node.next_functions:
            visit(child, d + 1)

    visit(tensor.grad_fn, 0)
    rows = {}
    for node in order:
        rows.setdefault(depth[node], []).append(node)
    pos = {node: (i - (len(row) - 1) / 2, -d) for d, row in rows.items() for i, node in enumerate(row)}
    for node, xy in pos.items():
        for child, _ in node.next_functions:
            if child is not None:
                ax.annotate("", xy=pos[child], xytext=xy,
                            arrowprops=dict(arrowstyle="->", shrinkA=15, shrinkB=15))
    for node, (px, py) in pos.items():
        label = node.name().split("::")[-1]
        if hasattr(node, "variable"):
            label += "\n(" + names.get(id(node.variable), "?") + ")"
        ax.text(px, py, label, ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="round", fc="lightyellow"))
    half_width = max(len(row) for row in rows.values()) / 2 + 0.5
    ax.set_xlim(-half_width, half_width)
    ax.set_ylim(-max(depth.values()) - 0.5, 0.5)
    ax.axis("off")
"""

L02 = [
    md(r"""
    # 02 · Autograd

    **Autograd** (自动微分) computes gradients for you: while you compute, it records a
    **computation graph** (计算图) of the operations; `backward()` walks this graph from the output back
    to the inputs and applies the chain rule at every node.

    **Goals.** After this lesson you can

    - draw and walk the graph of a computation: `grad_fn`, `next_functions`, leaves (叶子节点) and their
      `AccumulateGrad` nodes;
    - explain why gradients accumulate, what `retain_graph`, `retain_grad` and `create_graph` do, and
      when to use `backward()` or `torch.autograd.grad`;
    - steer gradients with hooks (钩子), `no_grad` and `detach`, and understand autograd's in-place rules;
    - write your own differentiable operation and check it with `gradcheck`;
    - train a logistic regression (逻辑回归) with autograd.
    """),
    setup("import warnings"),
    md(r"""
    ## 1. The computation graph (计算图)

    Take $y = w x + b$ where we want gradients for the parameters `w` and `b` but not for the input `x`.
    """),
    code(r"""
    x = torch.tensor(2.0)
    w = torch.tensor(3.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    y = w * x + b
    for name, t in [("x", x), ("w", w), ("b", b), ("y", y)]:
        print(f"{name}: is_leaf={t.is_leaf!s:5} requires_grad={t.requires_grad!s:5} grad_fn={t.grad_fn}")
    """),
    md(r"""
    Tensors you create yourself are **leaves** (叶子节点): `is_leaf` is `True` and `grad_fn` is `None`.
    `y` was made by an addition, so its `grad_fn` is an `AddBackward0` node. Each node lists the nodes
    of its inputs in `next_functions`, as `(node, output_index)` pairs. Walk it by hand:
    """),
    code(r"""
    add = y.grad_fn
    print(add.name(), add.next_functions)
    mul = add.next_functions[0][0]
    print(mul.name(), mul.next_functions)
    """),
    md(r"""
    - `MulBackward0` has `(None, 0)` for `x`: `x` does not require grad, so no gradient goes there.
    - A leaf that requires grad is reached through an **`AccumulateGrad`** node. It is the end of the
      road: it adds the gradient that arrives into the leaf's `.grad`. Its `.variable` is the leaf.
    """),
    code(r"""
    acc_w = mul.next_functions[0][0]
    acc_b = add.next_functions[1][0]
    print(acc_w.name(), acc_w.variable is w, acc_b.variable is b, acc_w.next_functions)
    """),
    md(r"""
    A recursive walk prints the whole graph; a small drawing function shows it as a picture. Arrows
    point the way gradients flow, from the output towards the leaves.
    """),
    code(GRAPH_HELPER + r"""

def walk(node, depth=0):
    "Print the graph below `node`, one line per node, indented by depth."
    if node is None:
        print("    " * depth + "None  (no gradient needed)")
        return
    extra = f"  variable={node.variable!r}" if hasattr(node, "variable") else ""
    print("    " * depth + node.name().split("::")[-1] + extra)
    for child, _ in node.next_functions:
        walk(child, depth + 1)


walk(y.grad_fn)
"""),
    code(r"""
    fig, ax = plt.subplots(figsize=(4, 3))
    draw_graph(y, {id(w): "w", id(b): "b"}, ax)
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    *edutorch-only*: an interactive view of any graph, here a tiny two-layer network. Pick a node to
    read its `next_functions` and the shapes it saw; press *run backward*, then step through the
    nodes in the order the engine runs them and read the gradient that flowed through each one.
    """),
    code(rf"""
    {IGNORE}
    # an interactive widget
    inputs = torch.arange(12.0).reshape(4, 3) / 10
    W1 = torch.tensor([[0.5, -0.5], [0.25, 0.0], [-0.25, 1.0]], requires_grad=True)
    W2 = torch.tensor([[1.0], [-2.0]], requires_grad=True)
    loss = torch.tanh(inputs @ W1).matmul(W2).pow(2).mean()
    if EDUTORCH:
        from edutorch.notebook import draw_graph as graph_view
        view = graph_view(loss, params={{"W1": W1, "W2": W2}})
        display(view)
    """),
    md(r"""
    The same graph as text, on any engine:
    """),
    code(r"""
    walk(loss.grad_fn)
    """),
    md(r"""
    **`requires_grad` propagates**: the result of an operation requires grad if any input does, and then
    it has a `grad_fn` and is not a leaf.
    """),
    code(r"""
    plain = torch.ones(2)
    param = torch.ones(2, requires_grad=True)
    print((plain * 2).requires_grad, (plain * param).requires_grad, (plain * param).is_leaf)
    """),
    md(r"""
    ## 2. `backward()` and why gradients accumulate

    `y.backward()` sends $\partial y/\partial y = 1$ into the root node; every node turns the gradient
    of its output into gradients of its inputs (the chain rule, 链式法则), until the `AccumulateGrad`
    nodes store them. For $y = wx + b$: $\partial y/\partial w = x = 2$ and $\partial y/\partial b = 1$.
    """),
    code(r"""
    y.backward()
    print(w.grad, b.grad, x.grad)
    """),
    md(r"""
    `AccumulateGrad` **adds** into `.grad`; it does not overwrite it. Run the forward and backward a
    second time and the gradient doubles:
    """),
    code(r"""
    y = w * x + b
    y.backward()
    print("after a second backward:", w.grad, b.grad)
    """),
    md(r"""
    This is on purpose. A parameter used in several places of a model (or by several losses, or over
    several small batches) must get the **sum** of all its gradient contributions, and accumulating is
    how autograd sums them. The price: you must **reset the gradients before each training step**
    (`optimizer.zero_grad()` does exactly this):
    """),
    code(r"""
    w.grad.zero_()
    b.grad = None            # also fine: the next backward starts a fresh .grad
    y = w * x + b
    y.backward()
    print(w.grad, b.grad)
    """),
    md(r"""
    ### Look inside: `AccumulateGrad`

    *edutorch-only cell*: the node at the end of the road. When the leaf has no `.grad` yet it stores a
    copy of the gradient, otherwise it adds in place.
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        show_source(y.grad_fn.next_functions[1][0])   # the AccumulateGrad node of b
    """),
    md(r"""
    The same behaviour on any engine: a leaf used twice in one graph gets the sum of both paths.
    """),
    code(r"""
    u = torch.tensor(3.0, requires_grad=True)
    (u * 2 + u * 5).backward()          # d/du = 2 + 5
    print(u.grad)
    """),
    md(r"""
    ## 3. `retain_graph`: backward twice through one graph

    Nodes keep the values their backward needs (here `w * w` keeps `w`). `backward()` frees them as
    soon as it is done, to save memory, so a second backward through the **same** graph fails:
    """),
    code(r"""
    w = torch.tensor(3.0, requires_grad=True)
    y = w * w
    y.backward()
    try:
        y.backward()
    except RuntimeError as e:
        print(type(e).__name__ + ":", str(e).split(".")[0])
    """),
    md(r"""
    `retain_graph=True` keeps the saved values for another backward (and, as before, the gradients
    add up: $2 \cdot 2w = 12$):
    """),
    code(r"""
    w = torch.tensor(3.0, requires_grad=True)
    y = w * w
    y.backward(retain_graph=True)
    y.backward()
    print(w.grad)
    """),
    md(r"""
    ## 4. Gradients of non-leaf tensors: `retain_grad`

    Only leaves get a `.grad`. Reading `.grad` of an intermediate tensor gives `None` and a warning;
    call `.retain_grad()` before `backward()` to keep it.
    """),
    code(r"""
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    h = p * 3                        # an intermediate (non-leaf) tensor
    (h ** 2).sum().backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        print(h.grad)
    print(caught[0].category.__name__ + ":", str(caught[0].message).split(". ")[0])
    """),
    code(r"""
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    h = p * 3
    h.retain_grad()
    (h ** 2).sum().backward()
    print(h.grad, p.grad)            # d/dh (h²) = 2h;  d/dp = 2h * 3
    """),
    md(r"""
    ## 5. `torch.autograd.grad` and non-scalar outputs

    `torch.autograd.grad(outputs, inputs)` **returns** the gradients instead of adding them into
    `.grad`; handy when you need a gradient as a value.
    """),
    code(r"""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x ** 3).sum()
    (dy_dx,) = torch.autograd.grad(y, x)
    print(dy_dx, x.grad)
    """),
    md(r"""
    `backward()` without arguments needs a scalar output. For a tensor output $\mathbf y$, pass
    `gradient=v` of the same shape: autograd then computes the **vector-Jacobian product**
    (向量-雅可比积) $v^\top J$, i.e. the gradient of $\sum_i v_i y_i$. With $y_i = x_i^2$ the Jacobian
    is diagonal, so $x$'s gradient is $2 x_i v_i$.
    """),
    code(r"""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x ** 2
    try:
        y.backward()
    except RuntimeError as e:
        print("RuntimeError:", str(e).split(":")[0])
    y.backward(gradient=torch.tensor([1.0, 0.1, 0.01]))
    print(x.grad)
    """),
    md(r"""
    ## 6. Hooks (钩子)

    `t.register_hook(fn)` calls `fn(grad)` when the gradient of `t` has been computed. The hook may
    look at it (for debugging) or return a replacement. It returns a handle: `handle.remove()` takes
    the hook off again.
    """),
    code(r"""
    def double_it(grad):
        print("  hook sees", grad)
        return grad * 2

    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    handle = x.register_hook(double_it)
    (x * x).sum().backward()
    print("with the hook:   ", x.grad)        # 2x, doubled
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    print("hook removed:    ", x.grad)        # 2x
    """),
    md(r"""
    Hooks also work on intermediate tensors, the usual way to peek at a gradient deep inside a model:
    """),
    code(r"""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    hidden = x * 10
    hidden.register_hook(lambda grad: print("gradient reaching hidden:", grad))
    (hidden.sum() / 4).backward()
    print(x.grad)
    """),
    md(r"""
    ## 7. Turning autograd off: `no_grad`, `detach`, `requires_grad_`

    Inside `with torch.no_grad():` nothing is recorded: results do not require grad. Use it for
    evaluation and for updating weights. `detach()` gives a tensor sharing the same memory without
    history. `requires_grad_()` switches recording on for a leaf in place.
    """),
    code(r"""
    w = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        z = w * 2
    print(z.requires_grad, z.grad_fn)
    d = w.detach()
    print(d.requires_grad, d.data_ptr() == w.data_ptr())
    q = torch.zeros(2).requires_grad_()
    print(q.requires_grad, q.is_leaf)
    """),
    md(r"""
    ## 8. The in-place rules (原地操作)

    **Rule 1: no in-place change of a leaf that requires grad** (outside `no_grad`). Its value is what
    its gradient is about; overwriting it would make `.grad` meaningless. Inside `torch.no_grad()` the
    same update is how weights are changed, as every optimizer does.
    """),
    code(r"""
    leaf = torch.ones(3, requires_grad=True)
    try:
        leaf.add_(1)
    except RuntimeError as e:
        print("RuntimeError:", str(e).split(".")[0])
    with torch.no_grad():
        leaf -= 0.5                 # fine: this is a weight update
    print(leaf)
    """),
    md(r"""
    **Rule 2: do not overwrite a value that a node saved for backward.** `exp` saves its output
    ($\frac{d}{da} e^a = e^a$). Changing that output in place bumps its `_version`, and backward
    refuses to use the stale value:
    """),
    code(r"""
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    e = a.exp()
    print("version before:", e._version)
    e.add_(1)
    print("version after: ", e._version)
    try:
        e.sum().backward()
    except RuntimeError as err:
        print("RuntimeError:", str(err).split(", which")[0])
    """),
    md(r"""
    The fix is to use the out-of-place form (`e = e + 1`) or to `clone()` before changing.
    """),
    code(r"""
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    e = a.exp()
    e = e + 1
    e.sum().backward()
    assert torch.allclose(a.grad, a.detach().exp())
    print("ok")
    """),
    md(r"""
    ### Check your understanding

    Predict each gradient, then run.
    """),
    code(r"""
    t = torch.tensor([1.0, -2.0], requires_grad=True)
    (t * t * t).sum().backward()                 # d/dt t³ = 3t²
    assert t.grad.tolist() == [3.0, 12.0]

    (t.sum() * 2).backward()                     # accumulates: + 2
    assert t.grad.tolist() == [5.0, 14.0]

    with torch.no_grad():
        out = t * 100
    assert not out.requires_grad and out.grad_fn is None
    print("all correct")
    """),
    md(r"""
    ## 9. Second derivatives: `create_graph=True`

    With `create_graph=True` the backward pass itself is recorded, so the gradient has a `grad_fn` and
    can be differentiated again (二阶导数). For $y = x^3$ at $x = 2$: $y' = 3x^2 = 12$, $y'' = 6x = 12$.
    """),
    code(r"""
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    (dy,) = torch.autograd.grad(y, x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy, x)
    print(dy.item(), dy.requires_grad, d2y.item())
    """),
    md(r"""
    The same on a whole curve: the first and second derivatives of $\sin x$ are $\cos x$ and
    $-\sin x$. (Summing first gives each element's own derivative, since $y_i$ depends only on $x_i$.)
    """),
    code(r"""
    x = torch.linspace(-math.pi, math.pi, 100, requires_grad=True)
    y = torch.sin(x)
    (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy.sum(), x)
    assert torch.allclose(dy, torch.cos(x), atol=1e-6) and torch.allclose(d2y, -torch.sin(x), atol=1e-6)

    fig, ax = plt.subplots(figsize=(4, 3))
    for curve, label in [(y, "sin x"), (dy, "first derivative"), (d2y, "second derivative")]:
        ax.plot(x.detach().numpy(), curve.detach().numpy(), label=label)
    ax.legend(fontsize=8)
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    ## 10. Your own operation: `torch.autograd.Function`

    Subclass `torch.autograd.Function` with a static `forward(ctx, ...)` and `backward(ctx, grad_output)`.
    `ctx.save_for_backward` keeps tensors for backward, which gets them back from `ctx.saved_tensors`.
    `backward` receives the gradient of the output and returns one gradient per input. Call the
    operation with `.apply`.

    Our example is **ReLU6**, $\min(\max(x, 0), 6)$: the gradient passes where $0 < x < 6$ and is
    zero where the output is clipped. edutorch's own ops are written exactly like this.
    """),
    code(r"""
    class ClippedReLU(torch.autograd.Function):
        "min(max(x, 0), 6); gradient 1 where 0 < x < 6, else 0."

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(0, 6)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            passes = (x > 0) & (x < 6)
            return grad_output * passes.to(grad_output.dtype)


    x = torch.tensor([-2.0, 1.0, 3.0, 7.0], requires_grad=True)
    y = ClippedReLU.apply(x)
    y.sum().backward()
    print(y.detach(), y.grad_fn.name())
    print(x.grad)
    """),
    md(r"""
    Always check a hand-written backward against finite differences (数值梯度):
    `torch.autograd.gradcheck` nudges each input by a tiny $\epsilon$ and compares
    $\frac{f(x+\epsilon) - f(x-\epsilon)}{2\epsilon}$ with your backward. Use `float64` inputs:
    in `float32` the rounding error of the difference swamps the comparison. (Points exactly at the
    kinks 0 and 6 have no derivative, so we keep away from them.)
    """),
    code(r"""
    x64 = torch.tensor([-1.5, 0.5, 2.0, 5.5, 7.0], dtype=torch.float64, requires_grad=True)
    print(torch.autograd.gradcheck(ClippedReLU.apply, (x64,)))
    """),
    md(r"""
    ### Look inside: the engine

    *edutorch-only cell*: `run_backward` is the whole backward engine: it counts how many gradients each
    node waits for, runs a node when all have arrived, and passes each result on along
    `next_functions`.
    """),
    code(rf"""
    {IGNORE}
    if EDUTORCH:
        from edutorch.autograd.graph import run_backward
        show_source(run_backward)
    """),
    md(r"""
    A node runs once however many paths lead to it: here `s` is used by two branches and its node
    receives the sum of both before passing it on.
    """),
    code(r"""
    x = torch.tensor(1.0, requires_grad=True)
    s = x * 3                      # one node, two users below
    out = s * s + s                # d/ds = 2s + 1 = 7,  d/dx = 7 * 3
    out.backward()
    print(x.grad)
    """),
    md(r"""
    ## 11. Logistic regression (逻辑回归) with autograd

    Two clouds of 2-D points, class 0 around $(-1, -1)$ and class 1 around $(1, 1)$. The model gives
    the probability of class 1 as $p = \sigma(z)$ with $z = X w + b$ and $\sigma(z) = 1 / (1 + e^{-z})$.
    We minimise the binary cross-entropy $-[y \log p + (1 - y) \log(1 - p)]$, which simplifies to
    $\log(1 + e^{z}) - y z$: the same number, without taking the log of a probability that has
    rounded to 0. Autograd finds the gradients; we only write the update.
    """),
    code(r"""
    torch.manual_seed(0)
    n = 200
    X = torch.cat([torch.randn(n // 2, 2) * 0.7 + torch.tensor([-1.0, -1.0]),
                   torch.randn(n // 2, 2) * 0.7 + torch.tensor([1.0, 1.0])])
    labels = torch.cat([torch.zeros(n // 2), torch.ones(n // 2)])

    w = torch.zeros(2, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr = 0.5
    losses = []
    for step in range(200):
        z = X @ w + b                                            # logits, shape (n,)
        loss = (torch.log1p(torch.exp(z)) - labels * z).mean()   # binary cross-entropy
        loss.backward()
        with torch.no_grad():                                    # the update is not part of the model
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        losses.append(loss.item())

    with torch.no_grad():
        predictions = (torch.sigmoid(X @ w + b) > 0.5).float()
    accuracy = (predictions == labels).float().mean().item()
    print(X.shape, labels.shape, f"first loss {losses[0]:.4f} = log 2")
    """),
    md(r"""
    The learned weights and the accuracy depend on the random data (not compared); the check below
    is.
    """),
    code(rf"""
    {IGNORE}
    print(f"w = {{w.detach()}}, b = {{b.item():.3f}}, final loss {{losses[-1]:.3f}}, accuracy {{accuracy:.3f}}")
    """),
    code(r"""
    assert accuracy > 0.9
    assert losses[-1] < losses[0] / 2
    print("accuracy > 0.9:", accuracy > 0.9)
    """),
    md(r"""
    The **decision boundary** is where $p = 0.5$, i.e. the line $w_1 x_1 + w_2 x_2 + b = 0$. The
    shading shows $p$ over the plane.
    """),
    code(r"""
    xs = np.linspace(-4, 4, 100, dtype=np.float32)
    gx, gy = np.meshgrid(xs, xs)
    grid = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], axis=1))
    with torch.no_grad():
        p = torch.sigmoid(grid @ w + b).reshape(100, 100)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.2))
    ax1.contourf(gx, gy, p.numpy(), levels=20, cmap="RdBu_r", alpha=0.5)
    ax1.contour(gx, gy, p.numpy(), levels=[0.5], colors="k")
    ax1.scatter(X[:, 0].numpy(), X[:, 1].numpy(), c=labels.numpy(), cmap="RdBu_r", s=10, edgecolors="k",
                linewidths=0.3)
    ax1.set_title("data and decision boundary p = 0.5", fontsize=9)
    ax2.plot(losses)
    ax2.set_xlabel("step")
    ax2.set_title("training loss", fontsize=9)
    plt.tight_layout()
    plt.show()
    plt.close(fig)
    """),
    md(r"""
    ## Summary

    - Operations on tensors that require grad build a **computation graph** (计算图): `grad_fn` of a
      result, `next_functions` of a node, `AccumulateGrad` (with `.variable`) for each leaf
      (叶子节点) that requires grad, `(None, 0)` for inputs that need no gradient.
    - `backward()` applies the chain rule from the output to the leaves and **adds** into `.grad`:
      zero the gradients before each step. Saved values are freed unless `retain_graph=True`.
    - Non-leaves keep `.grad` only after `retain_grad()`; `torch.autograd.grad` returns gradients
      instead; `backward(gradient=v)` computes $v^\top J$ for tensor outputs.
    - Hooks observe or replace gradients; `no_grad()` and `detach()` switch recording off;
      `requires_grad_()` switches it on.
    - In place: never on a leaf that requires grad (except under `no_grad`), never on a value saved
      for backward (`_version` catches it).
    - `create_graph=True` makes gradients differentiable (second derivatives).
    - A custom `torch.autograd.Function` is `forward` + `backward`; check it with `gradcheck` in float64.

    ## Exercises

    1. Draw the graph of `(a * b + a).sum()` with `draw_graph` and predict both gradients before
       calling `backward()`.
    2. Write `Exp` as a `torch.autograd.Function` that saves its **output** for backward, and check it
       with `gradcheck`.
    3. Use a hook to clip the gradient reaching `hidden` to the range [-1, 1] (`grad.clamp(-1, 1)`).
    4. Compute the second derivative of $\tanh$ on a grid with `create_graph=True` and compare with
       $-2\tanh(x)(1 - \tanh^2 x)$.
    5. Train the logistic regression with 10 steps only and with `lr = 5`. What happens to the loss
       curve and to the boundary?
    """),
]

NOTEBOOKS = {"00_welcome": L00, "01_tensors": L01, "02_autograd": L02}


if __name__ == "__main__":
    sys.exit(main(NOTEBOOKS, sys.argv[1:]))
