# Common wrong answers to the exercises of lesson 25: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: the biases are missing
def rnn_step(x, h, cell):
    return torch.tanh(x @ cell.weight_ih.T + h @ cell.weight_hh.T)

# %% Exercise 1: the tanh is missing
def rnn_step(x, h, cell):
    return x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh

# %% Exercise 1: W_hh is applied untransposed
def rnn_step(x, h, cell):
    return torch.tanh(x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh + cell.bias_hh)

# %% Exercise 2: without its bias
def gru_step(x, h, cell):
    hidden = cell.hidden_size
    gi = x @ cell.weight_ih.T + cell.bias_ih
    gh = h @ cell.weight_hh.T + cell.bias_hh
    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, _ = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * (h @ cell.weight_hh[2 * hidden:].T) + cell.bias_hh[2 * hidden:])
    return (1 - z) * n + z * h

# %% Exercise 2: z and 1 - z are swapped
def gru_step(x, h, cell):
    gi = x @ cell.weight_ih.T + cell.bias_ih
    gh = h @ cell.weight_hh.T + cell.bias_hh
    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return z * n + (1 - z) * h

# %% Exercise 2: r and z are swapped
def gru_step(x, h, cell):
    gi = x @ cell.weight_ih.T + cell.bias_ih
    gh = h @ cell.weight_hh.T + cell.bias_hh
    i_z, i_r, i_n = gi.chunk(3, dim=1)
    h_z, h_r, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h

# %% Exercise 3: h_n ran over the padding
def final_states(rnn, sequences):
    padded = pad_sequence(sequences, batch_first=True)
    _, h_n = rnn(padded)
    return h_n[-1]

# %% Exercise 3: take h_n[-1]
def final_states(rnn, sequences):
    lengths = torch.tensor([len(s) for s in sequences])
    packed = pack_padded_sequence(pad_sequence(sequences, batch_first=True), lengths, batch_first=True,
                                  enforce_sorted=False)
    _, h_n = rnn(packed)
    return h_n

# %% Exercise 3: sorted order
def final_states(rnn, sequences):
    order = sorted(range(len(sequences)), key=lambda i: -len(sequences[i]))
    ordered = [sequences[i] for i in order]
    lengths = torch.tensor([len(s) for s in ordered])
    packed = pack_padded_sequence(pad_sequence(ordered, batch_first=True), lengths, batch_first=True)
    _, h_n = rnn(packed)
    return h_n[-1]

# %% Exercise 4: multiplied by the temperature
def sample(model, prompt_ids, length, temperature, generator):
    logits, state = model(torch.tensor([prompt_ids]))
    ids = []
    for _ in range(length):
        probs = F.softmax(logits[0, -1] * temperature, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator)
        ids.append(nxt.item())
        logits, state = model(nxt.reshape(1, 1), state)
    return ids

# %% Exercise 4: the state is not carried
def sample(model, prompt_ids, length, temperature, generator):
    logits, state = model(torch.tensor([prompt_ids]))
    ids = []
    for _ in range(length):
        probs = F.softmax(logits[0, -1] / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator)
        ids.append(nxt.item())
        logits, _ = model(nxt.reshape(1, 1))
    return ids

# %% Exercise 4: the temperature is ignored
def sample(model, prompt_ids, length, temperature, generator):
    logits, state = model(torch.tensor([prompt_ids]))
    ids = []
    for _ in range(length):
        probs = F.softmax(logits[0, -1], dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator)
        ids.append(nxt.item())
        logits, state = model(nxt.reshape(1, 1), state)
    return ids

# %% Exercise 5: in nats
def bits_per_char(model, ids):
    with torch.no_grad():
        logits, _ = model(ids[:-1].unsqueeze(0))
        return F.cross_entropy(logits[0], ids[1:]).item()

# %% Exercise 5: NEXT character
def bits_per_char(model, ids):
    with torch.no_grad():
        logits, _ = model(ids[:-1].unsqueeze(0))
        return F.cross_entropy(logits[0], ids[:-1]).item() / math.log(2)

# %% Exercise 5: that is the perplexity
def bits_per_char(model, ids):
    with torch.no_grad():
        logits, _ = model(ids[:-1].unsqueeze(0))
        return 2 ** (F.cross_entropy(logits[0], ids[1:]).item() / math.log(2))
