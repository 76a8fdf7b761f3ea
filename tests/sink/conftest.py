"""Fixtures of the sink's unit tests: in-memory stores and a processor over them."""

import pytest
from sink_doubles import MemoryInflux, MemoryS3

from sink.handlers import Stores
from sink.processor import ItemProcessor
from sink.run_end import RunEndHandler


@pytest.fixture
def stores():
    return Stores(MemoryS3(), MemoryInflux())


@pytest.fixture
def sleeps():
    """Records the waits of a run_stop instead of sleeping."""
    return []


@pytest.fixture
def processor(stores, sleeps):
    return ItemProcessor(stores, RunEndHandler(wait_s=10.0, checks=5, sleep=sleeps.append))
