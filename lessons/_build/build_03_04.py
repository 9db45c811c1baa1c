#!/usr/bin/env python
"""Build lessons 03 (data) and 04 (transforms), execute them, and check them against PyTorch.

    python lessons/_build/build_03_04.py                    # write and execute both notebooks
    python lessons/_build/build_03_04.py 03_data            # only the lessons named
    python lessons/_build/build_03_04.py --torch --twin-kernel=torchvision-oracle
                                 # also run a copy on PyTorch + torchvision (another venv) and compare

See ``_common.py`` for the machinery. These lessons use torchvision's API (``edutorch.vision`` here), so
their PyTorch twin needs a kernel where torchvision is installed.
"""
from __future__ import annotations

import sys

from _common import IGNORE, code, main, md, setup  # the shared machinery: lessons/_build/_common.py

DATA_IMPORTS = (
    "from edutorch.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset, RandomSampler,",
    "                                 SequentialSampler, SubsetRandomSampler, TensorDataset,",
    "                                 WeightedRandomSampler, default_collate, get_worker_info, random_split)",
    "from edutorch.vision import datasets, transforms",
    "from edutorch.vision.utils import make_grid",
)

# ===================================================================================== 03 data
L03 = [
    md(r"""
    # 03 · Data: `Dataset`, `DataLoader`, samplers and workers

    Training reads data over and over, in shuffled **mini-batches** (小批量). PyTorch splits that job in
    two: a **`Dataset`** (数据集) knows *how to get sample number i*, and a **`DataLoader`** (数据加载器)
    decides *which samples, in what order, how many at a time*, and glues them into tensors.

    **Goals.** After this lesson you can

    - write a `Dataset` with `__len__` and `__getitem__`, and load real files with one (an image folder);
    - use the ready-made ones: `TensorDataset`, `random_split`, `datasets.MNIST`, `datasets.ImageFolder`;
    - do the epoch / iteration / batch-size arithmetic (and know what `drop_last` changes);
    - choose the order with a **sampler** (采样器), and glue samples with a **collate function** (整理函数);
    - load in parallel with `num_workers`, and split an `IterableDataset` between workers;
    - trace one batch through the loader: sampler → indices → `Dataset.__getitem__` → `collate_fn`.

    The data are real and in `data/` (see its README): 1797 handwritten digits stored in MNIST's file
    format, and a folder of photographs of brick, grass and gravel.
    """),
    setup("from pathlib import Path", "from PIL import Image", nn=True, engine_imports=DATA_IMPORTS),
    md(r"""
    ## 1. A `Dataset` is two methods

    A map-style dataset is anything with `__len__` (how many samples) and `__getitem__(i)` (sample
    number `i`). Subclassing `Dataset` adds nothing magic: it documents the intent, and gives `+` for
    concatenation.
    """),
    code(r"""
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
    """),
    md(r"""
    When the data already sit in tensors, `TensorDataset` pairs them up: sample `i` is the `i`-th row
    of every tensor. All tensors must have the same first dimension.
    """),
    code(r"""
    features = torch.arange(12.0).reshape(6, 2)
    labels = torch.tensor([0, 1, 0, 1, 1, 0])
    pairs = TensorDataset(features, labels)
    print(len(pairs), pairs[1])
    """),
    md(r"""
    ## 2. Real data: handwritten digits in MNIST's format

    `datasets.MNIST(root, train=True, transform=None, download=False)` reads the four MNIST files from
    `root/MNIST/raw/`. Our `data/digits` holds real handwritten digits from the UCI collection stored in
    exactly that format (8×8 pixels instead of MNIST's 28×28), so the same class reads them. (With
    `download=True` it would fetch the real MNIST; the lessons stay offline.)
    """),
    code(r"""
    digits = datasets.MNIST(root="../data/digits", train=True)
    digits_test = datasets.MNIST(root="../data/digits", train=False)
    print(digits)
    image, label = digits[0]
    print(type(image).__name__, image.mode, image.size, "label:", label)
    print(digits.data.shape, digits.data.dtype, digits.targets.dtype, len(digits_test))
    """),
    code(r"""
    fig, axes = plt.subplots(2, 10, figsize=(8, 2))
    for ax, i in zip(axes.flat, range(20)):
        image, label = digits[i]
        ax.imshow(image, cmap="gray_r")
        ax.set_title(label)
        ax.axis("off")
    plt.show()
    """),
    md(r"""
    **Look inside the file.** MNIST's IDX format is simple enough to read by hand: a zero short, a type
    code (`0x08` = unsigned bytes), the number of dimensions, each dimension as a 4-byte big-endian
    integer, then the pixels row by row. A `Dataset` is often just this: a parser plus indexing.
    """),
    code(r"""
    raw = Path("../data/digits/MNIST/raw/train-images-idx3-ubyte").read_bytes()
    print("magic:", raw[:4].hex(" "), "-> uint8 data, 3 dimensions")
    shape = [int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(3)]
    print("shape:", shape, "| file size:", len(raw), "=", 16, "+", shape[0] * shape[1] * shape[2])
    first = np.frombuffer(raw, dtype=np.uint8, offset=16, count=64).reshape(8, 8)
    print((first == digits.data[0].numpy()).all())
    """),
    md(r"""
    How many of each digit? `torch.bincount` counts the labels. Classes that are roughly balanced mean
    plain shuffling is fine; section 5 handles the unbalanced case.
    """),
    code(r"""
    print(digits.classes[:3], "...")
    print(torch.bincount(digits.targets))
    """),
    md(r"""
    ## 3. Your own `Dataset`: a folder of photos

    The most common custom dataset reads files arranged **one folder per class**, like
    `data/textures/train/brick/*.png`. The pattern: list `(path, label)` pairs once in `__init__` (cheap),
    open the file only in `__getitem__` (so only the samples in use are ever in memory), and apply a
    `transform` to turn the image into a tensor.
    """),
    code(r"""
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
    """),
    md(r"""
    `transforms.ToTensor()` turned the PIL image (height × width × 3 bytes) into a float tensor of
    shape `(3, 64, 64)` with values in `[0, 1]` — lesson 04 is about transforms. `datasets.ImageFolder`
    is the ready-made version of the class above; it finds the same classes and samples:
    """),
    code(r"""
    folder = datasets.ImageFolder("../data/textures/train", transform=transforms.ToTensor())
    print(folder.class_to_idx)
    print([Path(p).name for p, _ in folder.samples] == [p.name for p, _ in textures.samples])
    print(torch.equal(folder[5][0], textures[5][0]), folder[5][1] == textures[5][1])
    """),
    code(r"""
    images = torch.stack([textures[i][0] for i in range(0, len(textures), 2)])   # every other photo
    grid = make_grid(images, nrow=6, padding=2, pad_value=1.0)
    plt.figure(figsize=(6, 3.2))
    plt.imshow(grid.permute(1, 2, 0).numpy())
    plt.title("brick · grass · gravel")
    plt.axis("off")
    plt.show()
    print(tuple(images.shape), "->", tuple(grid.shape))
    """),
    md(r"""
    ## 4. `DataLoader`: batches, epochs and iterations

    Three words to keep apart:

    - **batch size** (批大小): samples per step;
    - **iteration** (迭代): one step, one batch;
    - **epoch** (轮): one pass over the whole dataset, `ceil(N / batch_size)` iterations — or
      `floor(N / batch_size)` with `drop_last=True`, which skips the last, smaller batch.

    `len(loader)` is the number of iterations per epoch.
    """),
    code(r"""
    train_set = datasets.MNIST(root="../data/digits", train=True, transform=transforms.ToTensor())
    loader = DataLoader(train_set, batch_size=64, shuffle=True)
    images, labels = next(iter(loader))
    print(images.shape, images.dtype, labels.shape, labels.dtype)

    for n, batch_size, drop_last in [(81, 8, False), (81, 8, True), (len(train_set), 64, False),
                                     (len(train_set), 64, True)]:
        sizes = [len(batch) for batch in DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)]
        print(f"N={n:4d} batch={batch_size:2d} drop_last={drop_last!s:5}: {len(sizes):2d} iterations, "
              f"last batch {sizes[-1]:2d}, ceil={math.ceil(n / batch_size)}, floor={n // batch_size}")
    """),
    md(r"""
    **Check your understanding.** With 1437 training digits and `batch_size=64`, how many optimizer
    steps do 10 epochs take? Work it out, then run:
    """),
    code(r"""
    steps = 10 * len(DataLoader(train_set, batch_size=64))
    assert steps == 10 * math.ceil(1437 / 64)
    print(steps)
    """),
    md(r"""
    ## 5. Samplers: which samples, in what order

    A **sampler** yields indices. `shuffle=False` uses a `SequentialSampler`, `shuffle=True` a
    `RandomSampler` (a fresh permutation every epoch); a `BatchSampler` groups indices into batches.
    Pass a seeded `torch.Generator` to make the shuffle reproducible.
    """),
    code(r"""
    print(list(SequentialSampler(range(6))))
    print(list(BatchSampler(SequentialSampler(range(10)), batch_size=4, drop_last=False)))
    order = list(RandomSampler(range(6), generator=torch.Generator().manual_seed(0)))
    again = list(RandomSampler(range(6), generator=torch.Generator().manual_seed(0)))
    print(sorted(order) == list(range(6)), order == again)   # a permutation, the same one for the same seed
    """),
    md(r"""
    `random_split` cuts a dataset into non-overlapping pieces (lengths or fractions), e.g. a
    validation set; `SubsetRandomSampler` shuffles within a list of indices.
    """),
    code(r"""
    train_part, val_part = random_split(digits, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
    print(len(train_part), len(val_part), type(train_part).__name__)
    print(set(train_part.indices).isdisjoint(val_part.indices))
    """),
    md(r"""
    **Unbalanced classes.** Suppose we only had 10 examples of the digit 0 and all the others.
    `WeightedRandomSampler` draws index `i` with probability proportional to `weights[i]`; giving each
    sample the weight `1 / (size of its class)` makes every class equally likely in a batch.
    """),
    code(r"""
    targets = digits.targets
    keep = torch.cat([torch.nonzero(targets == 0).flatten()[:10], torch.nonzero(targets != 0).flatten()])
    unbalanced = targets[keep]
    class_counts = torch.bincount(unbalanced)
    weights = 1.0 / class_counts[unbalanced].float()
    sampler = WeightedRandomSampler(weights, num_samples=5000, replacement=True)
    drawn = unbalanced[torch.tensor(list(sampler))]
    print("in the data:", class_counts.tolist())
    """),
    code(r"""
    # NBVAL_IGNORE_OUTPUT
    # a random draw
    print("drawn:      ", torch.bincount(drawn).tolist())
    """),
    code(r"""
    share_of_zeros = (drawn == 0).float().mean().item()
    print(abs(share_of_zeros - 0.1) < 0.03)   # about 1 in 10, although zeros are 10 of 1304 samples
    """),
    md(r"""
    ## 6. Collate: from a list of samples to a batch

    The loader fetches a *list* of samples; `collate_fn` turns it into a batch. The default,
    `default_collate`, stacks tensors, turns numbers into tensors, and keeps the structure: tuples stay
    tuples, dicts stay dicts, strings become lists.
    """),
    code(r"""
    print(default_collate([(torch.tensor([1.0, 2.0]), 0), (torch.tensor([3.0, 4.0]), 1)]))
    print(default_collate([{"x": 1.5, "name": "a"}, {"x": 2.5, "name": "b"}]))
    """),
    md(r"""
    Stacking needs equal shapes. For samples of different lengths (sentences, signals), write your own
    `collate_fn`: here it pads every sequence to the longest one and also returns the true lengths.
    """),
    code(r"""
    sequences = [torch.tensor([1, 2, 3]), torch.tensor([4]), torch.tensor([5, 6])]

    def pad_collate(batch):
        lengths = torch.tensor([len(seq) for seq in batch])
        padded = torch.zeros(len(batch), int(lengths.max()), dtype=torch.int64)
        for row, seq in enumerate(batch):
            padded[row, :len(seq)] = seq
        return padded, lengths

    for padded, lengths in DataLoader(sequences, batch_size=3, collate_fn=pad_collate):
        print(padded, lengths)
    """),
    md(r"""
    ## 7. Workers: loading in parallel

    With `num_workers=2` the loader starts two worker **processes** (进程); each one runs
    `dataset[i]` + `collate_fn` for whole batches while the main process trains. Batches still arrive
    in sampler order. Workers pay off when `__getitem__` is slow (decoding JPEGs, augmentation); for
    tiny in-memory data, starting processes costs more than it saves.
    """),
    code(r"""
    serial = [labels for _, labels in DataLoader(train_set, batch_size=256)]
    parallel = [labels for _, labels in DataLoader(train_set, batch_size=256, num_workers=2)]
    print(len(parallel), all(torch.equal(a, b) for a, b in zip(serial, parallel)))
    """),
    md(r"""
    An **`IterableDataset`** is a stream (a file read line by line, a generator): it has `__iter__`
    instead of `__getitem__`. Every worker gets a copy of it, so without care each worker would yield
    the whole stream. Inside a worker, `get_worker_info()` says which worker this is and how many there
    are; each one then takes its own share.
    """),
    code(r"""
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
    """),
    md(r"""
    The loader asks the workers in turn, so with one item each the stream comes back interleaved in
    order. With `batch_size=3` each worker makes batches from *its own* share.

    ## 8. Look inside: the loader's flow

    One batch goes **DataLoader → sampler → indices → fetcher → `Dataset.__getitem__` → `collate_fn`**.
    Four lines rebuild it; with the same sampler seed they give exactly the loader's batches.
    """),
    code(r"""
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
    """),
    md(r"""
    edutorch's loader is written the same way; read the fetcher, the step between the indices and the
    `collate_fn`:
    """),
    code(r"""
    # NBVAL_IGNORE_OUTPUT
    # edutorch's source
    if EDUTORCH:
        from edutorch.utils.data import dataloader
        show_source(dataloader._MapDatasetFetcher)
        show_source(dataloader._SingleProcessDataLoaderIter.__next__)
    """),
    md(r"""
    ## 9. Putting it to work: a digit classifier

    The loop every later lesson uses: for each epoch, for each batch from the loader — forward, loss,
    `zero_grad`, `backward`, `step`. A test loader without shuffling measures accuracy on digits the
    model never saw.
    """),
    code(r"""
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
    """),
    code(r"""
    # NBVAL_IGNORE_OUTPUT
    # depends on the random initialisation and shuffle
    print("test accuracy per epoch:", [f"{a:.3f}" for a in history])
    """),
    code(r"""
    print(history[-1] > 0.8)   # chance is 10 %; a small MLP reaches about 90 % on these 8x8 digits
    """),
    md(r"""
    ## Summary

    - A `Dataset` answers "how many?" (`__len__`) and "sample i?" (`__getitem__`); open files lazily in
      `__getitem__`. `TensorDataset`, `ImageFolder`, `MNIST` and `random_split` cover the usual cases.
    - A `DataLoader` = sampler (order) + batch sampler (grouping) + fetcher (`__getitem__`) +
      `collate_fn` (stacking), optionally in worker processes. `len(loader)` = iterations per epoch =
      `ceil(N / batch_size)`, or `floor` with `drop_last=True`.
    - Reproducible shuffles come from a seeded `torch.Generator`; `WeightedRandomSampler` rebalances
      classes; a custom `collate_fn` handles samples that don't stack.
    - In an `IterableDataset`, use `get_worker_info()` so that workers split the stream.

    ## Exercises

    1. Give `TextureDataset` a `split` argument (`"train"` / `"val"`) and check the two never share a file.
    2. Train the digit classifier with `batch_size=8` and with `batch_size=256` for the same number of
       *epochs*. Which takes more steps? Which reaches the better accuracy, and why?
    3. Write a `collate_fn` that returns a dict `{"image": ..., "label": ...}` and use it in the training loop.
    4. Make `Counting` split the stream into contiguous blocks (worker 0: 0–4, worker 1: 5–9) instead.
    """),
]

