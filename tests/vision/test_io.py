"""edutorch.vision.io against torchvision.io.

torchvision's answers were recorded by ``fixtures/make_io_fixtures.py`` (torchvision 0.29.1) into
``fixtures/io.npz``: small PNG files of every colour type (stored as their bytes) and what decode_png
returns for each ImageReadMode, plus read_image of a lesson texture tile.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import edutorch
from edutorch import vision
from edutorch.vision import io

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "io.npz")
TILE = Path(__file__).parents[2] / "data" / "textures" / "test" / "gravel" / "gravel_33.png"
# torchvision 0.29.1 returns the packed 4-bit indices of a low-bit palette PNG for UNCHANGED, and garbled
# alpha for palette GRAY_ALPHA / RGB_ALPHA without a tRNS chunk; edutorch expands the palette instead.
TORCHVISION_PALETTE_QUIRKS = {"decoded/P/UNCHANGED", "decoded/P_tRNS/UNCHANGED", "decoded/P/GRAY_ALPHA",
                              "decoded/P/RGB_ALPHA"}
DECODED = sorted(k for k in FIXTURES.files if k.startswith("decoded/") and k not in TORCHVISION_PALETTE_QUIRKS)


def _png(name: str) -> edutorch.Tensor:
    return edutorch.from_numpy(FIXTURES[f"png/{name}"].copy())


@pytest.mark.parametrize("key", DECODED)
def test_decode_png_matches_torchvision(key):
    _, name, mode = key.split("/")
    expected = FIXTURES[key]
    for decode in (io.decode_png, io.decode_image):
        got = decode(_png(name), mode=io.ImageReadMode[mode])
        assert got.dtype == edutorch.uint8 and tuple(got.shape) == expected.shape
        np.testing.assert_array_equal(got.numpy(), expected)


def test_palette_images_are_expanded():
    rgb = io.decode_png(_png("P"), io.ImageReadMode.RGB)
    assert tuple(io.decode_png(_png("P")).shape) == (3, 5, 7)  # UNCHANGED: the palette's colours
    np.testing.assert_array_equal(io.decode_png(_png("P")).numpy(), rgb.numpy())
    rgba = io.decode_png(_png("P_tRNS"))
    np.testing.assert_array_equal(rgba.numpy(), FIXTURES["decoded/P_tRNS/RGB_ALPHA"])


@pytest.mark.parametrize("mode", ["UNCHANGED", "RGB"])
def test_read_image_matches_torchvision(mode):
    expected = FIXTURES[f"read_image/gravel_33/{mode}"]
    np.testing.assert_array_equal(io.read_image(str(TILE), io.ImageReadMode[mode]).numpy(), expected)
    np.testing.assert_array_equal(io.decode_image(str(TILE), mode=mode).numpy(), expected)  # a path, a name


def test_read_write_file_round_trip(tmp_path):
    data = io.read_file(str(TILE))
    assert data.dtype == edutorch.uint8 and data.dim() == 1 and data.numel() == TILE.stat().st_size
    io.write_file(str(tmp_path / "copy.png"), data)
    assert (tmp_path / "copy.png").read_bytes() == TILE.read_bytes()


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_encode_png_is_lossless(tmp_path, channels):
    img = edutorch.randint(0, 256, (channels, 6, 9), dtype=edutorch.uint8)
    data = io.encode_png(img, compression_level=9)
    assert data.dtype == edutorch.uint8 and data.dim() == 1
    assert data[:8].tolist() == [137, 80, 78, 71, 13, 10, 26, 10]  # the PNG signature
    np.testing.assert_array_equal(io.decode_png(data).numpy(), img.numpy())
    io.write_png(img, str(tmp_path / "x.png"))
    np.testing.assert_array_equal(io.read_image(str(tmp_path / "x.png")).numpy(), img.numpy())


def test_jpeg_round_trip_is_close(tmp_path):
    y, x = np.mgrid[0:32, 0:48]
    img = edutorch.from_numpy(np.stack([x * 5, y * 7, (x + y) * 3]).astype(np.uint8))  # smooth: JPEG keeps it
    data = io.encode_jpeg(img, quality=95)
    assert data[:2].tolist() == [0xFF, 0xD8]  # a JPEG starts with SOI
    back = io.decode_jpeg(data)
    assert back.dtype == edutorch.uint8 and tuple(back.shape) == (3, 32, 48)
    assert np.abs(back.numpy().astype(int) - img.numpy()).mean() < 3
    io.write_jpeg(img, str(tmp_path / "x.jpg"), quality=90)
    assert tuple(io.read_image(str(tmp_path / "x.jpg"), io.ImageReadMode.GRAY).shape) == (1, 32, 48)
    assert [tuple(t.shape) for t in io.decode_jpeg([data, data])] == [(3, 32, 48)] * 2


def test_errors_are_clear():
    with pytest.raises(RuntimeError, match="dtype should be uint8"):
        io.encode_png(edutorch.rand(3, 4, 4))
    with pytest.raises(RuntimeError, match="use img.permute"):
        io.encode_png(edutorch.zeros(8, 8, 3, dtype=edutorch.uint8))  # (H, W, C) by mistake
    with pytest.raises(RuntimeError, match="1 dimensional uint8"):
        io.decode_image(edutorch.zeros(2, 3, dtype=edutorch.uint8))
    with pytest.raises(RuntimeError, match="not JPEG"):
        io.decode_jpeg(_png("RGB"))
    with pytest.raises(RuntimeError, match="could not decode"):
        io.decode_image(edutorch.tensor([1, 2, 3], dtype=edutorch.uint8))


def test_image_read_mode_and_version():
    assert repr(io.ImageReadMode.RGB) == "<ImageReadMode.RGB: 3>"
    assert [m.value for m in io.ImageReadMode] == [0, 1, 2, 3, 4]
    assert re.fullmatch(r"\d+\.\d+\.\d+", vision.__version__)
    assert tuple(int(p) for p in vision.__version__.split(".")[:2]) >= (0, 28)
