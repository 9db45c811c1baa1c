# %% [markdown]
# # 03 · Data: `Dataset`, `DataLoader`, samplers and workers
#
# Training reads data over and over, in shuffled **mini-batches** (小批量). PyTorch splits that job in
# two: a **`Dataset`** (数据集) knows *how to get sample number i*, and a **`DataLoader`** (数据加载器)
# decides *which samples, in what order, how many at a time*, and glues them into tensors.
#
# **Goals.** After this lesson you can
#
# - write a `Dataset` with `__len__` and `__getitem__`, and load real files with one (an image folder);
# - use the ready-made ones: `TensorDataset`, `random_split`, `datasets.MNIST`, `datasets.ImageFolder`;
# - do the epoch / iteration / batch-size arithmetic (and know what `drop_last` changes);
# - choose the order with a **sampler** (采样器), and glue samples with a **collate function** (整理函数);
# - load in parallel with `num_workers`, and split an `IterableDataset` between workers;
# - trace one batch through the loader: sampler → indices → `Dataset.__getitem__` → `collate_fn`.
#
# The data are real and in `data/` (see its README): 1797 handwritten digits stored in MNIST's file
# format, and a folder of photographs of brick, grass and gravel.

# %%
# %matplotlib inline
import math
from pathlib import Path
from PIL import Image

import matplotlib.pyplot as plt
import numpy as np

# to run this lesson on PyTorch, change `edutorch` to `torch` and `edutorch.vision` to
# `torchvision` in the import lines below
import edutorch as torch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset, RandomSampler,
                                 SequentialSampler, SubsetRandomSampler, TensorDataset,
                                 WeightedRandomSampler, default_collate, get_worker_info, random_split)
from edutorch.vision import datasets, transforms
from edutorch.vision.utils import make_grid
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80


# %% [markdown]
# ## 1. A `Dataset` is two methods
#
# A map-style dataset is anything with `__len__` (how many samples) and `__getitem__(i)` (sample
# number `i`). Subclassing `Dataset` adds nothing magic: it documents the intent, and gives `+` for
# concatenation.

# %%
class Squares(Dataset):
    # the numbers 0..n-1 and their squares: the smallest Dataset worth writing
    def __init__(self, n):
        self.x = torch.arange(n, dtype=torch.float32)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, index):
        return self.x[index], self.x[index] ** 2

squares = Squares(5)
print(len(squares), squares[3])
print(len(squares + Squares(3)))   # Dataset + Dataset -> ConcatDataset

# %% [markdown]
# When the data already sit in tensors, `TensorDataset` pairs them up: sample `i` is the `i`-th row
# of every tensor. All tensors must have the same first dimension.

# %%
features = torch.arange(12.0).reshape(6, 2)
labels = torch.tensor([0, 1, 0, 1, 1, 0])
pairs = TensorDataset(features, labels)
print(len(pairs), pairs[1])

# %% [markdown]
# ## 2. Real data: handwritten digits in MNIST's format
#
# `datasets.MNIST(root, train=True, transform=None, download=False)` reads the four MNIST files from
# `root/MNIST/raw/`. Our `data/digits` holds real handwritten digits from the UCI collection stored in
# exactly that format (8×8 pixels instead of MNIST's 28×28), so the same class reads them. (With
# `download=True` it would fetch the real MNIST; the lessons stay offline.)

# %%
digits = datasets.MNIST(root="../data/digits", train=True)
digits_test = datasets.MNIST(root="../data/digits", train=False)
print(digits)
image, label = digits[0]
print(type(image).__name__, image.mode, image.size, "label:", label)
print(digits.data.shape, digits.data.dtype, digits.targets.dtype, len(digits_test))

# %%
fig, axes = plt.subplots(2, 10, figsize=(8, 2))
for ax, i in zip(axes.flat, range(20)):
    image, label = digits[i]
    ax.imshow(image, cmap="gray_r")
    ax.set_title(label)
    ax.axis("off")
plt.show()

# %% [markdown]
# **Look inside the file.** MNIST's IDX format is simple enough to read by hand: a zero short, a type
# code (`0x08` = unsigned bytes), the number of dimensions, each dimension as a 4-byte big-endian
# integer, then the pixels row by row. A `Dataset` is often just this: a parser plus indexing.

