"""``cygno-sink``: run the sink, fetch one frame back, or replay a run's reconstruction.

User errors (bad config, missing or corrupt object) print one line to stderr and exit
non-zero without a traceback; exit codes: 2 usage or config, 3 object missing,
4 object corrupt, 1 anything else the sink reports (S3 unreachable, ...).
"""

import argparse
import logging
import math
import signal
import sys
import threading

from edge.errors import ConfigError

from .config import load_sink_config
from .errors import CorruptObjectError, ObjectMissingError, SinkError

__all__ = ["main"]

log = logging.getLogger("sink")
STATS_INTERVAL_S = 60.0
EXIT_CODES = ((ConfigError, 2), (ObjectMissingError, 3), (CorruptObjectError, 4), (SinkError, 1))


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_sink_config(args.config)
        logging.basicConfig(level=config["logging"]["level"].upper(),
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return args.command(config, args)
    except tuple(error for error, _ in EXIT_CODES) as exc:
        print(f"cygno-sink: error: {exc}", file=sys.stderr)
        return next(code for error, code in EXIT_CODES if isinstance(exc, error))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cygno-sink", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="store every item the edges publish (until SIGTERM)")
    run.set_defaults(command=_run)
    get = commands.add_parser("get-frame", help="fetch, verify and save one raw frame as .npy")
    get.set_defaults(command=_get_frame)
    replay = commands.add_parser("replay", help="reconstruct a stored run again into a ROOT file")
    replay.set_defaults(command=_replay)
    for command in (run, get, replay):
        command.add_argument("--config", required=True, help="sink.toml")
    for command in (get, replay):
        command.add_argument("--detector", required=True)
        command.add_argument("--run", required=True, type=int)
    get.add_argument("--frame", required=True, type=int)
    get.add_argument("--out", required=True, help="output .npy path")
    replay.add_argument("--out", help="local ROOT file (default: S3 reco/<detector>/replay/)")
    replay.add_argument("--no-progress", action="store_true", help="no progress bar")
    replay.add_argument("--workers", type=_positive_int, default=1,
                        help="frames reconstructed at once (threads; default 1)")
    replay.add_argument("--adu-per-kev", type=_positive_float, default=None,
                        help="energy calibration, ADU of cluster integral per keV: adds sc_energy")
    replay.add_argument("--pixel-lists", action="store_true",
                        help="add each cluster's pixels (redpix_* branches)")
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def _s3(config: dict, retry_s: float):
    from .retry import RetryPolicy
    from .s3_store import S3Store
    return S3Store(config["s3"], RetryPolicy(max_total_s=retry_s))


def _run(config: dict, args) -> int:
    from .consumer import SinkConsumer
    from .handlers import Stores
    from .influx_store import InfluxStore
    from .processor import ItemProcessor
    from .retry import RetryPolicy
    from .run_end import RunEndHandler

    sink = config["sink"]
    s3 = _s3(config, sink["retry_max_s"])
    s3.ensure_bucket()
    influx = InfluxStore(config["influx"], RetryPolicy(max_total_s=sink["retry_max_s"]))
    run_end = RunEndHandler(sink["run_complete_wait_s"], sink["run_complete_checks"])
    consumer = SinkConsumer(config["mqtt"], ItemProcessor(Stores(s3, influx), run_end),
                            sink["workers"], sink["queue_size"])
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    consumer.start()
    log.info("sink running: bucket %s, %d workers", s3.bucket, sink["workers"])
    while not stop.wait(STATS_INTERVAL_S):
        log.info("items so far: %s", consumer.processor.counts())
    log.info("stopping: finishing in-flight items")
    consumer.stop()
    influx.close()
    return 0


def _get_frame(config: dict, args) -> int:
    from .get_frame import load_raw_frame, save_frame
    raw = load_raw_frame(_s3(config, 10.0), args.detector, args.run, args.frame)
    try:
        save_frame(raw.pixels, args.out)
    except OSError as exc:
        raise SinkError(f"cannot write {args.out!r}: {exc.strerror or exc}") from None
    check = (f"checksum {raw.fields['checksum']} verified" if raw.verified else
             "LOSSY codec: not bit-exact, raw checksum not verifiable")
    print(f"{args.out}: run {args.run} frame {args.frame} {raw.pixels.dtype}{list(raw.pixels.shape)} "
          f"{check}")
    return 0


def _replay(config: dict, args) -> int:
    from .replay import replay_run
    options = {"adu_per_kev": args.adu_per_kev, "pixel_lists": args.pixel_lists}
    where = replay_run(_s3(config, 30.0), args.detector, args.run, args.out,
                       progress=not args.no_progress, workers=args.workers, options=options)
    print(f"run {args.run} replayed into {where}")
    return 0
