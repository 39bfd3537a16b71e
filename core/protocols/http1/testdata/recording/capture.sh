#!/bin/bash
# capture.sh NAME SERVER_BINARY PORT OUT_DIR: runs a fixture server's HTTP/1.1 port, records one
# curl connection of several requests with tcpdump on lo, and writes OUT_DIR/NAME.h1trace
# ("<c|s> <stream position> <µs since the first segment> <payload hex>" per TCP segment, as
# core/protocols/http2/testdata). As root; fixtures built (bazel build //fixtures/...).
set -euo pipefail
name=$1; server=$2; port=$3; out=$4
tmp=$(mktemp -d)
"$server" --http-port "$port" > "$tmp/server.log" 2>&1 &
spid=$!
for _ in $(seq 100); do grep -q ready "$tmp/server.log" && break; sleep 0.2; done
tcpdump -i lo -w "$tmp/cap.pcap" -U "tcp port $port" >/dev/null 2>&1 &
tpid=$!
sleep 1
u=http://127.0.0.1:$port
# One connection (curl reuses it for every URL): GET with a body, POST with Content-Length,
# chunked POST, an error status, HEAD, a larger answer spread over segments.
curl -s -o /dev/null "$u/items?size=10" \
  --next -s -o /dev/null -d 'name=hugin&x=1' "$u/form" \
  --next -s -o /dev/null -H 'Transfer-Encoding: chunked' --data-binary 'chunked body' "$u/upload" \
  --next -s -o /dev/null "$u/missing?status=404" \
  --next -s -o /dev/null -I "$u/head" \
  --next -s -o /dev/null "$u/big?size=5000"
sleep 1
kill $tpid; kill $spid; wait || true
{
  echo "# $name: HTTP/1.1 TCP payload per segment on loopback (tcpdump), server port $port"
  echo "# sender stream-position(relative, 0-based) time(us since first segment) payload(hex)"
  tshark -r "$tmp/cap.pcap" -o tcp.relative_sequence_numbers:TRUE -Y "tcp.len>0" -T fields \
    -e tcp.stream -e tcp.srcport -e tcp.seq -e frame.time_relative -e tcp.payload 2>/dev/null |
  awk -v port="$port" '{ if ($1 != 0) next; d = ($2 == port) ? "s" : "c"; printf "%s %d %d %s\n", d, $3 - 1, $4 * 1000000, $5 }'
} > "$out/$name.h1trace"
rm -rf "$tmp"
