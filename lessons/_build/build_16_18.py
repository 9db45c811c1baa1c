#!/usr/bin/env python
"""Build lessons 16 (ResNet from source) and 18 (GAN), execute them, and check them against PyTorch.

    python lessons/_build/build_16_18.py
    python lessons/_build/build_16_18.py --torch --twin-kernel=torchvision-oracle

Lesson 18 trains for ``EDUTORCH_LESSON_EPOCHS`` epochs (default 8; 3 under pytest, see
``lessons/conftest.py``); its epoch-dependent outputs are ignored and followed by checks.
"""
from __future__ import annotations

import sys

from _common import IGNORE, code, main, md, setup  # the shared machinery: lessons/_build/_common.py

# ===================================================================================== 16 ResNet
L16 = [
    md(r"""
    # 16 · ResNet, read from its source

    Before ResNet (He et al., 2015), stacking more layers eventually made networks *worse*, even on
    the training data. ResNet's fix is one line: a block computes $F(x)$ and outputs
    $\mathrm{relu}(F(x) + x)$. The **shortcut** (捷径连接) carries $x$ — and its gradient — past the block
    unchanged, so 50, 101 or 152 layers still train.

    **Goals.** After this lesson you can

    - explain residual learning and show why the shortcut helps gradients flow;
    - read `BasicBlock` and `Bottleneck`, and say what `expansion` means;
    - follow the shapes through the stem and the four stages, and map the code to the paper's table;
    - say when a block needs a `downsample` shortcut, and what `zero_init_residual` does;
    - classify digits with the shipped pretrained model and read its top-5.
    """),
    setup("from pathlib import Path", nn=True, engine_imports=(
        "from edutorch.utils.data import DataLoader",
        "from edutorch.vision import datasets, models, transforms",
        "from edutorch.vision.models.resnet import BasicBlock, Bottleneck",
    )),
    md(r"""
    ## 1. Why a shortcut helps

    Take 30 layers of `Linear(16, 16) + tanh`, once plain and once with a shortcut around each layer,
    and measure the gradient that reaches the first layer. In the plain stack it is multiplied by
    30 Jacobians and shrinks; the shortcut adds an identity to each of them, so it survives.
    """),
    code(r"""
    class Plain(nn.Module):
        def __init__(self, depth=30, width=16):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])

        def forward(self, x):
            for layer in self.layers:
                x = torch.tanh(layer(x))
            return x

    class Residual(Plain):
        def forward(self, x):
            for layer in self.layers:
                x = x + torch.tanh(layer(x))        # the shortcut: F(x) + x
            return x

    def first_layer_grad(model):
        model(torch.randn(8, 16)).pow(2).mean().backward()
        return model.layers[0].weight.grad.norm().item()

    torch.manual_seed(0)
    plain, residual = Plain(), Residual()
    residual.load_state_dict(plain.state_dict())        # the same weights in both
    plain_grad, residual_grad = first_layer_grad(plain), first_layer_grad(residual)
    print(residual_grad > 10 * plain_grad)
    """),
    code(rf"""
    {IGNORE}
    # the numbers depend on the random weights
    print(f"plain: {{plain_grad:.2e}}   residual: {{residual_grad:.2e}}")
    """),
    md(r"""
    ## 2. `BasicBlock`: two 3×3 convolutions and a shortcut

    ResNet-18 and -34 are built from it: conv–BN–ReLU, conv–BN, add the input, ReLU. When the block
    keeps the shape, the shortcut is the identity.
    """),
    code(r"""
    block = BasicBlock(64, 64)
    print(block)
    x = torch.randn(2, 64, 56, 56)
    print(tuple(block(x).shape), BasicBlock.expansion)
    """),
    md(r"""
    When a block halves the resolution (`stride=2`) and doubles the channels, `x` no longer has the
    output's shape, so the shortcut becomes a **downsample**: a 1×1 convolution with the same stride,
    then batch norm.
    """),
    code(r"""
    downsample = nn.Sequential(nn.Conv2d(64, 128, kernel_size=1, stride=2, bias=False), nn.BatchNorm2d(128))
    block = BasicBlock(64, 128, stride=2, downsample=downsample)
    print(tuple(block(x).shape))
    """),
    md(r"""
    ## 3. `Bottleneck`: 1×1 narrow, 3×3, 1×1 wide

    ResNet-50/101/152 use a cheaper block: a 1×1 convolution narrows the channels (256 → 64), the 3×3
    works on the narrow tensor, a 1×1 widens again by `expansion = 4` (64 → 256). Fewer parameters than
    two 3×3 convolutions at full width, and one more nonlinearity.
    """),
    code(r"""
    bottleneck = Bottleneck(256, 64)                 # planes=64, output channels 64 * expansion = 256
    print(Bottleneck.expansion, tuple(bottleneck(torch.randn(1, 256, 14, 14)).shape))
    count = lambda m: sum(p.numel() for p in m.parameters())
    print("bottleneck 256->64->256:", count(bottleneck), "| two full 3x3 (BasicBlock 256):", count(BasicBlock(256, 256)))
    """),
    md(r"""
    ## 4. The whole network and the paper's table

    Every ResNet is: a **stem** (7×7 convolution, stride 2, and a 3×3 max pool, stride 2), **four
    stages** `layer1`–`layer4` (64, 128, 256, 512 `planes`; each stage after the first starts with a
    stride-2 block), global average pooling and one linear layer. The depth only changes the block
    type and the number of blocks per stage (Table 1 of the paper):

    | model | block | blocks per stage |
    |---|---|---|
    | ResNet-18 | BasicBlock | 2, 2, 2, 2 |
    | ResNet-34 | BasicBlock | 3, 4, 6, 3 |
    | ResNet-50 | Bottleneck | 3, 4, 6, 3 |
    | ResNet-101 | Bottleneck | 3, 4, 23, 3 |
    | ResNet-152 | Bottleneck | 3, 8, 36, 3 |
    """),
    code(r"""
    for name in ["resnet18", "resnet34", "resnet50"]:
        model = getattr(models, name)(weights=None)
        stages = [len(getattr(model, f"layer{i}")) for i in range(1, 5)]
        print(f"{name:9s} {type(model.layer1[0]).__name__:10s} {stages}  {sum(p.numel() for p in model.parameters()):,} parameters")
    """),
    md(r"""
    Follow the shapes through ResNet-18 for one 224×224 image, with a forward hook on each top-level
    child:
    """),
    code(r"""
    resnet18 = models.resnet18(weights=None).eval()
    shapes = []
    hooks = [child.register_forward_hook(lambda m, i, out, name=name: shapes.append((name, tuple(out.shape))))
             for name, child in resnet18.named_children()]
    with torch.no_grad():
        resnet18(torch.randn(1, 3, 224, 224))
    for h in hooks:
        h.remove()
    for name, shape in shapes:
        print(f"{name:8s} {shape}")
    """),
    md(r"""
    `fc` receives `(1, 512)` because `forward` flattens the pooled tensor (`torch.flatten(x, 1)`)
    between `avgpool` and `fc`. Which blocks need a downsample shortcut? The first block of each stage
    whose input shape differs from its output — in ResNet-50 even `layer1`, where 64 channels become 256:
    """),
    code(r"""
    resnet50 = models.resnet50(weights=None)
    for net, name in [(resnet18, "resnet18"), (resnet50, "resnet50")]:
        print(name, [f"layer{i}" for i in range(1, 5) if getattr(net, f"layer{i}")[0].downsample is not None])
    print(resnet18.layer2[0].downsample)
    """),
    md(r"""
    **`zero_init_residual=True`** sets the last batch-norm weight of every block to zero, so each
    block starts as the identity (`F(x) = 0`, output `relu(x)`): the untrained network behaves like a
    shallower one, which helps large-batch training.
    """),
    code(r"""
    zero = models.resnet18(weights=None, zero_init_residual=True).eval()
    print(all(block.bn2.weight.abs().sum().item() == 0 for stage in [zero.layer1, zero.layer2, zero.layer3, zero.layer4]
              for block in stage))
    x = torch.randn(1, 64, 56, 56).relu()           # block inputs come after a ReLU
    with torch.no_grad():
        print(torch.equal(zero.layer1[0](x), x))
    """),
    md(r"""
    ## 5. Look inside

    Read the source beside the paper: `BasicBlock.forward` is the residual equation, `_make_layer`
    builds a stage (and its downsample), `_forward_impl` is the stem → stages → head order above.
    """),
    code(rf"""
    {IGNORE}
    # edutorch's source
    if EDUTORCH:
        show_source(BasicBlock.forward)
        show_source(models.ResNet._make_layer)
        show_source(models.ResNet._forward_impl)
    """),
    md(r"""
    ## 6. Classifying with a pretrained model: top-5

    No ImageNet weights are downloaded in these lessons, but `data/weights/` ships a small pretrained
    model: a LeNet trained on the real digits (lesson 15). Its checkpoint's tensors, in order, load
    into the same layers written as one `Sequential`. The **top-5** are the five classes with the
    highest probability, as ImageNet results report them.
    """),
    code(r"""
    digit_model = nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(),
        nn.Linear(64, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    state = torch.load("../data/weights/lenet_digits-386f0c7a.pth", weights_only=True)
    digit_model.load_state_dict(dict(zip(digit_model.state_dict(), state.values())))
    digit_model.eval()

    test_data = datasets.MNIST("../data/digits", train=False,
                               transform=transforms.Compose([transforms.ToTensor(),
                                                             transforms.Normalize([0.3054], [0.3753])]))
    images, labels = next(iter(DataLoader(test_data, batch_size=8)))
    with torch.no_grad():
        top5 = digit_model(images).softmax(dim=1).topk(5, dim=1)
    for i in range(4):
        print(f"true {labels[i].item()}:", "  ".join(f"{c}:{p:.2f}" for c, p in zip(top5.indices[i].tolist(),
                                                                                      top5.values[i].tolist())))
    print("top-1 correct:", (top5.indices[:, 0] == labels).sum().item(), "of 8 | in the top-5:",
          (top5.indices == labels[:, None]).any(dim=1).sum().item(), "of 8")
    """),
    md(r"""
    ## Summary

    - A residual block outputs `relu(F(x) + x)`; the shortcut keeps gradients alive through depth.
    - `BasicBlock` (two 3×3, `expansion = 1`) for ResNet-18/34; `Bottleneck` (1×1 → 3×3 → 1×1,
      `expansion = 4`) for ResNet-50/101/152.
    - Stem (stride 4 in total), four stages (each later one halves the resolution and doubles the
      channels), average pool, `fc`. A `downsample` (1×1 conv + BN) shortcut fixes the shape when needed.
    - `zero_init_residual=True` starts every block as the identity.

    ## Exercises

    1. Count the convolutions of ResNet-50 and check that the name's "50" counts them plus `fc`.
    2. Write `BasicBlock.forward` yourself from the printed block and compare outputs with the real one.
    3. Repeat section 1 with 60 layers. What happens to each gradient?
    """),
]

