#include "worker/trainer/models/layers/batched_matmul.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <vector>

#include "worker/trainer/models/layers/sgemm.h"

namespace foldstack::trainer {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// One operand as sgemm reads it: the matrices' base tensor, whether each [rows, cols]
// matrix is stored transposed, its leading dimension, and each matrix's element offset.
struct Operand {
  at::Tensor tensor;
  bool transposed = false;
  int64_t ld = 0;
  std::vector<int64_t> offsets;
};

Operand Describe(at::Tensor t) {
  const int64_t rows = t.size(-2), cols = t.size(-1);
  Operand op;
  if (t.stride(-1) == 1 && t.stride(-2) >= std::max<int64_t>(cols, 1)) {
    op.ld = t.stride(-2);
  } else if (t.stride(-2) == 1 && t.stride(-1) >= std::max<int64_t>(rows, 1)) {
    op.transposed = true;
    op.ld = t.stride(-1);
  } else {
    t = t.contiguous();
    op.ld = cols;
  }
  // Offsets of the matrices in batch order (row-major over the batch dimensions).
  op.offsets.assign(1, 0);
  for (int64_t d = 0; d < t.dim() - 2; ++d) {
    std::vector<int64_t> next;
    next.reserve(op.offsets.size() * t.size(d));
    for (int64_t base : op.offsets) {
      for (int64_t i = 0; i < t.size(d); ++i) next.push_back(base + i * t.stride(d));
    }
    op.offsets = std::move(next);
  }
  op.tensor = std::move(t);
  return op;
}

// out [..., M, N] (contiguous) = a @ b, matrices spread over the intra-op threads.
at::Tensor SgemmEach(const at::Tensor& a, const at::Tensor& b) {
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  std::vector<int64_t> out_sizes = a.sizes().vec();
  out_sizes.back() = n;
  at::Tensor out = at::empty(out_sizes, a.options());
  const Operand lhs = Describe(a);
  const Operand rhs = Describe(b);
  const float* lhs_data = lhs.tensor.data_ptr<float>();
  const float* rhs_data = rhs.tensor.data_ptr<float>();
  float* out_data = out.data_ptr<float>();
  const int64_t count = static_cast<int64_t>(lhs.offsets.size());
  at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      // Inside the parallel region each product runs on the calling thread.
      Sgemm(lhs.transposed, rhs.transposed, m, n, k, lhs_data + lhs.offsets[i], lhs.ld, rhs_data + rhs.offsets[i],
            rhs.ld, 0.0f, out_data + i * m * n, n);
    }
  });
  return out;
}

class BatchedMatmulFunction : public torch::autograd::Function<BatchedMatmulFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& a, const at::Tensor& b) {
    ctx->save_for_backward({a, b});
    return SgemmEach(a, b);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& grad = grads[0];
    at::Tensor grad_a, grad_b;
    if (ctx->needs_input_grad(0)) grad_a = SgemmEach(grad, saved[1].transpose(-2, -1));
    if (ctx->needs_input_grad(1)) grad_b = SgemmEach(saved[0].transpose(-2, -1), grad);
    return {grad_a, grad_b};
  }
};

bool SgemmApplies(const at::Tensor& a, const at::Tensor& b) {
  const auto float_cpu = [](const at::Tensor& t) { return t.device().is_cpu() && t.scalar_type() == at::kFloat; };
  if (!float_cpu(a) || !float_cpu(b) || a.dim() < 3 || a.dim() != b.dim()) return false;
  if (a.size(-1) != b.size(-2) || a.sizes().slice(0, a.dim() - 2) != b.sizes().slice(0, b.dim() - 2)) return false;
  return a.numel() > 0 && b.numel() > 0;
}

}  // namespace

at::Tensor BatchedMatmul(const at::Tensor& a, const at::Tensor& b) {
  if (!SgemmApplies(a, b)) return at::matmul(a, b);
  return BatchedMatmulFunction::apply(a, b);
}

}  // namespace foldstack::trainer
