"""Online pedestal tracking on the edge: when it updates, adopts, publishes and restarts."""

import threading
from types import SimpleNamespace

import numpy as np
import pytest

import recon
from edge.pedestal_keeper import PedestalKeeper
from edge.pedestal_tracking import PedestalTracking

SHAPE = (48, 64)


@pytest.fixture
def keeper(tmp_path):
    keeper = PedestalKeeper(tmp_path)
    keeper.adopt(recon.Pedestal(np.full(SHAPE, 100.0, np.float32), np.full(SHAPE, 2.0, np.float32)))
    return keeper


def _image(frame, level=100.0, seed=0):
    pixels = np.random.default_rng(seed + frame).normal(level, 2.0, SHAPE).round().astype(np.uint16)
    return SimpleNamespace(run=12, frame=frame, pixels=pixels)


def _nothing_kept():
    empty = np.zeros(0, np.int32)
    return recon.SparseFrame(empty, empty, np.zeros(0, np.uint16), SHAPE)


def _feed(tracking, keeper, frames, level=100.0):
    adopted = []
    for frame in frames:
        tracked = tracking.observe(_image(frame, level), keeper.current, _nothing_kept(), keeper.adopt)
        if tracked is not None:
            adopted.append((frame, tracked))
    return adopted


def test_tracked_pedestal_is_adopted_after_publish_every_updates(keeper):
    tracking = PedestalTracking(keeper, every=2, publish_every=3, alpha=0.5)
    adopted = _feed(tracking, keeper, range(12))
    assert [frame for frame, _ in adopted] == [5, 11]  # every 2nd frame updates, every 3rd update adopts
    assert keeper.current is adopted[-1][1]


def test_a_tracked_pedestal_is_published_before_it_is_adopted(keeper):
    order = []

    def publish_then_adopt(tracked):
        order.append(("published", keeper.current.id == tracked.id))
        keeper.adopt(tracked)

    tracking = PedestalTracking(keeper, every=1, publish_every=2)
    tracking.observe(_image(0), keeper.current, _nothing_kept(), publish_then_adopt)
    tracked = tracking.observe(_image(1), keeper.current, _nothing_kept(), publish_then_adopt)
    assert order == [("published", False)] and keeper.current is tracked


def test_tracked_pedestal_follows_a_drift(keeper):
    tracking = PedestalTracking(keeper, every=1, publish_every=20, alpha=0.2)
    (_, tracked), = _feed(tracking, keeper, range(20), level=103.0)
    assert abs(float(tracked.mean.mean()) - 103.0) < 0.2
    assert tracked.id != recon.Pedestal(np.full(SHAPE, 100.0, np.float32), np.full(SHAPE, 2.0, np.float32)).id


def test_adopted_pedestal_survives_a_restart(keeper, tmp_path):
    tracking = PedestalTracking(keeper, every=1, publish_every=2)
    (_, tracked), = _feed(tracking, keeper, range(2))
    restarted = PedestalKeeper(tmp_path).current
    assert restarted.id == tracked.id and restarted.run == 12


def test_a_tracked_pedestal_names_the_data_run_it_was_tracked_in(keeper):
    assert keeper.current.run == -1  # the fixture's pedestal: run unknown
    tracking = PedestalTracking(keeper, every=1, publish_every=2)
    (_, tracked), = _feed(tracking, keeper, range(2))
    assert tracked.run == 12


def test_frames_processed_against_an_older_pedestal_are_left_out(keeper):
    tracking = PedestalTracking(keeper, every=1, publish_every=100)
    old = keeper.current
    keeper.adopt(recon.Pedestal(np.full(SHAPE, 101.0, np.float32), np.full(SHAPE, 2.0, np.float32)))
    assert tracking.observe(_image(0), old, _nothing_kept(), keeper.adopt) is None
    assert tracking._tracker.n_updates == 0


def test_a_new_pedestal_run_restarts_tracking_from_its_pedestal(keeper):
    tracking = PedestalTracking(keeper, every=1, publish_every=3)
    _feed(tracking, keeper, range(2))
    keeper.adopt(recon.Pedestal(np.full(SHAPE, 110.0, np.float32), np.full(SHAPE, 2.0, np.float32)))
    assert _feed(tracking, keeper, range(2, 4), level=110.0) == []  # counting starts again
    (frame, tracked), = _feed(tracking, keeper, [4], level=110.0)
    assert abs(float(tracked.mean.mean()) - 110.0) < 0.3


def test_no_pedestal_or_no_sparse_frame_means_no_tracking(tmp_path):
    tracking = PedestalTracking(PedestalKeeper(tmp_path), every=1, publish_every=1)
    assert tracking.observe(_image(0), None, None, pytest.fail) is None


def _publish_in_thread(tracking, keeper, frame, inside, release):
    def slow_publish_then_adopt(tracked):
        inside.set()
        release.wait(10)
        keeper.adopt(tracked)

    publisher = threading.Thread(target=tracking.observe,
                                 args=(_image(frame), keeper.current, _nothing_kept(), slow_publish_then_adopt))
    publisher.start()
    assert inside.wait(10)
    return publisher


def _observe_in_thread(tracking, keeper, frame):
    """Observe a frame in another thread: whether it returned within 5 s, and what it published."""
    published = []
    other = threading.Thread(target=tracking.observe,
                             args=(_image(frame), keeper.current, _nothing_kept(), published.append))
    other.start()
    other.join(5)
    return not other.is_alive(), published


def test_other_frames_are_folded_in_while_a_pedestal_is_published(keeper):
    inside, release = threading.Event(), threading.Event()
    tracking = PedestalTracking(keeper, every=1, publish_every=2)
    tracking.observe(_image(0), keeper.current, _nothing_kept(), pytest.fail)
    publisher = _publish_in_thread(tracking, keeper, 1, inside, release)
    returned, published = _observe_in_thread(tracking, keeper, 2)
    release.set()
    publisher.join(10)
    assert returned and published == [] and tracking._tracker.n_updates == 3
    assert _feed(tracking, keeper, [3]) != []  # the 4th update publishes the next pedestal


def test_no_second_pedestal_is_published_while_one_is_in_flight(keeper):
    inside, release = threading.Event(), threading.Event()
    tracking = PedestalTracking(keeper, every=1, publish_every=1)
    publisher = _publish_in_thread(tracking, keeper, 0, inside, release)
    returned, published = _observe_in_thread(tracking, keeper, 1)  # due, but one is in flight
    release.set()
    publisher.join(10)
    assert returned and published == [] and tracking._tracker.n_updates == 2


def test_a_pedestal_due_during_a_publish_is_published_right_after_it(keeper):
    inside, release = threading.Event(), threading.Event()
    tracking = PedestalTracking(keeper, every=1, publish_every=3)
    _feed(tracking, keeper, [0, 1])
    publisher = _publish_in_thread(tracking, keeper, 2, inside, release)  # the 3rd update
    for frame in (3, 4, 5):  # the 6th update falls due while the first is in flight
        assert _observe_in_thread(tracking, keeper, frame) == (True, [])
    release.set()
    publisher.join(10)
    assert tracking._tracker.n_updates == 6
    assert _feed(tracking, keeper, [6]) != []  # the 7th update publishes it, not the 9th
