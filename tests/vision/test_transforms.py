"""edutorch.vision.transforms: PIL reference behaviour, properties, randomness and error messages.

(Value parity with torchvision is in test_transforms_parity.py.)
"""
from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

import edutorch as torch
from edutorch.vision import transforms as T
from edutorch.autograd import gradcheck
from edutorch.vision.transforms import functional as F
from edutorch.vision.transforms.functional import InterpolationMode


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    """A real photo (matplotlib's sample), shrunk to 64x75 to keep the suite fast."""
    cbook = pytest.importorskip("matplotlib.cbook")
    img = Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB")
    return img.resize((64, 75), Image.BILINEAR)


@pytest.fixture
def rgb_u8() -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(1).integers(0, 256, (3, 12, 17), dtype=np.uint8))


# ------------------------------------------------------------------------------ PIL reference


def test_pil_path_is_pils_own_operations(photo):
    assert np.array_equal(np.asarray(F.hflip(photo)), np.asarray(photo.transpose(Image.FLIP_LEFT_RIGHT)))
    assert np.array_equal(np.asarray(F.vflip(photo)), np.asarray(photo.transpose(Image.FLIP_TOP_BOTTOM)))
    assert np.array_equal(np.asarray(F.resize(photo, [20, 30])), np.asarray(photo.resize((30, 20), Image.BILINEAR)))
    assert np.array_equal(np.asarray(F.crop(photo, 5, 7, 10, 12)), np.asarray(photo.crop((7, 5, 19, 15))))
    assert np.array_equal(np.asarray(F.adjust_contrast(photo, 1.5)),
                          np.asarray(ImageEnhance.Contrast(photo).enhance(1.5)))
    assert np.array_equal(np.asarray(F.pad(photo, 3, fill=(1, 2, 3))),
                          np.asarray(ImageOps.expand(photo, border=3, fill=(1, 2, 3))))
    assert np.array_equal(np.asarray(F.rotate(photo, 33.0)), np.asarray(photo.rotate(33.0, Image.NEAREST)))
    assert np.array_equal(np.asarray(F.to_grayscale(photo)), np.asarray(photo.convert("L")))


def test_pil_in_pil_out_and_sizes(photo):
    out = T.Resize(32)(photo)  # shorter side (width 64) -> 32, height 75 -> int(32 * 75 / 64) = 37
    assert isinstance(out, Image.Image) and out.size == (32, 37)
    assert T.Resize((10, 20))(photo).size == (20, 10)
    assert T.Resize(32, max_size=35)(photo).size == (int(35 * 32 / 37), 35)
    assert T.CenterCrop(20)(photo).size == (20, 20)
    assert T.RandomResizedCrop((12, 16))(photo).size == (16, 12)
    assert T.Pad((1, 2, 3, 4), padding_mode="reflect")(photo).size == (64 + 4, 75 + 6)
    assert T.Grayscale(3)(photo).mode == "RGB" and T.Grayscale()(photo).mode == "L"
    assert T.GaussianBlur(3)(photo).mode == "RGB"


def test_padding_modes_on_a_row():
    row = torch.tensor([[[1, 2, 3, 4]]], dtype=torch.uint8)  # (C=1, H=1, W=4)
    expected = {"constant": [9, 9, 1, 2, 3, 4, 9, 9], "edge": [1, 1, 1, 2, 3, 4, 4, 4],
                "reflect": [3, 2, 1, 2, 3, 4, 3, 2], "symmetric": [2, 1, 1, 2, 3, 4, 4, 3]}
    for mode, values in expected.items():
        out = F.pad(row, [2, 0], fill=9, padding_mode=mode)
        assert out.numpy()[0, 0].tolist() == values, mode
        pil = F.pad(F.to_pil_image(row), [2, 0], fill=9, padding_mode=mode)
        assert np.asarray(pil)[0].tolist() == values, mode


# ------------------------------------------------------------------------------------ properties


def test_to_tensor_moves_channels_first_and_scales(photo):
    x = T.ToTensor()(photo)
    hwc = np.asarray(photo)
    assert tuple(x.shape) == (3, 75, 64) and x.dtype == torch.float32
    np.testing.assert_allclose(x.numpy(), hwc.transpose(2, 0, 1) / 255.0, atol=1e-7)
    assert 0.0 <= x.min().item() and x.max().item() <= 1.0
    p = T.PILToTensor()(photo)
    assert p.dtype == torch.uint8 and np.array_equal(p.numpy(), hwc.transpose(2, 0, 1))
    assert np.array_equal(np.asarray(T.ToPILImage()(p)), hwc)  # round trip
    assert np.array_equal(np.asarray(F.to_pil_image(x)), hwc)  # float: * 255 then truncate, exact here


