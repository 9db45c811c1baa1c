# %% [markdown]
# # 20 · The error clinic (报错门诊)
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# Every PyTorch learner meets the same dozen errors. This lesson is a clinic: each one is
# reproduced in a small cell, its message is read word by word, and the next cell fixes it. At the
# end come the bugs that raise *nothing* — they are worse.
#
# **Goals.** After this lesson you can
#
# - read the last line of a traceback (type + message) and find the two shapes it names;
# - fix matrix-multiply and convolution shape errors, and compute a `Linear` layer's `in_features`;
# - give each loss the target it expects (dtype and shape);
# - explain the in-place errors (leaf tensors, saved tensors and their version counter) and the
#   backward errors (twice through a graph, a non-scalar output, `.numpy()` on a graph tensor);
# - write device-agnostic code, load `DataParallel` checkpoints, and save `state_dict`s rather
#   than whole models;
# - spot the silent bugs: no `zero_grad()`, no `eval()`, `model.forward(x)`, softmax before
#   `CrossEntropyLoss`.

# %%
# %matplotlib inline
import math
import pickle
import re
import tempfile
import warnings

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
# ## 0. How to read an error
#
# A traceback ends with one line, `Type: message`. The **type** says what kind of problem it is
# (`RuntimeError` for most shape and dtype problems inside the engine, `ValueError` for a bad
# argument, `IndexError`, `AttributeError`, ...), the **message** names the tensors involved and their
# shapes. Read the message first, then walk up the traceback to the first line of *your* code.
#
# In this lesson every error is caught with `try`/`except` and printed as that last line, so the
# notebook keeps running:
#
# ```python
# try:
#     ...                                   # the buggy line
# except RuntimeError as e:
#     print(type(e).__name__ + ":", e)      # what the traceback's last line would say
# ```
#
# edutorch's messages are PyTorch's words followed by a hint on the usual fix. Where a message has
# such a hint, the cell prints only PyTorch's part (`str(e).split(...)[0]`), so this notebook prints
# the same on both engines. Here is one whole edutorch message:

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch's whole message (PyTorch stops before the hint)
try:
    nn.Linear(512, 10)(torch.randn(64, 1024))
except RuntimeError as e:
    print(type(e).__name__ + ":", e)
    message = str(e)                 # `e` itself is deleted when the except block ends

# %%
print(message.startswith("mat1 and mat2 shapes cannot be multiplied (64x1024 and 512x10)"))

# %% [markdown]
# ## 1. Matrix shapes that do not fit
#
# A matrix product $(n \times k)\,@\,(k \times m)$ needs the inner sizes to agree: the first
# matrix's **columns** must equal the second's **rows**.

# %%
x = torch.randn(64, 1024)          # 64 samples with 1024 features
W = torch.randn(512, 10)
try:
    x @ W
except RuntimeError as e:
    print(type(e).__name__ + ":", e)

# %% [markdown]
# Read it as `(64x1024 and 512x10)`: mat1 is `x` with 1024 columns, mat2 is `W` with 512 rows, and
# 1024 ≠ 512. The fix is a `W` with 1024 rows (or features with 512 columns):

# %%
W = torch.randn(1024, 10)
print((x @ W).shape)

# %% [markdown]
# ### The same error through `nn.Linear`
#
# `nn.Linear(in_features, out_features)` computes `x @ weight.T + bias` on the **last** dim of `x`,
# so its mat2 is `weight.T`, of shape `in_features x out_features`. The classic case: images go
# straight into a linear layer, without flattening.

# %%
images = torch.randn(64, 1, 28, 28)
fc = nn.Linear(784, 10)
try:
    fc(images)
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).split(": ")[0])

# %% [markdown]
# `1792x28`? `Linear` treats every dim but the last as a batch dim: it sees 64·1·28 = 1792 rows of 28
# numbers, not 64 rows of 784. Flatten each image first — `images.flatten(1)` keeps dim 0 (the
# batch) and joins the rest, as `nn.Flatten()` does inside a `Sequential`:

# %%
print(images.flatten(1).shape, fc(images.flatten(1)).shape)
print(nn.Sequential(nn.Flatten(), fc)(images).shape)

# %% [markdown]
# ### A wrong `in_features` after convolutions
#
# After a few convolutions and poolings it is easy to guess the flattened size wrong. Here the
# author guessed `16 * 7 * 7`:

# %%
features = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten())
model = nn.Sequential(features, nn.Linear(16 * 7 * 7, 10))
try:
    model(images)
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).split(": ")[0])


# %% [markdown]
# The message already holds the answer: mat1 is `64x400`, so each flattened sample has **400**
# features. Two ways to compute it yourself:
#
# - by the formula, dim by dim: a convolution or pooling maps a size $n$ to
#   $\lfloor (n + 2p - d(k - 1) - 1) / s \rfloor + 1$ (padding $p$, dilation $d$, kernel $k$, stride
#   $s$): 28 → conv3 → 26 → pool2 → 13 → conv3 → 11 → pool2 → 5, so $16 \cdot 5 \cdot 5 = 400$;
# - by experiment: push one dummy image through the feature part and read the shape.

