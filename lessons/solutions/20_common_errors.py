# Solutions to the exercises of lesson 20 (the error clinic).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 5 * 5, 10)    # 28 -> 26 -> 13 -> 11 -> 5: 400 features, not 16 * 7 * 7

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.flatten(1)                       # (N, 16, 5, 5) -> (N, 400): one row per image, any N
        return self.fc(x)

# %% Exercise 2
def train(model, X, y, epochs, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()                  # bug 1: gradients added up across epochs
        prediction = model(X).squeeze(1)       # bug 2: (N, 1) against (N,) broadcast to N x N
        loss = loss_fn(prediction, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses

# %% Exercise 3
def accuracy(model, X, labels):
    model.eval()                               # dropout off (batch norm: running statistics)
    with torch.no_grad():                      # no graph: evaluation needs no gradients
        predictions = model(X).argmax(dim=1)
    model.train()                              # back to training mode for the next epoch
    return (predictions == labels).float().mean().item()

# %% Exercise 4
def classification_loss(logits, labels):
    # CrossEntropyLoss takes the logits (it applies log_softmax itself) and int64 class indices
    return nn.CrossEntropyLoss()(logits, labels.long())

# %% Exercise 5
def fit_slope(x, y, steps, lr):
    w = torch.tensor(0.0, requires_grad=True)
    for step in range(steps):
        prediction = w * x                     # a fresh forward pass (and graph) every step
        loss = ((prediction - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():                  # the update is not part of the model
            w -= lr * w.grad
        w.grad.zero_()
    return w
