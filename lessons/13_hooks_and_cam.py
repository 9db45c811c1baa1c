# %% [markdown]
# # 13 · Hooks, feature maps and class activation maps
#
# A trained network is not a black box: **hooks** (钩子) let you read — or change — what flows
# through it without editing its code. With them we look at what each layer sees (**feature maps**,
# 特征图) and where in an image the model found the evidence for its answer (**class activation
# maps**, CAM, 类激活图).
#
# **Goals.** After this lesson you can
#
# - use tensor hooks (`register_hook`) to read and change gradients;
# - use module hooks: `register_forward_pre_hook`, `register_forward_hook`,
#   `register_full_backward_hook`, and remove them with their handle;
# - collect a layer's activations and draw them as feature maps;
# - compute a class activation map for a global-average-pooling model.

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
# `t.register_hook(fn)` calls `fn(grad)` when the gradient of `t` has been computed. Use it to read
# the gradient of an intermediate tensor (which autograd does not keep), or return a new gradient to
# replace it.

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
# - `register_forward_pre_hook(fn)`: `fn(module, inputs)` before `forward`; may return new inputs;
# - `register_forward_hook(fn)`: `fn(module, inputs, output)` after `forward`; may return a new output;
# - `register_full_backward_hook(fn)`: `fn(module, grad_input, grad_output)` during backward.
#
# Each returns a handle whose `remove()` takes the hook away.

# %%
torch.manual_seed(0)
net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
log = []
handles = [
    net[0].register_forward_pre_hook(lambda m, inputs: log.append(("pre", tuple(inputs[0].shape)))),
    net[0].register_forward_hook(lambda m, inputs, output: log.append(("forward", tuple(output.shape)))),
    net[0].register_full_backward_hook(
        lambda m, grad_input, grad_output: log.append(("backward", tuple(grad_output[0].shape)))),
]
out = net(torch.randn(1, 1, 6, 6, requires_grad=True))
out.sum().backward()
for entry in log:
    print(entry)
for h in handles:
    h.remove()
net(torch.randn(1, 1, 6, 6))
print(len(log), "entries: nothing new after remove()")

# %% [markdown]
# A forward hook that returns a value replaces the module's output — a way to patch a model you
# did not write:

# %%
relu = nn.ReLU()
h = relu.register_forward_hook(lambda m, inputs, output: output * 10)
print(relu(torch.tensor([-1.0, 2.0])))
h.remove()
print(relu(torch.tensor([-1.0, 2.0])))

# %% [markdown]
# ## 3. A model to look inside
#
# A small convolutional network for the digits of `data/digits`, ending like ResNet and GoogLeNet
# do: the last convolution gives `C` feature maps, **global average pooling** (全局平均池化) turns
# each map into one number, and one linear layer turns those `C` numbers into class scores.
# That ending is what makes CAM possible.

# %%
EPOCHS = int(os.environ.get("EDUTORCH_LESSON_EPOCHS", "8"))
to_input = transforms.Compose([transforms.Resize(16), transforms.ToTensor()])
train_data = datasets.MNIST("../data/digits", train=True, transform=to_input)
valid_data = datasets.MNIST("../data/digits", train=False, transform=to_input)

class GapNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))

torch.manual_seed(0)
model = GapNet()
optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
for epoch in range(EPOCHS):
    model.train()
    for images, labels in DataLoader(train_data, batch_size=32, shuffle=True):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
model.eval()
with torch.no_grad():
    images, labels = next(iter(DataLoader(valid_data, batch_size=len(valid_data))))
    accuracy = (model(images).argmax(dim=1) == labels).float().mean().item()
print(accuracy > 0.6)   # chance is 0.1; the full run reaches about 0.9

# %% [markdown]
# ## 4. Feature maps
#
# A forward hook on `features[0]` (the first convolution) catches its output: 16 maps, one per
# filter, each an image of where that filter responded.

