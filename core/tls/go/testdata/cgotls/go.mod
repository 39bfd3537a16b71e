// See main.go: a test binary for //core/tls/go.
module hugin/core/tls/go/testdata/cgotls

go 1.24
