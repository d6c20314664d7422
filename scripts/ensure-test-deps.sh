#!/usr/bin/env bash
# What the tests need from outside npm: Debian's Chromium for the web app's
# browser test (playwright-core drives it; browser builds cannot be downloaded
# here). Installs it only when missing; prints nothing when it is there.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then exit 0; fi

echo "[lockbox] installing chromium (apt) for the browser test" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
