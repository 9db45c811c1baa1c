# Solutions to the exercises of lesson 25. Each cell replaces the exercise cell of the same number.

# %% Exercise 1
def rnn_step(x, h, cell):
    return torch.tanh(x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh)

# %% Exercise 2
def gru_step(x, h, cell):
    gi = x @ cell.weight_ih.T + cell.bias_ih          # (N, 3H): the input's part of r, z, n
    gh = h @ cell.weight_hh.T + cell.bias_hh          # (N, 3H): the hidden state's part
    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)                     # r multiplies W_hn h + b_hn, bias included
    return (1 - z) * n + z * h

# %% Exercise 3
def final_states(rnn, sequences):
    lengths = torch.tensor([len(s) for s in sequences])
    padded = pad_sequence(sequences, batch_first=True)
    packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
    _, h_n = rnn(packed)
    return h_n[-1]                                    # already back in the order of `sequences`

# %% Exercise 4
def sample(model, prompt_ids, length, temperature, generator):
    logits, state = model(torch.tensor([prompt_ids]))
    ids = []
    for _ in range(length):
        probs = F.softmax(logits[0, -1] / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator)
        ids.append(nxt.item())
        logits, state = model(nxt.reshape(1, 1), state)
    return ids

# %% Exercise 5
def bits_per_char(model, ids):
    with torch.no_grad():
        logits, _ = model(ids[:-1].unsqueeze(0))      # predict ids[1:] from the characters before them
        return F.cross_entropy(logits[0], ids[1:]).item() / math.log(2)
