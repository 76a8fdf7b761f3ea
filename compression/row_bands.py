"""Row bands: how the pair coders walk a frame so that each part is read from memory once.

A LIME frame is 10.6 MB: more than a core's L2 cache. Coding it whole and then
hashing it for the blob's pixel checksum reads it from memory (or L3) twice. The
pair coders instead code one band of rows at a time and hand that band to the
checksum's streaming digest right away, while it is still in L2. A streaming
xxh3 digest fed the bands in order equals the one-shot digest of the frame, so
blobs are byte-for-byte what the one-pass coder wrote (measured on LIME frames:
pair coding plus checksum 3.4 ms instead of 4.0 ms).

A band holds a multiple of 8 rows, so it holds a multiple of 8 pixels: no pixel pair
straddles two bands, and each band's low bits (:mod:`compression.low_bit_split`) fill
whole bytes, whatever the row length.
"""

import numpy as np

__all__ = ["BAND_PIXELS", "row_bands", "band_base", "symbol_span"]

#: Pixels per band (~1 MB of uint16, about a core's L2; the kernels walk each band in
#: 32 K-pixel parts). Each band costs a Python-level kernel call and digest update: on
#: an AMD EPYC host, 2**19 coded a LIME frame 0.2-0.3 ms faster than 2**17 (~40 bands),
#: and 2**21 or more was no faster (2026-12-03, ad-hoc medians of 40).
BAND_PIXELS = 1 << 19


def row_bands(shape: tuple):
    """Yield ``(first_row, end_row)`` of consecutive bands covering ``shape``'s rows.

    A band holds about :data:`BAND_PIXELS` pixels, rounded to a multiple of 8 rows
    (at least 8).

    Parameters
    ----------
    shape : (rows, cols)

    Yields
    ------
    (int, int)
        Row ranges ``[first_row, end_row)`` in order; every band but the last has a
        multiple of 8 rows.
    """
    rows, cols = shape
    band_rows = max(8, (BAND_PIXELS // cols) & ~7)
    for first in range(0, rows, band_rows):
        yield first, min(first + band_rows, rows)


def band_base(base: np.ndarray, first: int, end: int) -> np.ndarray:
    """The rows of a base map for rows ``[first, end)``: a one-row base serves every band."""
    return base if base.shape[0] == 1 else base[first:end]


def symbol_span(cols: int, first: int, end: int) -> slice:
    """The pair symbols of rows ``[first, end)`` (the last band's odd pixel is paired with 0)."""
    return slice(first * cols // 2, (end * cols + 1) // 2)
