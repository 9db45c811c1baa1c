# Solutions to the exercises of lesson 11 (the training loop).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def accuracy(logits, labels):
    return (logits.argmax(dim=1) == labels).float().mean().item()

# %% Exercise 2
def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        outputs = model(images)
        loss = criterion(outputs, labels)
        optimizer.zero_grad()               # gradients accumulate: clear last step's
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)   # the batch's mean loss times its size
        correct += (outputs.argmax(dim=1) == labels).sum().item()
        seen += len(labels)
    return total_loss / seen, correct / seen

# %% Exercise 3
def evaluate(model, loader, criterion):
    model.eval()                            # dropout off, batch norm uses its running statistics
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():                   # no graph: less memory, less time
        for images, labels in loader:
            outputs = model(images)
            total_loss += criterion(outputs, labels).item() * len(labels)
            correct += (outputs.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    return total_loss / seen, correct / seen

# %% Exercise 4
def confusion_matrix(predictions, targets, num_classes):
    pairs = targets * num_classes + predictions          # one number per (true, predicted) pair
    return torch.bincount(pairs, minlength=num_classes ** 2).view(num_classes, num_classes)

# %% Exercise 5
import copy

def fit(model, train_loader, valid_loader, criterion, optimizer, epochs):
    best_epoch, best_acc, best_state = -1, -1.0, None
    for epoch in range(epochs):
        train_one_epoch(model, train_loader, criterion, optimizer)
        _, valid_acc = evaluate(model, valid_loader, criterion)
        if valid_acc > best_acc:
            best_epoch, best_acc = epoch, valid_acc
            best_state = copy.deepcopy(model.state_dict())   # a copy: the live weights keep changing
    model.load_state_dict(best_state)
    return best_epoch, best_acc
