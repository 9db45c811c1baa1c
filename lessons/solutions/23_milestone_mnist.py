# Solutions to the exercises of lesson 23 (milestone: a CNN to 97 % on real MNIST digits).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def confusion_matrix(target, predicted, num_classes):
    pairs = target * num_classes + predicted          # one number per (true, predicted) pair
    return torch.bincount(pairs, minlength=num_classes ** 2).reshape(num_classes, num_classes)

# %% Exercise 2
def recall_precision(confusion):
    confusion = confusion.float()
    classes = torch.arange(len(confusion))
    hits = confusion[classes, classes]          # the diagonal: correct answers per class
    return hits / confusion.sum(1), hits / confusion.sum(0)

# %% Exercise 3
class MnistNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc(x.flatten(1))

# %% Exercise 4
def shift(images, dy, dx, fill):
    h, w = images.shape[-2:]
    p = max(abs(dy), abs(dx))
    padded = F.pad(images, (p, p, p, p), value=fill)
    # the output's row r shows the input's row r - dy: start the window dy rows above the image
    return padded[:, :, p - dy: p - dy + h, p - dx: p - dx + w]
