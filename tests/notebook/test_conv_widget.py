"""ConvPlayground and its pure functions, headless: geometry vs the engine, numbers, figure artists."""
import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import edutorch
import edutorch.nn.functional as F
from edutorch.notebook.widgets.conv import (GALLERY_CASES, ConvPlayground, conv_gallery, conv_geometry,
                                            default_input, playground_numbers, pool_geometry, window_value)


def _gids(fig, gid):
    return [p for ax in fig.axes for p in ax.patches if p.get_gid() == gid]


def _texts(fig, gid):
    return [t for ax in fig.axes for t in ax.texts if t.get_gid() == gid]


def _check_against_engine(geo):
    """Valid exactly when the engine accepts it; same output size; every window sum = engine number."""
    num = playground_numbers(geo)
    assert geo["valid"] == (num["output"] is not None), (geo, num["engine_error"])
    if not geo["valid"]:
        assert geo["reason"]
        return
    n = geo["output_size"]
    assert num["output"].shape == (n, n)
    assert len(geo["positions"]) == n * n
    for step in range(n * n):
        value, text = window_value(geo, num, step)
        assert value == pytest.approx(float(num["output"].reshape(-1)[step]), rel=1e-5, abs=1e-4), (geo, step)
        assert text.endswith(text.split("=")[-1])


def test_lesson_example_top_left():
    geo = conv_geometry(5, 3)
    num = playground_numbers(geo)
    assert geo["output_size"] == 3 and geo["canvas_size"] == 5
    assert geo["positions"][0] == [(r, c) for r in range(3) for c in range(3)]
    value, text = window_value(geo, num, 0)
    assert value == 62 == num["output"][0, 0]
    assert text == "0·0 + 1·1 + 2·2 + 5·2 + 6·2 + 7·0 + 10·0 + 11·1 + 12·2 = 62"
    x, k = edutorch.tensor(default_input(5)), edutorch.tensor(num["kernel"])
    np.testing.assert_array_equal(num["output"], F.conv2d(x[None, None], k[None, None])[0, 0].numpy())
    assert geo["formula"].endswith("= 3")


