# Solutions to the exercises of lesson 05 (TensorBoard).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def log_learning_rate(log_dir, epochs):
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)

    def train_one_epoch():                       # stands in for a real epoch of training
        loss = model(torch.ones(8, 4)).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    with SummaryWriter(log_dir=log_dir) as writer:
        for epoch in range(epochs):
            train_one_epoch()
            writer.add_scalar("lr", optimizer.param_groups[0]["lr"], epoch)   # the rate this epoch used
            scheduler.step()                                                # then move on to the next one

# %% Exercise 2
def read_scalars_group(log_dir, main_tag):
    prefix = main_tag.replace("/", "_") + "_"           # add_scalars writes <log_dir>/<main_tag>_<key>/
    curves = {}
    for folder in sorted(Path(log_dir).iterdir()):
        if folder.is_dir() and folder.name.startswith(prefix):
            run = EventAccumulator(str(folder))
            run.Reload()
            curves[folder.name[len(prefix):]] = [(e.step, e.value) for e in run.Scalars(main_tag)]
    return curves

# %% Exercise 3
def histogram_steps(log_dir, tag):
    run = EventAccumulator(log_dir, size_guidance={"histograms": 0})   # 0: keep every histogram
    run.Reload()
    return [h.step for h in run.Histograms(tag)]

# %% Exercise 4
def train_and_log(model, loader, epochs, writer):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    step = 0                                        # counts batches over all epochs
    for epoch in range(epochs):
        for inputs, targets in loader:
            loss = F.cross_entropy(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            writer.add_scalar("train/loss", loss.item(), step)
            step += 1
        writer.add_histogram("weight", model.weight, epoch)