def test_normalize_then_inverse_is_identity_and_inplace(rgb_u8):
    x = F.convert_image_dtype(rgb_u8, torch.float32)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    y = T.Normalize(mean, std)(x)
    back = T.Normalize([-m / s for m, s in zip(mean, std)], [1 / s for s in std])(y)
    np.testing.assert_allclose(back.numpy(), x.numpy(), atol=1e-6)
    np.testing.assert_allclose(y.numpy()[1], (x.numpy()[1] - 0.456) / 0.224, atol=1e-6)
    before = x.numpy().copy()
    T.Normalize(mean, std)(x)
    assert np.array_equal(x.numpy(), before)  # out of place by default
    out = T.Normalize(mean, std, inplace=True)(x)
    assert out is x and not np.array_equal(x.numpy(), before)


def test_normalize_lets_gradients_through():
    x = torch.rand(3, 4, 4, requires_grad=True)
    F.normalize(x, [0.5, 0.5, 0.5], [0.5, 0.25, 2.0]).sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[:, 0, 0], [2.0, 4.0, 0.5], rtol=1e-6)


def test_flips_are_involutions_and_batch_works(rgb_u8):
    batch = torch.stack([rgb_u8, F.hflip(rgb_u8)])
    for flip in (F.hflip, F.vflip):
        assert np.array_equal(flip(flip(rgb_u8)).numpy(), rgb_u8.numpy())
        assert np.array_equal(flip(batch).numpy()[1], flip(batch[1]).numpy())
    assert np.array_equal(F.hflip(rgb_u8).numpy(), rgb_u8.numpy()[..., ::-1])


def test_convert_image_dtype_round_trip(rgb_u8):
    f = F.convert_image_dtype(rgb_u8, torch.float32)
    assert f.dtype == torch.float32 and f.max().item() <= 1.0
    assert np.array_equal(F.convert_image_dtype(f, torch.uint8).numpy(), rgb_u8.numpy())
    assert T.ConvertImageDtype(torch.float64)(rgb_u8).dtype == torch.float64


def test_resize_keeps_constant_images_and_dtypes():
    for dtype in (torch.uint8, torch.float32):
        flat = torch.full((3, 9, 13), 7, dtype=dtype)
        for mode in ("nearest", "nearest-exact", "bilinear", "bicubic"):
            for antialias in (True, False):
                out = F.resize(flat, [5, 20], T.InterpolationMode(mode), antialias=antialias)
                assert out.dtype == dtype and tuple(out.shape) == (3, 5, 20)
                np.testing.assert_allclose(out.numpy().astype(np.float64), 7, atol=1e-5)


def test_rotation_by_90_degrees_is_a_transpose_flip():
    x = torch.arange(16, dtype=torch.float32).view(1, 4, 4)
    np.testing.assert_allclose(F.rotate(x, 90.0).numpy()[0], np.rot90(x.numpy()[0]), atol=1e-6)
    np.testing.assert_allclose(F.affine(x, 0.0, [1, 0], 1.0, 0.0).numpy()[0, :, 1:], x.numpy()[0, :, :3])
    assert tuple(F.rotate(torch.zeros(1, 4, 8), 90.0, expand=True).shape) == (1, 8, 4)


def test_identity_geometry_changes_nothing(rgb_u8):
    assert np.array_equal(F.affine(rgb_u8, 0.0, [0, 0], 1.0, [0.0, 0.0]).numpy(), rgb_u8.numpy())
    corners = [[0, 0], [16, 0], [16, 11], [0, 11]]
    assert np.array_equal(F.perspective(rgb_u8, corners, corners).numpy(), rgb_u8.numpy())


def test_five_and_ten_crop(rgb_u8):
    crops = T.FiveCrop(5)(rgb_u8)
    assert len(crops) == 5 and all(tuple(c.shape) == (3, 5, 5) for c in crops)
    assert np.array_equal(crops[3].numpy(), rgb_u8.numpy()[:, -5:, -5:])
    ten = T.TenCrop(5)(rgb_u8)
    assert len(ten) == 10 and np.array_equal(ten[5].numpy(), F.hflip(rgb_u8).numpy()[:, :5, :5])


