#include "worker/trainer/models/layers/make_divisible.h"

#include <algorithm>

namespace foldstack::trainer {

int MakeDivisible(double value, int divisor, double round_limit) {
  int rounded = std::max(divisor, static_cast<int>(value + divisor / 2.0) / divisor * divisor);
  if (rounded < round_limit * value) rounded += divisor;
  return rounded;
}

}  // namespace foldstack::trainer