# %%
raw = Path("../data/digits/MNIST/raw/train-images-idx3-ubyte").read_bytes()
print("magic:", raw[:4].hex(" "), "-> uint8 data, 3 dimensions")
shape = [int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(3)]
print("shape:", shape, "| file size:", len(raw), "=", 16, "+", shape[0] * shape[1] * shape[2])
first = np.frombuffer(raw, dtype=np.uint8, offset=16, count=64).reshape(8, 8)
print((first == digits.data[0].numpy()).all())

# %% [markdown]
# How many of each digit? `torch.bincount` counts the labels. Classes that are roughly balanced mean
# plain shuffling is fine; section 5 handles the unbalanced case.

# %%
print(digits.classes[:3], "...")
print(torch.bincount(digits.targets))


# %% [markdown]
# ## 3. Your own `Dataset`: a folder of photos
#
# The most common custom dataset reads files arranged **one folder per class**, like
# `data/textures/train/brick/*.png`. The pattern: list `(path, label)` pairs once in `__init__` (cheap),
# open the file only in `__getitem__` (so only the samples in use are ever in memory), and apply a
# `transform` to turn the image into a tensor.

# %%
class TextureDataset(Dataset):
    # photos in one folder per class: root/brick/*.png, root/grass/*.png, ...
    def __init__(self, root, transform=None):
        root = Path(root)
        self.classes = sorted(folder.name for folder in root.iterdir() if folder.is_dir())
        self.samples = [(path, label)
                        for label, name in enumerate(self.classes)
                        for path in sorted((root / name).glob("*.png"))]
        self.transform = transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, label = self.samples[index]
        image = Image.open(path).convert("RGB")      # the file is read only now
        if self.transform is not None:
            image = self.transform(image)
        return image, label

textures = TextureDataset("../data/textures/train", transform=transforms.ToTensor())
image, label = textures[0]
print(len(textures), textures.classes)
print(image.shape, image.dtype, label, textures.samples[0][0].name)

# %% [markdown]
# `transforms.ToTensor()` turned the PIL image (height × width × 3 bytes) into a float tensor of
# shape `(3, 64, 64)` with values in `[0, 1]` — lesson 04 is about transforms. `datasets.ImageFolder`
# is the ready-made version of the class above; it finds the same classes and samples:

# %%
folder = datasets.ImageFolder("../data/textures/train", transform=transforms.ToTensor())
print(folder.class_to_idx)
print([Path(p).name for p, _ in folder.samples] == [p.name for p, _ in textures.samples])
print(torch.equal(folder[5][0], textures[5][0]), folder[5][1] == textures[5][1])

# %%
images = torch.stack([textures[i][0] for i in range(0, len(textures), 2)])   # every other photo
grid = make_grid(images, nrow=6, padding=2, pad_value=1.0)
plt.figure(figsize=(6, 3.2))
plt.imshow(grid.permute(1, 2, 0).numpy())
plt.title("brick · grass · gravel")
plt.axis("off")
plt.show()
print(tuple(images.shape), "->", tuple(grid.shape))

# %% [markdown]
# ## 4. `DataLoader`: batches, epochs and iterations
#
# Three words to keep apart:
#
# - **batch size** (批大小): samples per step;
# - **iteration** (迭代): one step, one batch;
# - **epoch** (轮): one pass over the whole dataset, `ceil(N / batch_size)` iterations — or
#   `floor(N / batch_size)` with `drop_last=True`, which skips the last, smaller batch.
#
# `len(loader)` is the number of iterations per epoch.

# %%
train_set = datasets.MNIST(root="../data/digits", train=True, transform=transforms.ToTensor())
loader = DataLoader(train_set, batch_size=64, shuffle=True)
images, labels = next(iter(loader))
print(images.shape, images.dtype, labels.shape, labels.dtype)

for n, batch_size, drop_last in [(81, 8, False), (81, 8, True), (len(train_set), 64, False),
                                 (len(train_set), 64, True)]:
    sizes = [len(batch) for batch in DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)]
    print(f"N={n:4d} batch={batch_size:2d} drop_last={drop_last!s:5}: {len(sizes):2d} iterations, "
          f"last batch {sizes[-1]:2d}, ceil={math.ceil(n / batch_size)}, floor={n // batch_size}")

# %% [markdown]
# **Check your understanding.** With 1437 training digits and `batch_size=64`, how many optimizer
# steps do 10 epochs take? Work it out, then run:

# %%
steps = 10 * len(DataLoader(train_set, batch_size=64))
assert steps == 10 * math.ceil(1437 / 64)
print(steps)

