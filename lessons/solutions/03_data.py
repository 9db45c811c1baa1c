# Solutions to the exercises of lesson 03 (data).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def read_idx(path):
    raw = Path(path).read_bytes()
    dims = raw[3]                                           # byte 3: the number of dimensions
    shape = [int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)

class DigitFiles(Dataset):
    def __init__(self, images_file, labels_file):
        self.images = read_idx(images_file)                 # (N, 8, 8) uint8: header 16 bytes
        self.labels = read_idx(labels_file)                 # (N,) uint8: header 8 bytes
        assert len(self.images) == len(self.labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        image = torch.from_numpy(self.images[index].astype(np.float32) / 255).unsqueeze(0)   # (1, 8, 8) in [0, 1]
        return image, int(self.labels[index])

# %% Exercise 2
def loader_numbers(n, batch_size, drop_last, epochs):
    if drop_last:
        iterations = n // batch_size                        # the incomplete last batch is skipped
        last_batch_size = batch_size if iterations else 0
    else:
        iterations = math.ceil(n / batch_size)
        last_batch_size = n - (iterations - 1) * batch_size if iterations else 0   # full when n % batch_size == 0
    total_steps = epochs * iterations
    return iterations, last_batch_size, total_steps

# %% Exercise 3
def sequence_collate(batch):
    sequences = [tokens for tokens, _ in batch]
    lengths = torch.tensor([len(seq) for seq in sequences])
    tokens = torch.zeros(len(batch), int(lengths.max()), dtype=torch.int64)
    for row, seq in enumerate(sequences):
        tokens[row, :len(seq)] = seq                        # at the start of the row; zeros after it
    labels = torch.tensor([label for _, label in batch])
    return {"tokens": tokens, "lengths": lengths, "labels": labels}

# %% Exercise 4
class BalancedBatchSampler(Sampler):
    def __init__(self, labels, per_class):
        self.per_class = per_class
        # the indices of each class: self.by_class[c] is a 1-D tensor of the indices with label c
        self.by_class = [torch.nonzero(labels == c).flatten() for c in range(int(labels.max()) + 1)]

    def __iter__(self):
        # a fresh order inside each class, every epoch
        shuffled = [indices[torch.randperm(len(indices))].tolist() for indices in self.by_class]
        for b in range(len(self)):
            start = b * self.per_class
            yield [i for indices in shuffled for i in indices[start:start + self.per_class]]

    def __len__(self):
        return min(len(indices) for indices in self.by_class) // self.per_class

# %% Exercise 5
def train_val_split(dataset, val_fraction, seed):
    n = len(dataset)
    n_val = int(val_fraction * n)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    return Subset(dataset, order[n_val:]), Subset(dataset, order[:n_val])
