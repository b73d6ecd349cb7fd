// Refusals are one line of valid UTF-8: a person reads them in a terminal and a log keeps one
// record per line. These helpers check that (the fuzz targets do) and make input text fit to quote.
#ifndef FOLDSTACK_COMMON_ONE_LINE_H_
#define FOLDSTACK_COMMON_ONE_LINE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace foldstack::common {

// Offset of the first byte that is not part of a well-formed UTF-8 sequence (overlong forms,
// surrogates and code points past U+10FFFF are not), or std::string_view::npos when all are.
size_t FirstInvalidUtf8(std::string_view text);

// OK when `message` is non-empty, holds no line break (\n, \r) and is valid UTF-8; otherwise an
// error saying what is wrong and at which byte.
absl::Status OneLine(std::string_view message);

// `text` made fit to quote in a one-line message: control characters and bytes that are not valid
// UTF-8 become \xNN; everything else, multi-byte characters included, is kept. At most `max_bytes`
// of the input are shown, then "...".
std::string Printable(std::string_view text, size_t max_bytes = 200);

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_ONE_LINE_H_
