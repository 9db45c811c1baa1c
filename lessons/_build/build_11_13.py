#!/usr/bin/env python
"""Build lessons 11 (the training loop) and 13 (hooks and CAM), execute them, check them against PyTorch.

    python lessons/_build/build_11_13.py                    # write and execute both notebooks
    python lessons/_build/build_11_13.py --torch --twin-kernel=torchvision-oracle
                                 # also run a copy on PyTorch + torchvision (another venv) and compare

Lesson 11 trains for ``EDUTORCH_LESSON_EPOCHS`` epochs (default 8); ``lessons/conftest.py`` sets 3 for
the test suite, so every output that depends on the number of epochs is ignored by nbval and followed
by a check that holds for both.
"""
from __future__ import annotations

import sys

from _common import IGNORE, code, main, md, setup  # the shared machinery: lessons/_build/_common.py

# ===================================================================================== 11 training loop
L11 = [
    md(r"""
    # 11 · The training loop, start to finish

    Every supervised training script has the same five parts, in this order:

    1. **data** (数据): `Dataset` + `transforms` + `DataLoader` (lessons 03–04);
    2. **model** (模型): an `nn.Module` and its initialisation (lessons 06–08, 14);
    3. **loss** (损失函数): what "wrong" means (lesson 09);
    4. **optimizer** (优化器) and learning-rate schedule (lesson 10);
    5. **iteration** (迭代训练): the loop — forward, loss, `zero_grad`, `backward`, `step` — with
       `model.train()` / `model.eval()`, accuracy, logging and checkpoints.

    **Goals.** After this lesson you can write that loop from memory, evaluate correctly
    (`eval()` + `no_grad()`), log to TensorBoard, keep the best checkpoint and resume from it.

    We train **LeNet**, the small network our notes use for CIFAR-10, adapted to the real handwritten
    digits in `data/digits` (grey, so 1 input channel; 8×8 images enlarged to 32×32, LeNet's size).
    """),
    setup("import os", "import shutil", nn=True, engine_imports=(
        "from edutorch.utils.data import DataLoader",
        "from edutorch.utils.tensorboard import SummaryWriter",
        "from edutorch.vision import datasets, transforms",
    )),
    md(r"""
    The number of epochs comes from an environment variable, so that the automatic tests can run a
    short version of this notebook (3 epochs) while you run the full one (8).
    """),
    code(r"""
    EPOCHS = int(os.environ.get("EDUTORCH_LESSON_EPOCHS", "8"))
    BATCH_SIZE, LR = 32, 0.01
    LOG_DIR, CKPT_DIR = "runs/11_training_loop", "checkpoints/11_training_loop"
    shutil.rmtree(LOG_DIR, ignore_errors=True)       # start from empty folders on every run
    shutil.rmtree(CKPT_DIR, ignore_errors=True)
    os.makedirs(CKPT_DIR)
    """),
    md(r"""
    ## Step 1 · Data

    Training images get **augmentation** (a random crop of the padded digit); validation images get
    only the deterministic part. Both are normalised with the training set's mean and standard deviation.
    """),
    code(r"""
    raw = datasets.MNIST("../data/digits", train=True)
    pixels = raw.data.float() / 255
    MEAN, STD = round(pixels.mean().item(), 4), round(pixels.std().item(), 4)
    print("mean", MEAN, "std", STD)

    train_transform = transforms.Compose([
        transforms.Resize(32),
        transforms.RandomCrop(32, padding=2),
        transforms.ToTensor(),
        transforms.Normalize([MEAN], [STD]),
    ])
    valid_transform = transforms.Compose([
        transforms.Resize(32),
        transforms.ToTensor(),
        transforms.Normalize([MEAN], [STD]),
    ])
    train_data = datasets.MNIST("../data/digits", train=True, transform=train_transform)
    valid_data = datasets.MNIST("../data/digits", train=False, transform=valid_transform)
    train_loader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True)
    valid_loader = DataLoader(valid_data, batch_size=120)
    images, labels = next(iter(train_loader))
    print(len(train_data), len(valid_data), "|", len(train_loader), "iterations per epoch |",
          tuple(images.shape), labels.dtype)
    """),
    md(r"""
    ## Step 2 · Model

    LeNet: two conv–ReLU–pool stages, then three fully connected layers. `initialize_weights`
    follows our notes: Xavier for convolutions, a small normal for linear layers, zero biases.
    """),
    code(r"""
    class LeNet(nn.Module):
        def __init__(self, classes, in_channels=3):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, classes)

        def forward(self, x):
            out = F.max_pool2d(F.relu(self.conv1(x)), 2)     # (N, 6, 14, 14)
            out = F.max_pool2d(F.relu(self.conv2(out)), 2)   # (N, 16, 5, 5)
            out = out.view(out.size(0), -1)                  # (N, 400)
            out = F.relu(self.fc1(out))
            out = F.relu(self.fc2(out))
            return self.fc3(out)

        def initialize_weights(self):
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.xavier_normal_(m.weight)
                    nn.init.zeros_(m.bias)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.1)
                    nn.init.zeros_(m.bias)

    torch.manual_seed(0)
    model = LeNet(classes=10, in_channels=1)
    model.initialize_weights()
    print(model)
    print(sum(p.numel() for p in model.parameters()), "parameters;", tuple(model(images).shape))
    """),
    md(r"""
    ## Steps 3 and 4 · Loss, optimizer, schedule
    """),
    code(r"""
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, EPOCHS // 2), gamma=0.1)
    print(criterion, optimizer, sep="\n")
    """),
    md(r"""
    ## Step 5 · Iteration

    Two functions carry the loop. Note the details that are easy to get wrong:

    - `model.train()` before training and `model.eval()` before evaluating (dropout and batch norm
      behave differently; this model has neither, but the habit matters);
    - `torch.no_grad()` while evaluating: no graph is built, which saves memory and time;
    - `optimizer.zero_grad()` every step, because gradients accumulate (lesson 02);
    - `loss.item()` to log a number, never the tensor (that would keep the whole graph alive).
    """),
    code(r"""
    def train_one_epoch(model, loader, criterion, optimizer):
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        for images, labels in loader:
            outputs = model(images)                 # forward
            loss = criterion(outputs, labels)
            optimizer.zero_grad()                   # clear last step's gradients
            loss.backward()                         # backward
            optimizer.step()                        # update
            total_loss += loss.item() * len(labels)
            correct += (outputs.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
        return total_loss / seen, correct / seen


    def evaluate(model, loader, criterion):
        model.eval()
        total_loss, correct, seen = 0.0, 0, 0
        with torch.no_grad():
            for images, labels in loader:
                outputs = model(images)
                total_loss += criterion(outputs, labels).item() * len(labels)
                correct += (outputs.argmax(dim=1) == labels).sum().item()
                seen += len(labels)
        return total_loss / seen, correct / seen
    """),
    md(r"""
    The loop itself: train, evaluate, log, step the schedule, and save a checkpoint whenever the
    validation accuracy improves. The checkpoint holds everything needed to resume (lesson 12).

    *edutorch-only*: `TrainingMonitor` draws the curves live while the loop runs (in a script or under
    the tests it prints lines instead); on PyTorch the same loop prints one line per epoch.
    """),
    code(rf"""
    {IGNORE}
    # training is random; the live monitor is edutorch-only
    writer = SummaryWriter(log_dir=LOG_DIR)
    writer.add_graph(model, images)
    if EDUTORCH:
        from edutorch.notebook import TrainingMonitor
        monitor = TrainingMonitor(metrics=["loss", "acc"], total_steps=EPOCHS - 1)

    best_acc, best_epoch = 0.0, -1
    for epoch in range(EPOCHS):
        train_loss, train_acc = train_one_epoch(model, train_loader, criterion, optimizer)
        valid_loss, valid_acc = evaluate(model, valid_loader, criterion)
        scheduler.step()
        writer.add_scalars("loss", {{"train": train_loss, "valid": valid_loss}}, epoch)
        writer.add_scalars("accuracy", {{"train": train_acc, "valid": valid_acc}}, epoch)
        writer.add_histogram("conv1.weight", model.conv1.weight, epoch)
        if EDUTORCH:
            monitor.log(epoch, loss=train_loss, valid_loss=valid_loss, acc=train_acc, valid_acc=valid_acc)
        else:
            print(f"epoch {{epoch}}: loss {{train_loss:.3f}}/{{valid_loss:.3f}}  acc {{train_acc:.3f}}/{{valid_acc:.3f}}")
        if valid_acc > best_acc:
            best_acc, best_epoch = valid_acc, epoch
            torch.save({{"epoch": epoch, "model_state_dict": model.state_dict(),
                         "optimizer_state_dict": optimizer.state_dict(),
                         "scheduler_state_dict": scheduler.state_dict(), "best_acc": best_acc}},
                       os.path.join(CKPT_DIR, "best.pth"))
    writer.close()
    if EDUTORCH:
        monitor.close()
    print(f"best validation accuracy {{best_acc:.3f}} at epoch {{best_epoch}}")
    """),
    md(r"""
    Chance is 10 % with ten classes. Even the short run is far above it:
    """),
    code(r"""
    print(best_acc > 0.5, 0 <= best_epoch < EPOCHS, sorted(os.listdir(CKPT_DIR)))
    """),
    md(r"""
    ## Resuming from the best checkpoint

    Load the dictionary, put each state back into a freshly built object, and the model predicts
    exactly as it did when it was saved.
    """),
    code(r"""
    checkpoint = torch.load(os.path.join(CKPT_DIR, "best.pth"))
    restored = LeNet(classes=10, in_channels=1)
    restored.load_state_dict(checkpoint["model_state_dict"])
    restored_optimizer = torch.optim.SGD(restored.parameters(), lr=LR, momentum=0.9)
    restored_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    _, acc = evaluate(restored, valid_loader, criterion)
    print(sorted(checkpoint), checkpoint["epoch"] == best_epoch, acc == checkpoint["best_acc"])
    """),
    md(r"""
    ## What went wrong? Look at the mistakes

    The confusion matrix (混淆矩阵) counts, for every true digit (row), which digit the model
    predicted (column). The diagonal is correct; the biggest off-diagonal cells are the digits the
    model mixes up.
    """),
    code(r"""
    restored.eval()
    with torch.no_grad():
        predictions = torch.cat([restored(images).argmax(dim=1) for images, _ in valid_loader])
    targets = valid_data.targets
    # count each (true, predicted) pair: pair number true * 10 + predicted, counted by bincount
    confusion = torch.bincount(targets * 10 + predictions, minlength=100).view(10, 10)
    correct = confusion[torch.arange(10), torch.arange(10)].sum().item()
    print(confusion.sum().item() == len(valid_data), correct / len(valid_data) == acc)
    """),
    code(rf"""
    {IGNORE}
    # depends on the trained weights
    plt.figure(figsize=(4, 4))
    plt.imshow(confusion.numpy(), cmap="Blues")
    plt.xlabel("predicted"); plt.ylabel("true"); plt.xticks(range(10)); plt.yticks(range(10))
    plt.title(f"confusion matrix, accuracy {{acc:.2f}}")
    plt.show()
    """),
    md(r"""
    ## Where the logs went

    `SummaryWriter` wrote TensorBoard event files under `runs/11_training_loop` (the `add_scalars`
    keys became sub-runs `loss_train`, `loss_valid`, ...). Open them with the real TensorBoard:

    ```
    tensorboard --logdir lessons/runs
    ```

    or inline with edutorch's board (lesson 05): `%load_ext edutorch`, then
    `%edutorch_board --logdir runs/11_training_loop`.
    """),
    code(r"""
    print(sorted(name for name in os.listdir(LOG_DIR) if not name.startswith("events")))
    """),
    md(r"""
    ## Summary

    - Five parts: data, model, loss, optimizer, iteration. Write them in this order, every time.
    - In the loop: `train()`, forward, loss, `zero_grad()`, `backward()`, `step()`; log `loss.item()`.
    - Evaluate with `eval()` and `no_grad()`; keep the checkpoint with the best validation score,
      with the optimizer and scheduler states so training can resume.
    - Log to TensorBoard with `SummaryWriter`; watch with `TrainingMonitor` or the board.

    ## Exercises

    1. Remove `optimizer.zero_grad()` and train again. What happens to the loss, and why?
    2. Replace `StepLR` with `CosineAnnealingLR(optimizer, T_max=EPOCHS)` and compare the curves in
       TensorBoard.
    3. Add `nn.Dropout(0.3)` before `fc2`. Evaluate once with `model.train()` by mistake: what changes
       between two evaluations?
    4. Train on `data/textures` (3 classes, RGB, `LeNet(classes=3)`) with `RandomResizedCrop(32)`.
    """),
]