def test_window_positions_stride_padding_dilation():
    geo = conv_geometry(5, 3, stride=2, padding=1)
    assert geo["windows"] == [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    assert geo["input_index"] == [1, 2, 3, 4, 5] and geo["canvas_size"] == 7
    dil = conv_geometry(7, 3, dilation=2)
    assert dil["span"] == 5 and dil["output_size"] == 3
    assert dil["positions"][4] == [(1 + 2 * u, 1 + 2 * v) for u in range(3) for v in range(3)]


@pytest.mark.parametrize("case", GALLERY_CASES, ids=[c["name"] for c in GALLERY_CASES])
def test_gallery_cases_match_engine(case):
    case = dict(case)
    case.pop("name")
    geo = conv_geometry(**case)
    assert geo["valid"]
    _check_against_engine(geo)


def test_gallery_output_sizes_are_conv_arithmetic():
    sizes = [conv_geometry(**{k: v for k, v in c.items() if k != "name"})["output_size"] for c in GALLERY_CASES]
    assert sizes == [2, 6, 5, 7, 2, 3, 3, 3, 4, 5, 5, 5, 5, 5, 6]


def test_grid_of_convolutions_matches_engine():
    for H, k, s, p, d in itertools.product((1, 2, 5), (1, 2, 3), (1, 2, 3), (0, 1, 2), (1, 2)):
        _check_against_engine(conv_geometry(H, k, s, p, d))
        for op in (0, 1):
            _check_against_engine(conv_geometry(H, k, s, p, d, transposed=True, output_padding=op))


def test_grid_of_poolings_matches_engine():
    for H, k, s, p, d, ceil in itertools.product((1, 2, 4, 5), (1, 2, 3), (1, 2, 3), (0, 1), (1, 2), (False, True)):
        _check_against_engine(pool_geometry(H, k, s, p, d, ceil, "max"))
        if d == 1:
            _check_against_engine(pool_geometry(H, k, s, p, 1, ceil, "avg"))


def test_transposed_inserts_zeros_and_pads_k_minus_1_minus_p():
    geo = conv_geometry(3, 3, stride=2, padding=1, transposed=True, output_padding=1)
    # 3 inputs with one zero between them (5 cells), padded by 3-1-1 = 1 before and 1+1 after
    assert geo["zero_inserted_size"] == 5 and geo["equivalent_padding"] == 1
    assert geo["input_index"] == [1, 3, 5] and geo["canvas_size"] == 8
    assert geo["output_size"] == 6 and geo["formula"].endswith("= 6")
    num = playground_numbers(geo)
    np.testing.assert_array_equal(num["kernel_on_canvas"], num["kernel"][::-1, ::-1])
    dil = conv_geometry(3, 3, stride=1, padding=0, dilation=2, transposed=True)
    assert dil["equivalent_padding"] == 4 and dil["output_size"] == 7
    _check_against_engine(dil)


def test_invalid_combinations_are_explained():
    big = conv_geometry(5, 7)
    assert not big["valid"] and "(7×7)" in big["reason"] and "5 + 2·0 = 5" in big["reason"]
    dilated = conv_geometry(4, 3, dilation=2)
    assert not dilated["valid"] and "span 2·(3 − 1) + 1 = 5" in dilated["reason"]
    assert "output_padding" in conv_geometry(3, 3, stride=1, transposed=True, output_padding=1)["reason"]
    assert "at most half" in pool_geometry(5, 2, 2, padding=2)["reason"]
    assert "dilation" in pool_geometry(5, 2, 2, dilation=2, mode="avg")["reason"]
    num = playground_numbers(big)
    assert num["output"] is None and "Kernel size can't be greater" in num["engine_error"]


def test_ceil_mode_window_reaching_past_the_input():
    geo = pool_geometry(5, 2, 2, ceil_mode=True)
    assert geo["output_size"] == 3 and geo["canvas_size"] == 6 and geo["outside_from"] == 5
    num = playground_numbers(geo)
    assert np.isnan(num["canvas"][5]).all()
    assert window_value(geo, num, 8) == (24.0, "max(24) = 24")
    avg = pool_geometry(5, 2, 2, ceil_mode=True, mode="avg")
    assert window_value(avg, playground_numbers(avg), 2)[1] == "(4 + 9) / 2 = 6.5"


def test_engine_numbers_match_torch(torch):
    for case in GALLERY_CASES:
        case = {k: v for k, v in case.items() if k != "name"}
        geo = conv_geometry(**case)
        num = playground_numbers(geo)
        x = torch.tensor(num["input"])[None, None]
        w = torch.tensor(num["kernel"])[None, None]
        fn = torch.nn.functional.conv_transpose2d if geo["transposed"] else torch.nn.functional.conv2d
        kw = dict(output_padding=geo["output_padding"]) if geo["transposed"] else {}
        ref = fn(x, w, stride=geo["stride"], padding=geo["padding"], dilation=geo["dilation"], **kw)
        np.testing.assert_allclose(num["output"], ref[0, 0].numpy(), rtol=1e-6)


def test_playground_sliders_play_and_figure():
    pg = ConvPlayground()
    fig = pg.figure
    assert pg.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(_gids(fig, "input")) == 25 and len(_gids(fig, "tap")) == 9
    assert len(_gids(fig, "out")) + len(_gids(fig, "current")) == 9 and len(_gids(fig, "current")) == 1
    assert "engine (F.conv2d): out[0, 0] = 62" in pg.info.value

    pg.padding.value = 1
    pg.stride.value = 2
    assert pg.geometry["output_size"] == 3 and pg.step.max == 8 and pg.play.max == 8
    assert len(_gids(pg.figure, "pad")) == 7 * 7 - 25
    pg.play.value = 4                      # the Play control drives the step slider
    assert pg.step.value == 4
    assert sorted(p.get_xy() for p in _gids(pg.figure, "tap")) == sorted(
        (c - 0.5, r - 0.5) for r in (2, 3, 4) for c in (2, 3, 4))
    assert len(_texts(pg.figure, "output")) == 5   # outputs computed so far: cells 0..4
    expected = F.conv2d(edutorch.tensor(default_input(5))[None, None],
                        edutorch.tensor(pg.numbers["kernel"])[None, None], stride=2, padding=1)
    assert "out[1, 1] = " in pg.info.value
    assert float(expected[0, 0, 1, 1]) == window_value(pg.geometry, pg.numbers, 4)[0]

    pg.kernel_size.value = 7
    pg.padding.value = 0
    assert not pg.geometry["valid"] and "invalid" in pg.info.value and "edutorch says" in pg.info.value
    assert [t.get_gid() for t in pg.figure.axes[0].texts] == ["reason"]


def test_playground_transposed_toggle_and_examples():
    pg = ConvPlayground(input_size=2, kernel_size=3)
    pg.transposed.value = True
    g = pg.geometry
    assert g["kind"] == "conv_transpose" and g["output_size"] == 4 and g["canvas_size"] == 6
    assert len(_gids(pg.figure, "pad")) == 36 - 4
    assert "F.conv_transpose2d" in pg.info.value and "padded by d·(k − 1) − p = 2" in pg.info.value

    names = [c["name"] for c in GALLERY_CASES]
    pg.example.value = names.index("padding, strides (odd), transposed")
    assert (pg.input_size.value, pg.stride.value, pg.padding.value, pg.output_padding.value) == (3, 2, 1, 1)
    assert pg.transposed.value and pg.geometry["output_size"] == 6
    assert len(_gids(pg.figure, "zero")) == 5 * 5 - 9      # the zeros inserted between the 3x3 inputs
    pg.stride.value = 3                                    # a manual change leaves the example
    assert pg.example.value == -1


def test_playground_pooling_mode():
    pg = ConvPlayground(input_size=5, kernel_size=2, stride=2, mode="max")
    assert pg.geometry["kind"] == "max_pool" and pg.geometry["output_size"] == 2
    assert pg.transposed.disabled and not pg.ceil_mode.disabled
    pg.ceil_mode.value = True
    assert pg.geometry["output_size"] == 3 and len(_gids(pg.figure, "outside")) == 36 - 25
    np.testing.assert_array_equal(pg.numbers["output"], F.max_pool2d(
        edutorch.tensor(default_input(5))[None, None], 2, 2, ceil_mode=True)[0, 0].numpy())
    pg.mode.value = "avg"
    pg.step.value = 8
    assert "F.avg_pool2d" in pg.info.value and "out[2, 2] = (24) / 1 = 24" in pg.info.value


def test_custom_input_and_kernel():
    x = np.ones((4, 4), dtype=np.float32)
    w = np.full((2, 2), 2.0, dtype=np.float32)
    pg = ConvPlayground(x=x, weight=w)
    assert pg.geometry["input_size"] == 4 and pg.geometry["kernel_size"] == 2
    np.testing.assert_array_equal(pg.numbers["output"], np.full((3, 3), 8.0))


def test_gallery_figure():
    fig = conv_gallery()
    assert len(fig.axes) == len(GALLERY_CASES)
    for ax, case in zip(fig.axes, GALLERY_CASES):
        assert ax.get_title().startswith(case["name"])
        assert sum(p.get_gid() == "current" for p in ax.patches) == 1
        assert sum(p.get_gid() == "tap" for p in ax.patches) == case["kernel_size"] ** 2
