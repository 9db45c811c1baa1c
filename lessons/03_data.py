# %% [markdown]
# # 03 · Data: `Dataset`, `DataLoader`, samplers and workers
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
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
# - trace one batch through the loader: sampler → indices → `Dataset.__getitem__` → `collate_fn`;
# - carve a validation set out of the training data, and keep the test set for the very end.
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
from edutorch.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset, RandomSampler, Sampler,
                                 SequentialSampler, Subset, SubsetRandomSampler, TensorDataset,
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
# `root/MNIST/raw/`. The folder `data/digits` holds real handwritten digits from the UCI collection
# stored in exactly that format (8×8 pixels instead of MNIST's 28×28), so the same class reads them.
# (`download=True` fetches the real MNIST into a `root` that does not have the files yet; when they
# are there, as here, it downloads nothing. The lessons stay offline.)

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
# - **batch size** (批量大小): samples per step;
# - **iteration** (迭代): one step, one batch;
# - **epoch** (轮次): one pass over the whole dataset, `ceil(N / batch_size)` iterations — or
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
# `random_split` cuts a dataset into non-overlapping pieces (lengths or fractions). Its main use is
# the **validation set** (验证集): a part of the *training* data held back to choose settings (the
# number of epochs, the learning rate, which model) while the **test set** (测试集) stays untouched
# until the very end. `SubsetRandomSampler` shuffles within a list of indices.

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
# `zero_grad`, `backward`, `step`. Three splits, three jobs:
#
# - the **training set** (训练集) updates the weights;
# - the **validation set** (验证集), 20 % carved out of the training digits with `random_split`, is
#   measured after every epoch: that is the number you look at to choose settings (how many epochs,
#   which learning rate). Choosing by it slowly fits the choices to it, so it is no longer an unbiased
#   estimate;
# - the **test set** (测试集), the 360 digits of the `train=False` files, is measured **once**, at the
#   end: the honest estimate of how the finished model does on new digits.
#
# Loaders for evaluation don't shuffle: order does not change an accuracy.

