"""hugin_fuzzer: a libFuzzer target and the test that replays its corpus.

hugin_fuzzer(name, srcs, deps, corpus) makes
  - `name`: the fuzz target, a cc_binary defining LLVMFuzzerTestOneInput. Under --config=fuzz
    (clang; .bazelrc) it links libFuzzer's main (tests/fuzz/run runs it); in the default gcc
    build it links tests/fuzz/replay_main.cc instead, which runs the files it is given once
    (`bazel run //pkg:name -- crash-file` reproduces a finding without clang). Tagged
    "fuzz_target" (the runner finds targets by it) and "manual" (`bazel build //...` skips it).
  - `name_replay_test`: a cc_test, built by the default toolchain, that runs every file of the
    corpus directory through LLVMFuzzerTestOneInput: the seeds and the inputs of past findings
    stay exercised by `bazel test //...`.
`corpus`: a directory of the package (default testdata/fuzz/<name>).
"""

def hugin_fuzzer(name, srcs, deps = [], corpus = None):
    corpus = corpus or ("testdata/fuzz/" + name)
    files = native.glob([corpus + "/**"])
    if not files:
        fail("hugin_fuzzer %s: no corpus files under %s" % (name, corpus))
    native.cc_binary(
        name = name,
        testonly = True,
        srcs = srcs,
        deps = deps + ["//tests/fuzz:fuzz_support"] + select({
            "//bazel:fuzzing": [],
            "//conditions:default": ["//tests/fuzz:replay_main"],
        }),
        linkopts = select({
            "//bazel:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = ["fuzz_target", "manual"],
    )
    native.cc_test(
        name = name + "_replay_test",
        size = "small",
        srcs = srcs,
        deps = deps + ["//tests/fuzz:fuzz_support", "//tests/fuzz:replay_main"],
        data = files,
        args = [native.package_name() + "/" + corpus],
    )
