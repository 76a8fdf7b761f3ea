"""The public entry points: frames and sparse frames to blobs and back.

``encode_frame`` chooses the codec: the pedestal codec when a pedestal is given,
the self-contained column codec otherwise, the lossy dither codec only when
``lossy_q`` is passed explicitly. Decoders are chosen by the blob's own config.

With a pedestal, noise classes (:mod:`compression.sigma_classes`) are used when the
pedestal's sigma map is broad enough for them to pay: the predicted saving of
:data:`AUTO_CLASSES` classes is at least :data:`AUTO_CLASS_GAIN` (decided once per
pedestal). A narrow map (the simulator's LIME camera) keeps the faster single table.
"""

import numpy as np

from .codec_base import check_frame
from .codec_column import ColumnPairCodec
from .codec_dither import DitherQuantizeCodec
from .codec_pedestal import PedestalPairCodec
from .codec_sparse import SparsePixelCodec, SparsePixels
from .container import unpack_blob
from .errors import CodecError
from .pedestal_prep import prepare_pedestal
from .registry import get_codec
from .sigma_classes import cached_predicted_gain

__all__ = ["encode_frame", "decode_frame", "encode_sparse", "decode_sparse", "AUTO_CLASSES",
           "AUTO_CLASS_GAIN"]

#: Noise classes used when they pay, and the predicted relative saving that makes them pay.
AUTO_CLASSES = 4
AUTO_CLASS_GAIN = 0.025


def encode_frame(frame: np.ndarray, pedestal=None, lossy_q: float | None = None) -> bytes:
    """Compress one camera frame into a self-describing blob.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols)
        Any shape from 1 x 1 up to 2**26 pixels.
    pedestal : object with float32 ``.mean`` and ``.sigma`` of shape (rows, cols), optional
        Makes the blob smaller; the blob then names it and needs it to decode.
    lossy_q : float, optional
        LOSSY mode: quantise to sigma/q with subtractive dither (needs ``pedestal``).
        Default None: lossless, bit-exact.

    Returns
    -------
    bytes
    """
    if lossy_q is not None:
        return DitherQuantizeCodec(q=lossy_q).encode(frame, pedestal)
    if pedestal is not None:
        frame = check_frame(frame)
        prepared = prepare_pedestal(pedestal, frame.shape)
        gain = cached_predicted_gain(prepared.id, prepared.sigma, AUTO_CLASSES)
        return PedestalPairCodec(classes=AUTO_CLASSES if gain >= AUTO_CLASS_GAIN else 1).encode(
            frame, prepared)
    return ColumnPairCodec().encode(frame)


def decode_frame(blob, pedestal=None) -> np.ndarray:
    """The frame of a blob: uint16 (bit-exact) or float32 for a lossy blob.

    ``pedestal`` must be the one the blob names (:class:`PedestalMismatchError`
    otherwise); it is ignored for a self-contained blob. A corrupt, truncated or
    forged blob raises :class:`CodecError`.
    """
    return _decode(blob, pedestal, "frame")


def encode_sparse(sparse, pedestal=None) -> bytes:
    """Compress a zero-suppressed frame (``.rows``, ``.cols``, ``.values``, ``.shape``)."""
    return SparsePixelCodec().encode(sparse, pedestal)


def decode_sparse(blob, pedestal=None) -> SparsePixels:
    """The :class:`SparsePixels` of a blob written by :func:`encode_sparse`."""
    return _decode(blob, pedestal, "sparse")


def _decode(blob, pedestal, kind: str):
    header, sections = unpack_blob(blob)
    if header["kind"] != kind:
        raise CodecError(f"blob holds a {header['kind']!r}, expected a {kind!r}")
    codec = get_codec(header["codec"])
    if isinstance(codec, SparsePixelCodec) != (kind == "sparse"):
        raise CodecError(f"blob kind {kind!r} does not match its codec {codec.codec_id!r}")
    return codec.decode_sections(header, sections, pedestal)
