"""Train the shipped LeNet on data/digits and save it as data/weights/lenet_digits-<sha256[:8]>.pth.

    python data/weights/train_lenet_digits.py            # about 10-30 s on a laptop CPU

Seeded: the same edutorch and NumPy give the same weights, byte for byte. Steps:

1. Read the MNIST-format files of data/digits with NumPy (IDX: a 16-byte header, then uint8 pixels).
2. Scale pixels to [0, 1] and normalise with the training split's mean and std (printed: they are the
   ``mean``/``std`` of ``LeNet_Weights.DIGITS.transforms()``).
3. Train ``edutorch.vision.models.lenet(num_classes=10)`` with Adam (lr 3e-3, 30 epochs, batch 64,
   shuffled by ``edutorch.randperm``) on the 1437 training digits. (A +-1 pixel random shift as
   augmentation, or AdamW's weight decay, did not help on these 8x8 images: 91.9% and 92.5%.)
4. Report accuracy on the 360 test digits, save the state_dict with ``edutorch.save`` (PyTorch's zip
   format, so ``torch.load`` reads it too), and rename the file after the first 8 hex digits of its
   sha256, as torch.hub names its files; ``check_hash`` verifies it on load.

After re-running, update ``_DIGITS_FILE`` (and the mean/std, accuracy and size in
``LeNet_Weights.DIGITS``) in edutorch/vision/models/lenet.py and the README beside this script.
"""
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

import edutorch as torch  # noqa: E402
from edutorch import nn  # noqa: E402
from edutorch.vision.models import lenet  # noqa: E402

RAW = ROOT / "data" / "digits" / "MNIST" / "raw"
OUT = Path(__file__).resolve().parent
SEED = 0
EPOCHS = 30
BATCH = 64
LR = 3e-3


def read_idx(path: Path) -> np.ndarray:
    """IDX file -> uint8 array: bytes 2 and 3 are the type (0x08 = uint8) and the number of dims, then one
    big-endian int32 per dim, then the data."""
    raw = path.read_bytes()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_split(train: bool) -> tuple[np.ndarray, np.ndarray]:
    prefix = "train" if train else "t10k"
    images = read_idx(RAW / f"{prefix}-images-idx3-ubyte").astype(np.float32) / 255.0
    labels = read_idx(RAW / f"{prefix}-labels-idx1-ubyte").astype(np.int64)
    return images[:, None], labels  # (N, 1, 8, 8)


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x)).argmax(1).numpy()
    model.train()
    return float((pred == y).mean())


def main() -> None:
    start = time.time()
    torch.manual_seed(SEED)
    x_train, y_train = load_split(train=True)
    x_test, y_test = load_split(train=False)
    mean, std = round(float(x_train.mean()), 4), round(float(x_train.std()), 4)
    x_train = ((x_train - mean) / std).astype(np.float32)
    x_test = ((x_test - mean) / std).astype(np.float32)

    model = lenet(num_classes=10)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(EPOCHS):
        order = torch.randperm(len(x_train)).numpy()
        total = 0.0
        for i in range(0, len(order), BATCH):
            idx = order[i:i + BATCH]
            xb = torch.from_numpy(x_train[idx])
            loss = loss_fn(model(xb), torch.from_numpy(y_train[idx]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        if epoch % 5 == 4 or epoch == EPOCHS - 1:
            print(f"epoch {epoch + 1:2d}  loss {total / len(order):.4f}  "
                  f"train acc {accuracy(model, x_train, y_train):.4f}  test acc {accuracy(model, x_test, y_test):.4f}")

    model.eval()
    test_acc = accuracy(model, x_test, y_test)
    for old in OUT.glob("lenet_digits-*.pth"):
        old.unlink()
    tmp = OUT / "lenet_digits.pth"
    torch.save(model.state_dict(), tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    final = OUT / f"lenet_digits-{digest[:8]}.pth"
    tmp.rename(final)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"mean {mean}  std {std}  (normalisation of the training split)")
    print(f"test accuracy {test_acc:.4f} ({round(test_acc * len(y_test))}/{len(y_test)})")
    print(f"parameters {n_params}  file {final.name}  {final.stat().st_size} bytes  sha256 {digest}")
    print(f"done in {time.time() - start:.1f} s")


if __name__ == "__main__":
    main()
