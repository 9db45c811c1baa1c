"""Checks for the exercises of lesson 07 (convolution and pooling)."""
from __future__ import annotations

import math

from . import Hint, LessonChecks, exercise


class Checks(LessonChecks):
    @exercise(1, "conv2d by hand")
    def ex1(self, conv2d):
        torch, F = self.torch, self.torch.nn.functional
        torch.manual_seed(0)
        cases = [  # input shape, weight shape, with a bias?, stride, padding
            ((1, 1, 5, 5), (1, 1, 3, 3), False, 1, 0),
            ((2, 3, 7, 6), (4, 3, 3, 2), True, 1, 0),
            ((2, 3, 7, 6), (4, 3, 3, 2), True, 2, 1),
            ((1, 2, 8, 9), (3, 2, 2, 3), False, 3, 2),
        ]
        for x_shape, w_shape, with_bias, s, p in cases:
            x = torch.randint(-3, 4, x_shape).float().requires_grad_()
            w = torch.randint(-2, 3, w_shape).float().requires_grad_()
            b = torch.randint(-5, 6, (w_shape[0],)).float().requires_grad_() if with_bias else None
            what = f"conv2d(x {x_shape}, weight {w_shape}{', bias' if with_bias else ''}, stride={s}, padding={p})"
            out = conv2d(x, w, bias=b, stride=s, padding=p)
            self.is_tensor(out, what)
            expected = F.conv2d(x, w, b, stride=s, padding=p)
            with torch.no_grad():
                mistakes = [
                    (F.conv2d(x, w.flip((2, 3)), b, stride=s, padding=p),
                     "you flipped the kernel: that is the mathematical convolution. F.conv2d computes a "
                     "cross-correlation and uses the kernel as it is."),
                    (F.conv2d(x, w, b, stride=1, padding=p),
                     f"the output is that of stride 1: with stride={s} the window moves {s} pixels at a time "
                     f"(F.unfold(..., stride=stride), or slices with step `stride`)."),
                    (F.conv2d(x, w, b, stride=s, padding=0),
                     f"the output is that of padding 0: first surround the input with `padding` rings of zeros "
                     f"(here {p}), with F.unfold(..., padding=padding) or F.pad."),
                ]
                if with_bias:
                    mistakes.append((F.conv2d(x, w, None, stride=s, padding=p),
                                     "the bias is missing: add bias.reshape(1, C_out, 1, 1), one number per output "
                                     "channel."))
                if p:
                    mistakes.append((F.conv2d(x, w, b, stride=s, padding=p)[:, :, 1:-1, 1:-1],
                                     "the output lost its border: padding adds `padding` zeros on both sides."))
            self.close(out, expected.detach(), what, mistakes=mistakes)

            self.require(out.requires_grad, "your output does not require grad: build it from tensor operations on "
                                            "x and weight (no .numpy(), .item() or torch.tensor(...) of results), so "
                                            "that autograd can follow it.")
            g = torch.randint(-2, 3, tuple(expected.shape)).float()
            inputs = [x, w] + ([b] if with_bias else [])
            got = torch.autograd.grad(out, inputs, g, allow_unused=True)
            want = torch.autograd.grad(expected, inputs, g)
            for name, a, e in zip(["x", "weight", "bias"], got, want):
                self.require(a is not None, f"the gradient of your output with respect to {name} is None: "
                                            f"{name} is not used through tensor operations.")
                self.close(a, e, f"the gradient of {what} with respect to {name}")
        return "your conv2d and its gradients equal F.conv2d's, strides, padding and bias included."

    @exercise(2, "the output size")
    def ex2(self, out_size):
        nn = self.torch.nn
        torch = self.torch

        def sizes(settings, ceil_mode=None):
            got = []
            for H, k, s, p, d in settings:
                v = out_size(H, k, s, p, d) if ceil_mode is None else out_size(H, k, s, p, d, ceil_mode=ceil_mode)
                self.answered(v)
                self.require(v is not None, "out_size returned None: did you forget to `return` the size?")
                got.append(float(v))
            return got

        conv = [(H, k, s, p, d) for H in (5, 7, 10) for k in (1, 2, 3, 5) for s in (1, 2, 3) for p in (0, 1, 2)
                for d in (1, 2) if H + 2 * p - d * (k - 1) - 1 >= 0 and (H + k + s + p + d) % 3 == 0]
        expected = [nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)(torch.zeros(1, 1, H, H)).shape[-1]
                    for H, k, s, p, d in conv]
        rows = "(size, kernel, stride, padding, dilation) = " + ", ".join(str(c) for c in conv[:3]) + ", ..."
        self.close(sizes(conv), expected, f"out_size for Conv2d layers {rows}", mistakes=[
            ([(H + 2 * p - (k - 1) - 1) // s + 1 for H, k, s, p, d in conv],
             "the sizes ignore the dilation: a kernel of size k with dilation d spans d * (k - 1) + 1 pixels."),
            ([(H + p - d * (k - 1) - 1) // s + 1 for H, k, s, p, d in conv],
             "the padding counts once: it is added on both sides, so the padded size is size + 2 * padding."),
            ([(H - d * (k - 1) - 1) // s + 1 for H, k, s, p, d in conv], "the sizes ignore the padding."),
            ([(H + 2 * p - d * (k - 1) - 1) / s + 1 for H, k, s, p, d in conv],
             "the sizes are not whole numbers: a leftover too small for another step is dropped, so use floor "
             "division `//`."),
            ([math.ceil((H + 2 * p - d * (k - 1) - 1) / s) + 1 for H, k, s, p, d in conv],
             "the sizes round up although ceil_mode is False: round down (`//`) by default.")])

        pool = [(H, k, s, p, d) for H in (5, 6, 7, 10) for k in (2, 3) for s in (1, 2, 3) for p in range(k // 2 + 1)
                for d in (1, 2) if H + 2 * p - d * (k - 1) - 1 >= 0]
        floor = [(H + 2 * p - d * (k - 1) - 1) // s + 1 for H, k, s, p, d in pool]
        ceil = [-(-(H + 2 * p - d * (k - 1) - 1) // s) + 1 for H, k, s, p, d in pool]
        expected = [nn.MaxPool2d(k, s, p, d, ceil_mode=True)(torch.zeros(1, 1, H, H)).shape[-1]
                    for H, k, s, p, d in pool]
        self.close(sizes(pool, ceil_mode=True), expected, "out_size(..., ceil_mode=True) for MaxPool2d layers",
                   mistakes=[
                       (floor, "with ceil_mode=True the size is rounded up, not down: a last, partial window is kept."),
                       (ceil, "with ceil_mode=True you round up, good, but a last window that would start beyond the "
                              "input (in the right padding) is dropped: if (out - 1) * stride >= size + padding, "
                              "subtract 1.")])
        expected = [nn.MaxPool2d(k, s, p, d)(torch.zeros(1, 1, H, H)).shape[-1] for H, k, s, p, d in pool]
        self.close(sizes(pool, ceil_mode=False), expected, "out_size(..., ceil_mode=False) for MaxPool2d layers",
                   mistakes=[(ceil, "with ceil_mode=False round down, as for a convolution.")])
        return f"your formula gives the size of {len(conv)} Conv2d and {2 * len(pool)} MaxPool2d layers."

    @exercise(3, "the parameters of a conv layer")
    def ex3(self, conv_params):
        nn = self.torch.nn
        cases = [(3, 32, 5, 1, True), (16, 32, 3, 1, True), (8, 8, 3, 8, True), (8, 16, 3, 2, False),
                 (1, 6, 5, 1, True), (64, 128, 1, 1, False), (6, 12, 3, 3, True)]
        got = []
        for c_in, c_out, k, g, bias in cases:
            v = conv_params(c_in, c_out, k, groups=g, bias=bias)
            self.answered(v)
            self.require(v is not None, "conv_params returned None: did you forget to `return` the count?")
            got.append(v)
        expected = [sum(p.numel() for p in nn.Conv2d(c_in, c_out, k, groups=g, bias=bias).parameters())
                    for c_in, c_out, k, g, bias in cases]
        self.close(got, expected, "conv_params for " + ", ".join(
            f"Conv2d({c_in}, {c_out}, {k}" + (f", groups={g}" if g > 1 else "") + ("" if bias else ", bias=False") + ")"
            for c_in, c_out, k, g, bias in cases), mistakes=[
            ([c_out * c_in * k * k + c_out * bias for c_in, c_out, k, g, bias in cases],
             "the counts ignore groups: each output channel sees only c_in / groups input channels, so the weight "
             "has shape (c_out, c_in // groups, k, k)."),
            ([c_out * (c_in // g) * k * k + c_out for c_in, c_out, k, g, bias in cases],
             "the counts include a bias even with bias=False."),
            ([c_out * (c_in // g) * k * k for c_in, c_out, k, g, bias in cases],
             "the biases are missing: with bias=True there is one per output channel."),
            ([c_out * (c_in // g) * k + c_out * bias for c_in, c_out, k, g, bias in cases],
             "the kernel has k * k weights per input channel (it is square), not k."),
            ([c_out * (c_in // g) * k * k + c_in * bias for c_in, c_out, k, g, bias in cases],
             "there is one bias per *output* channel, not per input channel.")])
        return "c_out * (c_in / groups) * k² weights, plus c_out biases, whatever the image size."

    @exercise(4, "max pooling by reshaping")
    def ex4(self, max_pool):
        torch, F = self.torch, self.torch.nn.functional
        torch.manual_seed(0)
        for shape, k in [((2, 3, 8, 6), 2), ((1, 2, 9, 6), 3), ((2, 2, 4, 4), 4), ((1, 2, 7, 9), 2), ((2, 1, 8, 10), 3)]:
            x = torch.randn(shape)
            N, C, H, W = shape
            what = f"max_pool(x {shape}, k={k})"
            try:
                out = max_pool(x, k)
            except (NotImplementedError, Hint):
                raise
            except Exception as error:
                if H % k or W % k:
                    raise Hint(f"{what} raised {type(error).__name__}: {error}. {H} x {W} is not a multiple of {k}: "
                               f"crop the rows and columns that do not fill a window first, as max_pool2d does: "
                               f"x[:, :, :H // k * k, :W // k * k].") from None
                raise
            self.is_tensor(out, what)
            crop = x[:, :, :H // k * k, :W // k * k]
            mistakes = [(crop.reshape(N, C, H // k, W // k, k, k).amax(dim=(4, 5)),
                         "each of your 'windows' mixes pixels from different windows: reshape to "
                         "(N, C, H // k, k, W // k, k), so that axes 3 and 5 run inside a window, and take the "
                         "max over dim=(3, 5)."),
                        (crop.reshape(N, C, H // k, k, W // k, k).mean(dim=(3, 5)),
                         "that is the mean of each window (average pooling); max pooling takes the maximum.")]
            self.close(out, F.max_pool2d(x, k), what, mistakes=mistakes)
        return "reshape + amax is max pooling with stride = window size, floor mode included."
