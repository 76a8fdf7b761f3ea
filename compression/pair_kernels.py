"""Residuals against a base map, coded as one byte per PAIR of pixels (numba kernels).

A pixel's residual ``d = frame - base`` is zigzagged (``z = 2|d|``, minus one if
negative) and clipped at ``alphabet - 1``. Two consecutive pixels (raster order)
form one symbol ``z0 * alphabet + z1`` (at most 16 * 16 = 256 values). Coding
pairs halves the per-pixel redundancy of the Huffman coder behind (zstd literals),
which on a 3-bit-per-pixel noise residual is a few % of the size.

A clipped pixel continues in the *overflow* stream: ``z - (alphabet - 1)`` as one
byte, 255 meaning "the raw uint16 value follows in the *escape* stream". Both
streams are in raster order. All loops are ``nogil``; the plain-numpy twins are in
:mod:`compression.pair_reference` and the tests compare the two. The default
alphabet on even-length rows takes the fast path of :mod:`compression.nibble_kernels`,
any other the general kernels of :mod:`compression.chunk_kernels`.
The public coders walk the frame in row bands (:mod:`compression.row_bands`) and can
hand each band to a checksum digest while it is in cache. With ``low_bits`` they code
the halved residuals and return the residuals' low bits apart
(:mod:`compression.low_bit_split`).
"""

from typing import NamedTuple

import numpy as np

from .chunk_kernels import BAD_SYMBOL, decode_chunks, encode_chunks
from .errors import CodecError
from .low_bit_split import HALF_CENTRE, low_bit_bytes, merge_low_bits, pack_low_bits, split_low_bits
from .nibble_kernels import decode_nibble_rows, encode_nibble_rows, nibble_path_applies
from .noisy_shift import NoisyPixels, noisy_by_band, unshift_band
from .row_bands import band_base, row_bands, symbol_span

__all__ = ["PairStreams", "DEFAULT_ALPHABET", "encode_pairs", "decode_pairs", "check_alphabet",
           "check_base"]

#: 16 fills the byte; 14 codes ~0.3 % smaller on sigma ~2 ADU noise but clips twice as many
#: pixels into the slower overflow path.
DEFAULT_ALPHABET = 16


class PairStreams(NamedTuple):
    """The three byte streams of one coded frame."""

    symbols: np.ndarray   # uint8, (ceil(n / 2),)
    overflow: np.ndarray  # uint8, (n_clipped,)
    escapes: np.ndarray   # uint16, (n_escaped,)
    fine: np.ndarray = np.empty(0, np.uint8)  # uint8, (n_noisy,): see compression.noisy_shift


def check_alphabet(alphabet) -> int:
    """Alphabet per pixel: an int in [2, 16] (so a pair fits one byte)."""
    if isinstance(alphabet, bool) or not isinstance(alphabet, (int, np.integer)) \
            or not 2 <= alphabet <= 16:
        raise CodecError(f"alphabet must be an int in [2, 16], got {alphabet!r}")
    return int(alphabet)


def check_base(base, shape) -> np.ndarray:
    """A uint16 base map of shape ``(rows, cols)`` or ``(1, cols)`` (one row for every row)."""
    base = np.asarray(base)
    if base.dtype != np.uint16 or base.ndim != 2 or base.shape[1] != shape[1] \
            or base.shape[0] not in (1, shape[0]):
        raise CodecError(f"base must be uint16 of shape {tuple(shape)} or (1, {shape[1]}), "
                         f"got {base.dtype} {base.shape}")
    return np.ascontiguousarray(base)