# %%
def out_size(n, k, s=1, p=0, d=1):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1

n = 28
for k, s in [(3, 1), (2, 2), (3, 1), (2, 2)]:
    n = out_size(n, k, s)
print("by the formula:", 16 * n * n)
with torch.no_grad():
    in_features = features(torch.zeros(1, 1, 28, 28)).shape[1]
print("by experiment: ", in_features)
model = nn.Sequential(features, nn.Linear(in_features, 10))
print(model(images).shape)

# %% [markdown]
# ## 2. Convolution errors
#
# `nn.Conv2d` wants `(N, C, H, W)`: batch, channels, height, width (or `(C, H, W)` for one unbatched
# image). Its weight has shape `(out_channels, in_channels, kH, kW)`.
#
# ### Wrong number of input channels

# %%
conv = nn.Conv2d(3, 16, kernel_size=3)      # built for RGB images
gray = torch.randn(8, 1, 32, 32)            # but the data are grayscale
try:
    conv(gray)
except RuntimeError as e:
    print(type(e).__name__ + ":", e)

# %% [markdown]
# `weight of size [16, 3, 3, 3]` → the layer has `in_channels=3`; `input[8, 1, 32, 32]` has 1
# channel. Fix the layer (`nn.Conv2d(1, 16, 3)`) or the data (repeat the gray channel three times).
# The same error appears for images stored **channels-last**, `(N, H, W, C)`, as NumPy, PIL and
# matplotlib keep them: the message then says "got 32 channels". `permute` moves the channels to dim 1.

# %%
print(nn.Conv2d(1, 16, 3)(gray).shape, conv(gray.expand(-1, 3, -1, -1)).shape)
photos = torch.randn(8, 32, 32, 3)          # (N, H, W, C)
try:
    conv(photos)
except RuntimeError as e:
    print(type(e).__name__ + ":", e)
print(conv(photos.permute(0, 3, 1, 2)).shape)

# %% [markdown]
# ### A missing batch dimension
#
# One grayscale image loaded as `(28, 28)` has neither a batch nor a channel dim:

# %%
conv1 = nn.Conv2d(1, 8, kernel_size=3)
digit = torch.randn(28, 28)
try:
    conv1(digit)
except RuntimeError as e:
    print(type(e).__name__ + ":", e)
print(digit[None, None].shape, conv1(digit.unsqueeze(0).unsqueeze(0)).shape)

# %% [markdown]
# A 3-D input is worse: `Conv2d` accepts it as **one unbatched image** `(C, H, W)`, so the error
# only appears later — here at `Flatten`, which keeps dim 0 as the batch and so turns the 8 output
# channels into 8 "samples":

# %%
net = nn.Sequential(nn.Conv2d(3, 8, kernel_size=3), nn.Flatten(), nn.Linear(8 * 30 * 30, 10))
photo = torch.randn(3, 32, 32)              # one image, no batch dim
print(net[0](photo).shape)                  # fine so far: (C, H, W) out
try:
    net(photo)
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).split(": ")[0])
print(net(photo.unsqueeze(0)).shape)        # a batch of one

# %% [markdown]
# ### A kernel larger than its input
#
# Each convolution without padding and each pooling shrinks the image; stack too many and a
# kernel no longer fits:

# %%
tiny = torch.randn(1, 1, 3, 3)
try:
    nn.Conv2d(1, 1, kernel_size=5)(tiny)
except RuntimeError as e:
    print(type(e).__name__ + ":", e)
try:
    nn.MaxPool2d(2)(torch.randn(1, 1, 1, 1))
except RuntimeError as e:
    print(type(e).__name__ + ":", e)
print(nn.Conv2d(1, 1, kernel_size=5, padding=2)(tiny).shape)   # padding keeps 3x3

# %% [markdown]
# Fixes: pad (`padding=k // 2` keeps the size for odd `k`), pool less, use a smaller kernel, or feed
# larger images. Print the shape after each layer (section 1's dummy-input trick) to see where
# it shrinks to nothing.
#
# ## 3. Loss targets: dtype and shape
#
# ### `CrossEntropyLoss` wants class **indices** of dtype `int64` (Long)

# %%
logits = torch.tensor([[2.0, 0.5, -1.0],
                       [0.1, 1.5, 0.3],
                       [-0.5, 0.2, 2.2],
                       [1.0, 1.2, 0.0]])       # 4 samples, 3 classes
labels = torch.tensor([0.0, 1.0, 2.0, 1.0])     # class indices stored as floats
loss_fn = nn.CrossEntropyLoss()
try:
    loss_fn(logits, labels)
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).split(": ")[0])
print(round(loss_fn(logits, labels.long()).item(), 4))

