"""Checks for the exercises of lesson 19 (graph neural networks: normalised adjacency, message
passing with index_add_, a weighted GCN layer)."""
from __future__ import annotations

import numpy as np

from . import LessonChecks, exercise


def _dense(edges, n, weights=None, *, both_ways=False):
    """A[i, j] = weight of the edge j -> i (summed over repeated edges)."""
    a = np.zeros((n, n))
    w = np.ones(len(edges[0])) if weights is None else np.asarray(weights, np.float64)
    for j, i, wk in zip(edges[0], edges[1], w):
        a[i, j] += wk
        if both_ways:
            a[j, i] += wk
    return a


def _sym_norm(a_hat, degree=None, *, zero_isolated=False):
    """D^-1/2 a_hat D^-1/2 with D from ``degree`` (default: a_hat's row sums). A node of degree 0 gives
    inf / NaN as a dense computation would, or zeros as an edge-by-edge one does (zero_isolated)."""
    d = a_hat.sum(1) if degree is None else np.asarray(degree, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = d ** -0.5
        if zero_isolated:
            inv = np.where(d > 0, inv, 0.0)
        return inv[:, None] * a_hat * inv[None, :]


class Checks(LessonChecks):
    @exercise(1, "the normalised adjacency")
    def ex1(self, normalized_adjacency):
        torch = self.torch
        n = 5
        pairs = [[0, 0, 1, 2], [1, 2, 2, 3]]          # a triangle 0-1-2, a tail 2-3, node 4 alone
        got = normalized_adjacency(torch.tensor(pairs), n)
        self.is_tensor(got, "normalized_adjacency(pairs, 5)")
        self.require(tuple(got.shape) == (n, n), f"the result has shape {tuple(got.shape)}; expected (n, n) = (5, 5).")
        a = _dense(pairs, n, both_ways=True)
        a_hat = a + np.eye(n)
        one_way = _dense(pairs, n) + np.eye(n)
        expected = _sym_norm(a_hat)
        self.close(got, expected, "normalized_adjacency(pairs, 5)", mistakes=[
            (_sym_norm(a), "no self-loops: add the identity, A + I, before computing the degrees (node 4, which "
                           "has no friends, then gets 1 instead of a division by zero)."),
            (_sym_norm(one_way), "the matrix is not symmetric: each pair is one undirected friendship, so put it in "
                                 "both directions, A[i, j] = A[j, i] = 1."),
            (a_hat / a_hat.sum(1, keepdims=True), "that is D^-1 (A + I), which averages over the rows: the GCN "
                                                  "scales both sides, D^-1/2 (A + I) D^-1/2."),
            (_sym_norm(a_hat, a.sum(1)), "the degrees were taken from A instead of A + I: the self-loop counts, "
                                         "d_i = degree + 1."),
            (a_hat / np.sqrt(a_hat.sum(1))[:, None], "only the rows are scaled: divide by sqrt(d_i) for the row "
                                                     "*and* by sqrt(d_j) for the column."),
        ])
        return "D^-1/2 (A + I) D^-1/2, symmetric, with 1 on the diagonal of the isolated node."

    @exercise(2, "mean aggregation with index_add_")
    def ex2(self, neighbour_mean):
        torch = self.torch
        edge_index = [[0, 1, 2, 3, 3, 0], [1, 2, 1, 1, 0, 2]]      # directed; node 3 receives nothing
        x_np = np.array([[1.0, -2.0], [3.0, 0.5], [-1.0, 4.0], [2.0, 2.0]])
        x = torch.tensor(x_np.astype(np.float32), requires_grad=True)
        got = neighbour_mean(x, torch.tensor(edge_index))
        self.is_tensor(got, "neighbour_mean(x, edge_index)")
        self.require(tuple(got.shape) == (4, 2), f"the result has shape {tuple(got.shape)}; expected (N, F) = (4, 2).")
        a = _dense(edge_index, 4)
        count = a.sum(1, keepdims=True)
        expected = (a @ x_np) / np.maximum(count, 1)
        at_src = (a.T @ x_np) / np.maximum(a.sum(0)[:, None], 1)
        assigned = np.zeros_like(x_np)
        for j, i in zip(*edge_index):
            assigned[i] = x_np[j]
        self.require(not np.isnan(self.numpy(got)).any(),
                     "the result has NaN: a node with no incoming edge divides 0 by 0. Divide by the count "
                     "clamped to at least 1 (`count.clamp(min=1)`), so that such nodes get 0.")
        self.close(got, expected, "neighbour_mean(x, edge_index)", mistakes=[
            (a @ x_np, "that is the sum of the messages: divide it by the number of incoming edges of each node."),
            (at_src, "the messages were collected at the sources: the target of an edge is edge_index[1]; add "
                     "x[edge_index[0]] into the rows edge_index[1]."),
            (assigned, "each node kept only one message: `out[dst] = x[src]` overwrites repeated indices; "
                       "`index_add_` adds them all."),
            (assigned / np.maximum(count, 1),
             "each node kept only one message: `out[dst] = x[src]` overwrites repeated indices; `index_add_` "
             "adds them all.")])
        self.require(got.requires_grad, "the result does not require grad: build it from x with torch "
                                        "operations (index_add_ on a new zeros tensor), not through NumPy or .item().")
        (got * torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])).sum().backward()
        upstream = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
        self.close(x.grad, a.T @ (upstream / np.maximum(count, 1)), "the gradient of neighbour_mean with respect to x")
        return "each node gets the mean of its incoming messages (0 if none), and gradients flow back to x."

    @exercise(3, "a weighted GCN layer")
    def ex3(self, WeightedGCNLayer):
        torch = self.torch
        torch.manual_seed(3)
        layer = WeightedGCNLayer(3, 2)
        self.require(isinstance(layer, torch.nn.Module), "WeightedGCNLayer must subclass nn.Module.")
        self.require(isinstance(getattr(layer, "linear", None), torch.nn.Linear),
                     "store the weights as `self.linear = nn.Linear(in_features, out_features, bias=False)`.")
        params = list(layer.parameters())
        self.require(len(params) == 1 and tuple(params[0].shape) == (2, 3),
                     f"the layer should have exactly one parameter, linear.weight of shape (2, 3); it has "
                     f"{[tuple(p.shape) for p in params]} (no bias: bias=False).")
        pairs = [[0, 0, 1, 2], [1, 2, 2, 3]]
        weights = [2.0, 1.0, 3.0, 0.5]
        edge_index = [pairs[0] + pairs[1], pairs[1] + pairs[0]]
        edge_weight = weights + weights
        h_np = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0], [-1.0, 1.0, 0.0], [2.0, -0.5, 1.5], [0.0, 1.0, 1.0]])
        h = torch.tensor(h_np.astype(np.float32))
        out = layer(h, torch.tensor(edge_index), torch.tensor(edge_weight))
        self.is_tensor(out, "layer(h, edge_index, edge_weight)")
        self.require(tuple(out.shape) == (5, 2), f"the output has shape {tuple(out.shape)}; expected (N, out) = (5, 2).")
        W = self.numpy(layer.linear.weight)
        n = 5
        a_w = _dense(edge_index, n, edge_weight)
        a_1 = _dense(edge_index, n)
        s = _sym_norm(a_w + np.eye(n))
        expected = s @ h_np @ W.T
        self.close(out, expected, "layer(h, edge_index, edge_weight)", atol=1e-4, mistakes=[
            (_sym_norm(a_1 + np.eye(n)) @ h_np @ W.T,
             "the weights were ignored: that is the plain GCN. Multiply each message by its edge weight and "
             "add the weights (not ones) into the degrees."),
            (_sym_norm(a_w + np.eye(n), a_1.sum(1) + 1) @ h_np @ W.T,
             "the degrees count the edges: with weights, d_i = 1 + the sum of the weights of the edges into i."),
            (_sym_norm(a_1 + np.eye(n), a_w.sum(1) + 1) @ h_np @ W.T,
             "the degrees use the weights but the messages do not: multiply each message by its edge weight too."),
            (_sym_norm(a_w, zero_isolated=True) @ h_np @ W.T,
             "no self-loops: add an edge i -> i of weight 1 for every node (node 4, which has no edges, must "
             "keep its own features)."),
            (s @ h_np, "the linear layer was not applied: transform the features with self.linear.")])
        upstream = np.arange(10.0).reshape(5, 2) - 4
        (out * torch.tensor(upstream.astype(np.float32))).sum().backward()
        self.require(layer.linear.weight.grad is not None, "no gradient reached linear.weight: keep everything in "
                                                           "torch operations.")
        self.close(layer.linear.weight.grad, upstream.T @ s @ h_np, "the gradient of linear.weight", atol=1e-4)
        return "messages w_ji / sqrt(d_i d_j) W h_j with weighted degrees: the dense formula, gradient included."
