"""Noise classes of pixel pairs: code quiet and noisy pairs with separate Huffman tables.

One Huffman table over all residuals pays for the mixture of noise levels. When the
pedestal's sigma map is broad, each pixel gets one of K <= 4 classes (sigma against
quantile edges written in the blob header) and a pair the class ``c0 * K + c1``; the
pair symbols are reordered class by class (stable, so raster order within a class)
and each class is coded with its own table. Classes come from the pedestal only, so
the decoder rebuilds the same order without any side data.

Reordering costs a scatter (encode) and a gather (decode) of one byte per pair (about
2 and 1.5 ms per 2304 x 2304 frame), so :func:`compression.encode_frame` only uses it
for a pedestal where it measurably pays.
"""

import numba
import numpy as np

from .errors import CodecError
from .pedestal_prep import cached_per_pedestal

__all__ = ["MAX_CLASSES", "class_edges", "cached_class_edges",
           "check_edges", "pixel_classes", "pair_class_map",
           "scatter_by_class", "gather_by_class", "scatter_by_class_reference",
           "gather_by_class_reference"]

#: Classes per pixel; a pair has one of MAX_CLASSES**2 = 16 classes.
MAX_CLASSES = 4


def pixel_classes(sigma: np.ndarray, edges: list) -> np.ndarray:
    """uint8 class of every pixel (raster order, padded with class 0 to an even count)."""
    flat = np.ascontiguousarray(sigma, dtype=np.float32).reshape(-1)
    classes = np.searchsorted(np.asarray(edges, dtype=np.float32), flat, side="right").astype(np.uint8)
    return np.append(classes, np.uint8(0)) if classes.size % 2 else classes


def class_edges(sigma: np.ndarray, n_classes: int) -> list:
    """At most ``n_classes - 1`` increasing float32 quantile edges of sigma (as floats)."""
    quantiles = np.quantile(np.asarray(sigma, dtype=np.float32), np.arange(1, n_classes) / n_classes)
    return sorted({float(np.float32(edge)) for edge in quantiles})


def cached_class_edges(pedestal_id: str, sigma: np.ndarray, n_classes: int) -> list:
    """:func:`class_edges`, computed once per pedestal and class count."""
    return cached_per_pedestal(("edges", pedestal_id, n_classes), lambda: class_edges(sigma, n_classes))


def pair_class_map(pedestal_id: str, sigma: np.ndarray, edges: list) -> tuple:
    """``(class of each pair uint8, start of each class in the reordered stream)``, cached."""
    return cached_per_pedestal(("map", pedestal_id, tuple(edges)), lambda: _class_map(sigma, edges))


def _class_map(sigma: np.ndarray, edges: list) -> tuple:
    per_pixel = pixel_classes(sigma, edges)
    k = len(edges) + 1
    classes = (per_pixel[0::2] * k + per_pixel[1::2]).astype(np.uint8)
    counts = np.bincount(classes, minlength=k * k)
    return classes, np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def check_edges(edges) -> list:
    """Edges from a blob header: a sorted list of at most 3 finite numbers."""
    if not isinstance(edges, list) or len(edges) > MAX_CLASSES - 1 or not all(
            isinstance(e, (int, float)) and not isinstance(e, bool) and np.isfinite(e) for e in edges) \
            or edges != sorted(edges):
        raise CodecError(f"class_edges must be a sorted list of at most {MAX_CLASSES - 1} numbers, "
                         f"got {edges!r}")
    return edges


def scatter_by_class(symbols: np.ndarray, classes: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``symbols`` reordered class by class (stable); same length."""
    out = np.empty_like(symbols)
    _scatter(symbols, classes, starts.copy(), out)
    return out


def gather_by_class(stream: np.ndarray, classes: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Inverse of :func:`scatter_by_class`."""
    out = np.empty_like(stream)
    _gather(stream, classes, starts.copy(), out)
    return out


@numba.njit(cache=True, nogil=True)
def _scatter(symbols, classes, cursor, out):
    for i in range(symbols.size):
        c = classes[i]
        out[cursor[c]] = symbols[i]
        cursor[c] += 1


@numba.njit(cache=True, nogil=True)
def _gather(stream, classes, cursor, out):
    for i in range(out.size):
        c = classes[i]
        out[i] = stream[cursor[c]]
        cursor[c] += 1


def scatter_by_class_reference(symbols, classes, starts) -> np.ndarray:
    """numpy twin of :func:`scatter_by_class`."""
    return symbols[np.argsort(classes, kind="stable")]


def gather_by_class_reference(stream, classes, starts) -> np.ndarray:
    """numpy twin of :func:`gather_by_class`."""
    out = np.empty_like(stream)
    out[np.argsort(classes, kind="stable")] = stream
    return out
