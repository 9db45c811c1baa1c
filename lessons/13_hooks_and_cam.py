# %% [markdown]
# # 13 · Hooks, feature maps and class activation maps
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# A trained network is not a black box: **hooks** (钩子) let you read — or change — what flows
# through it without editing its code. With them we measure what every layer outputs, see what a
# layer responds to (**feature maps**, 特征图) and where in an image the model found the evidence for
# its answer (**class activation maps**, CAM, 类激活图) — and then we test whether that map is right.
#
# **Goals.** After this lesson you can
#
# - use tensor hooks (`register_hook`) to read and change gradients;
# - use module hooks — `register_forward_pre_hook`, `register_forward_hook`,
#   `register_full_backward_hook` — say exactly what each receives, and remove them with their handle;
# - avoid the two classic hook bugs: hooks that pile up, and stored outputs changed by a later
#   in-place operation;
# - record the shape and statistics of every layer's output, and the gradient reaching every layer;
# - compute a class activation map for a model that ends with global average pooling, check that it
#   is exact, and measure whether it points at the digit.

# %%
# %matplotlib inline
import math
import os

import matplotlib.pyplot as plt
import numpy as np

# to run this lesson on PyTorch, change `edutorch` to `torch` and `edutorch.vision` to
# `torchvision` in the import lines below
import edutorch as torch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.utils.data import DataLoader
from edutorch.vision import datasets, transforms
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# ## 1. Tensor hooks
#
# Lesson 02 introduced them: `t.register_hook(fn)` calls `fn(grad)` when the gradient of `t` has
# been computed. Use it to read the gradient of an intermediate tensor (which autograd does not
# keep), or return a new gradient to replace it.

# %%
w = torch.tensor([1.0, 2.0], requires_grad=True)
x = torch.tensor([3.0, 4.0])
a = w * x
y = a.sum() ** 2

seen = []
handle = a.register_hook(lambda grad: seen.append(grad.clone()))
w.register_hook(lambda grad: grad * 2)      # returning a tensor replaces the gradient
y.backward()
print("grad of a:", seen[0], "| w.grad (doubled by its hook):", w.grad)
handle.remove()

# %% [markdown]
# By hand: $y = (\sum_i w_i x_i)^2 = 11^2$, so $\partial y/\partial a_i = 2 \cdot 11 = 22$ and
# $\partial y/\partial w_i = 22 x_i = (66, 88)$, doubled by the hook to $(132, 176)$.
#
# ## 2. Module hooks
#
# Every `nn.Module` accepts three kinds of hook:
#
# | registered with | called | receives | may return |
# |---|---|---|---|
# | `register_forward_pre_hook(fn)` | before `forward` | `fn(module, inputs)` | new inputs |
# | `register_forward_hook(fn)` | after `forward` | `fn(module, inputs, output)` | a new output |
# | `register_full_backward_hook(fn)` | during backward | `fn(module, grad_input, grad_output)` | a new `grad_input` |
#
# `inputs`, `grad_input` and `grad_output` are tuples. Each `register_*` returns a **handle**
# whose `remove()` takes the hook away. Log every call on the convolution of a tiny network:

# %%
torch.manual_seed(0)
net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
conv = net[0]
log = []
handles = [
    conv.register_forward_pre_hook(lambda m, inputs: log.append(("pre", tuple(inputs[0].shape)))),
    conv.register_forward_hook(lambda m, inputs, output: log.append(("forward", tuple(output.shape)))),
    conv.register_full_backward_hook(lambda m, grad_input, grad_output: log.append(
        ("backward", tuple(grad_input[0].shape), tuple(grad_output[0].shape)))),
]
x = torch.randn(1, 1, 6, 6, requires_grad=True)
out = net(x)
log.append(("net(x) returned", tuple(out.shape)))
out.sum().backward()
log.append(("backward() returned",))
for entry in log:
    print(entry)
for h in handles:
    h.remove()
net(x).sum().backward()
print(len(log), "entries: nothing new after remove()")

