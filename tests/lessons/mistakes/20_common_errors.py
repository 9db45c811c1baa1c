# Common wrong answers to the exercises of lesson 20: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: x.view(-1, k) needs k = the number of features of one image
class SmallCNN(nn.Module):                     # in_features fixed, but not the view
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(400, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 7 * 7)
        return self.fc(x)

# %% Exercise 2: without optimizer.zero_grad()
def train(model, X, y, epochs, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    losses = []
    for epoch in range(epochs):
        loss = loss_fn(model(X).squeeze(1), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses

# %% Exercise 3: does not stop autograd
def accuracy(model, X, labels):
    model.eval()
    predictions = model(X).argmax(dim=1)
    model.train()
    return (predictions == labels).float().mean().item()

# %% Exercise 4: softmax first computes it twice
def classification_loss(logits, labels):
    return nn.CrossEntropyLoss()(logits.softmax(dim=1), labels.long())

# %% Exercise 5: Compute the prediction inside the loop
def fit_slope(x, y, steps, lr):
    w = torch.tensor(0.0, requires_grad=True)
    prediction = w * x
    for step in range(steps):
        loss = ((prediction - y) ** 2).mean()
        loss.backward(retain_graph=True)
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    return w
