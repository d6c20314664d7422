#!/usr/bin/env bash
# What the tests need from outside npm, from Debian: Chromium for the web
# app's browser test (playwright-core drives it; browser builds cannot be
# downloaded here) and Prometheus (prometheus + promtool) for the
# observability tests of deploy/prometheus and the Grafana dashboard.
# Installs only what is missing; prints nothing when everything is there.
# The prometheus package is only used as binaries: the tests start their own
# short-lived instance, the system service is never started.
set -euo pipefail

missing=()
if [[ ! -x /usr/bin/chromium ]]; then missing+=(chromium); fi
if [[ ! -x /usr/bin/prometheus || ! -x /usr/bin/promtool ]]; then missing+=(prometheus); fi
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi

echo "[lockbox] installing ${missing[*]} (apt) for the browser and observability tests" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
if [[ " ${missing[*]} " == *" chromium "* ]]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [[ " ${missing[*]} " == *" prometheus "* ]]; then
  # Without recommends: no node exporter or other daemons. On a host with systemd the package
  # starts its service; the tests need only the binaries, so it is stopped and disabled again.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi
