#!/bin/bash
# capture.sh NAME SERVERCMD CLIENTCMD PORT
set -u
name=$1; port=$4
$2 --http-port $((port+1)) --grpc-port $port > /tmp/h2cap/$name.server.log 2>&1 &
spid=$!
for i in $(seq 100); do grep -q ready /tmp/h2cap/$name.server.log && break; sleep 0.2; done
tcpdump -i lo -w /tmp/h2cap/$name.pcap -U "tcp port $port" >/dev/null 2>&1 &
tpid=$!
sleep 1
eval "$3" > /tmp/h2cap/$name.client.log 2>&1; echo "client rc $?" >> /tmp/h2cap/$name.client.log
sleep 1
kill $tpid; kill $spid; wait
