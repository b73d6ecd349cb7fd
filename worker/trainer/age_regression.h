// Task age_regression: the model's one output is the age in years, and the age head's three bin
// probabilities come from it so that a regression trial can stand where an age classifier does
// (OOF rows, composites, ensembles).
//
// Bins from a point estimate: the true age is taken as Gaussian around the predicted age with
// width sigma, and each bin's probability is that Gaussian's mass over the bin's interval. Ages
// are whole years, so the interval of bin [a, b) is [a - 0.5, b - 0.5): the outer bins reach to
// -inf and +inf, so the three masses sum to 1; each is floored at 1e-6 and the row renormalised
// (a log of 0 would make the held-out loss infinite). sigma is the model's root-mean-square error
// on its training folds (at least 1 year), fitted during training and kept in the checkpoint's
// metadata as "age_sigma".
#ifndef FOLDSTACK_WORKER_TRAINER_AGE_REGRESSION_H_
#define FOLDSTACK_WORKER_TRAINER_AGE_REGRESSION_H_

#include <ATen/ATen.h>

namespace foldstack::trainer {

// The regression output is scaled so that a fresh model starts near a middle age:
// age = kAgeCenter + kAgeScale * output; the loss (regression_loss) compares the output with the
// true age on that scale, (age - kAgeCenter) / kAgeScale.
inline constexpr double kAgeCenter = 40.0;
inline constexpr double kAgeScale = 20.0;
inline constexpr double kMinAgeSigma = 1.0;

// Ages in years [N] from the model's outputs [N, 1].
at::Tensor PredictedAges(const at::Tensor& outputs);

// Log-probabilities of the three age bins [N, 3] (see above); the bins start at 0, middle_start
// and old_start (the age_bins setting).
at::Tensor AgeBinLogProbs(const at::Tensor& ages, double sigma, int middle_start, int old_start);

// sigma from the training folds' squared errors: sqrt(sum / count), at least kMinAgeSigma.
double FitAgeSigma(double squared_error_sum, int64_t count);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_AGE_REGRESSION_H_
