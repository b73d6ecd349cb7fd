"""@libtorch: Debian's CPU LibTorch by default; a CUDA LibTorch under --config=cuda.

The default build only ever uses /usr (Debian's libtorch-dev) and needs no network.
With --config=cuda (.bazelrc) the `torch` target switches to the LibTorch at
$FOLDSTACK_LIBTORCH (a directory with include/ and lib/, e.g. the official
cxx11-ABI LibTorch zip or a pip torch package's directory), with CUDA headers
from $FOLDSTACK_CUDA_HOME (default /usr/local/cuda) and nccl.h from
$FOLDSTACK_NCCL_HOME/include (default: the CUDA home). See README.md, "GPU workers".
"""

_CUDA_LIBRARY = """
# The CUDA LibTorch at {path}.
cc_library(
    name = "torch_cuda",
    # Every file: the sandbox only shows declared headers (CUDA's libcu++ ones have no extension).
    hdrs = glob(["cuda_libtorch/include/**", "cuda_toolkit/include/**", "cuda_nccl/include/**"]),
    includes = [
        "cuda_libtorch/include",
        "cuda_libtorch/include/torch/csrc/api/include",
        "cuda_toolkit/include",
        "cuda_nccl/include",
    ],
    # FOLDSTACK_WITH_CUDA compiles Foldstack's CUDA-only code (ProcessGroupNCCL);
    # the USE_C10D_* macros open c10d's backend headers, as LibTorch's own build does.
    defines = ["FOLDSTACK_WITH_CUDA", "USE_C10D_NCCL", "USE_C10D_GLOO"],
    linkopts = [
        "-L{path}/lib",
        "-Wl,-rpath,{path}/lib",
        "-Wl,--no-as-needed",
        "-ltorch",
        "-ltorch_cpu",
        "-ltorch_cuda",
        "-lc10",
        "-lc10_cuda",
        "-lpthread",
    ],
)
"""

# Fails the build, with the reason, only if --config=cuda actually needs it.
_CUDA_MISSING = """
genrule(
    name = "torch_cuda_missing",
    outs = ["torch_cuda_missing.h"],
    cmd = "echo 'error: --config=cuda: {reason}' >&2; exit 1",
)

cc_library(
    name = "torch_cuda",
    hdrs = [":torch_cuda_missing.h"],
)
"""

def _libtorch_repository_impl(ctx):
    ctx.symlink("/usr/include", "include")
    path = ctx.os.environ.get("FOLDSTACK_LIBTORCH", "")
    cuda_home = ctx.os.environ.get("FOLDSTACK_CUDA_HOME", "") or "/usr/local/cuda"
    nccl_home = ctx.os.environ.get("FOLDSTACK_NCCL_HOME", "") or cuda_home
    reason = ""
    if not path:
        reason = "set FOLDSTACK_LIBTORCH to a CUDA LibTorch directory (with include/ and lib/libtorch_cuda.so)"
    elif not ctx.path(path + "/include/torch/csrc/api/include/torch/torch.h").exists:
        reason = "FOLDSTACK_LIBTORCH=%s has no include/torch/csrc/api/include/torch/torch.h" % path
    elif not ctx.path(path + "/lib/libtorch_cuda.so").exists:
        reason = "FOLDSTACK_LIBTORCH=%s has no lib/libtorch_cuda.so (a CPU-only LibTorch?)" % path
    elif not ctx.path(cuda_home + "/include/cuda_runtime_api.h").exists:
        reason = "no CUDA headers at %s/include (set FOLDSTACK_CUDA_HOME)" % cuda_home
    elif not ctx.path(nccl_home + "/include/nccl.h").exists:
        reason = "no nccl.h at %s/include (set FOLDSTACK_NCCL_HOME)" % nccl_home
    if reason:
        cuda_library = _CUDA_MISSING.format(reason = reason.replace("'", ""))
    else:
        ctx.symlink(path, "cuda_libtorch")
        ctx.symlink(cuda_home, "cuda_toolkit")
        ctx.symlink(nccl_home, "cuda_nccl")
        cuda_library = _CUDA_LIBRARY.format(path = str(ctx.path(path).realpath))
    ctx.template("BUILD.bazel", ctx.attr.build_file, {"%{CUDA_LIBRARY}": cuda_library})

libtorch_repository = repository_rule(
    implementation = _libtorch_repository_impl,
    attrs = {"build_file": attr.label(default = "//third_party/system:libtorch.BUILD")},
    environ = ["FOLDSTACK_LIBTORCH", "FOLDSTACK_CUDA_HOME", "FOLDSTACK_NCCL_HOME"],
    local = True,
)
