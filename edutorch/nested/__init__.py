"""torch.nested: nested (ragged) tensors. Not in edutorch: pad the sequences to one length instead
(``torch.nn.utils.rnn.pad_sequence`` in PyTorch). Every name raises the out-of-scope error."""
from .._out_of_scope import module_getattr

__getattr__ = module_getattr("torch.nested", "edutorch has no nested (ragged) tensors; pad to one length instead.")
