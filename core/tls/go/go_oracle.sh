#!/usr/bin/env bash
# Test oracle for go_binary_test, independent of the code under test: Go's own tools and
# binutils' readelf describe the fixture binary.
#   go_oracle.sh BINARY OUT_VERSION OUT_NM OUT_OBJDUMP OUT_DWARF
set -euo pipefail
bin=$1
export HOME=${HOME:-/root} GOTOOLCHAIN=local GOPROXY=off GOCACHE=${HUGIN_GOCACHE:-/tmp/hugin-gocache}
# "BINARY: go1.24.3" -> "go1.24.3"
go version "$bin" | sed 's/^[^:]*: //' >"$2"
go tool nm "$bin" | grep -E ' (crypto/tls\.\(\*Conn\)\.(Write|Read)|go:itab\.\*net\.TCPConn,net\.Conn)$' >"$3"
go tool objdump -s 'crypto/tls\.\(\*Conn\)\.(Write|Read)$' "$bin" >"$4"
# Member offsets of the structs on the *tls.Conn -> fd path, as "struct member offset" lines.
readelf --debug-dump=info "$bin" 2>/dev/null | awk '
  /^ *<[0-9]+><[0-9a-f]+>: Abbrev Number/ {
    depth = substr($1, 2, index($1, ">") - 2) + 0
    if (depth == 1) { in_struct = ($0 ~ /DW_TAG_structure_type/); sname = "" }
    member = (depth == 2 && $0 ~ /DW_TAG_member/); mname = ""
    next
  }
  in_struct && depth == 1 && /DW_AT_name/ { sname = $NF }
  in_struct && member && /DW_AT_name/ { mname = $NF }
  in_struct && member && /DW_AT_data_member_location/ &&
      (sname == "crypto/tls.Conn" || sname == "net.TCPConn" || sname == "net.conn" ||
       sname == "net.netFD" || sname == "internal/poll.FD") { print sname, mname, $NF }
' >"$5"
