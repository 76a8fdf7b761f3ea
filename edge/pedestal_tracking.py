"""Online pedestal tracking on the edge (``[pipeline] pedestal_tracking``).

For triggerless running, when no pedestal runs interrupt data taking: the dark offset
drifts with the sensor temperature, so the pedestal follows the data frames. Every
``every``-th data frame is folded into a :class:`recon.PedestalTracker`, leaving out
its zero-suppressed pixels (grown by the tracker's guard) and outliers. Every
``publish_every`` updates, the tracked pedestal is published (its item spooled durably,
keyed by the run and frame it was taken at) and only then adopted through the
:class:`~edge.pedestal_keeper.PedestalKeeper` (saved, so a restart keeps it), so that
every blob that names it can be decoded in the cloud. A new pedestal run restarts
tracking from its pedestal.
"""

import logging
import threading

import recon

__all__ = ["PedestalTracking"]

log = logging.getLogger(__name__)


class PedestalTracking:
    """Feeds data frames to a pedestal tracker and says when a new pedestal is due.

    Parameters
    ----------
    keeper : PedestalKeeper
        Holds the pedestal in force; tracked pedestals are adopted through it.
    every : int >= 1
        Fold one data frame in this many into the tracker (an update is one numba pass
        over the frame, about 20 ms for a LIME frame).
    publish_every : int >= 1
        Adopt and publish the tracked pedestal after this many updates.
    alpha : float in (0, 1)
        Weight of each update (:class:`recon.PedestalTracker`).
    """

    def __init__(self, keeper, every: int = 10, publish_every: int = 50, alpha: float = 0.01):
        self.keeper = keeper
        self.every, self.publish_every, self.alpha = every, publish_every, alpha
        self._tracker = None
        self._source_id = None  # id of the pedestal the tracker started from or last adopted
        self._seen = 0
        self._publishing = None  # id of the tracked pedestal being published, if any
        self._due = False  # a pedestal fell due (maybe while another was being published)
        self._lock = threading.Lock()

    def observe(self, image, pedestal, sparse, publish_then_adopt):
        """Fold in ``image`` (processed against ``pedestal``, kept pixels ``sparse``) if due.

        When a tracked pedestal is due, ``publish_then_adopt(pedestal)`` is called: it must
        spool the pedestal's item durably and then adopt it through the keeper. That takes
        seconds for a LIME camera (serialising and fsyncing ~14 MB), so it runs outside
        this object's lock: other workers go on with their frames meanwhile, and those
        frames are still folded in.

        Returns
        -------
        recon.Pedestal or None
            The pedestal just published and adopted; None otherwise.
        """
        if pedestal is None or sparse is None:
            return None
        with self._lock:
            tracked = self._update(image, pedestal, sparse)
            if tracked is None:
                return None
            self._publishing = tracked.id
            updates = self._tracker.n_updates
        try:
            publish_then_adopt(tracked)
        finally:
            with self._lock:
                self._publishing = None
        log.info("tracked pedestal %s adopted at run %d frame %d (%d updates)", tracked.id,
                 image.run, image.frame, updates)
        return tracked

    def _update(self, image, pedestal, sparse):
        """Under the lock: fold the frame in if due; the tracked pedestal if one is due.

        While a pedestal is being published the old one is still in force: frames
        processed against it are folded in as usual (the tracker is not restarted), and a
        pedestal that falls due then is published at the first update after the publish
        ends (not a whole round later: with frames arriving faster than a publish takes,
        that would skip every other pedestal).
        """
        if self._publishing is None:
            if not self._tracking(pedestal):
                return None
        elif pedestal.id != getattr(self.keeper.current, "id", None):
            return None
        self._seen += 1
        if self._seen % self.every:
            return None
        self._tracker.update(image.pixels, sparse, run=image.run)
        self._due = self._due or self._tracker.n_updates % self.publish_every == 0
        if not self._due or self._publishing is not None:
            return None
        self._due = False
        tracked = self._tracker.pedestal
        self._source_id = tracked.id
        return tracked

    def _tracking(self, pedestal) -> bool:
        """Whether to track against ``pedestal``; (re)starts the tracker on the one in force."""
        current = self.keeper.current
        if current is None:
            return False
        if self._tracker is None or current.id != self._source_id:
            self._tracker = recon.PedestalTracker(current, alpha=self.alpha)
            self._source_id = current.id
            self._seen = 0
        return pedestal.id == current.id