# %% [markdown]
# Labels become floats easily (read from a CSV, built with `torch.tensor([0., 1., ...])`, divided by
# something). `Long` is PyTorch's name for `int64`; `.long()` converts. A **one-hot** target has the
# logits' shape, and `CrossEntropyLoss` reads a target of that shape as class **probabilities** —
# which must be floats:

# %%
one_hot = F.one_hot(labels.long(), num_classes=3)
print(one_hot.dtype, tuple(one_hot.shape))
try:
    loss_fn(logits, one_hot)
except RuntimeError as e:
    print(type(e).__name__ + ":", e)
as_indices = loss_fn(logits, one_hot.argmax(dim=1))      # back to indices
as_probabilities = loss_fn(logits, one_hot.float())      # or float probabilities
print(round(as_indices.item(), 4), round(as_probabilities.item(), 4))

# %% [markdown]
# ### `MSELoss`: dtypes and the shape trap
#
# A float prediction and a Long target are fine — the target is promoted to float. Two Long tensors
# are not: a loss needs floating point numbers (for example predictions made with `argmax`).

# %%
mse = nn.MSELoss()
prediction = torch.tensor([0.5, 1.5, 2.0])
print(mse(prediction, torch.tensor([1, 1, 2])))
try:
    mse(torch.tensor([1, 1, 2]), torch.tensor([1, 1, 2]))
except NotImplementedError as e:
    print(type(e).__name__, "| names the dtype:", "not implemented for 'Long'" in str(e))

# %% [markdown]
# The real trap is the shape. A regression model returns `(N, 1)`; the targets are `(N,)`.
# Broadcasting makes an `N x N` table of differences, and the loss is wrong even for perfect
# predictions. PyTorch only **warns**:

# %%
prediction = torch.tensor([[1.0], [2.0], [3.0]])    # (3, 1) from a Linear(..., 1)
target = torch.tensor([1.0, 2.0, 3.0])              # (3,)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    loss = mse(prediction, target)
print(caught[0].category.__name__ + ":", caught[0].message)
print("loss of a perfect prediction:", round(loss.item(), 4))
print("fixed:", mse(prediction.squeeze(1), target).item(), mse(prediction, target.unsqueeze(1)).item())

# %% [markdown]
# ### `BCELoss`: probabilities in, targets in [0, 1]
#
# `BCELoss` takes probabilities (after a sigmoid) and targets between 0 and 1, both floats:

# %%
bce = nn.BCELoss()
probs = torch.tensor([0.2, 0.9, 0.6])
for target in [torch.tensor([0.0, 1.0, 2.0]),        # a label 2 in a binary loss
               torch.tensor([0, 1, 1])]:              # Long targets
    try:
        bce(probs, target)
    except RuntimeError as e:
        print(type(e).__name__ + ":", str(e).split(": ")[0])
raw_scores = torch.tensor([-1.4, 2.2, 0.4])             # logits, not probabilities
try:
    bce(raw_scores, torch.tensor([0.0, 1.0, 1.0]))
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).split(" (")[0])

# %% [markdown]
# Fixes: targets `.float()` and in {0, 1} (a 3-class problem needs `CrossEntropyLoss`); for raw
# scores use `BCEWithLogitsLoss`, which applies the sigmoid itself (and is more accurate). Careful:
# `BCEWithLogitsLoss` does **not** check the target range, so a label 2 gives a number, not an error.
# And where `MSELoss` only warns about shapes, the BCE losses refuse:

# %%
print(round(nn.BCEWithLogitsLoss()(raw_scores, torch.tensor([0.0, 1.0, 1.0])).item(), 4))
try:
    nn.BCEWithLogitsLoss()(raw_scores.unsqueeze(1), torch.tensor([0.0, 1.0, 1.0]))
except ValueError as e:
    print(type(e).__name__ + ":", e)

# %% [markdown]
# ## 4. In-place operations
#
# ### On a leaf that requires grad (叶子节点 leaf node)

# %%
w = torch.ones(3, requires_grad=True)
try:
    w.add_(1)
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).split(" (")[0])
try:
    w[0] = 5.0
except RuntimeError as e:
    print(type(e).__name__ + ":", e)

# %% [markdown]
# A leaf's `.grad` is the gradient with respect to its value; changing the value in place while
# autograd records would leave no consistent graph, so autograd refuses. Weight updates (and
# initialisation) are not part of the model's computation: do them under `torch.no_grad()`, as
# optimizers and `nn.init` do:

# %%
with torch.no_grad():
    w.add_(1)
    w[0] = 5.0
print(w, w.is_leaf)

# %% [markdown]
# ### A saved tensor changed in place: the version counter
#
# Many ops save tensors for their backward (`sigmoid` saves its output: $\sigma' = \sigma(1 - \sigma)$).
# Every tensor carries a **version counter** (版本计数器) that each in-place op increases; backward
# checks that every saved tensor still has the version it had when saved.

