"""How data/textures/ was made (run once; kept so the files can be re-created and checked).

Source: three CC0 texture photographs shipped inside the scikit-image 0.26.0 wheel
(``skimage/data/brick.png``, ``grass.png``, ``gravel.png``; 512x512 grayscale). Usage::

    pip download scikit-image==0.26.0 --no-deps -d /tmp/skimage
    unzip /tmp/skimage/scikit_image-0.26.0-*.whl 'skimage/data/*' -d /tmp/skimage
    python data/textures/make_textures.py /tmp/skimage/skimage/data

Each photograph is cut into an 8x8 grid of non-overlapping 64x64 tiles. Per class, 16 tiles are drawn
with a fixed seed: the first 12 go to ``train/<class>/``, the other 4 to ``val/<class>/``. The 48 tiles
left over go to ``test/<class>/`` (added later for lesson 24; drawing them after the first 16, with no
further random numbers, keeps ``train/`` and ``val/`` exactly as they were). The tiles of a class never
overlap, so train, val and test images are different pixels of the same surface. A file is named after
its tile's grid row and column: ``brick_37.png`` is row 3, column 7.
"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
CLASSES = ["brick", "grass", "gravel"]
TILE, PER_CLASS, N_TRAIN = 64, 16, 12


def save_tile(photo: np.ndarray, cell: int, grid: int, split: str, name: str) -> None:
    row, col = divmod(int(cell), grid)
    tile = photo[row * TILE:(row + 1) * TILE, col * TILE:(col + 1) * TILE]
    out = HERE / split / name / f"{name}_{row}{col}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(tile).save(out, optimize=True)


def main(skimage_data: str) -> None:
    rng = np.random.default_rng(0)
    for name in CLASSES:
        photo = np.asarray(Image.open(Path(skimage_data) / f"{name}.png").convert("L"))
        grid = photo.shape[0] // TILE
        picks = rng.choice(grid * grid, size=PER_CLASS, replace=False)
        for k, cell in enumerate(picks):
            save_tile(photo, cell, grid, "train" if k < N_TRAIN else "val", name)
        for cell in sorted(set(range(grid * grid)) - set(picks.tolist())):  # every tile not drawn above
            save_tile(photo, cell, grid, "test", name)
    print("tiles written under", HERE)


if __name__ == "__main__":
    main(sys.argv[1])
