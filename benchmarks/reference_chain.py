"""Plain reference of the collaboration's reconstruction chain (benchmark only).

The steps of the collaboration's offline reconstruction, written plainly with
numpy, scipy and scikit-learn: pedestal subtraction, a cut of pixels above 5000 ADU,
zero suppression at 0.6 sigma, a 2 x 2 median filter, 4 x 4 rebinning (mean; macro-bins
that round to 0 ADU are dropped, as the collaboration does), a neighbour noise filter
(the mean of a macro-bin's 3 x 3 neighbourhood must reach a threshold), and intensity-weighted DBSCAN (eps 12, min_samples 20). The
collaboration's own chain adds a directional DBSCAN with RANSAC fits on top, about
6 times slower than this plain version (factor quoted in issue 5, not measured here).

Needs the ``bench`` extra (scikit-learn).
"""

import time

import numpy as np
from scipy import ndimage
from sklearn.cluster import DBSCAN

__all__ = ["reference_reconstruct", "calibrate_noise_threshold"]

SATURATION_CUT_ADU = 5000.0
ZS_SIGMA = 0.6
REBIN = 4
EPS_PX = 12.0
MIN_SAMPLES = 20


def calibrate_noise_threshold(noise_frames, pedestal):
    """Neighbour-filter threshold that removes (almost) all noise: the highest 3 x 3
    neighbourhood mean of the rebinned image seen on signal-free frames, plus 5 %.

    With the collaboration's own cut (neighbourhood mean >= 0.5 ADU) every second
    macro-bin of a noise-only frame of this simulator survives and DBSCAN merges the
    whole frame into one cluster; calibrating the cut on noise instead gives the
    reference its best quality and a fast DBSCAN, so our speed-up is not inflated.
    """
    highest = 0.0
    for frame in noise_frames:
        highest = max(highest, float(_neighbourhood_mean(_filtered_rebinned(frame, pedestal)[1]).max()))
    return 1.05 * highest


def reference_reconstruct(frame, pedestal, noise_threshold=0.5):
    """Run the reference chain on one raw frame.

    Parameters
    ----------
    frame : ndarray of uint16, shape (rows, cols)
    pedestal : recon.Pedestal
    noise_threshold : float
        A macro-bin is kept if the mean of its 3 x 3 neighbourhood (rebinned, median
        filtered, in ADU) reaches this (see :func:`calibrate_noise_threshold`).

    Returns
    -------
    dict of str to ndarray
        ``sc_integral``, ``sc_xmean``, ``sc_ymean``, ``sc_xmin``, ``sc_xmax``, ``sc_ymin``,
        ``sc_ymax``, ``sc_theta``, ``sc_length``, ``sc_width`` per cluster (full-resolution
        pixels, x = column), ``nSc`` and ``t_*`` step timings in seconds.
    """
    times, clock = {}, time.perf_counter()
    image = frame.astype(np.float32) - pedestal.mean
    clock = _lap(times, "t_pedsub", clock)
    image[(image > SATURATION_CUT_ADU) | pedestal.mask] = 0.0
    image[image < ZS_SIGMA * pedestal.sigma] = 0.0
    clock = _lap(times, "t_zerosup", clock)
    filtered = ndimage.median_filter(image, size=2)
    clock = _lap(times, "t_medianfilter", clock)
    weights_image, rebinned = _rebin_mean(image), _rebin_mean(filtered)
    clock = _lap(times, "t_rebin", clock)
    occupied = (np.round(rebinned) > 0) & (_neighbourhood_mean(rebinned) >= noise_threshold)
    clock = _lap(times, "t_noisered", clock)
    block_rows, block_cols = np.nonzero(occupied)
    weights = np.maximum(weights_image[block_rows, block_cols], 1e-3)
    points = np.column_stack([block_cols, block_rows]) * REBIN + (REBIN - 1) / 2.0
    if len(points):
        labels = DBSCAN(eps=EPS_PX, min_samples=MIN_SAMPLES).fit(points, sample_weight=weights).labels_
    else:
        labels = np.zeros(0, dtype=int)
    clock = _lap(times, "t_DBSCAN", clock)
    result = _variables(points, weights, labels)
    _lap(times, "t_variables", clock)
    result.update(times)
    return result


def _filtered_rebinned(frame, pedestal):
    image = frame.astype(np.float32) - pedestal.mean
    image[(image > SATURATION_CUT_ADU) | pedestal.mask] = 0.0
    image[image < ZS_SIGMA * pedestal.sigma] = 0.0
    return _rebin_mean(image), _rebin_mean(ndimage.median_filter(image, size=2))


def _neighbourhood_mean(rebinned):
    return ndimage.uniform_filter(rebinned, size=3, mode="constant")


def _rebin_mean(image):
    rows, cols = image.shape
    padded = np.zeros((-(-rows // REBIN) * REBIN, -(-cols // REBIN) * REBIN), np.float32)
    padded[:rows, :cols] = image
    return padded.reshape(padded.shape[0] // REBIN, REBIN, -1, REBIN).mean(axis=(1, 3))


def _variables(points, weights, labels):
    names = ("sc_integral", "sc_xmean", "sc_ymean", "sc_xmin", "sc_xmax", "sc_ymin", "sc_ymax",
             "sc_theta", "sc_length", "sc_width")
    rows = []
    for label in range(labels.max() + 1 if len(labels) else 0):
        member = labels == label
        xy, w = points[member], weights[member]
        mean = np.average(xy, axis=0, weights=w)
        cov = np.cov((xy - mean).T, aweights=w) if len(xy) > 1 else np.zeros((2, 2))
        theta = 0.5 * np.arctan2(2 * cov[0, 1], cov[0, 0] - cov[1, 1])
        axis = np.array([np.cos(theta), np.sin(theta)])
        along = (xy - mean) @ axis
        across = (xy - mean) @ np.array([-axis[1], axis[0]])
        rows.append((w.sum() * REBIN * REBIN, mean[0], mean[1], xy[:, 0].min(), xy[:, 0].max(), xy[:, 1].min(),
                     xy[:, 1].max(), theta, np.ptp(along) + REBIN, np.ptp(across) + REBIN))
    table = np.array(rows, dtype=np.float64).reshape(-1, len(names))
    result = {name: table[:, i].astype(np.float32) for i, name in enumerate(names)}
    result["nSc"] = np.int32(len(rows))
    return result


def _lap(times, name, clock):
    now = time.perf_counter()
    times[name] = now - clock
    return now