# %%
test_set = datasets.MNIST(root="../data/digits", train=False, transform=transforms.ToTensor())
fit_set, val_set = random_split(train_set, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
train_loader = DataLoader(fit_set, batch_size=32, shuffle=True)
val_loader = DataLoader(val_set, batch_size=120)
test_loader = DataLoader(test_set, batch_size=120)
print(len(fit_set), "to train on,", len(val_set), "to validate,", len(test_set), "to test at the end")

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
    history.append(accuracy(model, val_loader))
test_accuracy = accuracy(model, test_loader)      # once, after all choices are made

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the random initialisation and shuffle
print("validation accuracy per epoch:", [f"{a:.3f}" for a in history])
print(f"test accuracy, measured once at the end: {test_accuracy:.3f}")

# %%
print(history[-1] > 0.8, test_accuracy > 0.8)   # chance is 10 %; this small MLP gets 85-95 % on these 8x8 digits

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
# - Choose settings on a validation set carved from the training data (`random_split`); measure the
#   test set once, at the end.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/03_data.py](solutions/03_data.py) (one click; try first!).

# %%
from checks.lesson03 import Checks   # the checks of these exercises: lessons/checks/lesson03.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — a `Dataset` that reads the IDX files itself.** Write `DigitFiles(images_file,
# labels_file)`, a map-style dataset over one pair of MNIST-format files, *without* `datasets.MNIST`:
#
# - `__init__` reads both files once (`Path(...).read_bytes()`). An IDX file is: 2 zero bytes, the
#   type code (`0x08`), the number of dimensions `d` (byte 3), then `d` sizes as 4-byte big-endian
#   integers, then the bytes of the data. So the header is `4 + 4 * d` bytes: 16 for the images
#   (`d = 3`), 8 for the labels (`d = 1`). `np.frombuffer(raw, dtype=np.uint8, offset=...)` reads the rest.
# - `__len__` is the number of samples;
# - `__getitem__(i)` returns `(image, label)`: the image as `ToTensor` would give it — a float32
#   tensor of shape `(1, 8, 8)` with values in `[0, 1]` — and the label as a Python `int`.
#
# The check compares your samples with the pixels and labels of the files, for both splits, and
# batches your dataset with a `DataLoader`.

# %%
# Exercise 1: a Dataset over an IDX images file and an IDX labels file
class DigitFiles(Dataset):
    def __init__(self, images_file, labels_file):
        raise NotImplementedError("read both files: header of 4 + 4 * d bytes, then the data")

    def __len__(self):
        raise NotImplementedError("how many samples?")

    def __getitem__(self, index):
        raise NotImplementedError("return (float32 image of shape (1, 8, 8) in [0, 1], int label)")

# %%
check.ex1(DigitFiles)

# %% [markdown]
# **Exercise 2 — loader arithmetic.** Write `loader_numbers(n, batch_size, drop_last, epochs)`
# that returns `(iterations_per_epoch, last_batch_size, total_steps)` for
# `DataLoader(dataset_of_n_samples, batch_size=batch_size, drop_last=drop_last)` trained for
# `epochs` epochs — by arithmetic, *without* building a loader. When an epoch has no batch at all,
# `last_batch_size` is 0. The check compares with real loaders, including a few corner cases
# (what if `n` is a multiple of the batch size? smaller than it?).

# %%
# Exercise 2: (iterations per epoch, size of the last batch, optimizer steps in all epochs)
def loader_numbers(n, batch_size, drop_last, epochs):
    iterations = ...
    last_batch_size = ...
    total_steps = ...
    return iterations, last_batch_size, total_steps

# %%
check.ex2(loader_numbers)

# %% [markdown]
# **Exercise 3 — a collate function for sequences.** Each sample is `(tokens, label)`: a 1-D int64
# tensor of any length and an `int`. Write `sequence_collate(batch)` that returns a dict:
#
# - `"tokens"`: an int64 tensor `(batch size, longest length in this batch)`, each sequence at the
#   start of its row, padded with 0 at the end;
# - `"lengths"`: an int64 tensor of the true lengths;
# - `"labels"`: an int64 tensor of the labels.
#
# The check runs it as the `collate_fn` of a `DataLoader` (`default_collate` would fail here: it
# cannot stack tensors of different lengths).

# %%
# Exercise 3: pad a list of (tokens, label) samples into a dict of tensors
def sequence_collate(batch):
    raise NotImplementedError("return {'tokens': ..., 'lengths': ..., 'labels': ...}")

# %%
check.ex3(sequence_collate)

# %% [markdown]
# **Exercise 4 — a balanced batch sampler.** With unbalanced classes, another way than
# `WeightedRandomSampler` is to build every batch from the same number of samples of each class.
# Write `BalancedBatchSampler(labels, per_class)`, a `Sampler` whose `__iter__` yields **lists of
# indices**, one list per batch (use it as `DataLoader(dataset, batch_sampler=...)`):
#
# - every batch holds exactly `per_class` indices of each class;
# - within one epoch no index appears twice, and every epoch draws a fresh random order
#   (`torch.randperm`) inside each class — so the big classes show different samples each epoch;
# - the epoch ends when the *smallest* class runs out: `__len__` is the number of batches.
#
# The check counts the classes in every batch, looks for repeated indices, compares `len()` with
# what `__iter__` yields, and runs it inside a `DataLoader`.

# %%
# Exercise 4: batches with `per_class` samples of every class
class BalancedBatchSampler(Sampler):
    def __init__(self, labels, per_class):
        self.per_class = per_class
        # the indices of each class: self.by_class[c] is a 1-D tensor of the indices with label c
        self.by_class = [torch.nonzero(labels == c).flatten() for c in range(int(labels.max()) + 1)]

    def __iter__(self):
        raise NotImplementedError("shuffle each class's indices, then yield per_class of each class per batch")

    def __len__(self):
        raise NotImplementedError("how many batches before the smallest class runs out?")

# %%
check.ex4(BalancedBatchSampler)

# %% [markdown]
# **Exercise 5 — carve out a validation set.** Write `train_val_split(dataset, val_fraction, seed)`
# that returns `(train_subset, val_subset)`, two `Subset`s of `dataset` (section 9's split): the
# validation set has `int(val_fraction * len(dataset))` samples chosen **at random** with a
# generator seeded by `seed` (so the same seed gives the same split), the rest are for training, and
# no sample is in both. Use `torch.randperm(n, generator=...)` and `Subset`, or `random_split`.
#
# The check uses a dataset stored **sorted by class** — as many files are — where a split that takes
# the last 20 % would validate on only two of the ten classes.

# %%
# Exercise 5: a seeded random split into training and validation subsets
def train_val_split(dataset, val_fraction, seed):
    raise NotImplementedError("a seeded permutation of the indices, then two Subsets")

# %%
check.ex5(train_val_split)

# %% [markdown]
# ## 中文小结
#
# - **数据集**（`Dataset`）只需回答两个问题：有多少个样本（`__len__`），第 i 个样本是什么（`__getitem__`）。
#   读取文件的工作尽量放在 `__getitem__` 里按需进行；`TensorDataset`、`ImageFolder`、`MNIST` 覆盖了常见情形。
# - **数据加载器**（`DataLoader`）= 采样器（决定顺序）+ 批量采样器（分组）+ 取样本（`__getitem__`）
#   + 整理函数 `collate_fn`（把样本拼成张量），还可以用 `num_workers` 在多个进程中并行加载。
# - 每个**轮次**（epoch）的迭代次数是 `ceil(N / batch_size)`；设置 `drop_last=True` 时丢掉最后不满的小批量，
#   变成 `floor(N / batch_size)`（N 小于批量大小时就一个批次都没有）。
# - 带种子的 `torch.Generator` 让打乱顺序可以复现；`WeightedRandomSampler` 或按类别组批的采样器
#   可以处理类别不平衡；长度不同的样本需要自己写整理函数（填充）。
# - `IterableDataset` 在多个工作进程中要用 `get_worker_info()` 把数据流分开，否则每个进程都会产生全部数据。
# - 用 `random_split` 从训练数据中划出**验证集**，用它来选择超参数（例如训练多少轮）；
#   **测试集**只在最后使用一次，给出对新数据的无偏估计。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | dataset | 数据集 | `torch.utils.data.Dataset` |
# | data loader | 数据加载器 | `torch.utils.data.DataLoader` |
# | minibatch | 小批量 | — |
# | batch size | 批量大小 | `DataLoader(batch_size=...)` |
# | epoch / iteration | 轮次 (epoch) / 迭代 | `len(loader)` = iterations per epoch |
# | drop the last incomplete batch | 丢弃最后不完整的批次 | `DataLoader(drop_last=True)` |
# | sampler | 采样器 | `torch.utils.data.Sampler`, `RandomSampler` |
# | batch sampler | 批量采样器 | `torch.utils.data.BatchSampler` |
# | weighted sampling | 加权采样 | `torch.utils.data.WeightedRandomSampler` |
# | collate function | 整理函数 | `collate_fn`, `default_collate` |
# | padding | 填充 | — |
# | worker process | 工作进程 | `DataLoader(num_workers=...)` |
# | iterable-style dataset | 可迭代式数据集 | `torch.utils.data.IterableDataset` |
# | random generator / seed | 随机数生成器 / 种子 | `torch.Generator().manual_seed(...)` |
# | training / validation / test set | 训练集 / 验证集 / 测试集 | `torch.utils.data.random_split` |
# | subset | 子集 | `torch.utils.data.Subset` |
