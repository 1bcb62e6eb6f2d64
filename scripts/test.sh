#!/usr/bin/env bash
# Install everything the test suite needs and run it: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need: the browser for the web app's tests; podman and debootstrap to
# build the image and run its services (tests/deploy/test_image.py, as root only: CI runs as root).
packages=()
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  packages+=(chromium chromium-driver)
fi
if [ "$(id -u)" -eq 0 ]; then
  command -v podman >/dev/null || packages+=(podman)
  command -v debootstrap >/dev/null || packages+=(debootstrap)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing Debian's ${packages[*]} for the tests..."
  if [ "$(id -u)" -eq 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq "${packages[@]}" >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
exec .venv/bin/python -m pytest "$@"