# %% [markdown]
# Read the log from the top: the pre-hook saw the input $(1, 1, 6, 6)$, the forward hook the output
# $(1, 2, 4, 4)$ — both *while* `net(x)` ran. The backward hook ran inside `backward()`, with
# `grad_input[0]` shaped like the module's input and `grad_output[0]` like its output. After
# `remove()` a second forward and backward added nothing to the log.
#
# What exactly are `grad_input` and `grad_output`? The gradients of the final scalar with respect to
# the module's input and output. Check it against `torch.autograd.grad` on a weighted loss:

# %%
captured = {}
def grab(module, grad_input, grad_output):
    captured["grad_input"], captured["grad_output"] = grad_input[0], grad_output[0]

torch.manual_seed(1)
x = torch.randn(2, 1, 6, 6, requires_grad=True)
weights = torch.randn(2, 3)
handle = conv.register_full_backward_hook(grab)
(net(x) * weights).sum().backward()
handle.remove()

conv_out = conv(x)                             # the same computation, without hooks
d_out, d_in = torch.autograd.grad((net[1:](conv_out) * weights).sum(), [conv_out, x])
print("grad_output = dL/d(conv output):", torch.allclose(captured["grad_output"], d_out))
print("grad_input  = dL/d(conv input): ", torch.allclose(captured["grad_input"], d_in),
      torch.allclose(captured["grad_input"], x.grad))

# %% [markdown]
# ### Hooks that change things
#
# A forward hook that returns a value replaces the module's output — a way to patch a model you
# did not write. A pre-hook that returns a value replaces the inputs:

# %%
relu = nn.ReLU()
h = relu.register_forward_hook(lambda m, inputs, output: output * 10)
print(relu(torch.tensor([-1.0, 2.0])))
h.remove()
h = relu.register_forward_pre_hook(lambda m, inputs: (-inputs[0],))
print(relu(torch.tensor([-1.0, 2.0])))
h.remove()
print(relu(torch.tensor([-1.0, 2.0])))

# %% [markdown]
# ### Two classic bugs
#
# **Hooks pile up.** Registering is not idempotent: run a cell that registers a hook twice and the
# module has two hooks, each called on every forward. Notebook users meet this all the time.

# %%
calls = []
def count(module, inputs, output):
    calls.append(type(module).__name__)

relu = nn.ReLU()
first = relu.register_forward_hook(count)
second = relu.register_forward_hook(count)      # e.g. the same cell, run again
relu(torch.ones(2))
print("one forward, hook calls:", len(calls))
first.remove()
second.remove()
relu(torch.ones(2))
print("after removing both:    ", len(calls))

# %% [markdown]
# The cure is to keep every handle and remove them all when done — in a `finally:` block, so that
# even an error in the forward pass leaves the model clean. Every example below follows this pattern.
#
# **A stored output changes behind your back.** A forward hook receives the very tensor the next
# layer receives. If that layer works in place (`nn.ReLU(inplace=True)`), the tensor you stored is
# overwritten a moment later. `output.detach().clone()` keeps a private copy:

# %%
torch.manual_seed(0)
block = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(inplace=True))
stored = {}
def keep_both(module, inputs, output):
    stored["reference"] = output                  # the same tensor the ReLU will overwrite
    stored["copy"] = output.detach().clone()      # a snapshot taken now
h = block[0].register_forward_hook(keep_both)
block(torch.randn(2, 1, 5, 5))
h.remove()
print("smallest value kept by reference:", stored["reference"].min().item())
print("the copy has negative values:    ", stored["copy"].min().item() < 0)

# %% [markdown]
# The convolution's output had negative values (the copy shows them), but the stored reference has
# none left: the in-place ReLU set them to zero after the hook had run.

# %% [markdown]
# ### Hooks on a parameter: act the moment its gradient is ready
#
# `p.register_post_accumulate_grad_hook(fn)` calls `fn(p)` right after backward has added into
# `p.grad`. PyTorch's tutorials use it to run the optimizer *inside* backward, one parameter at a
# time, so each gradient can be freed as soon as it has been used (less memory for a large model):

# %%
torch.manual_seed(0)
model = nn.Linear(3, 1)
optimizers = {p: torch.optim.SGD([p], lr=0.1) for p in model.parameters()}

def step_now(p):
    optimizers[p].step()
    optimizers[p].zero_grad()

