#include "coordinator/analysis/selection_engine.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace foldstack::analysis::internal {

SelectionEngine::SelectionEngine(const std::vector<ProbMatrix>& library, const std::vector<int>& labels,
                                 std::vector<int> rows, Metric metric)
    : library_(library), k_(library[0].num_classes), metric_(metric), rows_(std::move(rows)) {
  actual_.assign(k_, 0);
  for (int r : rows_) {
    row_labels_.push_back(labels[r]);
    ++actual_[labels[r]];
  }
  true_columns_.resize(library.size());
  top_class_.resize(library.size());
  top_prob_.resize(library.size());
  for (auto* v : {&base_tp_, &base_pred_, &tp_, &pred_}) v->assign(k_, 0);
  Reset();
}

void SelectionEngine::Reset() {
  sum_.assign(rows_.size() * k_, 0.f);
  sum_true_.assign(rows_.size(), 0.f);
  members_ = 0;
}

void SelectionEngine::Add(int member) {
  const float* base = library_[member].values.data();
  for (size_t r = 0; r < rows_.size(); ++r) {
    const float* p = base + static_cast<size_t>(rows_[r]) * k_;
    float* s = &sum_[r * k_];
    for (int c = 0; c < k_; ++c) s[c] += p[c];
    sum_true_[r] += p[row_labels_[r]];
  }
  ++members_;
}

void SelectionEngine::Evaluate(const std::vector<int>& candidates, std::vector<double>* losses) {
  losses->assign(candidates.size(), 0.0);
  if (metric_ == Metric::kMacroF1) {
    EvaluateF1(candidates, losses);
  } else {
    EvaluateLogLoss(candidates, losses);
  }
}

void SelectionEngine::Summarize(int member) {
  if (!top_class_[member].empty() || rows_.empty()) return;
  top_class_[member].resize(rows_.size());
  top_prob_[member].resize(rows_.size());
  for (size_t r = 0; r < rows_.size(); ++r) {
    const float* p = library_[member].row(rows_[r]);
    int a = ArgMax(p, k_);
    top_class_[member][r] = static_cast<uint16_t>(a);
    top_prob_[member][r] = p[a];
  }
}

void SelectionEngine::Move(int r, int from, int to) {
  const int y = row_labels_[r];
  --pred_[from];
  tp_[from] -= from == y;
  ++pred_[to];
  tp_[to] += to == y;
}

void SelectionEngine::EvaluateF1(const std::vector<int>& candidates, std::vector<double>* losses) {
  const int k = k_;
  // A small margin above 1 keeps float rounding from unlocking a decided row.
  constexpr float kLockGap = 1.0f + 1e-4f;
  // Base counts: every row predicted as the running sum's top class.
  std::fill(base_tp_.begin(), base_tp_.end(), 0);
  std::fill(base_pred_.begin(), base_pred_.end(), 0);
  unlocked_.clear();
  unlocked_top_.clear();
  unlocked_gap_.clear();
  for (size_t r = 0; r < rows_.size(); ++r) {
    const float* s = &sum_[r * k];
    int top = 0;
    float second = -1.f;
    for (int c = 1; c < k; ++c) {
      if (s[c] > s[top]) {
        second = s[top];
        top = c;
      } else if (s[c] > second) {
        second = s[c];
      }
    }
    ++base_pred_[top];
    base_tp_[top] += top == row_labels_[r];
    if (s[top] - second <= kLockGap) {
      unlocked_.push_back(static_cast<int>(r));
      unlocked_top_.push_back(top);
      unlocked_gap_.push_back(s[top] - second);
    }
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    const int member = candidates[i];
    Summarize(member);
    std::copy(base_tp_.begin(), base_tp_.end(), tp_.begin());
    std::copy(base_pred_.begin(), base_pred_.end(), pred_.begin());
    const uint16_t* top_class = top_class_[member].data();
    const float* top_prob = top_prob_[member].data();
    const float* base = library_[member].values.data();
    // Pass 1 judges rows from the summary; rows the candidate may flip are read
    // in pass 2, prefetched ahead (the library is far larger than the caches).
    may_flip_.clear();
    for (size_t j = 0; j < unlocked_.size(); ++j) {
      const int r = unlocked_[j], t = unlocked_top_[j], a = top_class[r];
      if (a == t || top_prob[r] < unlocked_gap_[j]) continue;  // stays t
      if (members_ == 0) {
        Move(r, t, a);  // an empty ensemble predicts the candidate's own argmax
      } else {
        may_flip_.push_back(static_cast<int>(j));
      }
    }
    constexpr size_t kAhead = 8;
    for (size_t f = 0; f < may_flip_.size(); ++f) {
      if (f + kAhead < may_flip_.size()) {
        const float* ahead = base + static_cast<size_t>(rows_[unlocked_[may_flip_[f + kAhead]]]) * k;
        __builtin_prefetch(ahead);
        __builtin_prefetch(ahead + k - 1);
      }
      const int j = may_flip_[f], r = unlocked_[j];
      const float* p = base + static_cast<size_t>(rows_[r]) * k;
      const float* s = &sum_[static_cast<size_t>(r) * k];
      float best = s[0] + p[0];
      int arg = 0;
      for (int c = 1; c < k; ++c) {
        float v = s[c] + p[c];
        if (v > best) {
          best = v;
          arg = c;
        }
      }
      if (arg != unlocked_top_[j]) Move(r, unlocked_top_[j], arg);
    }
    (*losses)[i] = -MacroF1FromCounts(tp_.data(), pred_.data(), actual_.data(), k);
  }
}

const std::vector<float>& SelectionEngine::TrueColumn(int member) {
  std::vector<float>& column = true_columns_[member];
  if (column.empty() && !rows_.empty()) {
    column.resize(rows_.size());
    for (size_t r = 0; r < rows_.size(); ++r) column[r] = library_[member].at(rows_[r], row_labels_[r]);
  }
  return column;
}

void SelectionEngine::EvaluateLogLoss(const std::vector<int>& candidates, std::vector<double>* losses) {
  const size_t n = rows_.size();
  if (n == 0) return;
  const float scale = static_cast<float>(members_ + 1);
  const float floor = kLogLossEpsilon * scale;  // clip p = sum / scale at epsilon
  for (size_t i = 0; i < candidates.size(); ++i) {
    const float* col = TrueColumn(candidates[i]).data();
    const float* st = sum_true_.data();
    double log_sum = 0;
    size_t r = 0;
    // Four products of 16 values each per block: within double range for any
    // value in [1e-7, 1e4], and one logarithm per 16 rows.
    for (; r + 64 <= n; r += 64) {
      double prod[4] = {1, 1, 1, 1};
      for (size_t j = 0; j < 64; j += 4) {
        for (int lane = 0; lane < 4; ++lane) {
          prod[lane] *= std::max(st[r + j + lane] + col[r + j + lane], floor);
        }
      }
      log_sum += std::log(prod[0]) + std::log(prod[1]) + std::log(prod[2]) + std::log(prod[3]);
    }
    for (; r < n; ++r) log_sum += std::log(std::max(st[r] + col[r], floor));
    (*losses)[i] = std::log(static_cast<double>(scale)) - log_sum / n;
  }
}

}  // namespace foldstack::analysis::internal