# %%
a = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
s = a.sigmoid()
print("version when saved:", s._version)
s.mul_(2)                                  # in place: the saved output is gone
print("version now:       ", s._version)
try:
    s.sum().backward()
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).split(" Hint:")[0])

# %% [markdown]
# "output 0 of Sigmoid, is at version 1; expected version 0" names the tensor and the op that saved
# it. The fix is the out-of-place form (`s = s * 2` makes a new tensor, the saved one is untouched)
# or a `clone()` before the in-place change:

# %%
s = a.sigmoid()
s = s * 2
s.sum().backward()
print(a.grad)

# %% [markdown]
# ### `out=` is an in-place write too
#
# Many functions take `out=` to write their result into a tensor you already have (输出张量), e.g. to
# reuse one buffer in a loop. That write has no backward, so autograd refuses `out=` while it records
# and an input requires grad. Without recording (`torch.no_grad()`) it is fine; with autograd, drop
# `out=` and keep the returned tensor:

# %%
x = torch.tensor([1.0, 2.0], requires_grad=True)
buffer = torch.empty(2)
try:
    torch.mul(x, 2, out=buffer)
except RuntimeError as e:
    print(type(e).__name__ + ":", e)
with torch.no_grad():
    result = torch.mul(x, 2, out=buffer)
print(buffer, result is buffer)

# %% [markdown]
# ## 5. Backward errors
#
# ### Backward twice through the same graph

# %%
x = torch.tensor(3.0, requires_grad=True)
loss = x ** 2                      # saves x for its backward
loss.backward()
try:
    loss.backward()
except RuntimeError as e:
    print(type(e).__name__ + ":", e)

# %% [markdown]
# `backward()` frees the values the graph saved, to save memory. In a training loop this error
# usually means the loss (or part of the graph) was computed **outside** the loop: recompute the
# forward pass every iteration. Pass `retain_graph=True` only when you really need two backward
# passes through one graph — and remember that the gradients then add up ($2 \cdot 2x = 12$):

# %%
x = torch.tensor(3.0, requires_grad=True)
loss = x ** 2
loss.backward(retain_graph=True)
loss.backward()
print(x.grad)

# %% [markdown]
# ### Backward on a non-scalar

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
try:
    y.backward()
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).split(": ")[0])

# %% [markdown]
# `backward()` with no argument computes the gradient of a **scalar** (the loss). For a tensor
# output, either reduce it to a scalar (`y.sum()`, `y.mean()`) — usually you forgot to — or pass the
# vector $v$ of the vector-Jacobian product $v^\top J$ as `gradient=`:

# %%
y.sum().backward()
print(x.grad)
x.grad = None
y = x ** 2
y.backward(gradient=torch.ones_like(y))          # the same thing
print(x.grad)

# %% [markdown]
# ### `.numpy()` on a tensor that requires grad

# %%
y = x ** 2
try:
    y.numpy()
except RuntimeError as e:
    print(type(e).__name__ + ":", e)
print(y.detach().numpy(), y.sum().item())

# %% [markdown]
# A NumPy array cannot carry a graph, so PyTorch wants you to say "I am done with the graph":
# `detach()` first (on a GPU also `.cpu()`: `y.detach().cpu().numpy()`). For one number use `.item()`.
#
# ## 6. CUDA on a machine without a GPU
#
# Code from a GPU machine often says `.cuda()` or `.to("cuda")`. On a machine without one the
# message depends on how PyTorch was built: a CPU-only build says `AssertionError: Torch not
# compiled with CUDA enabled`, a CUDA build without a GPU or driver says `RuntimeError: Found no
# NVIDIA driver on your system...`. edutorch runs on the CPU only and says what a CPU-only build says.

# %%
# NBVAL_IGNORE_OUTPUT
# the message depends on the PyTorch build (CPU-only or CUDA)
try:
    torch.ones(2).to("cuda")
except (AssertionError, RuntimeError) as e:
    print(type(e).__name__ + ":", e)

# %%
print(torch.cuda.is_available())

# %% [markdown]
# The fix is **device-agnostic** code: choose the device once, then move the model and every batch
# to it. The same notebook then runs on a laptop and on a GPU server. (On a GPU machine, forgetting
# to move the batch gives the other classic error, "Expected all tensors to be on the same device".)

# %%
device = "cuda" if torch.cuda.is_available() else "cpu"
model = nn.Linear(4, 2).to(device)               # modules: .to() moves the parameters in place
batch = torch.ones(3, 4).to(device)              # tensors: .to() returns a moved copy
print(device, next(model.parameters()).device, model(batch).device)

# %% [markdown]
# Recent PyTorch tutorials write the same choice with `torch.accelerator`, which also covers Apple's
# MPS and Intel's XPU devices: it gives the machine's accelerator, if there is one.

# %%
device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else torch.device("cpu")
print(device, torch.accelerator.is_available())


