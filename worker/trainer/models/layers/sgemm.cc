#include "worker/trainer/models/layers/sgemm.h"

#include <c10/util/Exception.h>
#include <oneapi/dnnl/dnnl.h>

namespace foldstack::trainer {

void Sgemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const dnnl_status_t status = dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k, 1.0f, a, lda,
                                          b, ldb, beta, c, ldc);
  TORCH_CHECK(status == dnnl_success, "oneDNN sgemm failed with status ", static_cast<int>(status), " (", m, "x", k,
              " by ", k, "x", n, ")");
}

}  // namespace foldstack::trainer
