import numpy as np
import pytest

from edge.sim import render_points
from edge.sim.render import STAMP_SIGMAS


def reference_render(y, x, adu, sigma, shape):
    """Plain loop: each point's truncated, normalised Gaussian stamp, summed on a full frame."""
    image = np.zeros(shape)
    radius = int(np.ceil(STAMP_SIGMAS * sigma))
    for py, px, a in zip(y, x, adu):
        rows = np.rint(py).astype(int) + np.arange(-radius, radius + 1)
        cols = np.rint(px).astype(int) + np.arange(-radius, radius + 1)
        wy = np.exp(-0.5 * ((rows - py) / sigma) ** 2)
        wx = np.exp(-0.5 * ((cols - px) / sigma) ** 2)
        stamp = a * np.outer(wy / wy.sum(), wx / wx.sum())
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                if 0 <= r < shape[0] and 0 <= c < shape[1]:
                    image[r, c] += stamp[i, j]
    return image


def test_matches_the_plain_loop_reference():
    rng = np.random.default_rng(1)
    y, x = rng.uniform(-2, 30, 25), rng.uniform(-2, 50, 25)
    adu = rng.uniform(10, 100, 25)
    rows, cols, values = render_points(y, x, adu, 2.3, (30, 50))
    image = np.zeros((30, 50))
    image[rows, cols] = values
    np.testing.assert_allclose(image, reference_render(y, x, adu, 2.3, (30, 50)), rtol=1e-5, atol=1e-5)


def test_pixels_are_unique_and_row_major():
    rows, cols, _ = render_points([5.0, 5.2, 9.0], [5.0, 5.1, 3.0], [1, 1, 1], 1.5, (20, 20))
    flat = rows.astype(np.int64) * 20 + cols
    assert np.all(np.diff(flat) > 0)


def test_sum_is_conserved_inside_the_frame():
    _, _, values = render_points([10.0, 12.5], [11.0, 14.2], [300.0, 700.0], 2.0, (40, 40))
    assert values.sum() == pytest.approx(1000.0, rel=1e-6)


def test_nothing_outside_gives_empty_arrays():
    rows, cols, values = render_points([-50.0], [-50.0], [5.0], 1.0, (10, 10))
    assert rows.size == cols.size == values.size == 0


@pytest.mark.parametrize("sigma", [0, -1, float("nan")])
def test_bad_sigma_is_refused(sigma):
    with pytest.raises(ValueError, match="sigma_px"):
        render_points([1.0], [1.0], [1.0], sigma, (5, 5))


def test_unequal_sizes_are_refused():
    with pytest.raises(ValueError, match="equal sizes"):
        render_points([1.0, 2.0], [1.0], [1.0], 1.0, (5, 5))