# %% [markdown]
# ## 7. `DataParallel` checkpoints: the `module.` prefix
#
# `nn.DataParallel(model)` splits each batch over the GPUs. It keeps your model as its child
# `module`, so every key of its `state_dict` starts with `module.` — and a checkpoint saved from the
# wrapper does not load into a bare model:

# %%
class TinyNet(nn.Module):
    def __init__(self, num_classes=2):
        super().__init__()
        self.num_classes = num_classes
        self.fc = nn.Linear(4, num_classes)

    def forward(self, x):
        return self.fc(x)

wrapped = nn.DataParallel(TinyNet())
checkpoint = wrapped.state_dict()
print(list(checkpoint))
try:
    TinyNet().load_state_dict(checkpoint)
except RuntimeError as e:
    print(type(e).__name__ + ":", e)

# %% [markdown]
# Missing `fc.weight`, unexpected `module.fc.weight`: the same tensors under longer names. Two fixes:
# strip the prefix when loading, or — better — save the inner model, `wrapped.module`, in the first
# place:

# %%
stripped = {key.removeprefix("module."): value for key, value in checkpoint.items()}
print(TinyNet().load_state_dict(stripped))
print(TinyNet().load_state_dict(wrapped.module.state_dict()))

# %% [markdown]
# The wrapper also hides your model's own attributes: `wrapped.num_classes` is looked up on the
# `DataParallel` object, which has none. Reach them through `.module`:

# %%
try:
    wrapped.num_classes
except AttributeError as e:
    print(type(e).__name__ + ":", e)
print(wrapped.module.num_classes)

# %% [markdown]
# ## 8. Loading a whole pickled model
#
# `torch.save(model, f)` pickles the module object. Loading it is refused by default: since PyTorch
# 2.6, `torch.load` uses `weights_only=True`, which rebuilds only plain data (tensors, dicts,
# numbers, ...), never an arbitrary class — rebuilding a class means running code from the file.

# %%
workdir = tempfile.TemporaryDirectory()
whole_path = workdir.name + "/whole.pt"
torch.save(TinyNet(), whole_path)
try:
    torch.load(whole_path)
except pickle.UnpicklingError as e:
    message = str(e)
    print(type(e).__name__ + ":", message[:24], "...")
    print(re.search(r"Unsupported global: GLOBAL \S+", message).group())

# %% [markdown]
# You could pass `weights_only=False` for a file you trust. But the pickle stores only *where* the
# class lives (`__main__.TinyNet`), not its code: in a new notebook or script that does not define
# `TinyNet` (simulated here with `del`), loading fails again.

# %%
del TinyNet
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # edutorch also warns: weights_only=False can run code
        torch.load(whole_path, weights_only=False)
except AttributeError as e:
    print(type(e).__name__ + ":", e)


# %% [markdown]
# The fix is to save the `state_dict` (only tensors, loads with the safe default) and to build the
# model in code, then load the weights into it:

# %%
class TinyNet(nn.Module):                        # the class, defined by code again
    def __init__(self, num_classes=2):
        super().__init__()
        self.num_classes = num_classes
        self.fc = nn.Linear(4, num_classes)

    def forward(self, x):
        return self.fc(x)

weights_path = workdir.name + "/weights.pt"
torch.save(TinyNet().state_dict(), weights_path)
restored = TinyNet()
print(restored.load_state_dict(torch.load(weights_path)))

# %% [markdown]
# ## 9. Silent bugs: nothing is raised
#
# ### Forgetting `optimizer.zero_grad()`
#
# `backward()` **adds** to `.grad`. Without `zero_grad()` every step uses the sum of all gradients
# so far. A linear model whose gradient is the same every step shows it plainly:

# %%
model = nn.Linear(2, 1, bias=False)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[1.0, 2.0]]))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.tensor([[3.0, 4.0]])
for step in range(3):                  # the bug: no optimizer.zero_grad()
    loss = model(x).sum()
    loss.backward()
    print("step", step, "grad", model.weight.grad)
    optimizer.step()

# %%
for step in range(3):
    optimizer.zero_grad()              # the fix: clear, then backward
    loss = model(x).sum()
    loss.backward()
    print("step", step, "grad", model.weight.grad)
    optimizer.step()

# %% [markdown]
# Accumulating is deliberate — it lets you sum gradients over several small batches before one
# `step()` — so PyTorch cannot warn you. Call `zero_grad()` once per step, before `backward()`.
#
# ### Forgetting `model.eval()`
#
# Dropout and batch norm behave differently in training and in evaluation. In training mode, dropout
# zeroes random units, so two predictions for the same input differ:

# %%
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 1))
x = torch.ones(5, 4)
print("train mode, same prediction twice:", torch.equal(net(x), net(x)))
net.eval()
print("eval mode,  same prediction twice:", torch.equal(net(x), net(x)))
net.train()                                  # and back to training mode for the next epoch
print(net.training)

# %% [markdown]
# Batch norm in training mode normalizes with the statistics of the **batch**, so a sample's
# prediction depends on the other samples in its batch — and a batch of one cannot be normalized at
# all. In eval mode it uses the running statistics gathered during training:

