"""Checks for the exercises of lesson 16 (ResNet, read from its source)."""
from __future__ import annotations

import importlib

from . import Hint, LessonChecks, exercise


def _out(size, k, s, p):
    return (size + 2 * p - k) // s + 1


def _shapes(size, expansion, maxpool=True, strided=True, halving=None):
    """The reference: (C, H, W) after layer1..layer4 of a ResNet for a 3 x size x size input."""
    down = halving or (lambda h, k, s, p: _out(h, k, s, p))
    h = down(size, 7, 2, 3)                       # conv1
    if maxpool:
        h = down(h, 3, 2, 1)                      # maxpool
    shapes = []
    for i, planes in enumerate([64, 128, 256, 512]):
        if i > 0 and strided:
            h = down(h, 3, 2, 1)                  # the stage's first block, stride 2
        shapes.append((planes * expansion, h, h))
    return shapes


def _params(blocks, num_classes=1000, bn=True, downsample=True, fc_bias=True, conv_bias=False, stem=True):
    """The reference: parameters of a BasicBlock ResNet, with switches that make the usual mistakes."""
    def conv(cin, cout, k):
        return cin * cout * k * k + (cout if conv_bias else 0)

    def norm(c):
        return 2 * c if bn else 0

    total = conv(3, 64, 7) + norm(64) if stem else 0
    inplanes = 64
    for i, (planes, n) in enumerate(zip([64, 128, 256, 512], blocks)):
        for b in range(n):
            total += conv(inplanes, planes, 3) + norm(planes) + conv(planes, planes, 3) + norm(planes)
            if b == 0 and downsample and (i > 0 or inplanes != planes):
                total += conv(inplanes, planes, 1) + norm(planes)
            inplanes = planes
    return total + 512 * num_classes + (num_classes if fc_bias else 0)


