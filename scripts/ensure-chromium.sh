#!/bin/sh
# Make sure a headless Chromium is available for the HTML report test (test/report-html.test.ts).
# Idempotent and quick when it is already installed. Installs the Debian/Ubuntu package
# `chromium` with apt-get (as root, or through sudo) when missing; CHROMIUM_PATH may point
# at an existing browser instead.
set -eu

found() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then return 0; fi
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1
}

if found; then exit 0; fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no chromium and no apt-get; install Chromium and set CHROMIUM_PATH to run the HTML report test" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  run() { "$@"; }
elif command -v sudo >/dev/null 2>&1; then
  run() { sudo "$@"; }
else
  echo "ensure-chromium: chromium is missing and installing it needs root: apt-get install -y chromium" >&2
  exit 1
fi

echo "ensure-chromium: installing the chromium package (once) for the HTML report test" >&2
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq >/dev/null
run apt-get install -y -qq --no-install-recommends chromium >/dev/null
found
