# %% [markdown]
# # 04 · Transforms: from a photo to a tensor, and data augmentation
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# A model wants float tensors of one size with values around zero; files hold images of any size
# with bytes 0–255. **Transforms** (变换) bridge the two, and random transforms make every epoch see
# slightly different pictures: **data augmentation** (图像增广), the cheapest regulariser there is.
#
# **Goals.** After this lesson you can
#
# - say exactly what `ToTensor` does (HWC → CHW, `[0, 255]` → `[0, 1]`) and undo it;
# - normalise with the ImageNet statistics and un-normalise for display;
# - resize, crop, flip, rotate, warp and recolour an image, with PIL images or tensors;
# - build training and evaluation pipelines with `Compose`, `RandomApply`, `RandomChoice`;
# - use a pipeline inside a `Dataset` and look at a whole batch with `make_grid`.

# %%
# %matplotlib inline
import math
import matplotlib.cbook as cbook
import tempfile
from pathlib import Path
from PIL import Image

import matplotlib.pyplot as plt
import numpy as np

# to run this lesson on PyTorch, change `edutorch` to `torch` and `edutorch.vision` to
# `torchvision` in the import lines below
import edutorch as torch
from edutorch.utils.data import DataLoader
from edutorch.vision import datasets, transforms
from edutorch.vision.io import ImageReadMode, decode_image, read_file, read_image, write_png
import edutorch.vision.transforms.functional as TF
from edutorch.vision.utils import make_grid
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# ## 1. The photo
#
# matplotlib ships a portrait of Grace Hopper, the computer pioneer. PIL opens it as an `Image`:
# width × height (PIL says `size=(width, height)`), three 8-bit channels.

# %%
photo = Image.open(cbook.get_sample_data("grace_hopper.jpg")).convert("RGB")
print(photo.size, photo.mode)
pixels = np.array(photo)
print(pixels.shape, pixels.dtype, pixels.min(), pixels.max())
plt.figure(figsize=(3, 3.5))
plt.imshow(photo)
plt.axis("off")
plt.show()

# %% [markdown]
# ## 2. `ToTensor`: HWC bytes → CHW floats
#
# NumPy and PIL store an image as **height × width × channels** (HWC), bytes 0–255. PyTorch's
# convolutions want **channels × height × width** (CHW) floats. `ToTensor` does both steps: it moves
# the channel axis to the front and divides by 255. `PILToTensor` only moves the axis (uint8 stays),
# and `ToPILImage` goes back.

# %%
x = transforms.ToTensor()(photo)
print(x.shape, x.dtype, round(x.min().item(), 4), round(x.max().item(), 4))
by_hand = torch.from_numpy(pixels).permute(2, 0, 1).float() / 255   # HWC -> CHW, then /255
print(torch.allclose(x, by_hand))
raw = transforms.PILToTensor()(photo)
print(raw.shape, raw.dtype, raw[:, 0, 0])
back = transforms.ToPILImage()(x)
print(back.size, back.mode, np.array_equal(np.asarray(back), pixels))

# %% [markdown]
# ## 3. `Normalize`: centre each channel
#
# Networks train best on inputs with mean ≈ 0 and standard deviation ≈ 1. `Normalize(mean, std)`
# computes `(x - mean[c]) / std[c]` for each channel `c`. Pretrained ImageNet models expect the
# ImageNet statistics below; for your own data, measure them on the training set.

# %%
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
normalize = transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)
z = normalize(x)
print(normalize)
print("before:", [round(v, 3) for v in x.mean(dim=(1, 2)).tolist()])
print("after: ", [round(v, 3) for v in z.mean(dim=(1, 2)).tolist()])
mean, std = torch.tensor(IMAGENET_MEAN).view(3, 1, 1), torch.tensor(IMAGENET_STD).view(3, 1, 1)
print(torch.allclose(z, (x - mean) / std), torch.allclose(z * std + mean, x, atol=1e-6))

