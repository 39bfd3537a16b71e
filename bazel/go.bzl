"""Builds a Go main package with the system `go` toolchain.

Bazel 4.2.3 offline cannot fetch rules_go, so this macro runs `go build` in a genrule.
Modules come from the module cache that the set-up step fills (`go mod download`);
GOPROXY=off and GOFLAGS=-mod=mod keep the build itself off the network.
"""

def go_binary_local(name, srcs, data = [], pkg_dir = None, visibility = None, ldflags = None, cgo = False):
    """srcs: every file `go build` reads (go.mod, go.sum, *.go, generated code).

    ldflags: passed to `go build -ldflags=...`, e.g. "-s -w" for a stripped binary (no .symtab, no DWARF).
    cgo: build with CGO_ENABLED=1 (the system C compiler); default off, a static pure-Go binary.
    """
    pkg = pkg_dir or native.package_name()
    native.genrule(
        name = name + "_build",
        srcs = srcs + data,
        # In a folder of its own so the executable keeps its name (service_name = "server").
        outs = ["bin/" + name],
        cmd = " ".join([
            "export HOME=$${HOME:-/root} GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local",
            "GOCACHE=$${HUGIN_GOCACHE:-/tmp/hugin-gocache} CGO_ENABLED=" + ("1;" if cgo else "0;"),
            "OUT=$$PWD/$@; cd " + pkg + " && go build -trimpath" +
            (" -ldflags='" + ldflags + "'" if ldflags else "") + " -o $$OUT .",
        ]),
        # go needs the module cache and build cache outside the sandbox.
        tags = ["no-sandbox", "local"],
        visibility = ["//visibility:private"],
    )
    native.sh_binary(
        name = name,
        srcs = ["bin/" + name],
        visibility = visibility,
    )