handles = [p.register_post_accumulate_grad_hook(step_now) for p in model.parameters()]
before = model.weight.detach().clone()
model(torch.ones(4, 3)).sum().backward()
print("weight moved by lr * grad (0.1 * 4):", torch.allclose(model.weight, before - 0.1 * 4))
print("gradients already used and freed:", [p.grad for p in model.parameters()])
for h in handles:
    h.remove()

# %% [markdown]
# ### Where did the NaN come from?
#
# A NaN in a gradient shows up in `x.grad` or in the loss of the next step, far from the op that made
# it. Inside `torch.autograd.detect_anomaly()` every graph node remembers the line of the forward
# pass that created it, and backward stops at the first node whose gradient holds a NaN, naming it
# and warning with that line. It slows everything down: turn it on to debug, not to train.

# %%
import warnings

x = torch.tensor([0.0, 1.0, 4.0], requires_grad=True)
(x.sqrt() * x).sum().backward()
print("without anomaly mode, x.grad =", x.grad)

x.grad = None
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    with torch.autograd.detect_anomaly():
        y = (x.sqrt() * x).sum()
        try:
            y.backward()
        except RuntimeError as error:
            print("RuntimeError:", error)
print(str(caught[-1].message).splitlines()[0])
forward_line = [line.strip() for line in str(caught[-1].message).splitlines() if line.startswith("    ")][-1]
print("the forward line that made it:", forward_line)

# %% [markdown]
# $rac{d}{dx}\sqrt{x} = rac{1}{2\sqrt{x}}$ is infinite at $x = 0$, and the gradient reaching the
# square root there is $x = 0$: $0 \cdot \infty$ is NaN. `SqrtBackward0` is the node whose output held
# it, created by `x.sqrt()` on the line shown. The usual fixes: keep the input away from the bad point
# (`(x + 1e-12).sqrt()`), or `torch.where` the case out *before* the op.

# %% [markdown]
# ## 3. A model to look inside
#
# A small convolutional network for the 8×8 digits of `data/digits`, ending like ResNet and
# GoogLeNet do: the last convolution gives `C = 32` feature maps, **global average pooling**
# (全局平均汇聚) turns each map into one number, and one linear layer turns those 32 numbers into
# class scores. That ending is what makes CAM possible (section 6).

# %%
EPOCHS = int(os.environ.get("EDUTORCH_LESSON_EPOCHS", "4"))
train_data = datasets.MNIST("../data/digits", train=True, transform=transforms.ToTensor())
test_data = datasets.MNIST("../data/digits", train=False, transform=transforms.ToTensor())

class GapNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))

torch.manual_seed(0)
model = GapNet()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(EPOCHS):
    model.train()
    for images, labels in DataLoader(train_data, batch_size=32, shuffle=True):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
model.eval()
images, labels = next(iter(DataLoader(test_data, batch_size=len(test_data))))
with torch.no_grad():
    accuracy = (model(images).argmax(dim=1) == labels).float().mean().item()

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the training run
print(f"test accuracy after {EPOCHS} epochs: {accuracy:.3f}")

# %% [markdown]
# Chance is 0.1 with ten classes; a few epochs reach about 0.9:

# %%
print(accuracy > 0.7)

# %% [markdown]
# ## 4. Every layer at once
#
# One forward hook per layer, registered in a loop over `named_modules()`, records a report for
# the whole model: the shape of each output, its mean and standard deviation, and the fraction of
# exact zeros. We hook only the **leaf** modules (those without children), not the containers.

# %%
report = {}
def record(name):
    def hook(module, inputs, output):
        report[name] = dict(type=type(module).__name__, shape=tuple(output.shape),
                            mean=output.mean().item(), std=output.std().item(),
                            zeros=(output == 0).float().mean().item())
    return hook

leaves = [(name, m) for name, m in model.named_modules() if not list(m.children())]
handles = [m.register_forward_hook(record(name)) for name, m in leaves]
try:
    with torch.no_grad():
        model(images)                     # all 360 test digits
finally:
    for h in handles:
        h.remove()
for name, r in report.items():
    print(f"{name:11s} {r['type']:17s} {r['shape']}")