def encode_pairs(frame: np.ndarray, base: np.ndarray, alphabet: int = DEFAULT_ALPHABET,
                 out: np.ndarray | None = None, digest=None,
                 noisy: NoisyPixels | None = None, mirror: bool = False,
                 low_bits: np.ndarray | None = None) -> PairStreams:
    """Pair symbols, overflow and escapes of ``frame - base``.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols), C-contiguous
    base : ndarray of uint16, shape (rows, cols) or (1, cols)
    alphabet : int in [2, 16]
    out : ndarray of uint8, shape (ceil(rows * cols / 2),), optional
        Where to write the symbols (returned as ``.symbols``); a new array by default.
    digest : hashlib-style object, optional
        Its ``update`` is called with the frame's rows, band by band in order, each
        right after it is coded (:mod:`compression.row_bands`).
    noisy : NoisyPixels, optional
        Pixels whose residual is coded shifted right (:mod:`compression.noisy_shift`);
        their low bits are returned as ``.fine``.
    mirror : bool
        ``base`` is a mirrored base (:func:`compression.pedestal_prep.mirrored_base`).
    low_bits : ndarray of uint8, shape (ceil(rows * cols / 8),), optional
        If given, the halved residuals are coded and their low bits written here
        (:mod:`compression.low_bit_split`); not with ``noisy`` or ``mirror``.

    Returns
    -------
    PairStreams
    """
    alphabet = check_alphabet(alphabet)
    base = check_base(base, frame.shape)
    frame = np.ascontiguousarray(frame)
    n = frame.size
    halver = _LowBitSplit(frame.shape, base, low_bits, noisy, mirror)
    symbols = np.empty((n + 1) // 2, dtype=np.uint8) if out is None else out
    if symbols.dtype != np.uint8 or symbols.shape != ((n + 1) // 2,) or not symbols.flags.c_contiguous:
        raise CodecError(f"out must be a contiguous uint8 array of shape ({(n + 1) // 2},), "
                         f"got {symbols.dtype} {symbols.shape}")
    overflow = np.empty(n, dtype=np.uint8)
    escapes = np.empty(n, dtype=np.uint16)
    nibbles = nibble_path_applies(frame.shape, alphabet)  # the default: ~20 % faster, same bytes
    fine = np.empty(0 if noisy is None else noisy.pixels.size, np.uint8)
    mirror = np.int32(bool(mirror))
    n_over, n_esc = 0, 0
    for (first, end), part in zip(row_bands(frame.shape), noisy_by_band(noisy, frame.shape)):
        band = frame[first:end]
        coded, coded_base, halve = halver.split(band, first, end, nibbles)
        span = symbol_span(frame.shape[1], first, end)
        kernel_noisy = part.pixels, part.shifts, fine[part.start:part.stop]
        if nibbles:
            used = encode_nibble_rows(coded, coded_base, mirror, halve, symbols[span],
                                      overflow[n_over:], escapes[n_esc:], *kernel_noisy)
        else:
            used = encode_chunks(coded, coded_base, mirror, alphabet, symbols[span],
                                  overflow[n_over:], escapes[n_esc:], *kernel_noisy)
        n_over, n_esc = n_over + used[0], n_esc + used[1]
        if digest is not None:
            digest.update(band)
    return PairStreams(symbols, overflow[:n_over].copy(), escapes[:n_esc].copy(), fine)


def decode_pairs(streams: PairStreams, base: np.ndarray, shape: tuple,
                 alphabet: int = DEFAULT_ALPHABET, digest=None,
                 noisy: NoisyPixels | None = None, mirror: bool = False,
                 low_bits: np.ndarray | None = None) -> np.ndarray:
    """Inverse of :func:`encode_pairs`; inconsistent streams raise :class:`CodecError`.

    ``digest``, if given, is updated with the decoded rows, band by band in order.
    ``noisy``, ``mirror`` and ``low_bits`` must be what the frame was encoded with
    (``streams.fine`` holds the noisy pixels' fine bits).
    """
    alphabet = check_alphabet(alphabet)
    base = check_base(base, shape)
    n = shape[0] * shape[1]
    if streams.symbols.size != (n + 1) // 2:
        raise CodecError(f"symbols stream has {streams.symbols.size} pairs, a {shape} frame needs "
                         f"{(n + 1) // 2}")
    if streams.fine.size != (0 if noisy is None else noisy.pixels.size):
        raise CodecError(f"fine stream has {streams.fine.size} entries, the pedestal has "
                         f"{0 if noisy is None else noisy.pixels.size} noisy pixels")
    frame = np.empty(shape, dtype=np.uint16)
    nibbles = nibble_path_applies(shape, alphabet)
    halver = _LowBitSplit(shape, base, low_bits, noisy, mirror)
    mirror = np.int32(bool(mirror))
    n_over, n_esc = 0, 0
    for (first, end), part in zip(row_bands(shape), noisy_by_band(noisy, shape)):
        symbols, band = streams.symbols[symbol_span(shape[1], first, end)], frame[first:end]
        coded_base = halver.coded_base(first, end)
        if nibbles:
            status, used_over, used_esc = decode_nibble_rows(
                symbols, coded_base, mirror, streams.overflow[n_over:], streams.escapes[n_esc:], band)
        else:
            status, used_over, used_esc = decode_chunks(
                symbols, coded_base, mirror, alphabet, streams.overflow[n_over:], streams.escapes[n_esc:], band)
        if status == BAD_SYMBOL:
            raise CodecError(f"symbols stream holds a value >= {alphabet * alphabet} (alphabet {alphabet})")
        n_over, n_esc = n_over + used_over, n_esc + used_esc
        if status or (end == shape[0] and (n_over, n_esc) != (streams.overflow.size, streams.escapes.size)):
            raise CodecError(f"overflow/escape streams ({streams.overflow.size}/{streams.escapes.size} "
                             f"entries) do not match the clipped pixels of the symbols")
        unshift_band(band, band_base(base, first, end), mirror, part, streams.fine)
        halver.merge(band, first, end)
        if digest is not None:
            digest.update(frame[first:end])
    return frame


class _LowBitSplit:
    """What the pair coders code per band: the frame against its base, or with ``low_bits``
    the half frame against :data:`~compression.low_bit_split.HALF_CENTRE`."""

    def __init__(self, shape: tuple, base: np.ndarray, low_bits, noisy, mirror: bool):
        self.base, self.low_bits, self.cols = base, low_bits, shape[1]
        if low_bits is None:
            return
        size = low_bit_bytes(shape[0] * shape[1])
        if low_bits.dtype != np.uint8 or low_bits.shape != (size,) or not low_bits.flags.c_contiguous:
            raise CodecError(f"low_bits must be a contiguous uint8 array of shape ({size},), "
                             f"got {low_bits.dtype} {low_bits.shape}")
        if noisy is not None or mirror:
            raise CodecError("low_bits cannot be combined with noisy pixels or a mirrored base")
        self.band_pixels = max(end - first for first, end in row_bands(shape)) * shape[1]
        self.half = None  # the half frame of a band: only the general kernel needs it written
        self.parity = np.empty(self.band_pixels + 16, np.uint8)
        self.centre = np.full((1, shape[1]), HALF_CENTRE, np.uint16)

    def coded_base(self, first: int, end: int) -> np.ndarray:
        return band_base(self.base, first, end) if self.low_bits is None else self.centre

    def split(self, band: np.ndarray, first: int, end: int, nibbles: bool) -> tuple:
        """``(what to code, its base, halve)`` for the band of rows ``[first, end)``.

        The nibble kernel halves the residuals itself (``halve`` 1: the same bytes
        without writing the half frame), the general kernel codes the half frame.
        """
        base = band_base(self.base, first, end)
        if self.low_bits is None:
            return band, base, np.int32(0)
        if nibbles:
            pack_low_bits(band, base, self._low(first, end), self.parity)
            return band, base, np.int32(1)
        if self.half is None:
            self.half = np.empty(self.band_pixels, np.uint16)
        half = self.half[:band.size].reshape(band.shape)
        split_low_bits(band, base, half, self._low(first, end), self.parity)
        return half, self.centre, np.int32(0)

    def merge(self, band: np.ndarray, first: int, end: int) -> None:
        """Turn a decoded half band into the frame's band, in place."""
        if self.low_bits is not None:
            merge_low_bits(band, band_base(self.base, first, end), self._low(first, end), self.parity)

    def _low(self, first: int, end: int) -> np.ndarray:
        return self.low_bits[first * self.cols // 8:low_bit_bytes(end * self.cols)]
