#include "worker/trainer/models/layers/linear.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "worker/trainer/models/layers/sgemm.h"

namespace foldstack::trainer {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows of x2 [M, K] times weight [N, K]^T, plus bias [N] unless it is empty ([0]: LibTorch
// 1.13's custom functions cannot take an undefined tensor as an input).
class SgemmLinearFunction : public torch::autograd::Function<SgemmLinearFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x2, const at::Tensor& weight,
                            const at::Tensor& bias) {
    const bool has_bias = bias.numel() > 0;
    ctx->save_for_backward({x2, weight});
    ctx->saved_data["has_bias"] = has_bias;
    const int64_t m = x2.size(0), k = x2.size(1), n = weight.size(0);
    // Start from the broadcast bias and accumulate into it (beta 1), as addmm does.
    at::Tensor out = has_bias ? bias.expand({m, n}).contiguous() : at::empty({m, n}, x2.options());
    Sgemm(false, true, m, n, k, x2.data_ptr<float>(), k, weight.data_ptr<float>(), k, has_bias ? 1.0f : 0.0f,
          out.data_ptr<float>(), n);
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& x2 = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor grad = grads[0].contiguous();  // [M, N]
    const int64_t m = x2.size(0), k = x2.size(1), n = weight.size(0);
    at::Tensor grad_x, grad_weight, grad_bias;
    if (ctx->needs_input_grad(0)) {  // [M, K] = grad [M, N] · W [N, K]
      grad_x = at::empty({m, k}, x2.options());
      Sgemm(false, false, m, k, n, grad.data_ptr<float>(), n, weight.data_ptr<float>(), k, 0.0f,
            grad_x.data_ptr<float>(), k);
    }
    if (ctx->needs_input_grad(1)) {  // [N, K] = grad^T [N, M] · x2 [M, K]
      grad_weight = at::empty({n, k}, weight.options());
      Sgemm(true, false, n, k, m, grad.data_ptr<float>(), n, x2.data_ptr<float>(), k, 0.0f,
            grad_weight.data_ptr<float>(), k);
    }
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) grad_bias = grad.sum(0);
    return {grad_x, grad_weight, grad_bias};
  }
};

bool SgemmApplies(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  const auto float_cpu = [](const at::Tensor& t) { return t.device().is_cpu() && t.scalar_type() == at::kFloat; };
  const bool weight_ok = float_cpu(weight) && weight.dim() == 2 && weight.size(0) > 0 && weight.is_contiguous();
  const bool x_ok = weight_ok && float_cpu(x) && x.dim() >= 1 && x.numel() > 0 && x.size(-1) == weight.size(-1);
  const bool bias_ok =
      !bias.defined() || (weight_ok && float_cpu(bias) && bias.dim() == 1 && bias.size(0) == weight.size(0));
  // Anything else goes to at::linear, which also gives LibTorch's own message for bad shapes.
  return weight_ok && x_ok && bias_ok;
}

}  // namespace

at::Tensor SgemmLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  if (!SgemmApplies(x, weight, bias)) return at::linear(x, weight, bias);
  std::vector<int64_t> out_sizes = x.sizes().vec();
  out_sizes.back() = weight.size(0);
  const at::Tensor x2 = x.reshape({-1, x.size(-1)}).contiguous();
  const at::Tensor bias_or_empty = bias.defined() ? bias.contiguous() : at::empty({0}, x.options());
  return SgemmLinearFunction::apply(x2, weight, bias_or_empty).view(out_sizes);
}

at::Tensor ApplyLinear(const torch::nn::Linear& linear, const at::Tensor& x) {
  return SgemmLinear(x, linear->weight, linear->bias);
}

}  // namespace foldstack::trainer
