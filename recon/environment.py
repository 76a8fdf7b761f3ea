"""The collaboration's slow-control branches of one frame, from the DAQ's image metadata.

The collaboration's ROOT files carry, per image, the readings of the detector and hall
environment (``Lime_pressure``, ``Atm_pressure`` in mbar, ``Lime_temperature``,
``Atm_temperature`` in deg C, ``Humidity`` in %): analysts correct the light yield for
gas density with them. The DAQ sends them as extra keys of the image header
(docs/daq-protocol.md), which reach the edge and the sink as the frame's metadata.

Every frame gets all of the branches, NaN where the DAQ sent no number, so that the
entries of one run always share the same branches (``write_root`` refuses a run whose
entries differ).
"""

import math
from numbers import Real

import numpy as np

from .errors import ReconError

__all__ = ["ENVIRONMENT_BRANCHES", "environment_branches"]

#: Branch names of the collaboration's environment readings, in their ROOT files' order.
ENVIRONMENT_BRANCHES = ("Lime_pressure", "Atm_pressure", "Lime_temperature", "Atm_temperature",
                        "Humidity")


def environment_branches(metadata) -> dict:
    """The environment branches of one frame.

    Parameters
    ----------
    metadata : dict or None
        The image header's extra keys, as the DAQ sent them; other keys are ignored.

    Returns
    -------
    dict of str to numpy.float32
        Each name of :data:`ENVIRONMENT_BRANCHES`: the reading, or NaN where the metadata
        has no finite number under that name (missing, text, boolean, null).

    Raises
    ------
    ReconError
        ``metadata`` is neither a dict nor None.
    """
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise ReconError(f"metadata must be a dict or None, got {type(metadata).__name__}: {metadata!r}")
    return {name: np.float32(_reading(metadata.get(name))) for name in ENVIRONMENT_BRANCHES}


def _reading(value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        return math.nan
    value = float(value)
    return value if math.isfinite(value) else math.nan