# %% [markdown]
# The means after `Normalize` are not 0, and that is expected: `Normalize` does not measure the image,
# it applies fixed numbers. The ImageNet statistics are averages over a million photos; this one
# portrait is darker than the average photo, so its values land below 0. Over a whole data set
# normalised with *its own* statistics, each channel has mean 0 and standard deviation 1 (Exercise 3
# measures them for the texture photos).


# %% [markdown]
# To *show* a normalised tensor, undo it (`z * std + mean`), clamp to `[0, 1]` and permute to HWC.
# We will need that often:

# %%
def show(images, nrow=4, title=None, size=(7, 3.5)):
    # a list or batch of CHW tensors (or PIL images) as one picture
    images = [TF.to_tensor(im) if isinstance(im, Image.Image) else im for im in images]
    size_hw = images[0].shape[-2:]
    images = [TF.resize(im, list(size_hw), antialias=True) if im.shape[-2:] != size_hw else im
              for im in images]
    grid = make_grid(torch.stack(images), nrow=nrow, padding=4, pad_value=1.0)
    plt.figure(figsize=size)
    plt.imshow(grid.permute(1, 2, 0).clamp(0, 1).numpy())
    if title:
        plt.title(title)
    plt.axis("off")
    plt.show()

show([x, (z * std + mean), z.clamp(0, 1)], nrow=3, title="original · un-normalised · normalised (clipped)")

# %% [markdown]
# ## 4. Size and crop
#
# - `Resize(256)`: the **shorter side** becomes 256, the aspect ratio is kept; `Resize((h, w))` forces a size.
# - `CenterCrop(224)` cuts the middle; `RandomCrop(224, padding=4)` pads, then cuts at a random place.
# - `RandomResizedCrop(224, scale=(0.08, 1.0))`: a random area and aspect ratio, resized to 224 —
#   the standard ImageNet training crop.
# - `FiveCrop(224)`: the four corners and the centre (test-time augmentation).

# %%
small = transforms.Resize(128)(photo)
print("Resize(128):       ", photo.size, "->", small.size)
print("Resize((100, 80)): ", transforms.Resize((100, 80))(photo).size)   # (h, w) in; PIL prints (w, h)
print("CenterCrop(96):    ", transforms.CenterCrop(96)(small).size)
print("RandomCrop(96):    ", transforms.RandomCrop(96, padding=8)(small).size)
print("FiveCrop(96):      ", [im.size for im in transforms.FiveCrop(96)(small)])
tensor_small = transforms.Resize(128)(x)            # the same transforms work on tensors
print("on a tensor:       ", tuple(x.shape), "->", tuple(tensor_small.shape))

# %%
crops = [transforms.RandomResizedCrop(96, scale=(0.1, 1.0))(small) for _ in range(8)]
show(crops, nrow=8, title="RandomResizedCrop(96): eight draws", size=(9, 1.8))
show(transforms.FiveCrop(96)(small), nrow=5, title="FiveCrop(96)", size=(8, 2))

# %% [markdown]
# ## 5. Flips, rotations and warps
#
# `RandomHorizontalFlip(p=0.5)` mirrors with probability `p`. `RandomRotation(degrees)`,
# `RandomAffine` (rotation, translation, scale, shear) and `RandomPerspective` move pixels; the
# uncovered corners get `fill`.

# %%
geometric = {
    "HorizontalFlip": transforms.RandomHorizontalFlip(p=1.0),
    "VerticalFlip": transforms.RandomVerticalFlip(p=1.0),
    "Rotation(30)": transforms.RandomRotation(30),
    "Affine": transforms.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10),
    "Perspective": transforms.RandomPerspective(distortion_scale=0.5, p=1.0),
    "Pad(16, reflect)": transforms.Pad(16, padding_mode="reflect"),
}
show([t(small) for t in geometric.values()], nrow=6, title=" · ".join(geometric), size=(10, 2.2))

# %% [markdown]
# **Check your understanding.** A horizontal flip reverses the width axis, so flipping twice gives
# back the image, and a flipped tensor equals `torch.flip(x, dims=[2])`:

