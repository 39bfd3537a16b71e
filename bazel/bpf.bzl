"""bpf_skeleton: a BPF C file built with clang -target bpf (CO-RE, against the committed
//bpf:vmlinux.h) into <stem>.bpf.o, and libbpf's skeleton header <stem>.skel.h from it
(bpftool gen skeleton). Targets: <stem>_o and <stem>_skel_h; put the latter in a cc_library's
srcs or hdrs and include "<package>/<stem>.skel.h"."""

def bpf_skeleton(stem, src, skeleton_name, hdrs = []):
    """stem: output name stem; src: the .bpf.c compiled; skeleton_name: the C prefix of the
    skeleton's functions (<skeleton_name>__open, ...); hdrs: headers src includes."""
    native.genrule(
        name = stem + "_o",
        srcs = [src, "//bpf:vmlinux.h"] + hdrs,
        outs = [stem + ".bpf.o"],
        cmd = " ".join([
            "clang -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_x86",
            "-I$$(dirname $(location //bpf:vmlinux.h))",
            "-I$$(dirname $(location %s))" % src,
            "-c $(location %s) -o $@" % src,
        ]),
    )
    native.genrule(
        name = stem + "_skel_h",
        srcs = [":" + stem + "_o"],
        outs = [stem + ".skel.h"],
        cmd = "bpftool gen skeleton $(location :%s_o) name %s > $@" % (stem, skeleton_name),
    )
