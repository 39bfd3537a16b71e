#!/usr/bin/env bash
# Made harness/testdata/wire_go.pcapng and wire_go.tsv once (root; the Go fixture built):
# real curl and h2load traffic against the Go fixture on port 18090, captured the way the harness
# captures (collect/wire_capture.h), decoded the way it decodes (collect/wire_decode.h).
#   harness/testdata/make_wire_pcap.sh [bazel-bin/fixtures/go/server]
#   harness/testdata/make_wire_pcap.sh --decode-only    # wire_go.tsv again from the same pcap
# The exchanges, in order: a GET; a POST whose 2119-byte response is truncated by the 512-byte
# snap length; a chunked PUT (curl -T -) whose body trickles in three segments after the head; a
# POST with Expect: 100-continue (a 1xx interim response before the final one); a GET whose head
# is written by two printfs 50 ms apart (bash /dev/tcp; bash's printf writes it in five segments:
# no load tool splits a head, the reassembly path needs one); two h2load connections with three keep-alive GETs of one path each;
# a GET still waiting for its answer (delay=3s) when the capture stops: incomplete.
set -euo pipefail
port=18090
# wire_go.tsv from wire_go.pcapng with collect/wire_decode.cc's TsharkCommand().
decode() {
  tshark -r wire_go.pcapng -n -d tcp.port==$port,http -o http.desegment_headers:TRUE \
    -o http.desegment_body:FALSE -o tcp.desegment_tcp_streams:TRUE -T fields -E separator=/t \
    -E occurrence=a -E 'aggregator= ' -e frame.number -e frame.time_epoch -e tcp.stream \
    -e tcp.srcport -e tcp.dstport -e tcp.len -e tcp.seq -e http.request.method \
    -e http.request.uri -e http.response.code -e http.content_length -e tcp.segment \
    2>/dev/null >wire_go.tsv
}
if [[ ${1:-} == --decode-only ]]; then  # the decoder's columns changed: same pcap, new text
  cd "$(dirname "$0")"
  decode
  exit
fi
server=$(realpath "${1:-bazel-bin/fixtures/go/server}")
cd "$(dirname "$0")"
work=$(mktemp -d)
"$server" --http-port $port --access-log "$work/access.jsonl" >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q ready "$work/server.out" && break; sleep 0.1; done
dumpcap -q -i lo -f "tcp port $port" -s 512 -B 64 -w "$work/wire.pcapng" 2>"$work/dumpcap.err" &
dumpcap_pid=$!
for _ in $(seq 100); do grep -q "Capturing on" "$work/dumpcap.err" && break; sleep 0.1; done
url=http://127.0.0.1:$port
curl -s -o /dev/null "$url/hello?size=10"
curl -s -o /dev/null -d abcdef "$url/post?size=2000"
(printf 'part1\n'; sleep 0.05; printf 'part2\n'; sleep 0.05; printf 'end\n') |
  curl -s -o /dev/null -H 'Expect:' -T - "$url/upload?size=9000"
curl -s -o /dev/null -H 'Expect: 100-continue' --data-binary 'payload' "$url/continue?size=3"
exec 3<>/dev/tcp/127.0.0.1/$port
printf 'GET /split?size=5 HTTP/1.1\r\nHost: 127.0.0.1\r\n' >&3
sleep 0.05
printf 'X-Split: yes\r\nConnection: close\r\n\r\n' >&3
cat <&3 >/dev/null
exec 3<&-
h2load -n 6 -c 2 --h1 "$url/keep?size=64" >/dev/null
curl -s -o /dev/null --max-time 5 "$url/slow?delay=3s" &
curl_pid=$!
sleep 1
kill -INT $dumpcap_pid
wait $dumpcap_pid || true
wait $curl_pid || true
kill $server_pid
wait $server_pid || true
cat "$work/dumpcap.err" >&2
cp "$work/wire.pcapng" wire_go.pcapng
rm -rf "$work"
decode
ls -l wire_go.pcapng wire_go.tsv
