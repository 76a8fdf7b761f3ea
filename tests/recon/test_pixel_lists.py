"""The clusters' pixel lists (redpix_*): grouped by cluster, counted, equal to the clusters' sums."""

import numpy as np
import pytest

from edge.sim import FrameSimulator, SensorModel
from recon import Pedestal, reconstruct
from recon.pixel_lists import PIXEL_LIST_BRANCHES, cluster_pixel_lists


def _lists(labels):
    labels = np.asarray(labels, np.int32)
    n = len(labels)
    rows, cols = np.arange(n, dtype=np.int32) // 4, np.arange(n, dtype=np.int32) % 4
    return cluster_pixel_lists(labels, rows, cols, np.arange(n, dtype=np.float32), int(labels.max(initial=-1)) + 1)


def test_pixels_are_grouped_by_cluster_in_raster_order():
    lists = _lists([1, 0, -1, 1, 0, 2])
    assert lists["redpix_iz"].tolist() == [1, 4, 0, 3, 5]
    assert lists["sc_redpixIdx"].tolist() == [0, 2, 4]
    assert int(lists["nRedpix"]) == 5


def test_coordinates_are_x_column_and_y_row():
    lists = _lists([-1, -1, -1, -1, -1, 0])  # pixel 5: row 1, column 1
    assert (lists["redpix_ix"].tolist(), lists["redpix_iy"].tolist()) == ([1], [1])


def test_no_cluster_gives_empty_lists():
    lists = _lists([-1, -1])
    assert int(lists["nRedpix"]) == 0 and lists["sc_redpixIdx"].size == 0 and lists["redpix_ix"].size == 0


@pytest.fixture(scope="module")
def result():
    sim = FrameSimulator(SensorModel((192, 256), seed=8), seed=9, mix={"fe55": 3, "er": 1})
    pedestal = Pedestal.from_frames(sim.pedestal_frame(i) for i in range(20))
    return reconstruct(sim.data_frame(1)[0], pedestal, pixel_lists=True)


def test_reconstruct_adds_the_lists_only_when_asked(result):
    assert set(PIXEL_LIST_BRANCHES) <= set(result)
    assert result["nSc"] > 0


def test_lists_hold_every_cluster_pixel(result):
    assert int(result["nRedpix"]) == int(result["sc_size"].sum())
    ends = np.append(result["sc_redpixIdx"][1:], result["nRedpix"])
    sizes = ends - result["sc_redpixIdx"]
    np.testing.assert_array_equal(sizes, result["sc_size"])


def test_list_signals_sum_to_the_cluster_integrals(result):
    bounds = np.append(result["sc_redpixIdx"], result["nRedpix"]).astype(int)
    sums = [result["redpix_iz"][a:b].sum(dtype=np.float64) for a, b in zip(bounds[:-1], bounds[1:])]
    np.testing.assert_allclose(sums, result["sc_integral"], rtol=1e-5)


def test_types_are_those_the_collaborations_readers_expect(result):
    assert result["sc_redpixIdx"].dtype == np.float32 and result["redpix_iz"].dtype == np.float32
    assert result["redpix_ix"].dtype == np.int32 and result["redpix_iy"].dtype == np.int32
    assert result["nRedpix"].dtype == np.int32


def test_a_non_boolean_pixel_lists_option_is_refused():
    from recon import ReconError

    sim = FrameSimulator(SensorModel((64, 96), seed=3), seed=4)
    pedestal = Pedestal.from_frames(sim.pedestal_frame(i) for i in range(4))
    with pytest.raises(ReconError, match="pixel_lists must be True or False, got 'yes'"):
        reconstruct(sim.data_frame(0)[0], pedestal, pixel_lists="yes")
