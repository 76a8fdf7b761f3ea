"""``cygno-edge``: the edge agent (``run``), its kernel warm-up (``warmup``) and the
camera/DAQ simulator (``sim``)."""

import argparse
import logging
import signal
import sys

from .config import load_edge_config
from .errors import EdgeError

__all__ = ["main"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="cygno-edge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the edge agent (systemd service)")
    run.add_argument("--config", required=True, help="path to edge.toml")
    warmup = commands.add_parser("warmup", help="compile the pipeline's numba kernels into the cache "
                                                 "and exit (run also does it before taking frames)")
    warmup.add_argument("--config", required=True, help="path to edge.toml")
    check = commands.add_parser("check-config", help="validate edge.toml and exit")
    check.add_argument("--config", required=True, help="path to edge.toml")
    sim = commands.add_parser("sim", help="simulate the camera and the DAQ (PUSH socket)")
    _add_sim_arguments(sim)
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run(args.config)
        if args.command == "warmup":
            return _warmup(args.config)
        if args.command == "check-config":
            load_edge_config(args.config)
            print(f"{args.config}: ok")
            return 0
        return _sim(args)
    except (EdgeError, OSError) as exc:
        print(f"cygno-edge: error: {exc}", file=sys.stderr)
        return 2


def _run(config_path: str) -> int:
    config = _configure(config_path)
    from .agent import EdgeAgent  # heavy imports (numba kernels) only when serving
    from .warmup import warm_up_or_log

    warm_up_or_log(config["pipeline"])  # compile before the DAQ socket opens, not on frame 1
    agent = EdgeAgent(config)
    signal.signal(signal.SIGTERM, lambda *_: agent.stop())
    signal.signal(signal.SIGINT, lambda *_: agent.stop())
    agent.run()
    return 0


def _warmup(config_path: str) -> int:
    config = _configure(config_path)
    from .warmup import warm_up

    print(f"cygno-edge: the pipeline's numba kernels are ready ({warm_up(config['pipeline']):.1f} s)")
    return 0


def _configure(config_path: str) -> dict:
    """The validated config, with logging set up as it asks."""
    config = load_edge_config(config_path)
    logging.basicConfig(level=config["logging"]["level"].upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return config


def _add_sim_arguments(parser) -> None:
    from .sim.cli import add_arguments

    add_arguments(parser)


def _sim(args) -> int:
    from .sim.cli import main as sim_main

    return sim_main(args)
