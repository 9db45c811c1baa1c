# Common wrong answers to the exercises of lesson 16: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: apply the ReLU to the branch before adding
class MyBasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return out + (x if self.downsample is None else self.downsample(x))

# %% Exercise 2: rounds *up* odd sizes
def stage_shapes(size, expansion):
    h = size // 4
    shapes = []
    for i, planes in enumerate([64, 128, 256, 512]):
        if i > 0:
            h = h // 2
        shapes.append((planes * expansion, h, h))
    return shapes

# %% Exercise 3: leaves out the downsample shortcuts
def basic_resnet_params(blocks, num_classes=1000):
    total = 3 * 64 * 49 + 2 * 64
    inplanes = 64
    for planes, n in zip([64, 128, 256, 512], blocks):
        for _ in range(n):
            total += inplanes * planes * 9 + 2 * planes + planes * planes * 9 + 2 * planes
            inplanes = planes
    return total + 512 * num_classes + num_classes

# %% Exercise 4: not in the residual branch
def zero_init_residual(model):
    for name, m in model.named_modules():
        if isinstance(m, nn.BatchNorm2d) and (name.endswith("bn2") or name.endswith("bn3") or name.endswith("downsample.1")):
            nn.init.zeros_(m.weight)
    return model