def test_color_ops_on_uint8_stay_in_range_and_factor_one_is_identity(rgb_u8):
    for fn in (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation):
        assert np.array_equal(fn(rgb_u8, 1.0).numpy(), rgb_u8.numpy())
        out = fn(rgb_u8, 3.0)
        assert out.dtype == torch.uint8
    x = F.convert_image_dtype(rgb_u8, torch.float32)
    np.testing.assert_allclose(F.adjust_hue(x, 0.0).numpy(), x.numpy(), atol=1e-6)  # HSV round trip
    gray = F.rgb_to_grayscale(x, 3).numpy()
    assert np.array_equal(gray[0], gray[2])
    np.testing.assert_allclose(gray[0], 0.2989 * x.numpy()[0] + 0.587 * x.numpy()[1] + 0.114 * x.numpy()[2],
                               atol=1e-6)


def test_gaussian_blur_preserves_mean_of_constant_and_smooths(rgb_u8):
    x = F.convert_image_dtype(rgb_u8, torch.float32)
    blurred = F.gaussian_blur(x, 5, 2.0).numpy()
    assert blurred.std() < x.numpy().std()
    np.testing.assert_allclose(F.gaussian_blur(torch.full((3, 6, 6), 0.25), 3).numpy(), 0.25, atol=1e-6)


def test_linear_transformation():
    x = torch.rand(2, 2, 3)
    out = T.LinearTransformation(torch.eye(12) * 2, torch.ones(12))(x)
    np.testing.assert_allclose(out.numpy(), (x.numpy() - 1) * 2, atol=1e-6)


def test_erase(rgb_u8):
    x = F.convert_image_dtype(rgb_u8, torch.float32)
    out = F.erase(x, 1, 2, 3, 4, torch.tensor(0.5))
    assert np.all(out.numpy()[:, 1:4, 2:6] == 0.5) and not np.any(x.numpy()[:, 1:4, 2:6] == 0.5)


# ------------------------------------------------------------------------------------ randomness


def _pipeline():
    return T.Compose([T.RandomResizedCrop(8), T.RandomHorizontalFlip(), T.ColorJitter(0.4, 0.4, 0.4, 0.1),
                      T.RandomRotation(20), T.RandomAffine(10, (0.1, 0.1), (0.9, 1.1), 5),
                      T.RandomPerspective(p=0.7), T.GaussianBlur(3), T.RandomErasing(p=0.7, value="random")])


def test_seeded_pipeline_repeats(rgb_u8):
    x = F.convert_image_dtype(rgb_u8, torch.float32)
    torch.manual_seed(3)
    a = _pipeline()(x).numpy()
    torch.manual_seed(3)
    b = _pipeline()(x).numpy()
    c = _pipeline()(x).numpy()
    assert a.shape == (3, 8, 8) and np.array_equal(a, b) and not np.array_equal(a, c)


def test_p0_and_p1(rgb_u8, photo):
    for cls, fn in ((T.RandomHorizontalFlip, F.hflip), (T.RandomVerticalFlip, F.vflip)):
        assert cls(p=0.0)(rgb_u8) is rgb_u8
        assert np.array_equal(cls(p=1.0)(rgb_u8).numpy(), fn(rgb_u8).numpy())
    assert T.RandomGrayscale(p=0.0)(photo) is photo
    assert T.RandomGrayscale(p=1.0)(photo).mode == "RGB"  # keeps the number of channels
    assert T.RandomPerspective(p=0.0)(rgb_u8) is rgb_u8
    assert T.RandomApply([T.Lambda(lambda im: None)], p=0.0)(rgb_u8) is rgb_u8
    assert T.RandomApply([T.Lambda(lambda im: "applied")], p=1.0)(rgb_u8) == "applied"
    x = F.convert_image_dtype(rgb_u8, torch.float32)
    assert T.RandomErasing(p=0.0)(x) is x
    erased = T.RandomErasing(p=1.0, value=(1, 2, 3))(x).numpy()
    assert (erased == 3).any() and (erased != x.numpy()).sum() > 0