# %% [markdown]
# The hooks fired in the order the layers ran, so the report reads top to bottom like the forward
# pass: 8×8 maps, halved to 4×4 by `MaxPool2d`, 32 numbers after the global pooling, 10 scores.
# The statistics depend on the trained weights:

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the trained weights
for name, r in report.items():
    print(f"{name:11s} {r['type']:17s} mean {r['mean']:7.3f}   std {r['std']:6.3f}   zeros {r['zeros']:5.1%}")

# %% [markdown]
# What to read in it: a convolution's output is practically never exactly 0, while after each ReLU
# about half of the activations are exactly 0 (sparse activations: at each place only some filters
# respond); max pooling keeps the largest of four values, so fewer zeros survive it. Batch
# normalisation brings each layer's output back to a standard deviation of about 1 (times its
# learned scale, lesson 08), whatever the convolution before it did. A ReLU whose output were 100 %
# zeros would be "dead" — a report like this is how you would find it. The facts, checked:

# %%
relus = [r["zeros"] for r in report.values() if r["type"] == "ReLU"]
convs = [r["zeros"] for r in report.values() if r["type"] == "Conv2d"]
print(len(relus), "ReLUs, each with 10-90 % zeros:", all(0.1 < z < 0.9 for z in relus),
      "| convolutions with < 1 % zeros:", all(z < 0.01 for z in convs))

# %% [markdown]
# The same loop with `register_full_backward_hook` records the gradient reaching each layer
# (`grad_output[0]`), here its norm for one batch: the measurement behind vanishing and exploding
# gradients (lesson 14). The input gets `requires_grad_()` so that the first layer has a
# `grad_input` too.

# %%
grad_norms = {}
def record_grad(name):
    def hook(module, grad_input, grad_output):
        grad_norms[name] = grad_output[0].norm().item()
    return hook

handles = [m.register_full_backward_hook(record_grad(name)) for name, m in leaves]
try:
    F.cross_entropy(model(images[:64].clone().requires_grad_()), labels[:64]).backward()
finally:
    for h in handles:
        h.remove()
model.zero_grad()
print(list(grad_norms))

# %% [markdown]
# The backward hooks fired in the **reverse** order: the gradient starts at the loss and reaches
# `fc` first, `features.0` last. The norms themselves depend on the weights:

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the trained weights
print({name: round(norm, 4) for name, norm in grad_norms.items()})

# %% [markdown]
# ## 5. Feature maps
#
# A forward hook on `features[2]` (the ReLU after the first convolution and its batch norm) catches
# what the second convolution receives: 16 maps, one per filter, each an image of where that
# filter responded.

# %%
activations = {}
def keep(name):
    def hook(module, inputs, output):
        activations[name] = output.detach().clone()
    return hook

handles = [model.features[2].register_forward_hook(keep("relu1")),
           model.features[9].register_forward_hook(keep("relu3"))]
digit, label = test_data[0]
try:
    with torch.no_grad():
        model(digit.unsqueeze(0))
finally:
    for h in handles:
        h.remove()
print({name: tuple(a.shape) for name, a in activations.items()}, "label", label)

# %%
fig, axes = plt.subplots(2, 9, figsize=(9, 2.3))
axes[0, 0].imshow(digit[0].numpy(), cmap="gray_r")
axes[0, 0].set_title("input")
for k, ax in enumerate(list(axes[0, 1:]) + list(axes[1, 1:])):
    ax.imshow(activations["relu1"][0, k].numpy(), cmap="viridis")
axes[1, 0].set_title("relu1 maps", fontsize=8)
for ax in axes.flat:
    ax.axis("off")
plt.show()

# %% [markdown]
# Each map shows where one 3×3 filter of the first layer responded: some follow the strokes, others
# an edge on one side of a stroke, or the empty background next to it. The deeper maps (`relu3`,
# 4×4) are too coarse to look at, but they are what the classifier reads.
#
# *edutorch-only*: `show_feature_maps` does the same in one call (it registers the hook, runs the
# model, removes the hook and draws a grid). It, and `class_activation_map` below, also work on real
# `torch` models.

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch-only figure
if EDUTORCH:
    from edutorch.notebook import show_feature_maps
    maps = show_feature_maps(model, "features.5", digit.unsqueeze(0))
    print(tuple(maps.shape))


