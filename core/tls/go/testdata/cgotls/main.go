// A cgo program using crypto/tls, linked by the system linker (-linkmode=external): the C
// start-up code then comes first in .text, so runtime.text is not the start of .text, which
// is what the pclntab's function entries are relative to. core/tls/go's tests check that a
// stripped build still gives the right offsets. It is never run.
package main

// int add(int a, int b) { return a + b; }
import "C"

import (
	"crypto/tls"
	"fmt"
	"os"
)

func main() {
	fmt.Println(C.add(1, 2))
	conn, err := tls.Dial("tcp", os.Args[1], nil)
	if err != nil {
		return
	}
	conn.Write([]byte("ping"))
	buf := make([]byte, 4)
	conn.Read(buf)
	conn.Close()
}
