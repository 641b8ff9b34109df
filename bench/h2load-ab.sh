#!/bin/bash
# Server CPU per unary call of two servers loaded by h2load at the same time,
# so that whatever else the machine does hits both alike (on a shared machine
# a sequential A-then-B comparison moves by ±20%; this one by about ±3%).
#
#   bench/h2load-ab.sh <rootA> <rootB> [reps=3] [c1m128|c16m16] [peerA=wirecall] [peerB=wirecall]
#
# rootA/rootB are work trees (the same one twice compares peers, e.g.
# `bench/h2load-ab.sh . . 3 c1m128 bare wirecall`). Needs h2load (Debian
# nghttp2-client) and Node 26 in .tools/node26 (DENO=1: run the servers under Deno).
set -euo pipefail
A=$(cd "$1" && pwd); B=$(cd "$2" && pwd); reps=${3:-3}; shape=${4:-c1m128}
pa=${5:-wirecall}; pb=${6:-wirecall}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
node="$here/../.tools/node26/node_modules/node/bin/node --conditions=wirecall-source"
[ "${DENO:-}" = 1 ] && node="$here/../node_modules/deno/deno run -A --no-check --quiet"
if [ "$shape" = c1m128 ]; then c=1; m=128; else c=16; m=16; fi
printf '\x00\x00\x00\x00\x42\x0a\x40%s' "$(printf 'a%.0s' $(seq 64))" > "$tmp/body"
start() { (cd "$1" && exec $node "$here/start-server.ts" "$2" 1 "$1" > "$tmp/port.$3") & echo $! > "$tmp/pid.$3"; }
load() {
  h2load -n "$2" -c $c -m $m -d "$tmp/body" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$1/wirecall.bench.v1.BenchService/Unary" > /dev/null
}
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
start "$A" "$pa" a; start "$B" "$pb" b
for _ in $(seq 100); do [ -s "$tmp/port.a" ] && [ -s "$tmp/port.b" ] && break; sleep 0.1; done
PA=$(cat "$tmp/port.a"); PB=$(cat "$tmp/port.b"); pidA=$(cat "$tmp/pid.a"); pidB=$(cat "$tmp/pid.b")
trap 'kill -TERM $pidA $pidB 2>/dev/null; rm -rf "$tmp"' EXIT
load "$PA" 30000 & j1=$!; load "$PB" 30000 & j2=$!; wait $j1 $j2
n=60000
for _ in $(seq "$reps"); do
  a0=$(ticks "$pidA"); b0=$(ticks "$pidB")
  load "$PA" $n & j1=$!; load "$PB" $n & j2=$!; wait $j1 $j2
  a1=$(ticks "$pidA"); b1=$(ticks "$pidB")
  awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v n=$n \
    'BEGIN { printf "A %.1f µs/call  B %.1f µs/call  B/A %.3f\n", a*1e4/n, b*1e4/n, b/a }'
done