# %%
bn = nn.BatchNorm1d(3)
batch = torch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [0.0, 0.0, 6.0]])
alone = batch[:1]
print("train mode: sample 0's output depends on its batch:",
      not torch.allclose(bn(batch)[:1], bn(batch[:2])[:1]))
try:
    bn(alone)
except ValueError as e:
    print(type(e).__name__ + ":", e)
bn.eval()
with torch.no_grad():
    print("eval mode:  the same output alone or in a batch:", torch.allclose(bn(alone), bn(batch)[:1]))

# %% [markdown]
# `torch.no_grad()` is **not** `eval()`: `no_grad` stops recording the graph (less memory, faster),
# `eval()` switches dropout and batch norm. For evaluation use both.
#
# ### Calling `model.forward(x)` instead of `model(x)`
#
# `model(x)` runs `Module.__call__`, which runs the hooks around `forward`. Calling `forward`
# directly gives the same numbers and silently skips them (and everything built on hooks:
# feature extraction, Grad-CAM, some pruning and quantization tools):

# %%
layer = nn.Linear(2, 2)
calls = []
handle = layer.register_forward_hook(lambda module, inputs, output: calls.append(tuple(output.shape)))
layer(torch.ones(1, 2))
layer.forward(torch.ones(3, 2))
print(calls)
handle.remove()

# %% [markdown]
# ### Softmax before `CrossEntropyLoss`
#
# `CrossEntropyLoss` applies `log_softmax` itself: it takes raw **logits**. Apply softmax first and
# you compute the softmax twice; the loss can no longer reach zero, and its gradients shrink:

# %%
logits = torch.tensor([[10.0, -10.0]], requires_grad=True)     # very sure of class 0, correctly
target = torch.tensor([0])
right = F.cross_entropy(logits, target)
wrong = F.cross_entropy(logits.softmax(dim=1), target)
print("logits: ", round(right.item(), 4))
print("softmax:", round(wrong.item(), 4), "= log(1 + e^-1) =", round(math.log(1 + math.exp(-1)), 4))

# %% [markdown]
# The doubly-softmaxed loss is stuck at $\log(1 + e^{-1}) \approx 0.313$ for a perfect two-class
# prediction. The model trains, slowly and badly, and nothing is raised. Keep the model's output as
# logits; apply softmax only to *show* probabilities. (Likewise `BCEWithLogitsLoss` after a sigmoid.)
#
# ## 10. Look inside
#
# The `1792x28` of section 1 comes from `linear`, which folds every leading dim into one batch dim;
# the version check of section 4 is the first lines of unpacking a saved value for backward:

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch's source
if EDUTORCH:
    show_source(F.linear)
    from edutorch.autograd import function
    show_source(function._unpack)

# %% [markdown]
# ## 11. Check your understanding

# %%
# 1. a (32, 3, 64, 64) batch through Conv2d(3, 8, 5, padding=0) then MaxPool2d(2): in_features?
size = out_size(64, 5) // 2
assert 8 * size * size == nn.Sequential(nn.Conv2d(3, 8, 5), nn.MaxPool2d(2), nn.Flatten())(
    torch.zeros(1, 3, 64, 64)).shape[1] == 7200
# 2. CrossEntropyLoss: Long indices of shape (N,), or float probabilities of shape (N, C)
uniform = torch.zeros(4, 3)                  # equal logits: the loss is log(3) for any target
assert abs(loss_fn(uniform, torch.tensor([0, 2, 1, 1])).item() - math.log(3)) < 1e-6
assert abs(loss_fn(uniform, torch.full((4, 3), 1 / 3)).item() - math.log(3)) < 1e-6
# 3. two backward calls without retain_graph: the gradients of a fresh forward each time add up
w = torch.tensor(1.0, requires_grad=True)
for _ in range(2):
    (3 * w).backward()
assert w.grad.item() == 6.0
print("all checks passed")