# %% [markdown]
# ## 5. Samplers: which samples, in what order
#
# A **sampler** yields indices. `shuffle=False` uses a `SequentialSampler`, `shuffle=True` a
# `RandomSampler` (a fresh permutation every epoch); a `BatchSampler` groups indices into batches.
# Pass a seeded `torch.Generator` to make the shuffle reproducible.

# %%
print(list(SequentialSampler(range(6))))
print(list(BatchSampler(SequentialSampler(range(10)), batch_size=4, drop_last=False)))
order = list(RandomSampler(range(6), generator=torch.Generator().manual_seed(0)))
again = list(RandomSampler(range(6), generator=torch.Generator().manual_seed(0)))
print(sorted(order) == list(range(6)), order == again)   # a permutation, the same one for the same seed

# %% [markdown]
# `random_split` cuts a dataset into non-overlapping pieces (lengths or fractions), e.g. a
# validation set; `SubsetRandomSampler` shuffles within a list of indices.

# %%
train_part, val_part = random_split(digits, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
print(len(train_part), len(val_part), type(train_part).__name__)
print(set(train_part.indices).isdisjoint(val_part.indices))

# %% [markdown]
# **Unbalanced classes.** Suppose we only had 10 examples of the digit 0 and all the others.
# `WeightedRandomSampler` draws index `i` with probability proportional to `weights[i]`; giving each
# sample the weight `1 / (size of its class)` makes every class equally likely in a batch.

# %%
targets = digits.targets
keep = torch.cat([torch.nonzero(targets == 0).flatten()[:10], torch.nonzero(targets != 0).flatten()])
unbalanced = targets[keep]
class_counts = torch.bincount(unbalanced)
weights = 1.0 / class_counts[unbalanced].float()
sampler = WeightedRandomSampler(weights, num_samples=5000, replacement=True)
drawn = unbalanced[torch.tensor(list(sampler))]
print("in the data:", class_counts.tolist())

# %%
# NBVAL_IGNORE_OUTPUT
# a random draw
print("drawn:      ", torch.bincount(drawn).tolist())

# %%
share_of_zeros = (drawn == 0).float().mean().item()
print(abs(share_of_zeros - 0.1) < 0.03)   # about 1 in 10, although zeros are 10 of 1304 samples

# %% [markdown]
# ## 6. Collate: from a list of samples to a batch
#
# The loader fetches a *list* of samples; `collate_fn` turns it into a batch. The default,
# `default_collate`, stacks tensors, turns numbers into tensors, and keeps the structure: tuples stay
# tuples, dicts stay dicts, strings become lists.

# %%
print(default_collate([(torch.tensor([1.0, 2.0]), 0), (torch.tensor([3.0, 4.0]), 1)]))
print(default_collate([{"x": 1.5, "name": "a"}, {"x": 2.5, "name": "b"}]))

# %% [markdown]
# Stacking needs equal shapes. For samples of different lengths (sentences, signals), write your own
# `collate_fn`: here it pads every sequence to the longest one and also returns the true lengths.

# %%
sequences = [torch.tensor([1, 2, 3]), torch.tensor([4]), torch.tensor([5, 6])]

def pad_collate(batch):
    lengths = torch.tensor([len(seq) for seq in batch])
    padded = torch.zeros(len(batch), int(lengths.max()), dtype=torch.int64)
    for row, seq in enumerate(batch):
        padded[row, :len(seq)] = seq
    return padded, lengths

for padded, lengths in DataLoader(sequences, batch_size=3, collate_fn=pad_collate):
    print(padded, lengths)

# %% [markdown]
# ## 7. Workers: loading in parallel
#
# With `num_workers=2` the loader starts two worker **processes** (进程); each one runs
# `dataset[i]` + `collate_fn` for whole batches while the main process trains. Batches still arrive
# in sampler order. Workers pay off when `__getitem__` is slow (decoding JPEGs, augmentation); for
# tiny in-memory data, starting processes costs more than it saves.

# %%
serial = [labels for _, labels in DataLoader(train_set, batch_size=256)]
parallel = [labels for _, labels in DataLoader(train_set, batch_size=256, num_workers=2)]
print(len(parallel), all(torch.equal(a, b) for a, b in zip(serial, parallel)))


# %% [markdown]
# An **`IterableDataset`** is a stream (a file read line by line, a generator): it has `__iter__`
# instead of `__getitem__`. Every worker gets a copy of it, so without care each worker would yield
# the whole stream. Inside a worker, `get_worker_info()` says which worker this is and how many there
# are; each one then takes its own share.

# %%
class Counting(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:                                  # in the main process: everything
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))   # worker k: k, k + W, k + 2W, ...

