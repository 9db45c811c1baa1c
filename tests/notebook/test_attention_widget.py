"""The attention heatmap: shapes validated, the picture shows the given numbers, controls redraw, hooks
capture what MultiheadAttention computes, on edutorch and on PyTorch."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import edutorch
import edutorch.nn as nn
from edutorch.notebook import AttentionViewer, attention_figure, capture_attention
from edutorch.notebook.widgets.attention import as_attention_weights


def _weights(layers=2, batch=1, heads=3, L=5, S=5, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(layers):
        w = rng.random((batch, heads, L, S)).astype(np.float32)
        out.append(w / w.sum(-1, keepdims=True))
    return out


def _heatmap(fig):
    return np.asarray(fig.axes[0].images[0].get_array())


def _bars(fig):
    return np.array([p.get_height() for ax in fig.axes for p in ax.patches if p.get_gid() == "bar"])


def _frame(fig):
    (rect,) = [p for p in fig.axes[0].patches if p.get_gid() == "query"]
    return rect.get_y() + 0.5


def test_shapes_are_normalised_and_validated():
    layers = as_attention_weights(np.ones((4, 6), dtype=np.float32))
    assert [w.shape for w in layers] == [(1, 1, 4, 6)]
    assert as_attention_weights([np.ones((2, 3, 3))])[0].shape == (1, 2, 3, 3)
    assert as_attention_weights((np.ones((2, 2, 3, 3)),) * 3)[2].shape == (2, 2, 3, 3)
    with pytest.raises(ValueError, match=r"shape \(5,\).*\(query_len, key_len\)"):
        as_attention_weights(np.ones(5))
    with pytest.raises(ValueError, match=r"layer 1 have shape \(1, 1, 1, 2, 2\)"):
        as_attention_weights([np.ones((2, 2)), np.ones((1, 1, 1, 2, 2))])
    with pytest.raises(ValueError, match="empty"):
        as_attention_weights([])
    with pytest.raises(TypeError, match="need_weights=False"):
        as_attention_weights([np.ones((2, 2)), None])
    w = _weights()
    with pytest.raises(ValueError, match="4 key labels for layer 0, whose weights have 5 key positions"):
        attention_figure(w, tokens="abcd")
    with pytest.raises(IndexError, match="head 3 out of range: layer 0 has 3 head"):
        attention_figure(w, head=3)
    with pytest.raises(IndexError, match="layer 2 out of range"):
        attention_figure(w, layer=2)
    with pytest.raises(IndexError, match="query 5 out of range"):
        attention_figure(w, query=5)
    with pytest.raises(ValueError, match="3 key labels"):
        AttentionViewer(w, tokens="abc")


def test_figure_shows_the_given_weights_with_labels():
    w = _weights()
    fig = attention_figure(w, tokens="ab cd", layer=1, head=2, query=3)
    np.testing.assert_array_equal(_heatmap(fig), w[1][0, 2])
    np.testing.assert_allclose(_bars(fig), w[1][0, 2, 3])
    assert _frame(fig) == 3
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["a", "b", "␣", "c", "d"]            # a space is drawn as a visible symbol
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == labels
    assert fig.axes[0].get_title() == "layer 1, head 2"
    mean = attention_figure(w, head="mean")
    np.testing.assert_allclose(_heatmap(mean), w[0][0].mean(0), rtol=1e-6)
    assert len(mean.axes) == 2 and not _bars(mean).size   # heatmap and colour bar only without a query
    cross = attention_figure(np.ones((1, 2, 3)) / 3, tokens=["x", "y", "z"], query_tokens=["P", "Q"], query=1)
    assert [t.get_text() for t in cross.axes[0].get_yticklabels()] == ["P", "Q"]


def test_viewer_controls_update_the_picture():
    w = _weights(layers=2, heads=3) + [_weights(layers=1, heads=2, seed=1)[0]]
    viewer = AttentionViewer(w, tokens="hello")
    assert viewer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert viewer.query.value == 4 and viewer.query.max == 4       # starts at the last query
    np.testing.assert_array_equal(_heatmap(viewer.figure), w[0][0, 0])
    assert viewer.batch.layout.display == "none"

    viewer.head.value = 2
    np.testing.assert_array_equal(viewer.table, w[0][0, 2])
    np.testing.assert_array_equal(_heatmap(viewer.figure), w[0][0, 2])
    before = viewer.image.value
    viewer.query.value = 1
    np.testing.assert_allclose(_bars(viewer.figure), w[0][0, 2, 1])
    assert _frame(viewer.figure) == 1 and viewer.image.value != before
    best = int(np.argmax(w[0][0, 2, 1]))
    assert viewer.info.value.startswith("query 1 <code>e</code> attends most to: <code>" + "hello"[best])

    viewer.layer.value = 1
    np.testing.assert_array_equal(_heatmap(viewer.figure), w[1][0, 2])
    viewer.layer.value = 2                        # 2 heads there: head 2 no longer exists -> head 0
    assert [v for _, v in viewer.head.options] == [0, 1, "mean"] and viewer.head.value == 0
    np.testing.assert_array_equal(_heatmap(viewer.figure), w[2][0, 0])
    viewer.head.value = "mean"
    np.testing.assert_allclose(_heatmap(viewer.figure), w[2][0].mean(0), rtol=1e-6)
    viewer.set(layer=0, head=1, query=0)
    np.testing.assert_array_equal(_heatmap(viewer.figure), w[0][0, 1])
    assert _frame(viewer.figure) == 0


def test_viewer_batch_slider():
    w = _weights(layers=1, batch=3, heads=2, L=4, S=4)
    viewer = AttentionViewer(w, query=2)
    assert viewer.batch.max == 2 and viewer.batch.layout.display == ""
    viewer.batch.value = 2
    np.testing.assert_array_equal(_heatmap(viewer.figure), w[0][2, 0])
    assert "batch item 2" in viewer.figure.axes[0].get_title()


def _decoder(lib, d=8, heads=2, layers=2):
    enc = lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(d, heads, 16, dropout=0.0, batch_first=True,
                                                                   norm_first=True), layers,
                                    enable_nested_tensor=False)
    return enc


def _expected_self_attention(lib, enc, x, mask):
    """Layer by layer by hand: the weights each self_attn computes for its (normalised) input."""
    out, h = [], x
    for layer in enc.layers:
        a = layer.norm1(h)
        _, w = layer.self_attn(a, a, a, attn_mask=mask, need_weights=True, average_attn_weights=False)
        out.append(w)
        h = layer(h, src_mask=mask, is_causal=True)
    return out


def test_capture_attention_from_a_model():
    edutorch.manual_seed(0)
    enc = _decoder(edutorch)
    x = edutorch.randn(2, 5, 8)
    mask = nn.Transformer.generate_square_subsequent_mask(5)
    with edutorch.no_grad():
        got = capture_attention(enc, x, mask=mask, is_causal=True)
        expected = _expected_self_attention(edutorch, enc, x, mask)
    assert [g.shape for g in got] == [(2, 2, 5, 5)] * 2
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e.numpy(), rtol=1e-5, atol=1e-6)
        assert np.allclose(np.triu(g[0, 0], 1), 0)            # the causal mask was applied
        np.testing.assert_allclose(g.sum(-1), 1, rtol=1e-5)
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in enc.modules())
    viewer = AttentionViewer.from_model(enc, x, tokens="abcde", mask=mask, is_causal=True, layer=1, head=1)
    np.testing.assert_array_equal(viewer.table, got[1][0, 1])
    with pytest.raises(ValueError, match="contains no nn.MultiheadAttention"):
        capture_attention(nn.Linear(2, 2), edutorch.randn(1, 2))


def test_capture_unbatched_mha():
    mha = nn.MultiheadAttention(6, 3)
    x = edutorch.randn(4, 6)
    (w,) = capture_attention(mha, x, x, x, need_weights=False)
    assert w.shape == (1, 3, 4, 4)
    np.testing.assert_allclose(w[0], mha(x, x, x, average_attn_weights=False)[1].detach().numpy(), rtol=1e-6)


def test_real_torch_tensors_and_models(torch):
    torch.manual_seed(0)
    enc = _decoder(torch)
    enc.eval()                                            # eval + no_grad: PyTorch's fused fast path ...
    x = torch.randn(2, 5, 8)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
    with torch.no_grad():
        got = capture_attention(enc, x, mask=mask, is_causal=True)  # ... is switched off by the hooks
        expected = _expected_self_attention(torch, enc, x, mask)
    assert [g.shape for g in got] == [(2, 2, 5, 5)] * 2
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e.numpy(), rtol=1e-5, atol=1e-6)
    weights = [torch.tensor(w, requires_grad=True) for w in _weights()]   # tensors that require grad
    fig = attention_figure(weights, tokens="abcde", layer=1, head=1, query=2)
    np.testing.assert_allclose(_heatmap(fig), weights[1][0, 1].detach().numpy())
    viewer = AttentionViewer([w[0] for w in weights], tokens="abcde")     # (heads, L, S) per layer
    viewer.set(layer=1, head=2)
    np.testing.assert_allclose(viewer.table, weights[1][0, 2].detach().numpy())
