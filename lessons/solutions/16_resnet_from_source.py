# Solutions to the exercises of lesson 16 (ResNet, read from its source).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
class MyBasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None                       # the identity shortcut
        if stride != 1 or inplanes != planes:        # the shape changes: project x to the new shape
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)                # ReLU after the addition

# %% Exercise 2
def stage_shapes(size, expansion):
    def out(h, k, s, p):
        return (h + 2 * p - k) // s + 1

    h = out(out(size, 7, 2, 3), 3, 2, 1)             # stem: conv1, then max pool
    shapes = []
    for i, planes in enumerate([64, 128, 256, 512]):
        if i > 0:
            h = out(h, 3, 2, 1)                      # the stage's first block has stride 2
        shapes.append((planes * expansion, h, h))
    return shapes

# %% Exercise 3
def basic_resnet_params(blocks, num_classes=1000):
    conv = lambda cin, cout, k: cin * cout * k * k   # bias=False
    bn = lambda c: 2 * c                             # weight and bias per channel
    total = conv(3, 64, 7) + bn(64)                  # stem
    inplanes = 64
    for planes, n in zip([64, 128, 256, 512], blocks):
        for b in range(n):
            total += conv(inplanes, planes, 3) + bn(planes) + conv(planes, planes, 3) + bn(planes)
            if b == 0 and inplanes != planes:        # the downsample shortcut
                total += conv(inplanes, planes, 1) + bn(planes)
            inplanes = planes
    return total + 512 * num_classes + num_classes  # fc

# %% Exercise 4
def zero_init_residual(model):
    for m in model.modules():
        if hasattr(m, "bn3"):                        # a Bottleneck: conv1, conv2, conv3 (bn3 last)
            nn.init.zeros_(m.bn3.weight)
        elif hasattr(m, "conv2") and hasattr(m, "bn2"):   # a BasicBlock: bn2 last
            nn.init.zeros_(m.bn2.weight)
    return model