print(list(DataLoader(Counting(10), batch_size=None)))
print(list(DataLoader(Counting(10), batch_size=None, num_workers=2)))
print(list(DataLoader(Counting(10), batch_size=3, num_workers=2)))


# %% [markdown]
# The loader asks the workers in turn, so with one item each the stream comes back interleaved in
# order. With `batch_size=3` each worker makes batches from *its own* share.
#
# ## 8. Look inside: the loader's flow
#
# One batch goes **DataLoader → sampler → indices → fetcher → `Dataset.__getitem__` → `collate_fn`**.
# Four lines rebuild it; with the same sampler seed they give exactly the loader's batches.

# %%
def my_loader(dataset, batch_size, generator):
    sampler = RandomSampler(dataset, generator=generator)               # 1. an order of indices
    for indices in BatchSampler(sampler, batch_size, drop_last=False):  # 2. batch_size indices at a time
        samples = [dataset[i] for i in indices]                         # 3. fetch: __getitem__
        yield default_collate(samples)                                  # 4. collate: stack into tensors

mine = list(my_loader(train_set, 64, torch.Generator().manual_seed(1)))
sampler = RandomSampler(train_set, generator=torch.Generator().manual_seed(1))
theirs = list(DataLoader(train_set, batch_size=64, sampler=sampler))
print(len(mine) == len(theirs),
      all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(mine, theirs)))

# %% [markdown]
# edutorch's loader is written the same way; read the fetcher, the step between the indices and the
# `collate_fn`:

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch's source
if EDUTORCH:
    from edutorch.utils.data import dataloader
    show_source(dataloader._MapDatasetFetcher)
    show_source(dataloader._SingleProcessDataLoaderIter.__next__)

# %% [markdown]
# ## 9. Putting it to work: a digit classifier
#
# The loop every later lesson uses: for each epoch, for each batch from the loader — forward, loss,
# `zero_grad`, `backward`, `step`. A test loader without shuffling measures accuracy on digits the
# model never saw.

# %%
test_set = datasets.MNIST(root="../data/digits", train=False, transform=transforms.ToTensor())
train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
test_loader = DataLoader(test_set, batch_size=120)

model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

def accuracy(model, loader):
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(dim=1) == labels).sum().item()
    return correct / len(loader.dataset)

history = []
for epoch in range(5):
    for images, labels in train_loader:
        loss = loss_fn(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    history.append(accuracy(model, test_loader))

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the random initialisation and shuffle
print("test accuracy per epoch:", [f"{a:.3f}" for a in history])

# %%
print(history[-1] > 0.8)   # chance is 10 %; a small MLP reaches about 90 % on these 8x8 digits

# %% [markdown]
# ## Summary
#
# - A `Dataset` answers "how many?" (`__len__`) and "sample i?" (`__getitem__`); open files lazily in
#   `__getitem__`. `TensorDataset`, `ImageFolder`, `MNIST` and `random_split` cover the usual cases.
# - A `DataLoader` = sampler (order) + batch sampler (grouping) + fetcher (`__getitem__`) +
#   `collate_fn` (stacking), optionally in worker processes. `len(loader)` = iterations per epoch =
#   `ceil(N / batch_size)`, or `floor` with `drop_last=True`.
# - Reproducible shuffles come from a seeded `torch.Generator`; `WeightedRandomSampler` rebalances
#   classes; a custom `collate_fn` handles samples that don't stack.
# - In an `IterableDataset`, use `get_worker_info()` so that workers split the stream.
#
# ## Exercises
#
# 1. Give `TextureDataset` a `split` argument (`"train"` / `"val"`) and check the two never share a file.
# 2. Train the digit classifier with `batch_size=8` and with `batch_size=256` for the same number of
#    *epochs*. Which takes more steps? Which reaches the better accuracy, and why?
# 3. Write a `collate_fn` that returns a dict `{"image": ..., "label": ...}` and use it in the training loop.
# 4. Make `Counting` split the stream into contiguous blocks (worker 0: 0–4, worker 1: 5–9) instead.