# %% [markdown]
# ## 6. Class activation maps
#
# With global average pooling, the score of class $c$ is
# $s_c = \sum_k w_{ck} \cdot \operatorname{mean}(A_k) + b_c$, where $A_k$ is the $k$-th map of the last
# convolutional block and $w_{ck}$ the weight of the linear layer. Moving the sum inside the mean
# gives a map:
#
# $$\mathrm{CAM}_c = \sum_k w_{ck} A_k, \qquad s_c = \operatorname{mean}(\mathrm{CAM}_c) + b_c .$$
#
# Each pixel of $\mathrm{CAM}_c$ says how much that place votes for class $c$. Upsampled to the
# input's size and laid over it, it shows where the evidence is.

# %%
def class_activation_map(model, image, class_idx=None):
    captured = {}
    handle = model.features.register_forward_hook(lambda m, i, output: captured.update(maps=output))
    try:
        with torch.no_grad():
            scores = model(image.unsqueeze(0))
    finally:
        handle.remove()
    if class_idx is None:
        class_idx = scores.argmax(dim=1).item()
    maps = captured["maps"][0]                              # (C, h, w) = (32, 4, 4)
    weights = model.fc.weight[class_idx].detach()           # (C,)
    cam = (weights.view(-1, 1, 1) * maps).sum(dim=0)        # (h, w)
    return cam, class_idx, scores[0, class_idx]

cam, predicted, score = class_activation_map(model, digit)
# the check that makes CAM exact for this architecture: mean(CAM) + bias = the class score
print(tuple(cam.shape), torch.allclose(cam.mean() + model.fc.bias[predicted], score, atol=1e-5))

# %% [markdown]
# The map is 4×4, one value per place the last block sees; `F.interpolate` enlarges it to the
# digit's 8×8. Top row: the digits; bottom row: the CAM of the predicted class (bright = strong
# evidence for it, dark = little or negative evidence), with the digit's outline drawn on top:

