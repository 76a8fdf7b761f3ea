"""One frame's reconstruction result to and from bytes (the body of an MQTT ``reco`` item).

The format is a numpy ``.npz`` archive (no pickles): one array per branch, event-level
values as 0-d arrays, plus a ``__format__`` entry naming this layout and its version, so
a reader can refuse what it does not understand. The dtypes travel with the data, so
the ROOT file written at the sink has exactly the types the edge computed.
"""

import io
import zipfile

import numpy as np

from .errors import ReconError

__all__ = ["result_to_bytes", "result_from_bytes", "RESULT_FORMAT"]

#: Name and version of the byte layout, stored in every blob.
RESULT_FORMAT = "cygno-reco-npz/1"
_FORMAT_KEY = "__format__"


def result_to_bytes(result):
    """Serialise a reconstruction result.

    Parameters
    ----------
    result : dict of str to ndarray or numpy scalar
        As returned by :func:`recon.reconstruct` (optionally with ``run``/``event``).

    Returns
    -------
    bytes
        An uncompressed ``.npz`` archive (the arrays are small; the wire compresses).
    """
    if not isinstance(result, dict):
        raise ReconError(f"result must be a dict of arrays, got {type(result).__name__}")
    arrays = {}
    for name, value in result.items():
        if not isinstance(name, str) or not name or name == _FORMAT_KEY:
            raise ReconError(f"result key must be a non-empty branch name, got {name!r}")
        array = np.asarray(value)
        if array.dtype.kind not in "biuf" or array.ndim > 1:
            raise ReconError(f"result[{name!r}] must be a numeric scalar or 1-D array, "
                             f"got {array.dtype} with shape {array.shape}")
        arrays[name] = array
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, **{_FORMAT_KEY: np.array(RESULT_FORMAT)})
    return buffer.getvalue()


def result_from_bytes(blob):
    """Inverse of :func:`result_to_bytes`.

    Returns
    -------
    dict of str to ndarray or numpy scalar
        1-D arrays for per-cluster branches, numpy scalars for event-level values.

    Raises
    ------
    ReconError
        If ``blob`` is not a result written by :func:`result_to_bytes`.
    """
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise ReconError(f"blob must be bytes, got {type(blob).__name__}")
    try:
        with np.load(io.BytesIO(bytes(blob)), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ReconError(f"blob is not a reconstruction result ({exc}): {bytes(blob)[:40]!r}") from None
    found = str(arrays.pop(_FORMAT_KEY, "missing"))
    if found != RESULT_FORMAT:
        raise ReconError(f"result format is {found!r}, this build reads {RESULT_FORMAT!r}")
    return {name: array[()] if array.ndim == 0 else array for name, array in arrays.items()}
