// A small Gaussian-process regressor for the bayes sampler, shaped like W&B's: scikit-learn's
// GaussianProcessRegressor(kernel=Matern(nu), alpha=1e-7) with normalize_y off (W&B normalises y
// itself). The kernel is an isotropic Matérn of unit amplitude, k(r) = Matern_nu(r / length_scale),
// plus `nugget` on the diagonal; the length scale is fitted by maximising the log marginal
// likelihood over sklearn's bounds [1e-5, 1e5].
#ifndef FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_GAUSSIAN_PROCESS_H_
#define FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_GAUSSIAN_PROCESS_H_

#include "Eigen/Dense"

namespace foldstack::sweep {

class GaussianProcess {
 public:
  static constexpr double kMinLengthScale = 1e-5;
  static constexpr double kMaxLengthScale = 1e5;

  // Rows of `x` are the points, `y` their values. nu is 0.5, 1.5 or 2.5.
  GaussianProcess(Eigen::MatrixXd x, Eigen::VectorXd y, double nu, double nugget);

  // Fits the length scale: a log-spaced grid over the bounds, then golden-section search around
  // the best grid point. On a plateau (the data cannot tell length scales apart) the largest
  // length scale wins, the smoothest explanation.
  void FitLengthScale();
  void SetLengthScale(double length_scale);

  double length_scale() const { return length_scale_; }
  // The fitted length scale sits at a bound: sklearn's warning case, where W&B falls back to a
  // random candidate.
  bool AtBound() const;
  double LogMarginalLikelihood(double length_scale) const;

  // Posterior mean and standard deviation at the rows of `points`.
  void Predict(const Eigen::MatrixXd& points, Eigen::VectorXd* mean, Eigen::VectorXd* std) const;

 private:
  Eigen::MatrixXd Kernel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                         double length_scale) const;
  // Cholesky of K(x, x) + nugget I; the nugget grows tenfold until K is numerically positive
  // definite (repeated points with 1e-7 can fail), which sklearn would refuse instead.
  Eigen::LLT<Eigen::MatrixXd> Factor(double length_scale) const;

  Eigen::MatrixXd x_;
  Eigen::VectorXd y_;
  double nu_;
  double nugget_;
  double length_scale_ = 1.0;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd alpha_;  // (K + nugget I)^-1 y
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_GAUSSIAN_PROCESS_H_
