#include "common/one_line.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace foldstack::common {
namespace {

// Length of the well-formed UTF-8 sequence at text[at], or 0 when there is none.
size_t SequenceLength(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range (RFC 3629, table 3-7)
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

size_t FirstInvalidUtf8(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const size_t length = SequenceLength(text, at);
    if (length == 0) return at;
    at += length;
  }
  return std::string_view::npos;
}

absl::Status OneLine(std::string_view message) {
  if (message.empty()) return absl::InvalidArgumentError("empty message");
  const size_t line_break = message.find_first_of("\r\n");
  if (line_break != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("line break at byte ", line_break, " of ", message.size()));
  }
  const size_t invalid = FirstInvalidUtf8(message);
  if (invalid != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("invalid UTF-8 at byte ", invalid, " of ", message.size()));
  }
  return absl::OkStatus();
}

std::string Printable(std::string_view text, size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  if (cut) text = text.substr(0, max_bytes);
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[at]);
    const size_t length = SequenceLength(text, at);
    if (length == 0 || c < 0x20 || c == 0x7F) {
      absl::StrAppendFormat(&out, "\\x%02x", c);
      ++at;
    } else {
      out.append(text.substr(at, length));
      at += length;
    }
  }
  if (cut) out += "...";
  return out;
}

}  // namespace foldstack::common
