#!/bin/sh
# Screenshots of the real app for the README: runs `portico --demo` under Xvfb (the built-in demo
# workspace with sample traffic flowing), once per section, and saves one PNG per section.
#   resources/screenshots.sh BUILD_DIR [OUT_DIR]
# Needs xvfb-run and ImageMagick's `import`.
set -eu
build=${1:?usage: screenshots.sh BUILD_DIR [OUT_DIR]}
out=${2:-docs/screenshots}
mkdir -p "$out"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
for section in Routes Upstreams Traffic Dashboard Export; do
    file="$out/$(echo "$section" | tr 'A-Z' 'a-z').png"
    XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" \
        xvfb-run -a -s "-screen 0 1400x900x24" sh -c "
            '$build/app/portico' --demo --section '$section' >/dev/null 2>&1 &
            pid=\$!
            sleep 12
            import -window root -crop 1280x800+0+0 '$file'
            kill \$pid"
    echo "wrote $file"
done
