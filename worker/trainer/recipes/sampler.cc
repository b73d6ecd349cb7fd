#include "worker/trainer/recipes/sampler.h"

#include <map>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"

namespace foldstack::recipes {
namespace {

std::vector<int64_t> Shuffled(size_t n, std::mt19937_64& rng) {
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (size_t i = n; i > 1; --i) {
    std::swap(order[i - 1], order[UniformBelow(i, rng)]);
  }
  return order;
}

std::vector<int64_t> ClassBalanced(const std::vector<int>& labels, std::mt19937_64& rng) {
  // Sorted by label so the class picked by a given draw does not depend on
  // the order classes first appear in.
  std::map<int, std::vector<int64_t>> rows_by_label;
  for (size_t row = 0; row < labels.size(); ++row) {
    rows_by_label[labels[row]].push_back(static_cast<int64_t>(row));
  }
  std::vector<const std::vector<int64_t>*> classes;
  for (const auto& [label, rows] : rows_by_label) classes.push_back(&rows);

  std::vector<int64_t> order;
  order.reserve(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::vector<int64_t>& rows = *classes[UniformBelow(classes.size(), rng)];
    order.push_back(rows[UniformBelow(rows.size(), rng)]);
  }
  return order;
}

}  // namespace

uint64_t UniformBelow(uint64_t n, std::mt19937_64& rng) {
  // Values below (2^64 mod n) would make the low residues more likely.
  const uint64_t reject_below = (0 - n) % n;
  uint64_t x = rng();
  while (x < reject_below) x = rng();
  return x % n;
}

absl::StatusOr<std::vector<int64_t>> EpochOrder(const std::vector<int>& labels,
                                                const std::string& sampler,
                                                std::mt19937_64& rng) {
  if (sampler == "shuffle") return Shuffled(labels.size(), rng);
  if (sampler == "class_balanced") return ClassBalanced(labels, rng);
  return absl::InvalidArgumentError(
      absl::StrCat("sampler: expected one of shuffle, class_balanced; got \"", sampler, "\""));
}

}  // namespace foldstack::recipes
