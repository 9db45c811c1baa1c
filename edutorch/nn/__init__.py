"""``edutorch.nn``: Module and its containers, layers, losses; ``nn.functional`` and ``nn.init``."""
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: E402
from . import parallel  # noqa: E402
from .parallel import DataParallel  # noqa: E402
