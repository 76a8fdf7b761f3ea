#!/usr/bin/env bash
# The whole test suite: install what is missing, then pytest with the integration tests
# against real local Mosquitto, SeaweedFS and VictoriaMetrics (started by the tests).
# Arguments go to pytest: bash scripts/test.sh -m "not integration"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install.sh
# A hung test must not eat the CI budget: no single test may take more than 10 minutes.
exec .venv/bin/python -m pytest -q --timeout=600 "$@"
