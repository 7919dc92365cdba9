#!/usr/bin/env bash
# Installs the Debian 12 packages Portico needs to build, test and benchmark.
# Idempotent and non-interactive: packages already present are skipped.
#   packaging/install-deps.sh            build + test dependencies
#   packaging/install-deps.sh --bench    also wrk and haproxy for tests/bench
#   packaging/install-deps.sh --gui      also Xvfb and ImageMagick for screenshots
set -euo pipefail

build=(
  cmake ninja-build g++ pkg-config
  qt6-base-dev qt6-base-dev-tools
  qt6-httpserver-dev qt6-websockets-dev   # HttpServer's CMake config requires WebSockets
  qt6-charts-dev libqt6sql6-sqlite libqt6svg6
  libqt6opengl6-dev libxkbcommon-dev       # Charts' CMake config needs Qt6OpenGL; Gui looks for XKB
  libssl-dev libsqlite3-dev sqlite3 libyaml-cpp-dev libhttp-parser-dev zlib1g-dev
  libnghttp2-dev                           # HTTP/2 both ways (h2 and h2c clients and upstreams)
  libhiredis-dev                           # rate limits shared by several instances (rate_limit_store.redis)
  libprotobuf-dev libprotoc-dev            # gRPC schemas: .proto files compiled at load (libprotoc's importer),
                                           # messages decoded to JSON with libprotobuf's reflection
  protobuf-compiler                        # protoc: tests write descriptor sets (.pb) the way users do
)
test=(
  nginx-light            # export test runs `nginx -t` and serves the exported config
  python3 python3-jsonschema python3-yaml # validates exported Kong/Traefik files against the JSON schemas in tests/data
  nodejs                 # the export test installs an OpenAPI validator (swagger-parser) with npm
  openssl curl
  nghttp2-client         # HTTP/2 tests drive the gateway with nghttp and h2load
  nghttp2-server         # nghttpd: an independent HTTP/2 server (h2c and h2 with ALPN) as upstream in tests
  python3-grpcio         # gRPC client and server written by others, proxied through the gateway in tests
  appstream              # packaging_install test validates the AppStream metainfo
  lintian dpkg-dev man-db # packaging_deb test: lintian on the .deb, dpkg-shlibdeps for Depends, man pages
  clang libclang-rt-14-dev # fuzz preset: libFuzzer, ASan and UBSan runtimes for clang (tests/fuzz)
  llvm                   # llvm-symbolizer: sanitizer reports (asan, fuzz presets) with file:line
  redis-server           # shared rate-limit tests start their own redis-server on a free loopback port
)
extra=()
for arg in "$@"; do
  case "$arg" in
    --bench) extra+=(wrk haproxy nginx-light linux-perf mitmproxy libzstd-dev) ;; # zstd: bench_sqlite_floor
    --gui) extra+=(xvfb xauth imagemagick) ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

wanted=("${build[@]}" "${test[@]}" "${extra[@]}")
missing=()
# One dpkg-query for all (a second `quickstart.sh run` should not spend seconds here).
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${wanted[@]}" 2>/dev/null \
  | awk '/ install ok installed$/ {print $1}' || true)
for p in "${wanted[@]}"; do
  grep -qxF "$p" <<<"$installed" || missing+=("$p")
done

# npm ships inside some nodejs builds; the Debian package only where it does not.
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "install-deps: installing ${missing[*]}"
  # nginx, haproxy and redis-server start system services on install; policy-rc.d keeps them from starting.
  # Tests and benchmarks start their own instances on loopback ports.
  if [ "$(id -u)" -eq 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for svc in nginx haproxy redis-server; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled "$svc" >/dev/null 2>&1; then
      $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true
    fi
  done
else
  echo "install-deps: all packages present"
fi
