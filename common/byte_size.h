// Sizes for people: 1536 -> "1.5 KB", 3.1 * 2^30 -> "3.1 GB" (powers of 1024, one decimal, ".0" left out).
#ifndef FOLDSTACK_COMMON_BYTE_SIZE_H_
#define FOLDSTACK_COMMON_BYTE_SIZE_H_

#include <cstdint>
#include <string>

namespace foldstack::common {

std::string FormatBytes(int64_t bytes);

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_BYTE_SIZE_H_
