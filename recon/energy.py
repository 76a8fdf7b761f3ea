"""Cluster energy from a light-yield calibration: the collaboration's ``sc_energy`` branch.

The camera sees light, not energy: the integral of a cluster (pedestal-subtracted ADU)
becomes an energy only through a calibration, usually the Fe-55 peak (5.9 keV) of a
calibration run. With ``adu_per_kev`` given, :func:`recon.reconstruct` adds
``sc_energy = sc_integral / adu_per_kev`` in keV; without it the branch is left out
rather than filled with a made-up scale. The collaboration also corrects the integral
for the optics' light-yield map (``sc_corrintegral``) before calibrating; no such map
is applied here.
"""

import math

import numpy as np

from .errors import ReconError

__all__ = ["check_adu_per_kev", "cluster_energy"]


def check_adu_per_kev(adu_per_kev):
    """``adu_per_kev`` as a float, or None; a calibration must be a finite number > 0."""
    if adu_per_kev is None:
        return None
    if isinstance(adu_per_kev, bool) or not isinstance(adu_per_kev, (int, float, np.integer, np.floating)) \
            or not math.isfinite(adu_per_kev) or adu_per_kev <= 0:
        raise ReconError(f"adu_per_kev must be a finite number > 0 (ADU per keV), got {adu_per_kev!r}")
    return float(adu_per_kev)


def cluster_energy(integral, adu_per_kev):
    """Energy in keV of clusters whose integrals (ADU) are ``integral``.

    Parameters
    ----------
    integral : ndarray of float, shape (n_clusters,)
        ``sc_integral``.
    adu_per_kev : float > 0
        Calibration: ADU of integral per keV deposited.

    Returns
    -------
    ndarray of float32, shape (n_clusters,)
    """
    adu_per_kev = check_adu_per_kev(adu_per_kev)
    if adu_per_kev is None:
        raise ReconError("adu_per_kev is required to compute sc_energy")
    return (np.asarray(integral, dtype=np.float64) / adu_per_kev).astype(np.float32)
