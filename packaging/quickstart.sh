#!/usr/bin/env bash
# The README quick start.
#   packaging/quickstart.sh run    install what is missing, build portico and portico-cli, start Portico on its demo workspace
#   packaging/quickstart.sh test   install what is missing, build and run the whole test suite (warnings are errors),
#                                  then the same suite under ASan + UBSan, then each fuzz target for a bounded time
# Both share build/ci (Release, warnings are errors): `run` builds two targets there and `test`
# builds the rest, so a `test` after a `run` compiles no source twice (and the reverse).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
jobs=$(nproc)

say() { echo "quickstart: $*"; }
# Elapsed time of a step, as "3m12s".
since() { local s=$(($(date +%s) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# Configures a preset's build folder when it has none, or when the presets changed since. Otherwise
# the build step itself re-runs CMake if a CMakeLists.txt changed, and a second `run` starts at once.
configure() { # preset
  if [ ! -f "build/$1/CMakeCache.txt" ]; then
    say "configuring build/$1 (cmake --preset $1)"
  elif [ ! CMakePresets.json -nt "build/$1/CMakeCache.txt" ]; then
    return 0
  fi
  cmake --preset "$1" >/dev/null
}

case "$mode" in
  run)
    bash packaging/install-deps.sh
    configure ci
    # With a display and the GUI configured (PORTICO_BUILD_GUI, on by default): portico and
    # portico-cli. Without a display only portico-cli, which is what will run.
    targets=(portico-cli)
    gui=0
    if { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; } \
      && grep -q '^PORTICO_BUILD_GUI:BOOL=ON' build/ci/CMakeCache.txt; then
      targets+=(portico)
      gui=1
    fi
    if [ ! -x build/ci/app/portico-cli ] || { [ $gui = 1 ] && [ ! -x build/ci/app/portico ]; }; then
      say "first build of ${targets[*]} into build/ci (Release, $jobs jobs, no tests)."
      say "this takes about 5 minutes on 2 cores (10 minutes of CPU time); later runs rebuild only what changed and start in seconds."
    else
      say "building ${targets[*]} in build/ci (only what changed)"
    fi
    start=$(date +%s)
    cmake --build build/ci -j"$jobs" --target "${targets[@]}"
    say "build done in $(since "$start")"
    if [ $gui = 1 ]; then
      say "starting the portico GUI"
      exec build/ci/app/portico
    fi
    say "no display: starting portico-cli serve --demo (Ctrl-C stops it)"
    exec build/ci/app/portico-cli serve --demo
    ;;
  test)
    bash packaging/install-deps.sh
    total=$(date +%s)

    say "1/3 the whole suite in build/ci (Release, warnings are errors)"
    start=$(date +%s)
    configure ci
    cmake --build --preset ci -j"$jobs"
    ctest --preset ci -j"$jobs"
    say "1/3 done in $(since "$start")"

    say "2/3 the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer in build/asan"
    start=$(date +%s)
    configure asan
    cmake --build --preset asan -j"$jobs"
    ctest --preset asan -j"$jobs"
    say "2/3 done in $(since "$start")"

    say "3/3 fuzz targets (clang, libFuzzer, ASan + UBSan) in build/fuzz, each for a bounded time"
    start=$(date +%s)
    configure fuzz
    cmake --build --preset fuzz -j"$jobs"
    ctest --preset fuzz -j"$jobs"
    say "3/3 done in $(since "$start")"

    say "all passed in $(since "$total")"
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
