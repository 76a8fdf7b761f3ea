"""The public entry points: frames and sparse frames to blobs and back.

``encode_frame`` chooses the codec: the pedestal codec when a pedestal is given,
the self-contained column codec otherwise, the lossy dither codec only when
``lossy_q`` is passed explicitly. Decoders are chosen by the blob's own config.

With a pedestal, the pedestal's noisy pixels (sigma above :data:`NOISY_FACTOR` times the
median) are coded coarse, their low bits apart (:mod:`compression.noisy_shift`): 1-3 %
smaller blobs on simulated cameras with 0.5-3 % noisy pixels, for ~4-9 % of encode time
(measured with the 32-bit-lane kernels; see BENCHMARKS.md). On a quiet camera (median
sigma below :data:`MIRROR_BELOW_SIGMA`), pixels whose mean lies above its rounded value
code their residual negated (``mirror``), so that all pixels' noise leans the same way:
0.7 % smaller at sigma 1.6 ADU. Rounding the mean costs about 0.375 log2(1 + 1 / (12
sigma^2)) bits per pixel that the mode recovers, so above ~2 ADU it saves < 0.4 % and is
not worth its ~5 % of encode time. Noise classes (:mod:`compression.sigma_classes`) are
used when the pedestal's sigma map is broad enough for them to pay: the first frame
coded with a pedestal is coded both ways, and :data:`AUTO_CLASSES` classes are kept for
that pedestal if they saved at least :data:`AUTO_CLASS_GAIN` of the size (they cost
about a third more encode time). A narrow map (the simulator's LIME camera: 1.2 %
saving) keeps the faster single table.

A frame full of signal (a spark, a large saturated area, random data) would send most
pixels down the pair coders' slow overflow path. When more than :data:`PLANES_ABOVE` of
the sampled residuals (every 64th row with a pedestal, every 16th without) exceed +-7
ADU, the frame is coded as byte planes instead (:mod:`compression.codec_planes`).
Measured on LIME-sized frames (``benchmarks/compression_extremes.py``): at a 0.24-0.31
share the pair coders took
17-20 ms for a 5-6 % smaller blob than the planes' 13-14 ms; at 0.95-1.0 they took
50-64 ms for blobs up to 1.4 x larger; noise frames have a share of 0.006-0.06.
Without a pedestal, a frame whose share exceeds :data:`LOW_BIT_PLANE_ABOVE` (a noisy
camera's pedestal spread and noise together) is coded with halved residuals and their low
bits as a raw plane (:mod:`compression.low_bit_split`): a quarter of the overflowing
pixels, 1.2-2.3 ms less per LIME frame of the noisy camera, 0.7 % larger.

The dark level drifts with the sensor temperature between pedestal runs. When a frame's
median residual to the pedestal is :data:`SHIFT_FROM_ADU` or more away from zero, the
pedestal codec predicts each pixel that many ADU off its mean (``dark_offset``), so a
stale pedestal keeps the fast path; the overflow share is then taken around that offset.
Both come from one histogram of the residuals of every 64th row
(:mod:`compression.residual_survey`, 0.1 ms for a LIME frame). The lossy mode quantises
around the same offset.
"""

import threading

import numpy as np

from .codec_base import check_frame
from .codec_column import ColumnPairCodec
from .codec_dither import DitherQuantizeCodec
from .codec_pedestal import PedestalPairCodec
from .codec_planes import ResidualPlanesCodec
from .codec_sparse import SparsePixelCodec, SparsePixels
from .column_median import column_base
from .container import unpack_blob
from .errors import CodecError
from .noisy_shift import reference_sigma
from .pedestal_prep import prepare_pedestal
from .plane_kernels import NIBBLE_REACH, clipped_share
from .registry import get_codec
from .residual_survey import survey_residuals

__all__ = ["encode_frame", "decode_frame", "encode_sparse", "decode_sparse", "AUTO_CLASSES",
           "AUTO_CLASS_GAIN", "NOISY_FACTOR", "MIRROR_BELOW_SIGMA", "PLANES_ABOVE", "SHIFT_FROM_ADU",
           "LOW_BIT_PLANE_ABOVE"]