# %%
fig, axes = plt.subplots(2, 6, figsize=(9, 3.2))
for column, index in enumerate(range(6)):
    image, label = test_data[index]
    cam, predicted, _ = class_activation_map(model, image)
    big = F.interpolate(cam[None, None], size=image.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    axes[0, column].imshow(image[0].numpy(), cmap="gray_r")
    axes[0, column].set_title(f"true {label} / pred {predicted}", fontsize=8)
    axes[1, column].imshow(big.numpy(), cmap="viridis")
    axes[1, column].contour(image[0].numpy(), levels=[0.3], colors="w", linewidths=1)
for ax in axes.flat:
    ax.axis("off")
plt.show()

# %% [markdown]
# ### Does the CAM point at the digit? Two measurements
#
# A picture can persuade you of anything; a number over all 360 test digits cannot. First: how often
# is the **peak** of the (upsampled) CAM on an ink pixel of the digit? If the map were unrelated to
# the digit, the peak would land on ink as often as a random pixel does — the fraction of ink pixels,
# our chance level.

# %%
captured = {}
handle = model.features.register_forward_hook(lambda m, i, output: captured.update(maps=output))
try:
    with torch.no_grad():
        scores = model(images)
finally:
    handle.remove()
predicted = scores.argmax(dim=1)
N = len(images)
with torch.no_grad():
    class_weights = model.fc.weight[predicted]                               # (N, C)
    cams = (class_weights[:, :, None, None] * captured["maps"]).sum(dim=1, keepdim=True)
    cams = F.interpolate(cams, size=(8, 8), mode="bilinear", align_corners=False).flatten(1)  # (N, 64)
ink = images.flatten(1) > 0.3                                                # (N, 64) ink pixels
peak_on_ink = ink[torch.arange(N), cams.argmax(dim=1)].float().mean().item()
chance = ink.float().mean().item()

# %% [markdown]
# Second, a **deletion test**: erase (set to 0) the 8 pixels the CAM ranks highest, and see how often
# the prediction survives. Compare with erasing the 8 pixels it ranks lowest, 8 random pixels, and
# 8 random *ink* pixels.

# %%
def survives(erase):                          # erase: (N, 8) pixel indices per image
    keep = torch.ones(N, 64).scatter_(1, erase, 0.0)
    with torch.no_grad():
        return (model(images * keep.view(N, 1, 8, 8)).argmax(dim=1) == predicted).float().mean().item()

torch.manual_seed(0)
kept = {"top-8 CAM": survives(cams.topk(8, dim=1).indices),
        "bottom-8 CAM": survives((-cams).topk(8, dim=1).indices),
        "8 random": survives(torch.rand(N, 64).topk(8, dim=1).indices),
        "8 random ink": survives((torch.rand(N, 64) + ink.float()).topk(8, dim=1).indices)}

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the trained weights
print(f"CAM peak on ink: {peak_on_ink:.2f}   chance: {chance:.2f}")
for name, fraction in kept.items():
    print(f"erase the {name:13s} pixels: prediction unchanged for {fraction:.0%} of the digits")

# %% [markdown]
# About 7 peaks in 10 land on ink, against a chance of 0.39: the map looks at the digit. (Not
# always at its ink: blank space can be evidence too, such as the empty middle of a 0.) Erasing
# the pixels the CAM ranks highest changes most predictions; erasing those it ranks lowest changes
# few, and random pixels lie in between. So the CAM does rank pixels by how much the model relies
# on them. But erasing 8 random *ink* pixels does nearly as much damage as the top-8 (on some
# training runs more): on an 8×8 digit almost every ink pixel is evidence, and a 4×4 map is too
# coarse to single out the best ones. A CAM says roughly *where*, not *which pixel*. The checks,
# compared on every run:

# %%
print(peak_on_ink > chance + 0.15,
      kept["top-8 CAM"] < kept["8 random"] < kept["bottom-8 CAM"])

# %% [markdown]
# *edutorch-only*: `edutorch.notebook.class_activation_map` is the same function, with the overlay
# drawn for you. Both agree:

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch-only
if EDUTORCH:
    from edutorch.notebook import class_activation_map as cam_tool
    theirs = cam_tool(model, "features", "fc", digit.unsqueeze(0))
    ours = F.interpolate(class_activation_map(model, digit)[0][None, None], size=(8, 8),
                         mode="bilinear", align_corners=False)[0, 0]
    print(torch.allclose(torch.as_tensor(theirs), ours, atol=1e-5))

# %% [markdown]
# ### Check your understanding
#
# Predict each answer, then run:
#
# 1. A forward hook returns `output + 1` on an `nn.Identity()`. What does the module return? And
#    after `handle.remove()`?
# 2. In which order do backward hooks fire on `nn.Sequential(A, B, C)`?
# 3. Is $\operatorname{mean}(\mathrm{CAM}_c) + b_c = s_c$ true for an *untrained* `GapNet` too?

# %%
identity = nn.Identity()
handle = identity.register_forward_hook(lambda m, inputs, output: output + 1)
assert identity(torch.zeros(2)).tolist() == [1.0, 1.0]
handle.remove()
assert identity(torch.zeros(2)).tolist() == [0.0, 0.0]

order = []
torch.manual_seed(0)
chain = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
handles = [m.register_full_backward_hook(lambda m, gi, go, name=name: order.append(name))
           for name, m in chain.named_children()]
chain(torch.ones(1, 2, requires_grad=True)).sum().backward()
for h in handles:
    h.remove()
assert order == ["2", "1", "0"]               # from the loss back to the input

torch.manual_seed(1)
untrained = GapNet().eval()                   # the identity is algebra, not learning
cam, c, score = class_activation_map(untrained, digit, class_idx=3)
assert torch.allclose(cam.mean() + untrained.fc.bias[3], score, atol=1e-5)
print("all correct")

# %% [markdown]
# ## Summary
#
# - `tensor.register_hook(fn)`: read or replace a gradient. `module.register_forward_pre_hook`,
#   `register_forward_hook`, `register_full_backward_hook`: read or replace a module's inputs, output
#   and input gradient; `grad_output` / `grad_input` are the gradients of the loss with respect to the
#   module's output / input.
# - Keep every handle and `remove()` it in a `finally:` block: hooks pile up otherwise. Store
#   `output.detach().clone()`: a later in-place operation can overwrite the tensor you kept.
# - `p.register_post_accumulate_grad_hook(fn)` runs `fn(p)` once `p.grad` is complete (an optimizer
#   step per parameter inside backward); `torch.autograd.detect_anomaly()` names the node whose gradient
#   first held a NaN and the forward line that made it.
# - A loop over `named_modules()` hooks every layer: a report of shapes and statistics on the way
#   forward, gradient norms on the way back (hooks fire in reverse order there).
# - Feature maps are a layer's output, caught with a forward hook.
# - For a model that ends with global average pooling + one linear layer,
#   $\mathrm{CAM}_c = \sum_k w_{ck} A_k$ shows where the evidence for class $c$ lies, and its mean plus
#   the bias is exactly the class score. Measured on the test digits, its peak is on the digit far
#   more often than chance, and erasing its top pixels changes the prediction more than erasing random
#   ones — but a coarse CAM says roughly where, not which pixel.
#
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike, and build their own small models. Stuck? The solutions are in
# [solutions/13_hooks_and_cam.py](solutions/13_hooks_and_cam.py) (one click; try first!).

# %%
from checks.lesson13 import Checks   # the checks of these exercises: lessons/checks/lesson13.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — a shape recorder.** Write `record_shapes(model, x)`: register a forward hook on
# every **leaf** module of `model` (those without children), run `model(x)` under `torch.no_grad()`,
# and return a dict `{name: tuple(output.shape)}` with the names of `named_modules()`. Remove every
# hook before returning, even if the forward pass raises. The check calls it twice, with two batch
# sizes, and looks for hooks left behind.

# %%
# Exercise 1: {layer name: output shape} for every leaf module, hooks removed afterwards
def record_shapes(model, x):
    shapes = {}
    raise NotImplementedError("register a forward hook per leaf module, run the model, remove the hooks")

# %%
check.ex1(record_shapes)

# %% [markdown]
# **Exercise 2 — gradient norms per layer.** Write `gradient_norms(model, x, y)`: for every
# `nn.Conv2d` and `nn.Linear` of `model`, register a full backward hook that records the norm of the
# gradient of the loss with respect to the layer's **output**; compute
# `F.cross_entropy(model(x), y)`, call `backward()`, remove the hooks and return
# `{name: norm as a float}`.

# %%
# Exercise 2: {layer name: norm of dLoss/d(layer output)} for the Conv2d and Linear layers
def gradient_norms(model, x, y):
    norms = {}
    raise NotImplementedError("register full backward hooks, run forward and backward, remove them")

# %%
check.ex2(gradient_norms)

# %% [markdown]
# **Exercise 3 — a feature extractor.** Write a module `FeatureExtractor(model, layers)` whose
# `forward(x)` runs `model` and returns a dict `{name: output of that layer}` for the names in
# `layers` (names of `named_modules()`, e.g. `"features.2"`; `model.get_submodule(name)` finds the
# module). Register the hooks once, in `__init__`. Do not detach the outputs: the check trains on one
# of them, so the gradient must flow through it into the model's weights. Keep the model as an
# attribute so that its parameters are the extractor's parameters.

# %%
# Exercise 3: an nn.Module that returns {layer name: that layer's output} for the chosen layers
class FeatureExtractor(nn.Module):
    def __init__(self, model, layers):
        super().__init__()
        raise NotImplementedError("keep the model, register one forward hook per layer name")

    def forward(self, x):
        raise NotImplementedError("run the model and return the outputs the hooks caught")

# %%
check.ex3(FeatureExtractor)

# %% [markdown]
# **Exercise 4 — a CAM by hand.** Write `cam_of(model, image, class_idx)` for a model with
# `model.features` (the last block, output $(1, C, h, w)$) and `model.fc` (the linear layer after
# global average pooling): catch the feature maps with a forward hook and return the un-normalised
# $(h, w)$ map $\mathrm{CAM}_c = \sum_k w_{ck} A_k$ for `class_idx` (no upsampling). The check tests
# $\operatorname{mean}(\mathrm{CAM}_c) + b_c = s_c$ for every class of a fresh model.

# %%
# Exercise 4: CAM_c = sum_k fc.weight[c, k] * A_k, from a forward hook on model.features
def cam_of(model, image, class_idx):
    raise NotImplementedError("catch the feature maps with a hook, weight them by model.fc.weight[class_idx]")

# %%
check.ex4(cam_of)

# %% [markdown]
# ## 中文小结
#
# - **钩子**让我们不改模型代码就能读取或修改其中流动的数据。张量钩子 `register_hook` 读取或替换梯度；
#   模块钩子有三种：`register_forward_pre_hook`（前向计算之前，可替换输入）、`register_forward_hook`
#   （之后，可替换输出）、`register_full_backward_hook`（反向传播时，`grad_output` / `grad_input`
#   是损失对该模块输出 / 输入的梯度）。
# - 每次注册都返回一个句柄，用完要 `remove()`，最好写在 `finally:` 里，这样即使前向计算出错也能移除（练习 1）；
#   重复注册会让钩子叠加。保存输出时用 `output.detach().clone()`，否则后面的原地操作
#   （如 `ReLU(inplace=True)`）可能在钩子运行之后改掉它。
# - `p.register_post_accumulate_grad_hook(fn)` 在 `p.grad` 累加完成后调用 `fn(p)`，可以在反向传播中逐个参数地
#   更新；`torch.autograd.detect_anomaly()`（异常检测）会指出第一个产生 NaN 梯度的节点和创建它的那行前向代码。
# - 在 `named_modules()` 上循环注册钩子，可以得到每一层输出的形状和统计量；反向钩子按相反的顺序触发，
#   能记录到达每一层的梯度范数，用来诊断梯度消失或梯度爆炸（练习 2）。
# - 用前向钩子截取的某层输出就是**特征图**；基于钩子的特征提取器返回中间层的输出，梯度仍可流回模型（练习 3）。
# - 对以全局平均汇聚加一个全连接层结尾的模型，**类激活图** $\mathrm{CAM}_c = \sum_k w_{ck} A_k$ 显示类别
#   $c$ 的证据在图像的什么位置，它的平均值加偏置恰好等于该类的得分（练习 4）。
# - 用数字检验解释方法：在测试集上，CAM 峰值落在笔画上的比例远高于随机水平；擦掉 CAM 最高的像素比擦掉
#   随机像素更容易改变预测。但 4×4 的 CAM 很粗糙，只能说明大致位置。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | hook | 钩子 | `torch.Tensor.register_hook` |
# | forward pre-hook | 前向预钩子 | `torch.nn.Module.register_forward_pre_hook` |
# | forward hook | 前向钩子 | `torch.nn.Module.register_forward_hook` |
# | backward hook | 反向钩子 | `torch.nn.Module.register_full_backward_hook` |
# | handle | 句柄 | `torch.utils.hooks.RemovableHandle.remove()` |
# | leaf module | 叶子模块（没有子模块） | `torch.nn.Module.named_modules()`, `children()` |
# | gradient | 梯度 | `grad_input`, `grad_output` |
# | in-place operation | 原地操作 | `torch.nn.ReLU(inplace=True)` |
# | activation | 激活值 | — |
# | feature map | 特征图 | — |
# | feature extractor | 特征提取器 | — |
# | channel | 通道 | `torch.nn.Conv2d` |
# | global average pooling | 全局平均汇聚（池化） | `torch.nn.AdaptiveAvgPool2d(1)` |
# | fully connected layer | 全连接层 | `torch.nn.Linear` |
# | class activation map (CAM) | 类激活图 | — |
# | upsampling / interpolation | 上采样 / 插值 | `torch.nn.functional.interpolate` |
# | deletion test | 删除测试 | — |
# | vanishing / exploding gradients | 梯度消失 / 梯度爆炸 | — |
# | post-accumulate-grad hook | 梯度累加后钩子 | `torch.Tensor.register_post_accumulate_grad_hook` |
# | anomaly detection | 异常检测 | `torch.autograd.detect_anomaly` |