# ===================================================================================== 13 hooks and CAM
L13 = [
    md(r"""
    # 13 · Hooks, feature maps and class activation maps

    A trained network is not a black box: **hooks** (钩子) let you read — or change — what flows
    through it without editing its code. With them we look at what each layer sees (**feature maps**,
    特征图) and where in an image the model found the evidence for its answer (**class activation
    maps**, CAM, 类激活图).

    **Goals.** After this lesson you can

    - use tensor hooks (`register_hook`) to read and change gradients;
    - use module hooks: `register_forward_pre_hook`, `register_forward_hook`,
      `register_full_backward_hook`, and remove them with their handle;
    - collect a layer's activations and draw them as feature maps;
    - compute a class activation map for a global-average-pooling model.
    """),
    setup("import os", nn=True, engine_imports=(
        "from edutorch.utils.data import DataLoader",
        "from edutorch.vision import datasets, transforms",
    )),
    md(r"""
    ## 1. Tensor hooks

    `t.register_hook(fn)` calls `fn(grad)` when the gradient of `t` has been computed. Use it to read
    the gradient of an intermediate tensor (which autograd does not keep), or return a new gradient to
    replace it.
    """),
    code(r"""
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    x = torch.tensor([3.0, 4.0])
    a = w * x
    y = a.sum() ** 2

    seen = []
    handle = a.register_hook(lambda grad: seen.append(grad.clone()))
    w.register_hook(lambda grad: grad * 2)      # returning a tensor replaces the gradient
    y.backward()
    print("grad of a:", seen[0], "| w.grad (doubled by its hook):", w.grad)
    handle.remove()
    """),
    md(r"""
    By hand: $y = (\sum_i w_i x_i)^2 = 11^2$, so $\partial y/\partial a_i = 2 \cdot 11 = 22$ and
    $\partial y/\partial w_i = 22 x_i = (66, 88)$, doubled by the hook to $(132, 176)$.

    ## 2. Module hooks

    - `register_forward_pre_hook(fn)`: `fn(module, inputs)` before `forward`; may return new inputs;
    - `register_forward_hook(fn)`: `fn(module, inputs, output)` after `forward`; may return a new output;
    - `register_full_backward_hook(fn)`: `fn(module, grad_input, grad_output)` during backward.

    Each returns a handle whose `remove()` takes the hook away.
    """),
    code(r"""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    log = []
    handles = [
        net[0].register_forward_pre_hook(lambda m, inputs: log.append(("pre", tuple(inputs[0].shape)))),
        net[0].register_forward_hook(lambda m, inputs, output: log.append(("forward", tuple(output.shape)))),
        net[0].register_full_backward_hook(
            lambda m, grad_input, grad_output: log.append(("backward", tuple(grad_output[0].shape)))),
    ]
    out = net(torch.randn(1, 1, 6, 6, requires_grad=True))
    out.sum().backward()
    for entry in log:
        print(entry)
    for h in handles:
        h.remove()
    net(torch.randn(1, 1, 6, 6))
    print(len(log), "entries: nothing new after remove()")
    """),
    md(r"""
    A forward hook that returns a value replaces the module's output — a way to patch a model you
    did not write:
    """),
    code(r"""
    relu = nn.ReLU()
    h = relu.register_forward_hook(lambda m, inputs, output: output * 10)
    print(relu(torch.tensor([-1.0, 2.0])))
    h.remove()
    print(relu(torch.tensor([-1.0, 2.0])))
    """),
    md(r"""
    ## 3. A model to look inside

    A small convolutional network for the digits of `data/digits`, ending like ResNet and GoogLeNet
    do: the last convolution gives `C` feature maps, **global average pooling** (全局平均池化) turns
    each map into one number, and one linear layer turns those `C` numbers into class scores.
    That ending is what makes CAM possible.
    """),
    code(r"""
    EPOCHS = int(os.environ.get("EDUTORCH_LESSON_EPOCHS", "8"))
    to_input = transforms.Compose([transforms.Resize(16), transforms.ToTensor()])
    train_data = datasets.MNIST("../data/digits", train=True, transform=to_input)
    valid_data = datasets.MNIST("../data/digits", train=False, transform=to_input)

    class GapNet(nn.Module):
        def __init__(self, classes=10):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU())
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(32, classes)

        def forward(self, x):
            return self.fc(torch.flatten(self.pool(self.features(x)), 1))

    torch.manual_seed(0)
    model = GapNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
    for epoch in range(EPOCHS):
        model.train()
        for images, labels in DataLoader(train_data, batch_size=32, shuffle=True):
            loss = F.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        images, labels = next(iter(DataLoader(valid_data, batch_size=len(valid_data))))
        accuracy = (model(images).argmax(dim=1) == labels).float().mean().item()
    print(accuracy > 0.6)   # chance is 0.1; the full run reaches about 0.9
    """),
    md(r"""
    ## 4. Feature maps

    A forward hook on `features[0]` (the first convolution) catches its output: 16 maps, one per
    filter, each an image of where that filter responded.
    """),
    code(r"""
    activations = {}
    def keep(name):
        def hook(module, inputs, output):
            activations[name] = output.detach()
        return hook

    handles = [model.features[0].register_forward_hook(keep("conv1")),
               model.features[7].register_forward_hook(keep("conv3"))]
    digit, label = valid_data[0]
    with torch.no_grad():
        model(digit.unsqueeze(0))
    for h in handles:
        h.remove()
    print({name: tuple(a.shape) for name, a in activations.items()}, "label", label)
    """),
    code(r"""
    fig, axes = plt.subplots(2, 9, figsize=(9, 2.3))
    axes[0, 0].imshow(digit[0].numpy(), cmap="gray_r")
    axes[0, 0].set_title("input")
    for k, ax in enumerate(list(axes[0, 1:]) + list(axes[1, 1:])):
        ax.imshow(activations["conv1"][0, k].numpy(), cmap="viridis")
    axes[1, 0].set_title("conv1 maps", fontsize=8)
    for ax in axes.flat:
        ax.axis("off")
    plt.show()
    """),
    md(r"""
    *edutorch-only*: `show_feature_maps` does the same in one call (it registers the hook, runs the
    model, removes the hook and draws a grid).
    """),
    code(rf"""
    {IGNORE}
    # edutorch-only figure
    if EDUTORCH:
        from edutorch.notebook import show_feature_maps
        maps = show_feature_maps(model, "features.3", digit.unsqueeze(0))
        print(tuple(maps.shape))
    """),
    md(r"""
    ## 5. Class activation maps

    With global average pooling, the score of class $c$ is
    $s_c = \sum_k w_{ck} \cdot \operatorname{mean}(A_k) + b_c$, where $A_k$ is the $k$-th map of the last
    convolution. Moving the sum inside the mean gives a map:

    $$\mathrm{CAM}_c = \sum_k w_{ck} A_k, \qquad s_c = \operatorname{mean}(\mathrm{CAM}_c) + b_c .$$

    Each pixel of $\mathrm{CAM}_c$ says how much that place votes for class $c$. Upsampled to the
    input's size and laid over it, it shows where the evidence is.
    """),
    code(r"""
    def class_activation_map(model, image, class_idx=None):
        captured = {}
        handle = model.features.register_forward_hook(lambda m, i, output: captured.update(maps=output))
        with torch.no_grad():
            scores = model(image.unsqueeze(0))
        handle.remove()
        if class_idx is None:
            class_idx = scores.argmax(dim=1).item()
        maps = captured["maps"][0]                              # (C, h, w)
        weights = model.fc.weight[class_idx].detach()           # (C,)
        cam = (weights.view(-1, 1, 1) * maps).sum(dim=0)        # (h, w)
        return cam, class_idx, scores[0, class_idx]

    cam, predicted, score = class_activation_map(model, digit)
    # the check that makes CAM exact for this architecture: mean(CAM) + bias = the class score
    print(tuple(cam.shape), torch.allclose(cam.mean() + model.fc.bias[predicted], score, atol=1e-5))
    """),
    code(r"""
    fig, axes = plt.subplots(1, 6, figsize=(9, 1.8))
    for ax, index in zip(axes, range(6)):
        image, label = valid_data[index]
        cam, predicted, _ = class_activation_map(model, image)
        big = F.interpolate(cam[None, None], size=image.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
        ax.imshow(image[0].numpy(), cmap="gray")
        ax.imshow(big.numpy(), cmap="jet", alpha=0.45)
        ax.set_title(f"true {label} / pred {predicted}", fontsize=8)
        ax.axis("off")
    plt.show()
    """),
    md(r"""
    *edutorch-only*: `edutorch.notebook.class_activation_map` is the same function, with the overlay
    drawn for you. Both agree:
    """),
    code(rf"""
    {IGNORE}
    # edutorch-only
    if EDUTORCH:
        from edutorch.notebook import class_activation_map as cam_tool
        theirs = cam_tool(model, "features", "fc", digit.unsqueeze(0))
        ours = F.interpolate(class_activation_map(model, digit)[0][None, None], size=(16, 16),
                             mode="bilinear", align_corners=False)[0, 0]
        print(torch.allclose(torch.as_tensor(theirs), ours, atol=1e-5))
    """),
    md(r"""
    ## Summary

    - `tensor.register_hook(fn)`: read or replace a gradient; `module.register_forward_pre_hook`,
      `register_forward_hook`, `register_full_backward_hook`: read or replace inputs, outputs and
      gradients of a module. Keep the handle and `remove()` it when done.
    - Feature maps are a layer's output, caught with a forward hook.
    - For a model that ends with global average pooling + one linear layer,
      $\mathrm{CAM}_c = \sum_k w_{ck} A_k$ shows where the evidence for class $c$ lies, and its mean plus
      the bias is exactly the class score.

    ## Exercises

    1. Use a backward hook on `model.features[0]` to print the norm of the gradient flowing into the
       first convolution for one batch.
    2. Draw the CAM of the *second most likely* class for a digit the model gets wrong.
    3. Grad-CAM generalises CAM to any CNN: weight each map by the mean of the gradient of the score
       with respect to it. Implement it with a forward hook and a tensor hook, and compare with CAM here.
    """),
]

NOTEBOOKS = {"11_training_loop": L11, "13_hooks_and_cam": L13}

if __name__ == "__main__":
    sys.exit(main(NOTEBOOKS, sys.argv[1:]))