# %% [markdown]
# ## Summary
#
# | error (last line) | cause | fix |
# |---|---|---|
# | `mat1 and mat2 shapes cannot be multiplied (AxB and CxD)` | B ≠ C: features vs `in_features` | `flatten(1)` / `nn.Flatten()`; set `in_features` = B (formula or a dummy forward) |
# | `expected input[...] to have 3 channels, but got 1 channels` | channels ≠ `in_channels`, or channels-last data | fix `in_channels`; `permute(0, 3, 1, 2)` |
# | `Expected 3D (unbatched) or 4D (batched) input to conv2d` | one image `(H, W)` | `x[None, None]`; `unsqueeze(0)` for `(C, H, W)` |
# | `Kernel size can't be greater than actual input size` | too much shrinking | padding, less pooling, larger inputs |
# | `expected target dtype to be Long or Byte, but got Float` | float class indices | `target.long()` |
# | `Expected floating point type for target with class probabilities, got Long` | one-hot Long target | `argmax(1)` or `.float()` |
# | `Using a target size ... different to the input size` (warning!) | `(N, 1)` vs `(N,)` | `squeeze(1)` / `unsqueeze(1)` |
# | `all elements of target/input should be between 0 and 1` | labels ≥ 2, or logits into `BCELoss` | `CrossEntropyLoss`; `BCEWithLogitsLoss` |
# | `a leaf Variable that requires grad is being used in an in-place operation` | updating weights with autograd on | `with torch.no_grad():` |
# | `... modified by an inplace operation ... is at version 1; expected version 0` | a saved tensor changed in place | out-of-place op or `clone()` |
# | `mul(): functions with out=... arguments don't support automatic differentiation` | `out=` while autograd records | no `out=`, or `torch.no_grad()` |
# | `Trying to backward through the graph a second time` | graph built outside the loop | recompute the forward; `retain_graph=True` if really needed |
# | `grad can be implicitly created only for scalar outputs` | backward on a tensor | `.sum()`/`.mean()`, or `gradient=` |
# | `Can't call numpy() on Tensor that requires grad` | graph tensor to NumPy | `.detach().cpu().numpy()`, `.item()` |
# | `Torch not compiled with CUDA enabled` / `Found no NVIDIA driver` | `.cuda()` without a GPU | `device = "cuda" if torch.cuda.is_available() else "cpu"` |
# | `Missing key(s) ... Unexpected key(s) ... "module.fc.weight"` | checkpoint from `DataParallel` | strip `module.`; save `model.module.state_dict()` |
# | `Weights only load failed` / `Can't get attribute 'Net'` | a whole pickled model | save and load `state_dict`s |
# | *(nothing)* gradients grow | no `zero_grad()` | `optimizer.zero_grad()` every step |
# | *(nothing)* predictions change | no `eval()` | `model.eval()` (+ `torch.no_grad()`) |
# | *(nothing)* hooks do not run | `model.forward(x)` | `model(x)` |
# | *(nothing)* loss stuck above 0 | softmax before `CrossEntropyLoss` | pass logits |


# %% [markdown]
# ## Exercises
#
# These exercises are the other way round: each cell below holds **broken code**, the kind this
# lesson is about. Run it, run its check (✗ with a hint that names the problem), fix the code, and
# run both again until the check says ✓. The checks work on edutorch and on real PyTorch alike.
# Stuck? The fixed versions are in [solutions/20_common_errors.py](solutions/20_common_errors.py)
# (one click; try first!).

# %%
from checks.lesson20 import Checks   # the checks of these exercises: lessons/checks/lesson20.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — a model whose shapes do not fit.** `SmallCNN` is meant for batches of 28 × 28
# grayscale images, `(N, 1, 28, 28)`, and must return `(N, 10)` logits for **any** batch size `N`.
# As written it raises. Read the message, then fix `__init__` and `forward` (section 1: compute
# `in_features`, and flatten so that the batch dimension survives). The check tries `N = 4, 1, 3`
# and checks that no sample's logits depend on the other samples of its batch.

# %%
# Exercise 1: fix the shapes (the convolutions are fine)
class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 7 * 7)
        return self.fc(x)

# %%
check.ex1(SmallCNN)

# %% [markdown]
# **Exercise 2 — a training loop that trains wrongly.** `train` fits a regression model
# (`nn.Linear(3, 1)`, outputs of shape `(N, 1)`) to targets `y` of shape `(N,)` and returns the
# loss of every epoch. It raises nothing, yet it has two bugs from this lesson (sections 3 and 9):
# one that PyTorch warns about, one that is completely silent. Fix both. The check trains a
# model with your loop and compares its weights with a correct loop's.

