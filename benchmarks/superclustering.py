"""Superclustering variants compared by the reconstruction benchmark.

* ``morphology``: block hysteresis with 3-block merging only (dilation + connected
  components on the rebinned significance map), ``reconstruct(merge_rounds=0)``;
* ``gac``: the same (with crossing tracks split), then scikit-image's morphological
  geodesic active contour as the collaboration runs it: the level set starts as the
  clusters' neighbourhood (dilated by 3 blocks) and contracts (balloon -1, threshold
  0.69) onto the edges of the significance map; clusters that end up inside one
  contour are merged;
* ``collinear``: the library's choice, morphology then directional merging of
  fragments along track lines (:mod:`recon.supercluster`).
"""

import numpy as np
from scipy import ndimage
from skimage.segmentation import inverse_gaussian_gradient, morphological_geodesic_active_contour

from recon.block_map import block_map
from recon.cluster_labels import label_blocks
from recon.cluster_moments import accumulate_moments, assign_pixels
from recon.line_split import split_crossing_tracks
from recon.reconstruct import DEFAULTS, reconstruct_sparse
from recon.variables import cluster_variables

__all__ = ["VARIANTS", "run_variant"]

GAC_ITERATIONS = 60  # the collaboration runs 230; 60 already costs ~0.5 s per frame here
GAC_NEIGHBOURHOOD = 3


def run_variant(name, sparse, pedestal):
    """Per-cluster variables of one zero-suppressed frame with superclustering ``name``."""
    if name == "collinear":
        return reconstruct_sparse(sparse, pedestal)
    if name == "morphology":
        return reconstruct_sparse(sparse, pedestal, merge_rounds=0)
    if name == "gac":
        return _gac_reconstruct(sparse, pedestal)
    raise ValueError(f"unknown superclustering variant {name!r}; known: {VARIANTS}")


VARIANTS = ("morphology", "gac", "collinear")


def _gac_reconstruct(sparse, pedestal):
    bin = DEFAULTS["bin"]
    blocks = block_map(sparse.rows, sparse.cols, sparse.values, pedestal.mean, pedestal.weight,
                       pedestal.block_norm(bin), bin)
    rows, cols = blocks.rows, blocks.cols
    labels, n_clusters = label_blocks(blocks.significance, seed=DEFAULTS["seed"], grow=DEFAULTS["grow"],
                                      merge_radius=DEFAULTS["merge_radius"],
                                      min_significance=DEFAULTS["min_significance"])
    labels, n_clusters = split_crossing_tracks(labels, blocks.significance, n_clusters)
    if n_clusters:
        labels = _gac_merge(blocks.significance, labels)
        n_clusters = int(labels.max()) + 1
    pixel_label, core = assign_pixels(rows, cols, labels, bin, DEFAULTS["ring"])
    table = accumulate_moments(pixel_label, core, rows, cols, blocks.signal, n_clusters)
    result = cluster_variables(table, pixel_label, core, rows, cols)
    result["nSc"] = np.int32(n_clusters)
    return result


def _gac_merge(significance, labels):
    """Contract a geodesic active contour from the clusters' neighbourhood; clusters inside one contour merge."""
    inside = labels >= 0
    neighbourhood = ndimage.binary_dilation(inside, np.ones((2 * GAC_NEIGHBOURHOOD + 1,) * 2, bool))
    image = np.where(neighbourhood, np.clip(significance, 0, None), 0.0)
    edges = inverse_gaussian_gradient(image)
    contour = morphological_geodesic_active_contour(
        edges, GAC_ITERATIONS, init_level_set=neighbourhood.astype(np.int8), smoothing=1, balloon=-1,
        threshold=0.69)
    regions, _ = ndimage.label(contour.astype(bool) | inside, structure=np.ones((3, 3)))
    region_of_block = regions[inside]
    _, merged = np.unique(region_of_block, return_inverse=True)
    out = np.full(labels.shape, -1, dtype=np.int32)
    out[inside] = merged.astype(np.int32)
    return out
