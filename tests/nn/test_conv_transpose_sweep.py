"""conv_transpose1d / conv_transpose2d over every small combination of their arguments, against PyTorch.

Issue 18: the backward crashed (``matmul: ... mismatch in its core dimension``) when output_padding >= stride
(allowed while output_padding < dilation): the convolution of grad_out then has more windows than the input
has pixels. The sweep compares the forward, the three gradients and, for invalid arguments, the exception
type, for stride 1-3, padding 0-2, dilation 1-2, groups 1-2, output_padding 0-2, odd and even sizes,
kernels 2 and 3, with and without bias.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import edutorch
import edutorch.nn.functional as F
from edutorch.autograd import gradcheck


@pytest.mark.parametrize("dims", [1, 2])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_conv_transpose_sweep(torch, dims, stride):
    rng = np.random.default_rng(dims * 10 + stride)
    name = f"conv_transpose{dims}d"
    ours_fn, theirs_fn = getattr(F, name), getattr(torch.nn.functional, name)
    checked = raised = 0
    for padding, dilation, groups, output_padding, size, bias, k in itertools.product(
            (0, 1, 2), (1, 2), (1, 2), (0, 1, 2), (3, 4), (False, True), (2, 3)):
        spatial = (size,) if dims == 1 else (size, size + 1)  # odd and even sizes, non-square images
        kernel = (k,) if dims == 1 else (k, 2)
        x = rng.standard_normal((2, 2 * groups) + spatial)
        w = rng.standard_normal((2 * groups, 2) + kernel)
        b = rng.standard_normal(2 * groups)
        kw = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups,
              "output_padding": output_padding}
        where = f"{name}(x{list(x.shape)}, w{list(w.shape)}, bias={bias}, {kw})"
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        ex, ew, eb = (edutorch.tensor(a, requires_grad=True) for a in (x, w, b))
        try:
            to = theirs_fn(tx, tw, tb if bias else None, **kw)
        except RuntimeError:
            with pytest.raises(RuntimeError):
                ours_fn(ex, ew, eb if bias else None, **kw)
            raised += 1
            continue
        eo = ours_fn(ex, ew, eb if bias else None, **kw)
        np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=where)
        g = rng.standard_normal(tuple(to.shape))
        to.backward(torch.tensor(g))
        eo.backward(edutorch.tensor(g))
        for what, ours, theirs in [("x", ex, tx), ("w", ew, tw)] + ([("b", eb, tb)] if bias else []):
            np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12,
                                       err_msg=f"grad of {what} in {where}")
        checked += 1
    # output_padding >= stride (the crashing case) is among the valid ones when stride < dilation;
    # with stride 3 every output_padding 0-2 is valid
    assert checked > 100 and (raised > 10 if stride < 3 else raised == 0), (checked, raised)


@pytest.mark.parametrize("dims", [1, 2])
def test_conv_transpose_output_padding_beyond_stride_gradcheck(dims):
    """output_padding 1 with stride 1 is valid because dilation is 2: finite differences agree."""
    x = edutorch.randn(1, 4, *(3,) * dims, dtype=edutorch.float64, requires_grad=True)
    w = edutorch.randn(4, 3, *(2,) * dims, dtype=edutorch.float64, requires_grad=True)
    b = edutorch.randn(6, dtype=edutorch.float64, requires_grad=True)
    fn = getattr(F, f"conv_transpose{dims}d")
    kw = {"stride": 1, "padding": 1, "dilation": 2, "groups": 2, "output_padding": 1}
    assert fn(x, w, b, **kw).shape[2:] == (4,) * dims
    assert gradcheck(lambda x, w, b: fn(x, w, b, **kw), (x, w, b))
