#!/bin/bash
# extract.sh NAME PORT -> NAME.h2trace: "<c|s> <pos> <ts_us> <hex payload>" per TCP segment, client = the connecting side
name=$1; port=$2
{
echo "# $name: TCP payload per segment on loopback (tcpdump), server port $port"
echo "# sender stream-position(relative, 0-based) time(us since first segment) payload(hex)"
tshark -r $name.pcap -o tcp.relative_sequence_numbers:TRUE -Y "tcp.len>0" -T fields -e tcp.stream -e tcp.srcport -e tcp.seq -e frame.time_relative -e tcp.payload 2>/dev/null |
awk -v port=$port '{ if ($1 != 0) next; d = ($2 == port) ? "s" : "c"; printf "%s %d %d %s\n", d, $3 - 1, $4 * 1000000, $5 }'
} > $name.h2trace
