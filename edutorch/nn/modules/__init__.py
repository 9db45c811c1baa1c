"""The nn layers, one family per file (each file lists its public classes in ``__all__``)."""
from .module import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403

# The layers' argument helpers (modules/utils.py, PyTorch's torch.nn.modules.utils) must not leave a
# `utils` name here: `from .modules import *` in nn/__init__.py would make it shadow `nn.utils`.
del utils  # noqa: F821
