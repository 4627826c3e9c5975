#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing.
# Needs root (or sudo) and apt-get; otherwise it says what to do and the
# browser tests are skipped outside CI (in CI they fail instead).
set -u
for exe in /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -x "$exe" ] && exit 0
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get here; install Chromium yourself and set FORECAST_CHROMIUM to its path" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-chromium: not root and no sudo; run 'apt-get install chromium' as root" >&2
    exit 0
  fi
fi
echo "install-chromium: installing Debian's chromium (once)…" >&2
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-core >/dev/null
