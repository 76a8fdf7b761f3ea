"""recon package: pedestals, zero suppression and reconstruction (pure array functions)."""

from .bad_pixels import find_bad_pixels
from .environment import ENVIRONMENT_BRANCHES, environment_branches
from .errors import PedestalError, ReconError
from .pedestal import Pedestal
from .pedestal_accumulator import PedestalAccumulator
from .pedestal_tracker import PedestalTracker
from .sparse_frame import SparseFrame
from .zero_suppress import zero_suppress
from .zs_params import ZeroSuppressionParams
from .reconstruct import reconstruct, reconstruct_sparse
from .result_codec import result_from_bytes, result_to_bytes
from .root_output import fill_missing_branches, root_bytes, root_file_name, write_root

__all__ = [
    "PedestalError",
    "ReconError",
    "SparseFrame",
    "Pedestal",
    "PedestalAccumulator",
    "PedestalTracker",
    "find_bad_pixels",
    "zero_suppress",
    "ZeroSuppressionParams",
    "reconstruct",
    "reconstruct_sparse",
    "result_to_bytes",
    "result_from_bytes",
    "write_root",
    "root_bytes",
    "root_file_name",
    "fill_missing_branches",
    "ENVIRONMENT_BRANCHES",
    "environment_branches",
]