# %%
flip = transforms.RandomHorizontalFlip(p=1.0)
print(torch.equal(flip(flip(x)), x), torch.equal(flip(x), torch.flip(x, dims=[2])))
print(np.array_equal(np.asarray(flip(photo)), pixels[:, ::-1]))

# %% [markdown]
# ## 6. Colour
#
# `ColorJitter` changes brightness, contrast, saturation and hue by random factors;
# `Grayscale(num_output_channels=3)` keeps three (equal) channels so the model's input shape stays the
# same; `GaussianBlur` softens. On tensors, grey is `0.2989 R + 0.587 G + 0.114 B`.

# %%
colour = {
    "ColorJitter": transforms.ColorJitter(brightness=0.5, contrast=0.5, saturation=0.5, hue=0.1),
    "Grayscale": transforms.Grayscale(num_output_channels=3),
    "GaussianBlur(9)": transforms.GaussianBlur(9, sigma=(2.0, 3.0)),
    "brightness x1.5": lambda im: TF.adjust_brightness(im, 1.5),
    "contrast x0.5": lambda im: TF.adjust_contrast(im, 0.5),
    "hue +0.25": lambda im: TF.adjust_hue(im, 0.25),
}
show([t(small) for t in colour.values()], nrow=6, title=" · ".join(colour), size=(10, 2.2))

# %%
grey = transforms.Grayscale()(tensor_small)
by_hand = (0.2989 * tensor_small[0] + 0.587 * tensor_small[1] + 0.114 * tensor_small[2]).unsqueeze(0)
print(grey.shape, torch.allclose(grey, by_hand, atol=1e-6))

# %% [markdown]
# `RandomErasing` works on tensors (use it after `ToTensor`): it blanks a random rectangle, which
# teaches a model not to rely on one small region.

# %%
erase = transforms.RandomErasing(p=1.0, scale=(0.05, 0.2), value=0.5)
erased = [erase(tensor_small) for _ in range(4)]
show(erased, nrow=4, title="RandomErasing", size=(6, 2))
print(all(e.shape == tensor_small.shape for e in erased), all(not torch.equal(e, tensor_small) for e in erased))

# %% [markdown]
# ## 7. Pipelines
#
# `Compose` chains transforms; `RandomApply([...], p)` runs a group with probability `p`;
# `RandomChoice` picks one; `RandomOrder` shuffles their order; `Lambda` wraps any function. The
# usual ImageNet pipelines: random crops and flips for training, a fixed resize and centre crop for
# evaluation, so that evaluation is deterministic.

