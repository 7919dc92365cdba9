#!/bin/sh
# Screenshots of the real app for the README. Runs `portico --demo --screenshots` under Xvfb: the
# built-in demo workspace with its gateway running and sample traffic flowing; after WARMUP_MS of
# traffic (with 47000 or more, its last 27 s are a 12 s pause and 15 s more traffic, for the
# dashboard's idle gap) the app shows each main section in turn (a route, a selected exchange with
# its details, the dashboard, the export page, consumers, auth, versions), saves its own window as
# a 1280x800 PNG, and quits. The PNGs are then made small (pngquant and/or optipng when installed).
#   resources/screenshots.sh BUILD_DIR [OUT_DIR]        (OUT_DIR defaults to resources/screenshots)
#   WARMUP_MS=75000 resources/screenshots.sh build/gui
# Needs xvfb-run (package xvfb); pngquant and optipng are optional.
set -eu
build=${1:?usage: screenshots.sh BUILD_DIR [OUT_DIR]}
out=${2:-$(dirname "$0")/screenshots}
warmup=${WARMUP_MS:-75000}
app="$build/app/portico"
[ -x "$app" ] || { echo "screenshots.sh: $app not found; build the 'portico' target first" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "screenshots.sh: xvfb-run not found (apt install xvfb)" >&2; exit 2; }
mkdir -p "$out"

# A fresh home: no saved window layout, recent files or settings change the pictures.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -m 700 "$home/run"
HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home/run" \
    QT_QPA_PLATFORM=xcb LANG=C.UTF-8 \
    xvfb-run -a -s "-screen 0 1280x800x24" \
    "$app" --demo --screenshots "$out" --warmup "$warmup"

for png in "$out"/*.png; do
    if command -v pngquant >/dev/null; then
        pngquant --force --skip-if-larger --quality 80-95 --output "$png" -- "$png" || true
    fi
    if command -v optipng >/dev/null; then
        optipng -quiet -o2 -strip all "$png"
    fi
done
ls -l "$out"/*.png
