"""edutorch.vision.utils against torchvision's recorded answers (fixtures/make_utils_fixtures.py)."""
import io
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import edutorch as torch
from edutorch.vision.utils import draw_bounding_boxes, make_grid, save_image

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "utils.npz")
GRID_CASES = {
    "default": ("batch", {}),
    "nrow2_pad1": ("batch", {"nrow": 2, "padding": 1, "pad_value": 0.5}),
    "normalize": ("batch", {"normalize": True}),
    "normalize_range": ("batch", {"normalize": True, "value_range": (-1.0, 1.0), "nrow": 3}),
    "scale_each": ("batch", {"normalize": True, "scale_each": True, "padding": 0}),
    "grey": ("grey", {"nrow": 2}),
    "single": ("batch", {}),
    "single_chw": ("grey", {}),
}


def _input(name, case):
    x = FIXTURES[name]
    return x[:1] if case == "single" else x[0] if case == "single_chw" else x


@pytest.mark.parametrize("case", sorted(GRID_CASES))
def test_make_grid_matches_torchvision(case):
    name, kwargs = GRID_CASES[case]
    grid = make_grid(torch.from_numpy(_input(name, case).copy()), **kwargs)
    expected = FIXTURES[f"grid_{case}"]
    assert grid.dtype == torch.float32
    assert tuple(grid.shape) == expected.shape
    np.testing.assert_allclose(grid.numpy(), expected, rtol=1e-6, atol=1e-6)


def test_make_grid_list_of_images_equals_stacked_batch():
    images = [torch.rand(3, 4, 5) for _ in range(3)]
    assert torch.equal(make_grid(images, nrow=2), make_grid(torch.stack(images), nrow=2))


def test_make_grid_shape_formula_and_padding_value():
    grid = make_grid(torch.ones(10, 3, 8, 8), nrow=4, padding=3, pad_value=0.25)
    rows, cols = 3, 4
    assert tuple(grid.shape) == (3, rows * 11 + 3, cols * 11 + 3)
    # padding strips and the two empty cells of the last row hold pad_value; images hold 1
    values = set(np.unique(grid.numpy()).tolist())
    assert values == {0.25, 1.0}
    assert grid.numpy()[:, 3:11, 3:11].min() == 1.0
    assert (grid.numpy()[:, 2 * 11 + 3:, 2 * 11 + 3:] == 0.25).all()  # empty cells at the end


def test_make_grid_keeps_uint8():
    batch = torch.from_numpy(np.arange(2 * 3 * 2 * 2, dtype=np.uint8).reshape(2, 3, 2, 2))
    grid = make_grid(batch, padding=1, pad_value=255)
    assert grid.dtype == torch.uint8
    assert grid.numpy()[0, 0, 0] == 255 and grid.numpy()[0, 1, 1] == 0


def test_make_grid_errors():
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(torch.rand(2, 3, 4, 4), normalize=True, value_range=[0, 1])
    with pytest.raises(TypeError, match="got <class 'numpy.ndarray'>"):
        make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(ValueError, match=r"\(2, 2, 3, 4, 4\)"):
        make_grid(torch.rand(2, 2, 3, 4, 4))


def test_save_image_round_trip_and_atomic(tmp_path):
    batch = torch.from_numpy(FIXTURES["batch"].copy())
    path = tmp_path / "grid.png"
    save_image(batch, path, normalize=True, nrow=3)
    saved = np.asarray(Image.open(path))
    expected = np.clip(make_grid(batch, normalize=True, nrow=3).numpy() * 255 + 0.5, 0, 255)
    np.testing.assert_array_equal(saved, expected.astype(np.uint8).transpose(1, 2, 0))
    assert [p.name for p in tmp_path.iterdir()] == ["grid.png"]  # no temporary file left behind

    buffer = io.BytesIO()
    save_image(batch[0], buffer, format="PNG")
    assert Image.open(io.BytesIO(buffer.getvalue())).size == (6, 4)