# %%
train_transform = transforms.Compose([
    transforms.RandomResizedCrop(96, scale=(0.3, 1.0)),
    transforms.RandomHorizontalFlip(),
    transforms.RandomApply([transforms.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
    transforms.RandomGrayscale(p=0.2),
    transforms.ToTensor(),
    transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
])
eval_transform = transforms.Compose([
    transforms.Resize(110),
    transforms.CenterCrop(96),
    transforms.ToTensor(),
    transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
])
print(train_transform)
print(eval_transform)

# %%
views = [train_transform(photo) * std + mean for _ in range(16)]
show(views, nrow=8, title="one photo, sixteen training views", size=(9, 2.8))
print(torch.equal(eval_transform(photo), eval_transform(photo)))   # evaluation is deterministic

# %% [markdown]
# Random transforms draw from the global generator, so `torch.manual_seed` makes a pipeline
# reproducible:

# %%
torch.manual_seed(3)
a = train_transform(photo)
torch.manual_seed(3)
b = train_transform(photo)
print(torch.equal(a, b), tuple(a.shape))

# %% [markdown]
# ## 8. Transforms inside a `Dataset`
#
# Datasets take `transform` (for the input) and `target_transform` (for the label); the transform
# runs in `__getitem__`, so each epoch sees new random views. Here the texture photos of lesson 03
# become a batch of augmented, normalised tensors (`0.5` and `0.25` are round guesses for their
# statistics; Exercise 3 measures the real ones):

# %%
texture_train = datasets.ImageFolder(
    "../data/textures/train",
    transform=transforms.Compose([transforms.RandomResizedCrop(48, scale=(0.5, 1.0)),
                                  transforms.RandomHorizontalFlip(),
                                  transforms.RandomVerticalFlip(),
                                  transforms.ToTensor(),
                                  transforms.Normalize([0.5] * 3, [0.25] * 3)]),
    target_transform=lambda label: texture_names[label])
texture_names = texture_train.classes
images, names = next(iter(DataLoader(texture_train, batch_size=12, shuffle=True)))
print(images.shape, images.dtype, len(names), set(names) <= set(texture_names))
show(images * 0.25 + 0.5, nrow=12, title="a shuffled, augmented batch", size=(10, 1.3))

# %% [markdown]
# ## 9. Look inside
#
# A transform is a small class whose `__call__` (or `forward`) calls a function in
# `transforms.functional`. In edutorch those functions work on NumPy arrays underneath (torchvision's
# use PIL and tensor operations). Read `to_tensor` and `normalize`:

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch's source
if EDUTORCH:
    show_source(TF.to_tensor)
    show_source(TF.normalize)

# %% [markdown]
# ## 10. Image files straight to tensors: `io`
#
# PIL is not the only way in. `torchvision.io` reads a file into a **uint8 tensor of shape (C, H, W)**
# directly: `read_file` gives the raw bytes, `decode_image` turns the bytes of a PNG or JPEG into
# pixels (图像解码), and `read_image` does both. `mode=ImageReadMode.RGB` asks for three channels even
# from a grey file. The values are the bytes 0–255, so `img.float() / 255` is what `ToTensor` gives:

# %%
tile_path = "../data/textures/test/gravel/gravel_33.png"
tile = read_image(tile_path)
print(tile.shape, tile.dtype, tile.min().item(), tile.max().item())
data = read_file(tile_path)
print(data.shape, data.dtype, data[:8].tolist())  # a PNG file starts with 137 P N G
print(torch.equal(decode_image(data), tile))
rgb = read_image(tile_path, mode=ImageReadMode.RGB)
print(rgb.shape, torch.equal(rgb[0], rgb[2]))
print(torch.allclose(tile.float() / 255, transforms.ToTensor()(Image.open(tile_path))))

# %% [markdown]
# Writing goes the other way: `write_png(img, path)` takes a (C, H, W) **uint8** tensor (convert a float
# image with `(x * 255).round().to(torch.uint8)`). PNG is lossless (无损压缩), so reading the file back
# gives exactly the same numbers; JPEG (`write_jpeg`) is lossy and would not:

# %%
flipped = TF.hflip(tile)
png_path = Path(tempfile.mkdtemp()) / "flipped_tile.png"
write_png(flipped, str(png_path))
back = read_image(str(png_path))
print(back.dtype, torch.equal(back, flipped), torch.equal(back[0, :, 0], tile[0, :, -1]))

# %% [markdown]
# ## Summary
#
# - `ToTensor`: PIL/NumPy HWC uint8 → CHW float32 in `[0, 1]`; `PILToTensor` keeps uint8;
#   `ToPILImage` goes back.
# - `Normalize(mean, std)`: `(x - mean) / std` per channel; undo with `x * std + mean` to display.
# - Geometry (`Resize`, crops, flips, rotations, affine, perspective) and colour (`ColorJitter`,
#   `Grayscale`, `GaussianBlur`) work on PIL images and on tensors; `RandomErasing` on tensors only.
# - Training pipelines are random (augmentation); evaluation pipelines are fixed. Put them in a
#   dataset's `transform`, and seed with `torch.manual_seed` to reproduce a run.
# - Augment only what does not change the label: a flipped texture is still that texture, but a
#   flipped 2 or a rotated 6 is not the same digit.
# - `io.read_image` / `decode_image` read PNG and JPEG files into uint8 (C, H, W) tensors (`float() / 255` is
#   `ToTensor`); `write_png` writes one back losslessly.


# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/04_transforms.py](solutions/04_transforms.py) (one click; try first!).

# %%
from checks.lesson04 import Checks   # the checks of these exercises: lessons/checks/lesson04.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — `ToTensor` by hand.** Write `to_tensor(image)` that turns a PIL image into what
# `transforms.ToTensor()` returns, using only NumPy and `torch.from_numpy`: shape **(C, H, W)**, dtype
# **float32**, values in `[0, 1]`. Mind two traps: a grey image (mode `"L"`) is a 2-D array but must
# become `(1, H, W)`, and NumPy's `array / 255` is float64. The check tries an RGB image and a grey
# one whose height and width differ (so swapped axes show).

# %%
# Exercise 1: PIL image -> float32 tensor (C, H, W) in [0, 1], like transforms.ToTensor
def to_tensor(image):
    pixels = np.asarray(image)          # (H, W, C) uint8, or (H, W) for a grey image
    raise NotImplementedError("add a channel axis if needed, move channels first, scale to [0, 1] as float32")

# %%
check.ex1(to_tensor)

# %% [markdown]
# **Exercise 2 — your own transform class.** A transform is any callable; a class makes it
# configurable and printable. Write `AddGaussianNoise(std)`, whose call returns `x + std * noise`
# with standard normal noise of `x`'s shape (`torch.randn_like`), as a **new** tensor (the input is
# left unchanged), and whose `__repr__` returns `AddGaussianNoise(std=0.05)` for `std=0.05` — that is
# what `print(Compose([...]))` shows. The check measures the noise of many pixels.

# %%
# Exercise 2: a transform class that adds Gaussian noise, with a readable __repr__
class AddGaussianNoise:
    def __init__(self, std):
        self.std = std

    def __call__(self, x):
        raise NotImplementedError("return x plus noise of standard deviation self.std")

    def __repr__(self):
        raise NotImplementedError("return 'AddGaussianNoise(std=...)'")

# %%
check.ex2(AddGaussianNoise)

# %% [markdown]
# **Exercise 3 — measure the statistics for `Normalize`.** Write `channel_stats(dataset)` for a
# dataset of `(image, label)` pairs whose images are `(3, H, W)` tensors in `[0, 1]` (`ToTensor`
# output): return `(mean, std)`, two tensors of shape `(3,)`, the mean and standard deviation of
# each channel over **all pixels of all images together**. (Not the average of each image's std:
# that misses how much the images differ from each other.) The check runs it on the 36 texture
# photos of `data/textures/train` and on two images whose answer is known. (The texture tiles are grey
# photos stored as RGB, so their three channels have the same statistics.)

# %%
# Exercise 3: per-channel mean and std over every pixel of every image
def channel_stats(dataset):
    raise NotImplementedError("stack the images (or loop over a DataLoader) and reduce over all but the channel axis")

# %%
check.ex3(channel_stats)

# %% [markdown]
# **Exercise 4 — a training and an evaluation pipeline.** Write `make_pipelines(mean, std, size=48)`
# that returns `(train_transform, eval_transform)`, two `Compose` pipelines from a PIL image to a
# normalised `(3, size, size)` float tensor:
#
# - training (random): `RandomResizedCrop(size, scale=(0.5, 1.0))`, `RandomHorizontalFlip()`, then
#   `ToTensor()` and `Normalize(mean, std)`;
# - evaluation (deterministic): `Resize` of the shorter side to `size * 8 // 7` (as 256 → 224 on
#   ImageNet), `CenterCrop(size)`, then `ToTensor()` and `Normalize(mean, std)`.
#
# Pass the `mean` and `std` you are given: with the statistics of Exercise 3 the texture photos come
# out with mean ≈ 0 and std ≈ 1 (the check shows it). It also feeds a one-colour image, whose
# normalised value it knows, and a noisy one.

# %%
# Exercise 4: (train_transform, eval_transform), both ending with ToTensor and Normalize(mean, std)
def make_pipelines(mean, std, size=48):
    raise NotImplementedError("two transforms.Compose([...])")

# %%
check.ex4(make_pipelines)

# %% [markdown]
# **Exercise 5 — test-time augmentation with `FiveCrop`.** Write `five_crop_predict(model, image,
# size)`: cut the `(3, H, W)` tensor `image` into the five crops of `transforms.FiveCrop(size)` (four
# corners and the centre), run `model` once on the batch of the five crops `(5, 3, size, size)`, turn
# each row of logits into probabilities with `softmax`, and return their **average** (a tensor of
# shape `(number of classes,)`). Averaging over views often makes predictions a little more reliable.

# %%
# Exercise 5: average the softmax probabilities of the model over the five crops
def five_crop_predict(model, image, size):
    raise NotImplementedError("FiveCrop -> stack -> model -> softmax -> mean over the crops")

# %%
check.ex5(five_crop_predict)

# %% [markdown]
# ## 中文小结
#
# - `ToTensor` 把 PIL 图像或 NumPy 数组（高 × 宽 × 通道，字节 0–255）变成 PyTorch 需要的
#   **通道 × 高 × 宽** 的 float32 张量，数值缩放到 `[0, 1]`；灰度图也会得到一个通道维。
# - `Normalize(mean, std)` 对每个通道计算 `(x - mean) / std`；均值和标准差要在**训练集**上、对所有像素一起统计。
#   显示图像前用 `x * std + mean` 还原。
# - 几何变换（缩放、裁剪、翻转、旋转、仿射、透视）和颜色变换（`ColorJitter`、灰度、模糊）
#   既能作用于 PIL 图像，也能作用于张量；`RandomErasing` 只作用于张量。
# - **图像增广**：训练时用随机变换，让每个轮次看到略有不同的图像，这是一种很便宜的正则化；
#   评估时用固定的变换（缩放 + 中心裁剪），结果才可复现。只做不改变标签的变换（翻转后的 2 不再是 2）。
# - `Compose` 把变换串成流水线；自己写的变换就是一个可调用的类，加上 `__repr__` 便于打印。
# - 变换放在数据集的 `transform` 参数里，在 `__getitem__` 中执行；`torch.manual_seed` 可以复现随机变换。
# - 测试时增广：对同一张图的多个裁剪（如 `FiveCrop`）取预测概率的平均。
# - `io.read_image` / `decode_image` 把 PNG、JPEG 文件直接解码成 uint8 的 **通道 × 高 × 宽** 张量（除以 255 即
#   `ToTensor` 的结果）；`write_png` 以无损压缩写回文件，读回来的数值完全相同。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | transform | 变换 | `torchvision.transforms` |
# | data augmentation | 图像增广 | `RandomResizedCrop`, `RandomHorizontalFlip`, ... |
# | tensor conversion | 转换为张量 | `transforms.ToTensor`, `transforms.PILToTensor` |
# | channel | 通道 | the `C` of `(C, H, W)` |
# | normalization (standardization) | 标准化 | `transforms.Normalize` |
# | mean / standard deviation | 均值 / 标准差 | `Tensor.mean`, `Tensor.std` |
# | resize | 缩放 | `transforms.Resize` |
# | crop / center crop | 裁剪 / 中心裁剪 | `transforms.RandomCrop`, `transforms.CenterCrop` |
# | random resized crop | 随机裁剪并缩放 | `transforms.RandomResizedCrop` |
# | flip | 翻转 | `transforms.RandomHorizontalFlip` |
# | color jitter | 颜色抖动 | `transforms.ColorJitter` |
# | random erasing | 随机擦除 | `transforms.RandomErasing` |
# | pipeline (composition) | 流水线（组合变换） | `transforms.Compose` |
# | test-time augmentation | 测试时增广 | `transforms.FiveCrop`, `transforms.TenCrop` |
# | regularization | 正则化 | — |
# | image decoding | 图像解码 | `torchvision.io.read_image`, `io.decode_image` |
# | lossless / lossy compression | 无损压缩 / 有损压缩 | `io.write_png` / `io.write_jpeg` |