class Checks(LessonChecks):
    def _vision(self):
        """The engine's vision package: edutorch.vision, or torchvision beside real PyTorch."""
        return importlib.import_module("edutorch.vision" if self.torch.__name__ == "edutorch" else "torchvision")

    def _randomise(self, module):
        """Non-trivial weights and batch-norm statistics, so that every part of the block matters."""
        torch = self.torch
        with torch.no_grad():
            for i, (name, t) in enumerate(sorted(module.state_dict().items())):
                if not t.is_floating_point():
                    continue
                wave = (torch.arange(t.numel(), dtype=torch.float32).reshape(t.shape) * (0.29 + 0.07 * i)).sin()
                if name.endswith("running_var"):
                    t.copy_(1.0 + 0.5 * wave.abs())
                elif name.endswith("weight") and t.dim() == 1:      # batch-norm scale
                    t.copy_(1.0 + 0.3 * wave)
                else:
                    t.copy_(0.2 * wave)

    # ------------------------------------------------------------------ exercises
    @exercise(1, "a BasicBlock module")
    def ex1(self, MyBasicBlock):
        torch, nn = self.torch, self.torch.nn
        resnet = self._vision().models.resnet
        for inplanes, planes, stride in [(8, 8, 1), (8, 16, 2)]:
            downsample = None
            if stride != 1 or inplanes != planes:
                downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False),
                                           nn.BatchNorm2d(planes))
            real = resnet.BasicBlock(inplanes, planes, stride, downsample)
            self._randomise(real)
            mine = MyBasicBlock(inplanes, planes, stride)
            self.require(isinstance(mine, nn.Module), "MyBasicBlock must be an nn.Module subclass.")
            what = f"MyBasicBlock({inplanes}, {planes}, stride={stride})"
            ours, theirs = mine.state_dict(), real.state_dict()
            extra, missing = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
            self.require(not [k for k in extra if k.endswith("conv1.bias") or k.endswith("conv2.bias")
                              or k == "downsample.0.bias"],
                         f"{what} has convolution biases ({', '.join(k for k in extra if k.endswith('bias'))}): "
                         "a convolution followed by batch norm needs none (BN subtracts the mean and adds its own "
                         "bias), so ResNet uses bias=False.")
            if downsample is None:
                self.require(not any(k.startswith("downsample") for k in ours),
                             f"{what} has a downsample, but its input and output have the same shape: the "
                             "shortcut is the identity. Build a downsample only when stride != 1 or "
                             "inplanes != planes.")
            else:
                self.require(any(k.startswith("downsample") for k in ours),
                             f"{what} has no downsample: x is {inplanes} x H x W, the branch gives {planes} x H/2 x "
                             "W/2, so the shortcut must change shape: downsample = nn.Sequential(1x1 conv with "
                             "stride, BatchNorm2d).")
            self.require(not missing and not extra,
                         f"{what}'s parameter names differ from BasicBlock's: missing {missing}, extra {extra}. "
                         "Name the layers conv1, bn1, conv2, bn2 and downsample (an nn.Sequential: 0 = conv, 1 = BN).")
            for key in theirs:
                self.require(tuple(ours[key].shape) == tuple(theirs[key].shape),
                             f"{what}: {key} has shape {tuple(ours[key].shape)}, BasicBlock's has "
                             f"{tuple(theirs[key].shape)}: check the kernel size and the channels.")
            mine.load_state_dict(theirs)
            x = (torch.arange(2 * inplanes * 64, dtype=torch.float32).reshape(2, inplanes, 8, 8) * 0.173).sin() * 2
            for mode in ["eval", "train"]:
                getattr(real, mode)()
                getattr(mine, mode)()
                with torch.no_grad():
                    want = real(x.clone())
                    got = mine(x.clone())
                    self.require(tuple(got.shape) == tuple(want.shape),
                                 f"{what} returns shape {tuple(got.shape)}, expected {tuple(want.shape)}: check the "
                                 "strides (conv1 and the downsample both use `stride`) and the paddings (1 for 3x3).")
                    branch = real.bn2(real.conv2(real.relu(real.bn1(real.conv1(x.clone())))))
                    shortcut = x.clone() if real.downsample is None else real.downsample(x.clone())
                    self.close(got, want, f"{what}'s output ({mode} mode)", atol=1e-4, mistakes=[
                        (branch + shortcut, "the output can be negative: apply ReLU after the addition, "
                                            "relu(F(x) + shortcut)."),
                        (branch.relu() + shortcut, "you apply the ReLU to the branch before adding: the block "
                                                   "computes relu(F(x) + shortcut), the ReLU comes after the sum."),
                        (branch.relu(), "the shortcut is missing: add x (or downsample(x)) to the branch before "
                                        "the final ReLU.")])
        return "same names, same shapes, same outputs as BasicBlock, with and without a downsample."

    @exercise(2, "stage output shapes")
    def ex2(self, stage_shapes):
        for size, expansion in [(224, 1), (224, 4), (100, 4), (33, 1)]:
            got = stage_shapes(size, expansion)
            self.answered(got)
            self.require(got is not None, "stage_shapes returned None: did you forget to `return` the list?")
            got = [tuple(int(v) for v in shape) for shape in got]
            want = _shapes(size, expansion)
            self.require(len(got) == 4, f"return 4 shapes (after layer1 ... layer4), not {len(got)}.")
            if got == want:
                continue
            halves = _shapes(size, expansion, halving=lambda h, k, s, p: h // 2)
            hints = [
                (_shapes(size, 1), "the channels are planes, not planes * expansion: a Bottleneck stage outputs "
                                   "4 times its planes (256, 512, 1024, 2048)."),
                (_shapes(size, expansion, maxpool=False), "the sizes are twice too big: the stem also has a "
                                                          "3x3 max pool with stride 2 after its convolution."),
                (_shapes(size, expansion, strided=False), "layer2, layer3 and layer4 each start with a stride-2 "
                                                          "block that halves height and width."),
                (halves, f"for size {size} you halved with // 2, but a stride-2 layer with padding gives "
                         "(H + 2p - k) // s + 1, which rounds *up* odd sizes (e.g. 25 -> 13)."),
                ([(c, h, h) for (c, _, h) in want], "give (channels, height, width) in that order.")]
            for wrong, hint in hints:
                if got == wrong and wrong != want:
                    raise Hint(hint)
            raise Hint(f"stage_shapes({size}, {expansion}) = {got}, expected {want}.")
        return "224 -> 56, 28, 14, 7 and 100 -> 25, 13, 7, 4: odd sizes round up at each stride."

    @exercise(3, "ResNet-18's parameters from the architecture")
    def ex3(self, basic_resnet_params):
        for blocks, num_classes in [([2, 2, 2, 2], 1000), ([3, 4, 6, 3], 1000), ([2, 2, 2, 2], 10), ([1, 1, 1, 1], 7)]:
            got = basic_resnet_params(blocks, num_classes)
            self.answered(got)
            self.require(got is not None, "basic_resnet_params returned None: did you forget to `return`?")
            want = _params(blocks, num_classes)
            what = f"basic_resnet_params({blocks}, num_classes={num_classes})"
            self.close(got, want, what, atol=0, rtol=0, mistakes=[
                (_params(blocks, num_classes, bn=False), f"{what} leaves out the batch norms: each has a weight "
                                                         "and a bias per channel (2 * C)."),
                (_params(blocks, num_classes, downsample=False), f"{what} leaves out the downsample shortcuts: "
                                                                 "the first block of layer2, layer3 and layer4 has "
                                                                 "a 1x1 conv (in -> out channels) and a BN."),
                (_params(blocks, num_classes, fc_bias=False), f"{what} leaves out fc's bias (num_classes numbers)."),
                (_params(blocks, num_classes, conv_bias=True), f"{what} counts convolution biases: ResNet's "
                                                               "convolutions have bias=False (a BN follows)."),
                (_params(blocks, num_classes, stem=False), f"{what} leaves out the stem: conv1 (7x7, 3 -> 64) "
                                                           "and bn1."),
                (_params(blocks, 1000), f"{what} is the count for 1000 classes: fc has 512 * num_classes "
                                        "weights and num_classes biases."),
                (_params(blocks, num_classes, bn=False, downsample=False),
                 f"{what} leaves out the batch norms and the downsample shortcuts.")])
        return "11,689,512 for ResNet-18, from the architecture alone."

    @exercise(4, "zero_init_residual by hand")
    def ex4(self, zero_init_residual):
        torch = self.torch
        models = self._vision().models
        resnet = models.resnet
        for block, what in [(resnet.BasicBlock, "a BasicBlock ResNet"), (resnet.Bottleneck, "a Bottleneck ResNet")]:
            model = models.ResNet(block, [1, 1, 1, 1], num_classes=10)
            before = {k: v.clone() for k, v in model.state_dict().items()}
            returned = zero_init_residual(model)
            self.require(returned is model, "return the model you changed (`return model`).")
            last = "bn2" if block is resnet.BasicBlock else "bn3"
            want = {f"layer{i}.0.{last}.weight" for i in range(1, 5)}
            after = model.state_dict()
            changed = {k for k in after if not torch.equal(after[k], before[k])}
            zeroed = {k for k in changed if after[k].abs().sum().item() == 0}
            self.require(not any(".downsample." in k for k in changed),
                         f"in {what} you changed the downsample's batch norm: it is on the shortcut, not in the "
                         "residual branch. Only the branch's last BN starts at zero.")
            if block is resnet.Bottleneck:
                self.require(not {f"layer{i}.0.bn2.weight" for i in range(1, 5)} & zeroed or want <= zeroed,
                             "in a Bottleneck the residual branch ends with conv3 and bn3: zero bn3.weight, not bn2.")
            self.require(not any("conv" in k for k in changed),
                         f"in {what} you changed convolution weights: zero the batch norm's weight (its scale), so "
                         "the branch outputs 0 while its convolutions keep their random initialisation.")
            self.require(want <= zeroed, f"in {what}, these are not zero: {sorted(want - zeroed)}.")
            self.require(changed <= want | {k.replace('weight', 'bias') for k in want},
                         f"in {what} you also changed {sorted(changed - want)}: only the last BN's weight of each "
                         "residual branch should be zero.")
            model.eval()
            x = (torch.arange(64 * 36, dtype=torch.float32).reshape(1, 64, 6, 6) * 0.37).sin().relu()
            if block is resnet.BasicBlock:
                with torch.no_grad():
                    self.require(torch.equal(model.layer1[0](x), x),
                                 "layer1[0] (no downsample) should now return its non-negative input unchanged.")
        return "the last BN weight of every residual branch is 0, as zero_init_residual=True makes it."
