#!/usr/bin/env bash
# The main job: install what is missing, then a simulated pedestal run and data run
# through edge and sink on local Mosquitto, SeaweedFS and VictoriaMetrics (scripts/demo.py).
# Arguments go to the demo: bash scripts/demo.sh --frames 10 --shape 2304x4096 --keep
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install.sh
exec .venv/bin/python scripts/demo.py "$@"
