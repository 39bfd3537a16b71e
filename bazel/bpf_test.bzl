"""bpf_test: a real-BPF cc_test (tagged local: bpf() fails inside Bazel's linux-sandbox) and its
<name>_syscall_path twin, the same test with HUGIN_TEST_DATA_PATH=syscalls
(tests/bpf/bpf_testing.h StartLoader): every case on both data paths where the kernel has both,
the syscall path (tp_btf/sys_exit) being the only one before 6.4."""

def bpf_test(name, srcs, deps, linkopts = []):
    native.cc_test(
        name = name,
        srcs = srcs,
        linkopts = linkopts,
        deps = deps,
        tags = ["local", "bpf"],
    )
    native.cc_test(
        name = name + "_syscall_path",
        srcs = srcs,
        linkopts = linkopts,
        env = {"HUGIN_TEST_DATA_PATH": "syscalls"},
        deps = deps,
        tags = ["local", "bpf"],
    )
