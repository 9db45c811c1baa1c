# Solutions to the exercises of lesson 12 (saving, loading and resuming training).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({
        "epoch": epoch,                             # the number of epochs done
        "model": model.state_dict(),                # names -> tensors: weights and buffers
        "optimizer": optimizer.state_dict(),        # Adam's step count and running averages
    }, path)

def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path)                   # plain data: the default weights_only=True is fine
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    model.train()                                   # resuming training, not inference: Dropout stays on
    return checkpoint["epoch"]

# %% Exercise 2
def load_pretrained(model, state):
    state = {name.removeprefix("module."): tensor for name, tensor in state.items()}
    own = model.state_dict()
    # strict=False forgives names that do not match, not shapes that do not match: drop those
    state = {name: tensor for name, tensor in state.items()
             if name not in own or own[name].shape == tensor.shape}
    return model.load_state_dict(state, strict=False)

# %% Exercise 3
def load_for_inference(path, model):
    state = torch.load(path, map_location="cpu")    # put every storage on the CPU, wherever it was saved
    model.load_state_dict(state)
    model.eval()                                    # inference: Dropout off, BatchNorm's running statistics
    return model
