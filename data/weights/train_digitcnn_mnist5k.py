"""Train the shipped digit CNN on data/mnist5k and save it as data/weights/digitcnn_mnist5k-<sha256[:8]>.pth.

    python data/weights/train_digitcnn_mnist5k.py        # a few minutes on a 2-core CPU

The backbone that lesson 24 fine-tunes on the texture photographs of data/textures. Seeded: the same
edutorch and NumPy give the same weights. Steps:

1. Read the MNIST-format files of data/mnist5k with NumPy (IDX: a 16-byte header, then uint8 pixels):
   4,000 training digits (400 of each), 1,000 test digits (100 of each), 28x28.
2. Scale pixels to [0, 1] and normalise with MNIST's usual mean and std (0.1307, 0.3081).
3. Train ``DigitCNN`` (below: three conv-BN-ReLU blocks, global average pooling, one linear layer) on the
   4,000 training digits with Adam and a one-cycle schedule (max lr 3e-3, 20 epochs, batch 64, shuffled
   by ``edutorch.randperm``), every digit shifted by a random offset of up to 2 pixels each way.
4. Report accuracy on the 1,000 test digits, save the state_dict with ``edutorch.save`` (PyTorch's zip
   format, so ``torch.load`` reads it too), and rename the file after the first 8 hex digits of its
   sha256, as torch.hub names its files.

After re-running, update the file name and the numbers in data/weights/README.md, lesson 24
(``lessons/24_milestone_textures.py``) and tests/vision/test_shipped_digitcnn.py.
"""
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

import edutorch as torch  # noqa: E402
import edutorch.nn.functional as F  # noqa: E402
from edutorch import nn  # noqa: E402

RAW = ROOT / "data" / "mnist5k" / "MNIST" / "raw"
OUT = Path(__file__).resolve().parent
SEED, EPOCHS, BATCH, MAX_LR, SHIFT = 0, 20, 64, 3e-3, 2
MEAN, STD = 0.1307, 0.3081


class DigitCNN(nn.Module):
    """Three conv-BN-ReLU blocks (16, 32, 64 channels; 2x2 max pooling after the first two), global average
    pooling, one linear layer: 24,170 parameters. Fully convolutional up to the pooling, so it takes grey
    images of any size >= 4x4 (28x28 digits, 64x64 texture tiles)."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU())
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.features(x)), 1))


def read_idx(path: Path) -> np.ndarray:
    """IDX file -> uint8 array: byte 3 is the number of dims, then one big-endian int32 per dim, then data."""
    raw = path.read_bytes()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_split(train: bool) -> tuple[np.ndarray, np.ndarray]:
    prefix = "train" if train else "t10k"
    images = (read_idx(RAW / f"{prefix}-images-idx3-ubyte").astype(np.float32) / 255.0 - MEAN) / STD
    labels = read_idx(RAW / f"{prefix}-labels-idx1-ubyte").astype(np.int64)
    return images[:, None].astype(np.float32), labels  # (N, 1, 28, 28)


def random_shift(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Shift each image by its own (dy, dx) in [-SHIFT, SHIFT], filling with the background value."""
    n, _, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (SHIFT, SHIFT), (SHIFT, SHIFT)), constant_values=(0 - MEAN) / STD)
    dy, dx = rng.integers(0, 2 * SHIFT + 1, size=(2, n))
    return np.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x)).argmax(1).numpy()
    model.train()
    return float((pred == y).mean())


def main() -> None:
    start = time.time()
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = load_split(train=True)
    x_test, y_test = load_split(train=False)

    model = DigitCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=MAX_LR)
    steps = EPOCHS * -(-len(x_train) // BATCH)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=MAX_LR, total_steps=steps)
    for epoch in range(EPOCHS):
        order = torch.randperm(len(x_train)).numpy()
        total = 0.0
        for i in range(0, len(order), BATCH):
            idx = order[i:i + BATCH]
            xb = torch.from_numpy(random_shift(x_train[idx], rng))
            loss = F.cross_entropy(model(xb), torch.from_numpy(y_train[idx]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1:2d}  loss {total / len(order):.4f}  test acc {accuracy(model, x_test, y_test):.4f}"
              f"  ({time.time() - start:.0f} s)", flush=True)

    model.eval()
    test_acc = accuracy(model, x_test, y_test)
    for old in OUT.glob("digitcnn_mnist5k-*.pth"):
        old.unlink()
    tmp = OUT / "digitcnn_mnist5k.pth"
    torch.save(model.state_dict(), tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    final = OUT / f"digitcnn_mnist5k-{digest[:8]}.pth"
    tmp.rename(final)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"test accuracy {test_acc:.4f} ({round(test_acc * len(y_test))}/{len(y_test)})")
    print(f"parameters {n_params}  file {final.name}  {final.stat().st_size} bytes  sha256 {digest}")
    print(f"done in {time.time() - start:.1f} s")


if __name__ == "__main__":
    main()