# ===================================================================================== 04 transforms
L04 = [
    md(r"""
    # 04 · Transforms: from a photo to a tensor, and data augmentation

    A model wants float tensors of one size with values around zero; files hold images of any size
    with bytes 0–255. **Transforms** (变换) bridge the two, and random transforms make every epoch see
    slightly different pictures: **data augmentation** (数据增强), the cheapest regulariser there is.

    **Goals.** After this lesson you can

    - say exactly what `ToTensor` does (HWC → CHW, `[0, 255]` → `[0, 1]`) and undo it;
    - normalise with the ImageNet statistics and un-normalise for display;
    - resize, crop, flip, rotate, warp and recolour an image, with PIL images or tensors;
    - build training and evaluation pipelines with `Compose`, `RandomApply`, `RandomChoice`;
    - use a pipeline inside a `Dataset` and look at a whole batch with `make_grid`.
    """),
    setup("import matplotlib.cbook as cbook", "from pathlib import Path", "from PIL import Image", nn=False,
          engine_imports=("from edutorch.utils.data import DataLoader",
                          "from edutorch.vision import datasets, transforms",
                          "import edutorch.vision.transforms.functional as TF",
                          "from edutorch.vision.utils import make_grid")),
    md(r"""
    ## 1. The photo

    matplotlib ships a portrait of Grace Hopper, the computer pioneer. PIL opens it as an `Image`:
    width × height (PIL says `size=(width, height)`), three 8-bit channels.
    """),
    code(r"""
    photo = Image.open(cbook.get_sample_data("grace_hopper.jpg")).convert("RGB")
    print(photo.size, photo.mode)
    pixels = np.array(photo)
    print(pixels.shape, pixels.dtype, pixels.min(), pixels.max())
    plt.figure(figsize=(3, 3.5))
    plt.imshow(photo)
    plt.axis("off")
    plt.show()
    """),
    md(r"""
    ## 2. `ToTensor`: HWC bytes → CHW floats

    NumPy and PIL store an image as **height × width × channels** (HWC), bytes 0–255. PyTorch's
    convolutions want **channels × height × width** (CHW) floats. `ToTensor` does both steps: it moves
    the channel axis to the front and divides by 255. `PILToTensor` only moves the axis (uint8 stays),
    and `ToPILImage` goes back.
    """),
    code(r"""
    x = transforms.ToTensor()(photo)
    print(x.shape, x.dtype, round(x.min().item(), 4), round(x.max().item(), 4))
    by_hand = torch.from_numpy(pixels).permute(2, 0, 1).float() / 255   # HWC -> CHW, then /255
    print(torch.allclose(x, by_hand))
    raw = transforms.PILToTensor()(photo)
    print(raw.shape, raw.dtype, raw[:, 0, 0])
    back = transforms.ToPILImage()(x)
    print(back.size, back.mode, np.array_equal(np.asarray(back), pixels))
    """),
    md(r"""
    ## 3. `Normalize`: centre each channel

    Networks train best on inputs with mean ≈ 0 and standard deviation ≈ 1. `Normalize(mean, std)`
    computes `(x - mean[c]) / std[c]` for each channel `c`. Pretrained ImageNet models expect the
    ImageNet statistics below; for your own data, measure them on the training set.
    """),
    code(r"""
    IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    normalize = transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)
    z = normalize(x)
    print(normalize)
    print("before:", [round(v, 3) for v in x.mean(dim=(1, 2)).tolist()])
    print("after: ", [round(v, 3) for v in z.mean(dim=(1, 2)).tolist()])
    mean, std = torch.tensor(IMAGENET_MEAN).view(3, 1, 1), torch.tensor(IMAGENET_STD).view(3, 1, 1)
    print(torch.allclose(z, (x - mean) / std), torch.allclose(z * std + mean, x, atol=1e-6))
    """),
    md(r"""
    To *show* a normalised tensor, undo it (`z * std + mean`), clamp to `[0, 1]` and permute to HWC.
    We will need that often:
    """),
    code(r"""
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
    """),
    md(r"""
    ## 4. Size and crop

    - `Resize(256)`: the **shorter side** becomes 256, the aspect ratio is kept; `Resize((h, w))` forces a size.
    - `CenterCrop(224)` cuts the middle; `RandomCrop(224, padding=4)` pads, then cuts at a random place.
    - `RandomResizedCrop(224, scale=(0.08, 1.0))`: a random area and aspect ratio, resized to 224 —
      the standard ImageNet training crop.
    - `FiveCrop(224)`: the four corners and the centre (test-time augmentation).
    """),
    code(r"""
    small = transforms.Resize(128)(photo)
    print("Resize(128):       ", photo.size, "->", small.size)
    print("Resize((100, 80)): ", transforms.Resize((100, 80))(photo).size)
    print("CenterCrop(96):    ", transforms.CenterCrop(96)(small).size)
    print("RandomCrop(96):    ", transforms.RandomCrop(96, padding=8)(small).size)
    print("FiveCrop(96):      ", [im.size for im in transforms.FiveCrop(96)(small)])
    tensor_small = transforms.Resize(128)(x)            # the same transforms work on tensors
    print("on a tensor:       ", tuple(x.shape), "->", tuple(tensor_small.shape))
    """),
    code(r"""
    crops = [transforms.RandomResizedCrop(96, scale=(0.1, 1.0))(small) for _ in range(8)]
    show(crops, nrow=8, title="RandomResizedCrop(96): eight draws", size=(9, 1.8))
    show(transforms.FiveCrop(96)(small), nrow=5, title="FiveCrop(96)", size=(8, 2))
    """),
    md(r"""
    ## 5. Flips, rotations and warps

    `RandomHorizontalFlip(p=0.5)` mirrors with probability `p`. `RandomRotation(degrees)`,
    `RandomAffine` (rotation, translation, scale, shear) and `RandomPerspective` move pixels; the
    uncovered corners get `fill`.
    """),
    code(r"""
    geometric = {
        "HorizontalFlip": transforms.RandomHorizontalFlip(p=1.0),
        "VerticalFlip": transforms.RandomVerticalFlip(p=1.0),
        "Rotation(30)": transforms.RandomRotation(30),
        "Affine": transforms.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10),
        "Perspective": transforms.RandomPerspective(distortion_scale=0.5, p=1.0),
        "Pad(16, reflect)": transforms.Pad(16, padding_mode="reflect"),
    }
    show([t(small) for t in geometric.values()], nrow=6, title=" · ".join(geometric), size=(10, 2.2))
    """),
    md(r"""
    **Check your understanding.** A horizontal flip reverses the width axis, so flipping twice gives
    back the image, and a flipped tensor equals `torch.flip(x, dims=[2])`:
    """),
    code(r"""
    flip = transforms.RandomHorizontalFlip(p=1.0)
    print(torch.equal(flip(flip(x)), x), torch.equal(flip(x), torch.flip(x, dims=[2])))
    print(np.array_equal(np.asarray(flip(photo)), pixels[:, ::-1]))
    """),
    md(r"""
    ## 6. Colour

    `ColorJitter` changes brightness, contrast, saturation and hue by random factors;
    `Grayscale(num_output_channels=3)` keeps three (equal) channels so the model's input shape stays the
    same; `GaussianBlur` softens. On tensors, grey is `0.2989 R + 0.587 G + 0.114 B`.
    """),
    code(r"""
    colour = {
        "ColorJitter": transforms.ColorJitter(brightness=0.5, contrast=0.5, saturation=0.5, hue=0.1),
        "Grayscale": transforms.Grayscale(num_output_channels=3),
        "GaussianBlur(9)": transforms.GaussianBlur(9, sigma=(2.0, 3.0)),
        "brightness x1.5": lambda im: TF.adjust_brightness(im, 1.5),
        "contrast x0.5": lambda im: TF.adjust_contrast(im, 0.5),
        "hue +0.25": lambda im: TF.adjust_hue(im, 0.25),
    }
    show([t(small) for t in colour.values()], nrow=6, title=" · ".join(colour), size=(10, 2.2))
    """),
    code(r"""
    grey = transforms.Grayscale()(tensor_small)
    by_hand = (0.2989 * tensor_small[0] + 0.587 * tensor_small[1] + 0.114 * tensor_small[2]).unsqueeze(0)
    print(grey.shape, torch.allclose(grey, by_hand, atol=1e-6))
    """),
    md(r"""
    `RandomErasing` works on tensors (use it after `ToTensor`): it blanks a random rectangle, which
    teaches a model not to rely on one small region.
    """),
    code(r"""
    erase = transforms.RandomErasing(p=1.0, scale=(0.05, 0.2), value=0.5)
    erased = [erase(tensor_small) for _ in range(4)]
    show(erased, nrow=4, title="RandomErasing", size=(6, 2))
    print(all(e.shape == tensor_small.shape for e in erased), all(not torch.equal(e, tensor_small) for e in erased))
    """),
    md(r"""
    ## 7. Pipelines

    `Compose` chains transforms; `RandomApply([...], p)` runs a group with probability `p`;
    `RandomChoice` picks one; `RandomOrder` shuffles their order; `Lambda` wraps any function. The
    usual ImageNet pipelines: random crops and flips for training, a fixed resize and centre crop for
    evaluation, so that evaluation is deterministic.
    """),
    code(r"""
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
    """),
    code(r"""
    views = [train_transform(photo) * std + mean for _ in range(16)]
    show(views, nrow=8, title="one photo, sixteen training views", size=(9, 2.8))
    print(torch.equal(eval_transform(photo), eval_transform(photo)))   # evaluation is deterministic
    """),
    md(r"""
    Random transforms draw from the global generator, so `torch.manual_seed` makes a pipeline
    reproducible:
    """),
    code(r"""
    torch.manual_seed(3)
    a = train_transform(photo)
    torch.manual_seed(3)
    b = train_transform(photo)
    print(torch.equal(a, b), tuple(a.shape))
    """),
    md(r"""
    ## 8. Transforms inside a `Dataset`

    Datasets take `transform` (for the input) and `target_transform` (for the label); the transform
    runs in `__getitem__`, so each epoch sees new random views. Here the texture photos of lesson 03
    become a batch of augmented, normalised tensors:
    """),
    code(r"""
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
    """),
    md(r"""
    ## 9. Look inside

    A transform is a small class whose `__call__` (or `forward`) calls a function in
    `transforms.functional`; the functions work on NumPy arrays underneath. Read `to_tensor` and
    `normalize`:
    """),
    code(r"""
    # NBVAL_IGNORE_OUTPUT
    # edutorch's source
    if EDUTORCH:
        show_source(TF.to_tensor)
        show_source(TF.normalize)
    """),
    md(r"""
    ## Summary

    - `ToTensor`: PIL/NumPy HWC uint8 → CHW float32 in `[0, 1]`; `PILToTensor` keeps uint8;
      `ToPILImage` goes back.
    - `Normalize(mean, std)`: `(x - mean) / std` per channel; undo with `x * std + mean` to display.
    - Geometry (`Resize`, crops, flips, rotations, affine, perspective) and colour (`ColorJitter`,
      `Grayscale`, `GaussianBlur`) work on PIL images and on tensors; `RandomErasing` on tensors only.
    - Training pipelines are random (augmentation); evaluation pipelines are fixed. Put them in a
      dataset's `transform`, and seed with `torch.manual_seed` to reproduce a run.

    ## Exercises

    1. Measure the per-channel mean and std of the texture training set (`ToTensor` only) and use them
       in `Normalize`. Check the normalised batch has mean ≈ 0 and std ≈ 1.
    2. Which transforms in `train_transform` would be wrong for the digits of lesson 03? (Think of a
       flipped 2 and a rotated 6.)
    3. Write `transforms.Lambda` that adds Gaussian noise with std 0.05 to a tensor, and put it after
       `ToTensor`.
    4. Use `FiveCrop` at test time: average a model's predictions over the five crops.
    """),
]

NOTEBOOKS = {"03_data": L03, "04_transforms": L04}

if __name__ == "__main__":
    sys.exit(main(NOTEBOOKS, sys.argv[1:]))