#: Noise classes used when they pay, and the relative saving (first frame) that makes them pay.
AUTO_CLASSES = 4
AUTO_CLASS_GAIN = 0.02
#: A pixel is coded as noisy when its sigma exceeds this many times the median sigma.
NOISY_FACTOR = 2.0
#: Residuals are mirrored (``mirror``) for a pedestal whose median sigma (ADU) is below this.
MIRROR_BELOW_SIGMA = 2.0
#: A frame is coded as byte planes when more than this share of its sampled residuals overflow.
PLANES_ABOVE = 0.2
#: Without a pedestal, a frame is coded with halved residuals and a low-bit plane when more
#: than this share of its sampled residuals overflow (:mod:`compression.low_bit_split`).
LOW_BIT_PLANE_ABOVE = 0.04
#: Rows sampled for that share without a pedestal: every 16th, the rows the column medians
#: are taken from.
_SURVEY_ROW_STEP = 16
#: With a pedestal: every 64th (36 rows of a LIME frame, 83 k residuals), for the share and
#: the dark offset from one histogram.
_PEDESTAL_SURVEY_ROW_STEP = 64
#: A frame whose median residual to the pedestal is this far from 0 (ADU) is coded with
#: that ``dark_offset``; closer, the pedestal as it is. Below 2 ADU the shift gains < 0.3 % of
#: size and nothing in speed, and frames with much signal (whose median leans up by a
#: fraction of an ADU) keep the plain prediction.
SHIFT_FROM_ADU = 2
_MAX_REMEMBERED = 16
_classes_by_pedestal = {}
_lock = threading.Lock()


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
        return _encode_lossy(frame, pedestal, lossy_q)
    frame = check_frame(frame)
    if pedestal is not None:
        prepared = prepare_pedestal(pedestal, frame.shape)
        survey = survey_residuals(frame, prepared.base, _PEDESTAL_SURVEY_ROW_STEP)
        offset = _offset_to_code(survey)
        if survey.clipped_share(NIBBLE_REACH, offset) > PLANES_ABOVE:
            return ResidualPlanesCodec().encode(frame, prepared)
        with _lock:
            classes = _classes_by_pedestal.get(prepared.id)
        if classes is not None:
            return _pedestal_codec(classes, prepared).encode(frame, prepared, offset)
        return _calibrate_classes(frame, prepared, offset)
    base = column_base(frame, _SURVEY_ROW_STEP)
    share = clipped_share(frame, base, _SURVEY_ROW_STEP)
    if share > PLANES_ABOVE:
        return ResidualPlanesCodec(row_step=_SURVEY_ROW_STEP).encode(frame, base=base)
    codec = ColumnPairCodec(row_step=_SURVEY_ROW_STEP, low_bit_plane=bool(share > LOW_BIT_PLANE_ABOVE))
    return codec.encode(frame, base=base)


def _encode_lossy(frame, pedestal, q) -> bytes:
    """The lossy blob, quantised around the pedestal moved by the frame's dark offset."""
    codec = DitherQuantizeCodec(q=q, dark_offsets=True)
    if pedestal is None:
        return codec.encode(frame, None)  # raises: the lossy codec needs a pedestal
    frame = check_frame(frame)
    prepared = prepare_pedestal(pedestal, frame.shape)
    offset = _offset_to_code(survey_residuals(frame, prepared.base, _PEDESTAL_SURVEY_ROW_STEP))
    return codec.encode(frame, prepared, offset)


def _offset_to_code(survey) -> int:
    """The frame's dark offset from the pedestal if at least :data:`SHIFT_FROM_ADU`, else 0."""
    offset = survey.offset()
    return offset if abs(offset) >= SHIFT_FROM_ADU else 0


def _pedestal_codec(classes: int, prepared) -> PedestalPairCodec:
    """The pedestal codec ``encode_frame`` uses: noisy pixels coarse, mirrored on a quiet camera."""
    median_sigma = reference_sigma(prepared.id, prepared.sigma)
    noisy_factor = NOISY_FACTOR if median_sigma > 0 else 0.0  # no scale to call a pixel noisy by
    return PedestalPairCodec(classes=classes, noisy_factor=noisy_factor,
                             mirror=bool(median_sigma < MIRROR_BELOW_SIGMA), dark_offsets=True)


def _calibrate_classes(frame: np.ndarray, prepared, offset: int) -> bytes:
    """Code the frame with and without noise classes; remember the choice for this pedestal."""
    single = _pedestal_codec(1, prepared).encode(frame, prepared, offset)
    classed = _pedestal_codec(AUTO_CLASSES, prepared).encode(frame, prepared, offset)
    chosen = AUTO_CLASSES if len(classed) <= (1 - AUTO_CLASS_GAIN) * len(single) else 1
    with _lock:
        if len(_classes_by_pedestal) >= _MAX_REMEMBERED:
            _classes_by_pedestal.pop(next(iter(_classes_by_pedestal)))
        _classes_by_pedestal[prepared.id] = chosen
    return classed if chosen > 1 else single


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
