"""How data/textures/ was made (run once; kept so the files can be re-created and checked).

Source: three CC0 texture photographs shipped inside the scikit-image 0.26.0 wheel
(``skimage/data/brick.png``, ``grass.png``, ``gravel.png``; 512x512 grayscale). Usage::

    python data/textures/make_textures.py path/to/skimage/data

Each photograph is cut into an 8x8 grid of non-overlapping 64x64 tiles; 16 tiles per class are drawn
with a fixed seed, 12 go to ``train/<class>/`` and 4 to ``val/<class>/`` as PNG files. The tiles of a
class never overlap, so train and val images are different pixels of the same surface.
"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
CLASSES = ["brick", "grass", "gravel"]
TILE, PER_CLASS, N_TRAIN = 64, 16, 12


def main(skimage_data: str) -> None:
    rng = np.random.default_rng(0)
    for name in CLASSES:
        photo = np.asarray(Image.open(Path(skimage_data) / f"{name}.png").convert("L"))
        grid = photo.shape[0] // TILE
        picks = rng.choice(grid * grid, size=PER_CLASS, replace=False)
        for k, cell in enumerate(picks):
            row, col = divmod(int(cell), grid)
            tile = photo[row * TILE:(row + 1) * TILE, col * TILE:(col + 1) * TILE]
            split = "train" if k < N_TRAIN else "val"
            out = HERE / split / name / f"{name}_{row}{col}.png"
            out.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(tile).save(out, optimize=True)
    print("tiles written under", HERE)


if __name__ == "__main__":
    main(sys.argv[1])
