#!/usr/bin/env bash
# What REST<->gRPC transcoding costs per call, by hand (not a test). One Portico (1 worker, capture
# off) serves two routes to the same python3-grpcio upstream (tests/core/gateway/grpc_users_peer.py,
# h2c): the native gRPC route (/demo.users.v1.Users/GetUser, a 4-byte request message) and a
# transcoding route (GET /rest/v1/users/42, which makes the same call). h2load (prior-knowledge h2c)
# sends the same number of calls to each, alternately, in one run.
#
#   MODE=cpu       (default) CPU time of the Portico process (user + system, /proc) per call, per round
#   MODE=callgrind Portico under valgrind's callgrind: instructions per call in user space, counted
#                  between callgrind_control dumps (repeatable on a busy machine; kernel not counted)
#
#   PORTICO=build/ci/app/portico-cli bash tests/bench/grpc-transcode.sh
#   MODE=callgrind CALLS=3000 bash tests/bench/grpc-transcode.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
MODE=${MODE:-cpu}
CALLS=${CALLS:-20000}
ROUNDS=${ROUNDS:-3}
PORTICO=${PORTICO:-build/release/app/portico-cli}
PY=/usr/bin/python3 # Debian's, where python3-grpcio lives
for tool in h2load curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: bash packaging/install-deps.sh --bench" >&2; exit 2; }
done
[ "$MODE" = callgrind ] && { command -v valgrind >/dev/null || { echo "missing valgrind" >&2; exit 2; }; }
[ -x "$PORTICO" ] || { echo "build Portico first ($PORTICO missing)" >&2; exit 2; }

work=$(mktemp -d /tmp/portico-grpcbench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$PY" -u tests/core/gateway/grpc_users_peer.py > "$work/peer.out" 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q '^port ' "$work/peer.out" && break; sleep 0.1; done
peer_port=$(awk '/^port / { print $2 }' "$work/peer.out")
[ -n "$peer_port" ] || { echo "the gRPC peer did not start: $(cat "$work/peer.out")" >&2; exit 1; }

protos=$PWD/tests/data/grpc/protos
cat > "$work/portico.yaml" <<CONF
version: 1
gateway: {listen: 127.0.0.1:18496, workers: 1, http2: true}
admin: {enabled: false}
capture: {enabled: false}
grpc: {protos: [$protos/demo/users/v1/users.proto], proto_paths: [$protos]}
upstreams:
  users: {targets: [{url: "http://127.0.0.1:$peer_port"}], protocol: h2c}
routes:
  - {name: native, match: {path: /demo.users.v1.Users/}, upstream: users, grpc: {services: [demo.users.v1.Users]}}
  - {name: rest, match: {path: /rest}, upstream: users, strip_prefix: true,
     grpc: {transcode: true, services: [demo.users.v1.Users]}}
CONF
# GetUserRequest{id: "42"} in a gRPC frame: uncompressed, length 4, field 1 (string) "42".
printf '\x00\x00\x00\x00\x04\x0a\x0242' > "$work/call.bin"

if [ "$MODE" = callgrind ]; then
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" --collect-atstart=yes \
    "$PORTICO" serve -c "$work/portico.yaml" > "$work/portico.log" 2>&1 & portico_pid=$!
else
  "$PORTICO" serve -c "$work/portico.yaml" > "$work/portico.log" 2>&1 & portico_pid=$!
fi
pids+=($portico_pid)
for _ in $(seq 300); do
  curl -sf --http2-prior-knowledge -o /dev/null http://127.0.0.1:18496/rest/v1/users/42 && break; sleep 0.1
done
curl -sf --http2-prior-knowledge http://127.0.0.1:18496/rest/v1/users/42 > "$work/answer.json" \
  || { echo "Portico does not answer: $(tail -5 "$work/portico.log")" >&2; exit 1; }

native() { h2load -n "$1" -c 1 -m 10 -d "$work/call.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
  http://127.0.0.1:18496/demo.users.v1.Users/GetUser; }
rest() { h2load -n "$1" -c 1 -m 10 http://127.0.0.1:18496/rest/v1/users/42; }
check() { grep -q "requests: $2 total, $2 started, $2 done, $2 succeeded" <<<"$1" \
  || { echo "h2load: $(grep '^requests:' <<<"$1")" >&2; exit 1; }; }

cpu_of() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.4f", ($14+$15)/t }' "/proc/$1/stat"; }

# Instructions counted since the last dump (callgrind_control writes one file per dump).
dump_ir() {
  callgrind_control --dump="$1" "$portico_pid" >/dev/null 2>&1
  sleep 1
  local f
  f=$(ls -t "$work"/cg.* | head -1)
  awk '/^(summary|totals):/ { print $2; exit }' "$f"
}

native 2000 >/dev/null; rest 2000 >/dev/null   # warm-up: pools, connections, the allocator
printf 'answer: %s\n' "$(cat "$work/answer.json")"
printf 'calls per measurement: %s, mode: %s, %s cores, load average %s\n' "$CALLS" "$MODE" "$(nproc)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
[ "$MODE" = callgrind ] && dump_ir warmup >/dev/null
for round in $(seq "$ROUNDS"); do
  for kind in native rest; do
    before=$(cpu_of "$portico_pid")
    out=$($kind "$CALLS"); check "$out" "$CALLS"
    after=$(cpu_of "$portico_pid")
    rps=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' <<<"$out")
    if [ "$MODE" = callgrind ]; then
      ir=$(dump_ir "$kind-$round")
      printf 'round %s %-6s %10s instructions/call\n' "$round" "$kind" "$(awk -v i="$ir" -v n="$CALLS" 'BEGIN { printf "%.0f", i/n }')"
    else
      printf 'round %s %-6s %8.1f us CPU/call  %9s calls/s\n' "$round" "$kind" \
        "$(awk -v a="$after" -v b="$before" -v n="$CALLS" 'BEGIN { printf "%.1f", (a-b)*1e6/n }')" "$rps"
    fi
  done
done