def test_save_image_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(ValueError, match="unknown file extension"):
        save_image(torch.rand(3, 4, 4), tmp_path / "grid.notaformat")
    with pytest.raises(OSError, match="RGBA"):  # JPEG has no alpha: PIL fails mid-save
        save_image(torch.rand(4, 4, 4), tmp_path / "four.jpg")
    assert list(tmp_path.iterdir()) == []


BOX_CASES = {
    "default": {},
    "red_w2": {"colors": "red", "width": 2},
    "fill": {"colors": ["blue", (0, 255, 0), "#FF00FF"], "fill": True},
}


@pytest.mark.parametrize("case", sorted(BOX_CASES))
def test_draw_bounding_boxes_matches_torchvision(case):
    out = draw_bounding_boxes(torch.from_numpy(FIXTURES["image"].copy()),
                              torch.from_numpy(FIXTURES["boxes"].copy()), **BOX_CASES[case])
    assert out.dtype == torch.uint8
    np.testing.assert_array_equal(out.numpy(), FIXTURES[f"boxes_{case}"])


def test_draw_bounding_boxes_labels_and_float_images():
    image = torch.from_numpy(FIXTURES["image"].copy())
    boxes = torch.from_numpy(FIXTURES["boxes"].copy())
    labelled = draw_bounding_boxes(image, boxes, labels=["a", "b", "c"], colors="yellow").numpy()
    # text rendering depends on PIL's built-in font; the boxes themselves must match exactly
    reference = FIXTURES["boxes_labels"]
    unlabelled = draw_bounding_boxes(image, boxes, colors="yellow").numpy()
    text_pixels = labelled != unlabelled
    assert text_pixels.any()  # the labels were drawn
    np.testing.assert_array_equal(labelled[~text_pixels], reference[~text_pixels])
    floating = draw_bounding_boxes(image.float() / 255, boxes)
    assert floating.dtype == torch.float32
    np.testing.assert_allclose(floating.numpy(), FIXTURES["boxes_float"], atol=1e-6)


def test_draw_bounding_boxes_grey_image_becomes_rgb():
    out = draw_bounding_boxes(torch.zeros(1, 10, 10, dtype=torch.uint8), torch.tensor([[1, 1, 8, 8]]),
                              colors=(255, 0, 0))
    assert tuple(out.shape) == (3, 10, 10)
    assert out.numpy()[:, 1, 1].tolist() == [255, 0, 0] and out.numpy()[:, 5, 5].tolist() == [0, 0, 0]


def test_draw_bounding_boxes_errors():
    image = torch.zeros(3, 10, 10, dtype=torch.uint8)
    with pytest.raises(TypeError, match="Tensor expected"):
        draw_bounding_boxes(np.zeros((3, 10, 10)), torch.tensor([[0, 0, 1, 1]]))
    with pytest.raises(ValueError, match="dtype must be uint8 or float"):
        draw_bounding_boxes(torch.zeros(3, 10, 10, dtype=torch.int64), torch.tensor([[0, 0, 1, 1]]))
    with pytest.raises(ValueError, match="not batches"):
        draw_bounding_boxes(torch.zeros(1, 3, 10, 10, dtype=torch.uint8), torch.tensor([[0, 0, 1, 1]]))
    with pytest.raises(ValueError, match="xmin, ymin, xmax, ymax"):
        draw_bounding_boxes(image, torch.tensor([[5, 0, 1, 1]]))
    with pytest.raises(ValueError, match=r"boxes \(1\) and labels \(2\)"):
        draw_bounding_boxes(image, torch.tensor([[0, 0, 1, 1]]), labels=["a", "b"])
    with pytest.raises(ValueError, match="1 < 2"):
        draw_bounding_boxes(image, torch.tensor([[0, 0, 1, 1], [0, 0, 2, 2]]), colors=["red"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        same = draw_bounding_boxes(image, torch.zeros(0, 4))
    assert same is image and "No box was drawn" in str(caught[0].message)