# ===================================================================================== 18 GAN
L18 = [
    md(r"""
    # 18 · Generative adversarial networks

    In **supervised** training (监督学习) a loss compares the model's output with a known answer. A
    **GAN** (生成对抗网络) has no answer to compare with: a **generator** $G$ turns random noise into
    samples, a **discriminator** $D$ says how likely a sample is real, and the two train against each
    other. $D$ learns to tell real from fake; $G$ learns to fool $D$. When neither can improve, $G$'s
    samples look like the data.

    **Goals.** After this lesson you can

    - write the two training steps of a GAN, and say why the discriminator step uses `detach()`;
    - train a GAN that learns a 1-D Gaussian, and check it against the real distribution;
    - train a small DCGAN on the real handwritten digits and watch samples improve over epochs.
    """),
    setup("import os", nn=True, engine_imports=(
        "from edutorch.utils.data import DataLoader",
        "from edutorch.vision import datasets, transforms",
        "from edutorch.vision.utils import make_grid",
    )),
    md(r"""
    ## 1. The two steps

    With labels 1 = real and 0 = fake and the binary cross-entropy $\ell$:

    - **discriminator step**: $\ell(D(x_\text{real}), 1) + \ell(D(G(z)), 0)$, gradients for $D$ only;
    - **generator step**: $\ell(D(G(z)), 1)$ — "make $D$ call the fakes real" — gradients for $G$ only.

    In the discriminator step the fakes are `G(z).detach()`: the graph stops there, so the
    discriminator's loss does not compute (useless) gradients for $G$. Watch the difference:
    """),
    code(r"""
    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    D = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))
    bce = nn.BCEWithLogitsLoss()
    z = torch.randn(4, 2)

    d_loss = bce(D(G(z)), torch.zeros(4, 1))          # no detach: the graph reaches into G
    d_loss.backward()
    print("without detach, G got gradients:", G[0].weight.grad is not None)

    G.zero_grad(set_to_none=True)
    D.zero_grad(set_to_none=True)
    d_loss = bce(D(G(z).detach()), torch.zeros(4, 1))  # detach: the graph stops at the fake samples
    d_loss.backward()
    print("with detach, G got gradients:   ", G[0].weight.grad is not None)
    """),
    md(r"""
    ## 2. A GAN that learns a Gaussian

    Real data: numbers from $\mathcal{N}(4, 1.25^2)$. $G$ maps 8 noise numbers to one number; $D$ maps
    one number to a logit. Each step trains $D$ once, then $G$ once.
    """),
    code(r"""
    torch.manual_seed(0)
    REAL_MEAN, REAL_STD = 4.0, 1.25
    G = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
    D = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
    opt_G = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
    real_label, fake_label = torch.ones(128, 1), torch.zeros(128, 1)

    for step in range(2000):
        real = REAL_MEAN + REAL_STD * torch.randn(128, 1)
        fake = G(torch.randn(128, 8))
        # discriminator: real -> 1, fake -> 0 (fake detached)
        d_loss = bce(D(real), real_label) + bce(D(fake.detach()), fake_label)
        opt_D.zero_grad()
        d_loss.backward()
        opt_D.step()
        # generator: make D answer 1 on fakes
        g_loss = bce(D(fake), real_label)
        opt_G.zero_grad()
        g_loss.backward()
        opt_G.step()

    with torch.no_grad():
        samples = G(torch.randn(5000, 8)).flatten()
    """),
    code(rf"""
    {IGNORE}
    # a random training run
    print(f"generated: mean {{samples.mean().item():.2f}}, std {{samples.std().item():.2f}}   (real: {{REAL_MEAN}}, {{REAL_STD}})")
    grid = np.linspace(-1, 9, 200)
    plt.figure(figsize=(5, 2.5))
    plt.hist(samples.numpy(), bins=60, density=True, alpha=0.6, label="G(z)")
    plt.plot(grid, np.exp(-(grid - REAL_MEAN) ** 2 / (2 * REAL_STD ** 2)) / (REAL_STD * math.sqrt(2 * math.pi)),
             label="real density")
    plt.legend()
    plt.show()
    """),
    code(r"""
    print(abs(samples.mean().item() - REAL_MEAN) < 0.5, 0.5 < samples.std().item() < 2.5)
    """),
    md(r"""
    ## 3. A DCGAN on handwritten digits

    A **DCGAN** uses convolutions: the generator grows a noise vector into an image with transposed
    convolutions (lesson 07), the discriminator shrinks an image to one logit with strided
    convolutions. Images are scaled to `[-1, 1]` to match the generator's `tanh`.
    """),
    code(r"""
    EPOCHS = int(os.environ.get("EDUTORCH_LESSON_EPOCHS", "8")) * 4
    NOISE = 16
    to_input = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5], [0.5])])
    digits = datasets.MNIST("../data/digits", train=True, transform=to_input)
    loader = DataLoader(digits, batch_size=64, shuffle=True, drop_last=True)

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.project = nn.Linear(NOISE, 64 * 2 * 2)
            self.net = nn.Sequential(
                nn.BatchNorm2d(64), nn.ReLU(),
                nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),   # 2 -> 4
                nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1), nn.Tanh())                       # 4 -> 8

        def forward(self, z):
            return self.net(self.project(z).view(-1, 64, 2, 2))

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(
                nn.Conv2d(1, 32, 4, stride=2, padding=1), nn.LeakyReLU(0.2),                         # 8 -> 4
                nn.Conv2d(32, 64, 4, stride=2, padding=1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),    # 4 -> 2
                nn.Flatten(), nn.Linear(64 * 2 * 2, 1))

        def forward(self, x):
            return self.net(x)

    torch.manual_seed(0)
    G, D = Generator(), Discriminator()
    print(tuple(G(torch.randn(2, NOISE)).shape), tuple(D(torch.randn(2, 1, 8, 8)).shape))
    """),
    code(r"""
    opt_G = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
    fixed_noise = torch.randn(32, NOISE)          # the same noise every time: watch one set of samples evolve
    snapshots, d_losses, g_losses = [], [], []

    for epoch in range(EPOCHS):
        for real, _ in loader:
            ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
            fake = G(torch.randn(len(real), NOISE))
            d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
            opt_D.zero_grad()
            d_loss.backward()
            opt_D.step()
            g_loss = bce(D(fake), ones)
            opt_G.zero_grad()
            g_loss.backward()
            opt_G.step()
        d_losses.append(d_loss.item())
        g_losses.append(g_loss.item())
        if epoch in (0, EPOCHS // 2, EPOCHS - 1):
            G.eval()
            with torch.no_grad():
                snapshots.append((epoch, G(fixed_noise)))
            G.train()
    """),
    code(rf"""
    {IGNORE}
    # random training: samples of the fixed noise after the first, middle and last epoch
    real_batch = next(iter(loader))[0][:32]
    fig, axes = plt.subplots(1, len(snapshots) + 1, figsize=(10, 2.6))
    for ax, (title, batch) in zip(axes, [(f"epoch {{e + 1}}", b) for e, b in snapshots] + [("real", real_batch)]):
        ax.imshow(make_grid(batch * 0.5 + 0.5, nrow=8, pad_value=1.0).permute(1, 2, 0).numpy())
        ax.set_title(title)
        ax.axis("off")
    plt.show()
    print("last D loss", round(d_losses[-1], 3), "| last G loss", round(g_losses[-1], 3))
    """),
    code(r"""
    last = snapshots[-1][1]
    print(tuple(last.shape), last.min().item() >= -1, last.max().item() <= 1,
          all(math.isfinite(v) for v in d_losses + g_losses))
    """),
    md(r"""
    A GAN's losses do not go to zero as in supervised training: $D$ and $G$ keep pushing each other,
    and the numbers oscillate. Judge a GAN by its samples (and, in research, by statistics such as the
    FID), not by its loss.

    ## Summary

    - $D$ step: real → 1, `G(z).detach()` → 0, update $D$. $G$ step: $D(G(z))$ → 1, update $G$.
    - `detach()` in the $D$ step cuts the graph, so $D$'s loss does not reach $G$.
    - DCGAN: transposed convolutions up, strided convolutions down, batch norm, `tanh` output with
      data scaled to `[-1, 1]`, Adam with `betas=(0.5, 0.999)`.

    ## Exercises

    1. In the 1-D GAN, make $G$ too small (one hidden unit). What do its samples look like?
    2. Remove `detach()` from the $D$ step of the DCGAN (and keep `opt_D.zero_grad()` / `opt_G.zero_grad()`
       where they are). Does training still work? Why is it wasteful?
    3. Condition the DCGAN on the digit label (concatenate a one-hot label to the noise and to $D$'s
       features) and generate a chosen digit.
    """),
]

NOTEBOOKS = {"16_resnet_from_source": L16, "18_gan": L18}

if __name__ == "__main__":
    sys.exit(main(NOTEBOOKS, sys.argv[1:]))
