"""fuzz_target: one parser's fuzz target, built two ways.

  <name>_test       a cc_test (any compiler, the normal suite): the checked-in corpus under
                    corpus/<name>/ plus `mutations` deterministic mutations of it, through
                    tests/fuzz/driver.cc. A few seconds.
  <name>_libfuzzer  the same target linked with libFuzzer (clang only, so tagged manual):
                    bazel build --config=asan //tests/fuzz:<name>_libfuzzer
                    tests/bench/run_fuzz_bench.sh runs each for 100,000 inputs.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")

def fuzz_target(name, srcs, deps, mutations = 3000, size = "small"):
    corpus = native.glob(["corpus/%s/*" % name])
    cc_test(
        name = name + "_test",
        size = size,
        srcs = srcs + ["driver.cc"],
        args = ["tests/fuzz/corpus/" + name, str(mutations)],
        data = corpus,
        deps = deps + [":fuzz_check", "//common:splitmix64"],
    )
    cc_binary(
        name = name + "_libfuzzer",
        srcs = srcs,
        testonly = True,
        copts = ["-fsanitize=fuzzer"],
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual"],
        deps = deps + [":fuzz_check"],
    )
