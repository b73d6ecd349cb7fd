#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_SGEMM_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_SGEMM_H_

#include <cstdint>

namespace foldstack::trainer {

// C [m, n] = op(A) op(B) + beta C for row-major float32 matrices through oneDNN's sgemm,
// where op(X) is X, or X^T when its transpose flag is set, and ld* are the row strides
// as stored. Inside an OpenMP parallel region it runs on the calling thread, otherwise
// on the intra-op threads. Throws c10::Error if oneDNN reports a failure.
void Sgemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_SGEMM_H_
