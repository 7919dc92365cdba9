#!/usr/bin/env bash
# The README quick start.
#   packaging/quickstart.sh run    install what is missing, build (Release), start Portico on its demo workspace
#   packaging/quickstart.sh test   install what is missing, build (warnings are errors), run the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
jobs=$(nproc)

case "$mode" in
  run)
    bash packaging/install-deps.sh
    cmake --preset release >/dev/null
    cmake --build --preset release -j"$jobs"
    if [ -x build/release/app/portico ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
      exec build/release/app/portico
    fi
    exec build/release/app/portico-cli serve --demo
    ;;
  test)
    bash packaging/install-deps.sh
    cmake --preset ci >/dev/null
    cmake --build --preset ci -j"$jobs"
    ctest --preset ci -j"$jobs"
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