def test_random_crop_and_resized_crop_params(rgb_u8):
    for _ in range(20):
        i, j, h, w = T.RandomCrop.get_params(rgb_u8, (5, 6))
        assert 0 <= i <= 12 - 5 and 0 <= j <= 17 - 6 and (h, w) == (5, 6)
        i, j, h, w = T.RandomResizedCrop.get_params(rgb_u8, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 < h <= 12 and 0 < w <= 17 and i + h <= 12 and j + w <= 17
    out = T.RandomCrop(20, padding=2, pad_if_needed=True, padding_mode="edge")(rgb_u8)
    assert tuple(out.shape) == (3, 20, 20)
    angle = T.RandomRotation((10, 20)).get_params([10.0, 20.0])
    assert 10 <= angle <= 20
    angle, (tx, ty), scale, (sx, sy) = T.RandomAffine.get_params([-5, 5], [0.1, 0.2], [0.8, 1.2], [-3, 3, -4, 4],
                                                                 [50, 40])
    assert abs(angle) <= 5 and abs(tx) <= 5 and abs(ty) <= 8 and 0.8 <= scale <= 1.2 and abs(sy) <= 4


def test_random_choice_and_order_use_pythons_random(rgb_u8):
    transforms = [T.Lambda(lambda s: s + "a"), T.Lambda(lambda s: s + "b"), T.Lambda(lambda s: s + "c")]
    random.seed(0)
    outs = {T.RandomOrder(transforms)("") for _ in range(30)}
    assert outs <= {"abc", "acb", "bac", "bca", "cab", "cba"} and len(outs) > 1
    assert {T.RandomChoice(transforms, p=[0, 1, 0])("") for _ in range(10)} == {"b"}


def test_color_jitter_draws_in_range():
    order, b, c, s, h = T.ColorJitter.get_params((0.5, 1.5), None, (1.0, 2.0), (-0.1, 0.1))
    assert sorted(order.tolist()) == [0, 1, 2, 3] and c is None
    assert 0.5 <= b <= 1.5 and 1.0 <= s <= 2.0 and -0.1 <= h <= 0.1


# ---------------------------------------------------------------------------------------- errors


def test_errors_name_the_expected_input():
    with pytest.raises(TypeError, match=r"img should be PIL Image or Tensor. Got <class 'list'>"):
        F.hflip([1, 2])
    with pytest.raises(TypeError, match=r"img should be PIL Image or Tensor. Got <class 'numpy.ndarray'>"):
        T.Resize(4)(np.zeros((4, 4, 3)))
    with pytest.raises(TypeError, match=r"pic should be PIL Image or ndarray. Got <class 'list'>"):
        T.ToTensor()([1])
    with pytest.raises(TypeError, match=r"img should be Tensor Image"):
        T.Normalize([0.5], [0.5])(Image.new("RGB", (4, 4)))
    with pytest.raises(TypeError, match=r"Input tensor should be a float tensor. Got torch.uint8"):
        F.normalize(torch.zeros(3, 2, 2, dtype=torch.uint8), [0.5], [0.5])
    with pytest.raises(TypeError, match=r"img should be Tensor Image"):
        T.RandomErasing(p=1.0)(Image.new("RGB", (4, 4)))
    with pytest.raises(ValueError, match=r"Required crop size \(20, 20\) is larger than input image size"):
        T.RandomCrop(20)(torch.zeros(3, 5, 5))
    with pytest.raises(ValueError, match=r"Padding mode should be either constant, edge, reflect or symmetric"):
        F.pad(torch.zeros(1, 3, 3), 1, padding_mode="wrap")


@pytest.mark.parametrize("interpolation,antialias", [("bilinear", True), ("bilinear", False), ("bicubic", True),
                                                     ("nearest", True)])
def test_tensor_resize_is_differentiable(interpolation, antialias):
    """A float image that requires grad keeps its graph through Resize (torchvision's float ops do)."""
    image = torch.tensor(np.random.default_rng(0).random((2, 6, 7)), dtype=torch.float64, requires_grad=True)
    def resize(x):
        return F.resize(x, [4, 9], interpolation=InterpolationMode(interpolation), antialias=antialias)
    out = resize(image)
    assert out.requires_grad and out.grad_fn is not None
    np.testing.assert_allclose(out.detach().numpy(), resize(image.detach()).numpy(), rtol=1e-12)
    assert gradcheck(resize, (image,))
