#include "common/byte_size.h"

#include <cmath>
#include <cstdio>

namespace foldstack::common {

std::string FormatBytes(int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static const char* kUnits[] = {"KB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1023.95 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  const double rounded = std::round(value * 10) / 10;
  if (rounded == std::floor(rounded)) {
    std::snprintf(text, sizeof(text), "%.0f %s", rounded, kUnits[unit]);
  } else {
    std::snprintf(text, sizeof(text), "%.1f %s", rounded, kUnits[unit]);
  }
  return text;
}

}  // namespace foldstack::common
