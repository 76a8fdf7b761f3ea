"""Run bookkeeping survives restarts and closes runs with the right counts."""

from edge.runs import RunBook


def test_counts_survive_a_restart_in_mid_run(tmp_path):
    book = RunBook(tmp_path)
    book.start(4, pedestal=False)
    for frame in (0, 1, 3):
        book.mark_spooled(4, frame)
    book.mark_quarantined(4, 2)
    reopened = RunBook(tmp_path)
    summary = reopened.get(4).summary(frames_daq=6)
    assert summary["frames_published"] == 3
    assert summary["quarantined"] == [2]
    assert summary["missing"] == [4, 5]


def test_frame_of_unannounced_run_opens_it_as_data_run(tmp_path):
    book = RunBook(tmp_path)
    book.mark_spooled(9, 0)
    state = book.get(9)
    assert not state.pedestal and state.metadata == {"implicit_start": True}


def test_finished_run_leaves_no_state(tmp_path):
    book = RunBook(tmp_path)
    book.start(1, pedestal=True)
    book.finish(1)
    assert not list(tmp_path.iterdir())


def test_start_resent_after_restart_keeps_counts(tmp_path):
    book = RunBook(tmp_path)
    book.start(2, pedestal=False)
    book.mark_spooled(2, 0)
    reopened = RunBook(tmp_path)
    reopened.start(2, pedestal=False)
    assert reopened.get(2).spooled == {0}
