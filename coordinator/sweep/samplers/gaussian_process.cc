#include "coordinator/sweep/samplers/gaussian_process.h"

#include <cmath>
#include <limits>
#include <utility>

namespace foldstack::sweep {
namespace {

constexpr double kLogTwoPi = 1.8378770664093453;
constexpr int kGridPoints = 41;  // every half decade over [1e-5, 1e5]
constexpr int kGoldenSteps = 40;

// Matérn correlation at scaled distance d = r / length_scale (sklearn's closed forms).
double Matern(double d, double nu) {
  if (nu == 0.5) return std::exp(-d);
  if (nu == 1.5) {
    const double s = std::sqrt(3.0) * d;
    return (1.0 + s) * std::exp(-s);
  }
  const double s = std::sqrt(5.0) * d;
  return (1.0 + s + s * s / 3.0) * std::exp(-s);
}

}  // namespace

GaussianProcess::GaussianProcess(Eigen::MatrixXd x, Eigen::VectorXd y, double nu, double nugget)
    : x_(std::move(x)), y_(std::move(y)), nu_(nu), nugget_(nugget) {
  SetLengthScale(1.0);
}

Eigen::MatrixXd GaussianProcess::Kernel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                        double length_scale) const {
  Eigen::MatrixXd k(a.rows(), b.rows());
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (Eigen::Index j = 0; j < b.rows(); ++j) {
      k(i, j) = Matern((a.row(i) - b.row(j)).norm() / length_scale, nu_);
    }
  }
  return k;
}

Eigen::LLT<Eigen::MatrixXd> GaussianProcess::Factor(double length_scale) const {
  const Eigen::MatrixXd k = Kernel(x_, x_, length_scale);
  const Eigen::Index n = k.rows();
  Eigen::LLT<Eigen::MatrixXd> llt;
  for (double nugget = nugget_; nugget < 1.0; nugget *= 10) {
    llt.compute(k + nugget * Eigen::MatrixXd::Identity(n, n));
    if (llt.info() == Eigen::Success) break;
  }
  return llt;
}

double GaussianProcess::LogMarginalLikelihood(double length_scale) const {
  const Eigen::LLT<Eigen::MatrixXd> llt = Factor(length_scale);
  if (llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
  const Eigen::VectorXd alpha = llt.solve(y_);
  const double log_det_half = llt.matrixLLT().diagonal().array().log().sum();
  return -0.5 * y_.dot(alpha) - log_det_half - 0.5 * static_cast<double>(y_.size()) * kLogTwoPi;
}

void GaussianProcess::SetLengthScale(double length_scale) {
  length_scale_ = length_scale;
  llt_ = Factor(length_scale);
  alpha_ = llt_.solve(y_);
}

void GaussianProcess::FitLengthScale() {
  const double lo = std::log(kMinLengthScale), hi = std::log(kMaxLengthScale);
  const double step = (hi - lo) / (kGridPoints - 1);
  auto lml = [this](double t) { return LogMarginalLikelihood(std::exp(t)); };
  int best = 0;
  double best_lml = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < kGridPoints; ++i) {
    const double value = lml(lo + i * step);
    // >= with a hair of slack: on a plateau the later (larger) length scale wins.
    if (value >= best_lml - 1e-9 * std::fabs(best_lml)) best = i, best_lml = value;
  }
  // Golden-section search for the maximum between the best point's neighbours.
  double a = lo + std::max(best - 1, 0) * step, b = lo + std::min(best + 1, kGridPoints - 1) * step;
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double c = b - ratio * (b - a), d = a + ratio * (b - a);
  double fc = lml(c), fd = lml(d);
  for (int i = 0; i < kGoldenSteps; ++i) {
    if (fc >= fd) {
      b = d, d = c, fd = fc, c = b - ratio * (b - a), fc = lml(c);
    } else {
      a = c, c = d, fc = fd, d = a + ratio * (b - a), fd = lml(d);
    }
  }
  const double t = (a + b) / 2;
  SetLengthScale(std::exp(lml(t) >= best_lml ? t : lo + best * step));
}

bool GaussianProcess::AtBound() const {
  const double t = std::log(length_scale_);
  return t - std::log(kMinLengthScale) < 0.01 || std::log(kMaxLengthScale) - t < 0.01;
}

void GaussianProcess::Predict(const Eigen::MatrixXd& points, Eigen::VectorXd* mean,
                              Eigen::VectorXd* std) const {
  const Eigen::MatrixXd cross = Kernel(points, x_, length_scale_);
  *mean = cross * alpha_;
  const Eigen::MatrixXd v = llt_.matrixL().solve(cross.transpose());
  // k(x, x) = 1 for a unit-amplitude Matérn; negative variances are rounding, clipped like sklearn.
  *std = (1.0 - v.colwise().squaredNorm().transpose().array()).max(0.0).sqrt();
}

}  // namespace foldstack::sweep
