#!/usr/bin/env bash
# Makes sure Debian's headless browser is installed for the pages' end-to-end tests:
# the `chromium` and `chromium-driver` packages, which Playwright drives as they are
# (the tests never download a browser of their own). Quiet when both are there.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "chromium is not installed and installing it needs root:" \
    "apt-get install -y chromium chromium-driver (the browser tests skip without it, and fail under CI)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is not installed and this system has no apt-get; install chromium and its driver" >&2
  exit 0
fi
echo "installing chromium and chromium-driver (Debian packages) for the browser tests" >&2
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq chromium chromium-driver >/dev/null