# %%
# Exercise 2: two bugs, one warned about, one silent
def train(model, X, y, epochs, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    losses = []
    for epoch in range(epochs):
        prediction = model(X)
        loss = loss_fn(prediction, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses

# %%
check.ex2(train)

# %% [markdown]
# **Exercise 3 — an evaluation that changes its mind.** `accuracy` returns the fraction of
# correct predictions of a classifier, but a model with dropout gets a different accuracy each time
# it is evaluated (section 9). Fix it: evaluate in evaluation mode, without recording a graph, and
# switch the model back to training mode before returning (the next epoch trains). The check
# watches the dropout layer while your function runs.

# %%
# Exercise 3: same model, same data, same accuracy, every time
def accuracy(model, X, labels):
    logits = model(X)
    predictions = logits.argmax(dim=1)
    return (predictions == labels).float().mean().item()

# %%
check.ex3(accuracy)

# %% [markdown]
# **Exercise 4 — the loss of a classifier.** The model returns raw scores (logits) of shape
# `(N, C)`; the labels were read from a CSV file and arrive as floats, e.g.
# `tensor([0., 2., 1., 2.])`. `classification_loss` raises, and behind the error hides a silent
# bug (section 3 and the end of section 9). Fix both so that it returns the mean cross-entropy,
# a 0-d tensor that `backward()` can start from.

# %%
# Exercise 4: a dtype error, and a silent bug behind it
def classification_loss(logits, labels):
    probabilities = logits.softmax(dim=1)
    return nn.CrossEntropyLoss()(probabilities, labels)

# %%
check.ex4(classification_loss)

# %% [markdown]
# **Exercise 5 — gradient descent by hand, three errors deep.** `fit_slope` fits $y \approx w x$
# by gradient descent on the mean squared error, with autograd computing the gradient. Each fix
# reveals the next error (sections 4 and 5). Fix them without `retain_graph=True`: that would
# silence an error and keep the bug behind it. Return `w`.

# %%
# Exercise 5: fix the errors one at a time
def fit_slope(x, y, steps, lr):
    w = torch.tensor(0.0, requires_grad=True)
    prediction = w * x
    for step in range(steps):
        loss = ((prediction - y) ** 2).mean()
        loss.backward()
        w -= lr * w.grad
        w.grad.zero_()
    return w

# %%
check.ex5(fit_slope)

# %% [markdown]
# ## 中文小结
#
# - 读报错先看最后一行：**类型**（`RuntimeError`、`ValueError` ……）和**信息**。形状错误的信息里写着两个形状，
#   例如 `mat1 and mat2 shapes cannot be multiplied (64x1024 and 512x10)`：1024 ≠ 512。
# - **全连接层**的 `in_features` 必须等于展平后的特征数：用公式逐层计算卷积和**汇聚**后的尺寸，或者把一个假输入
#   送进特征提取部分直接读出形状；展平时用 `flatten(1)` 保留批量维度（练习 1）。
# - `Conv2d` 要求输入为 `(N, C, H, W)`，**通道**数必须等于 `in_channels`；单张图片要先加上批量维度。
# - **损失函数**对目标有要求：`CrossEntropyLoss` 要 int64（Long）类型的类别索引，或与输入同形状的浮点概率，
#   而且输入必须是未经 softmax 的 logits；`MSELoss` 中 `(N, 1)` 与 `(N,)` 会被广播成 `N × N`，只给出警告（练习 2、4）。
# - **原地操作**：不能在记录计算图时修改需要梯度的**叶子节点**（在 `torch.no_grad()` 中更新参数）；
#   反向传播需要的张量被原地修改后，版本计数器会报错。`out=` 也是原地写入：记录计算图时输入需要梯度就不能用。
# - 反向传播的报错：同一张**计算图**不能反向传播两次（每一步重新做前向计算）；非标量输出需要先求和或传入
#   `gradient=`；需要梯度的张量要先 `detach()` 才能 `.numpy()`（练习 5）。
# - 设备无关的代码、`DataParallel` 检查点的 `module.` 前缀、保存 `state_dict` 而不是整个模型。
# - 不报错的 bug 最危险：忘记 `zero_grad()`（梯度累加）、评估时忘记 `eval()`（暂退法仍在起作用）、
#   直接调用 `model.forward(x)`（钩子不运行）、在 `CrossEntropyLoss` 之前做 softmax（练习 2、3、4）。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | traceback / error message | 回溯 / 报错信息 | — |
# | shape mismatch | 形状不匹配 | `mat1 and mat2 shapes cannot be multiplied` |
# | fully connected layer | 全连接层 | `torch.nn.Linear(in_features, out_features)` |
# | flatten | 展平 | `Tensor.flatten(1)`, `torch.nn.Flatten` |
# | convolutional layer / channel | 卷积层 / 通道 | `torch.nn.Conv2d(in_channels, ...)` |
# | batch dimension | 批量维度 | `Tensor.unsqueeze(0)` |
# | padding / pooling | 填充 / 汇聚（池化） | `padding=`, `torch.nn.MaxPool2d` |
# | loss function | 损失函数 | `torch.nn.CrossEntropyLoss`, `torch.nn.MSELoss` |
# | class index / label | 类别索引 / 标签 | `Tensor.long()` |
# | cross-entropy | 交叉熵 | `torch.nn.functional.cross_entropy` |
# | logits | 未规范化的预测（logits） | — |
# | leaf node | 叶子节点 | `Tensor.is_leaf` |
# | in-place operation | 原地操作 | `Tensor.add_()`, `torch.no_grad()` |
# | version counter | 版本计数器 | `Tensor._version` |
# | output tensor | 输出张量 | `out=` |
# | computational graph | 计算图 | `Tensor.backward(retain_graph=...)` |
# | device | 设备 | `torch.device`, `Tensor.to` |
# | checkpoint | 检查点 | `torch.save`, `Module.state_dict` |
# | gradient accumulation | 梯度累加 | `Optimizer.zero_grad()` |
# | training mode / evaluation mode | 训练模式 / 评估模式 | `Module.train()`, `Module.eval()` |
# | dropout | 暂退法 (Dropout) | `torch.nn.Dropout` |