# %%
activations = {}
def keep(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()
    return hook

handles = [model.features[0].register_forward_hook(keep("conv1")),
           model.features[7].register_forward_hook(keep("conv3"))]
digit, label = valid_data[0]
with torch.no_grad():
    model(digit.unsqueeze(0))
for h in handles:
    h.remove()
print({name: tuple(a.shape) for name, a in activations.items()}, "label", label)

# %%
fig, axes = plt.subplots(2, 9, figsize=(9, 2.3))
axes[0, 0].imshow(digit[0].numpy(), cmap="gray_r")
axes[0, 0].set_title("input")
for k, ax in enumerate(list(axes[0, 1:]) + list(axes[1, 1:])):
    ax.imshow(activations["conv1"][0, k].numpy(), cmap="viridis")
axes[1, 0].set_title("conv1 maps", fontsize=8)
for ax in axes.flat:
    ax.axis("off")
plt.show()

# %% [markdown]
# *edutorch-only*: `show_feature_maps` does the same in one call (it registers the hook, runs the
# model, removes the hook and draws a grid).

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch-only figure
if EDUTORCH:
    from edutorch.notebook import show_feature_maps
    maps = show_feature_maps(model, "features.3", digit.unsqueeze(0))
    print(tuple(maps.shape))


# %% [markdown]
# ## 5. Class activation maps
#
# With global average pooling, the score of class $c$ is
# $s_c = \sum_k w_{ck} \cdot \operatorname{mean}(A_k) + b_c$, where $A_k$ is the $k$-th map of the last
# convolution. Moving the sum inside the mean gives a map:
#
# $$\mathrm{CAM}_c = \sum_k w_{ck} A_k, \qquad s_c = \operatorname{mean}(\mathrm{CAM}_c) + b_c .$$
#
# Each pixel of $\mathrm{CAM}_c$ says how much that place votes for class $c$. Upsampled to the
# input's size and laid over it, it shows where the evidence is.

# %%
def class_activation_map(model, image, class_idx=None):
    captured = {}
    handle = model.features.register_forward_hook(lambda m, i, output: captured.update(maps=output))
    with torch.no_grad():
        scores = model(image.unsqueeze(0))
    handle.remove()
    if class_idx is None:
        class_idx = scores.argmax(dim=1).item()
    maps = captured["maps"][0]                              # (C, h, w)
    weights = model.fc.weight[class_idx].detach()           # (C,)
    cam = (weights.view(-1, 1, 1) * maps).sum(dim=0)        # (h, w)
    return cam, class_idx, scores[0, class_idx]

cam, predicted, score = class_activation_map(model, digit)
# the check that makes CAM exact for this architecture: mean(CAM) + bias = the class score
print(tuple(cam.shape), torch.allclose(cam.mean() + model.fc.bias[predicted], score, atol=1e-5))

# %%
fig, axes = plt.subplots(1, 6, figsize=(9, 1.8))
for ax, index in zip(axes, range(6)):
    image, label = valid_data[index]
    cam, predicted, _ = class_activation_map(model, image)
    big = F.interpolate(cam[None, None], size=image.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    ax.imshow(image[0].numpy(), cmap="gray")
    ax.imshow(big.numpy(), cmap="jet", alpha=0.45)
    ax.set_title(f"true {label} / pred {predicted}", fontsize=8)
    ax.axis("off")
plt.show()

# %% [markdown]
# *edutorch-only*: `edutorch.notebook.class_activation_map` is the same function, with the overlay
# drawn for you. Both agree:

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch-only
if EDUTORCH:
    from edutorch.notebook import class_activation_map as cam_tool
    theirs = cam_tool(model, "features", "fc", digit.unsqueeze(0))
    ours = F.interpolate(class_activation_map(model, digit)[0][None, None], size=(16, 16),
                         mode="bilinear", align_corners=False)[0, 0]
    print(torch.allclose(torch.as_tensor(theirs), ours, atol=1e-5))

# %% [markdown]
# ## Summary
#
# - `tensor.register_hook(fn)`: read or replace a gradient; `module.register_forward_pre_hook`,
#   `register_forward_hook`, `register_full_backward_hook`: read or replace inputs, outputs and
#   gradients of a module. Keep the handle and `remove()` it when done.
# - Feature maps are a layer's output, caught with a forward hook.
# - For a model that ends with global average pooling + one linear layer,
#   $\mathrm{CAM}_c = \sum_k w_{ck} A_k$ shows where the evidence for class $c$ lies, and its mean plus
#   the bias is exactly the class score.
#
# ## Exercises
#
# 1. Use a backward hook on `model.features[0]` to print the norm of the gradient flowing into the
#    first convolution for one batch.
# 2. Draw the CAM of the *second most likely* class for a digit the model gets wrong.
# 3. Grad-CAM generalises CAM to any CNN: weight each map by the mean of the gradient of the score
#    with respect to it. Implement it with a forward hook and a tensor hook, and compare with CAM here.
