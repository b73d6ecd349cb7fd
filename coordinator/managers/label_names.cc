#include "coordinator/managers/label_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "data/fashion_mnist.h"
#include "data/mask_labels.h"

namespace foldstack::coordinator {
namespace {

constexpr int kPersonClasses = 6;  // gender x age bin: the part of a mask class a person shares

}  // namespace

std::vector<std::string> ClassNamesFor(const std::string& kind, int32_t num_classes) {
  if (kind == "mask" && num_classes == data::kMaskNumClasses) return data::MaskClassNames();
  if (kind == "fashion_mnist" && num_classes == data::kFashionNumClasses) {
    return data::FashionMnistClassNames();
  }
  std::vector<std::string> names;
  for (int32_t c = 0; c < num_classes; ++c) names.push_back(absl::StrCat(c));
  return names;
}

absl::StatusOr<int32_t> ParseClassLabel(const std::string& text,
                                        const std::vector<std::string>& names) {
  const std::string trimmed(absl::StripAsciiWhitespace(text));
  int32_t index = -1;
  if (absl::SimpleAtoi(trimmed, &index)) {
    if (index >= 0 && index < static_cast<int32_t>(names.size())) return index;
  } else {
    for (size_t c = 0; c < names.size(); ++c) {
      if (absl::EqualsIgnoreCase(names[c], trimmed)) return static_cast<int32_t>(c);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", text, "\": expected a class index 0..", names.size() - 1, " or a class name like ",
      names.empty() ? "" : names[0]));
}

absl::StatusOr<int32_t> ParsePersonLabel(const std::string& text) {
  const std::vector<std::string>& names = data::MaskClassNames();
  for (int32_t c = 0; c < kPersonClasses; ++c) {
    if (absl::EqualsIgnoreCase(PersonLabelName(c), absl::StripAsciiWhitespace(text))) return c;
  }
  absl::StatusOr<int32_t> full = ParseClassLabel(text, names);
  if (full.ok()) return *full % kPersonClasses;
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", text, "\": expected a person's gender/age like male/30-59 (or a class name like ",
      names[0], " or index 0..", names.size() - 1, ")"));
}

std::string PersonLabelName(int32_t mask_class) {
  const std::string& name = data::MaskClassNames()[mask_class % kPersonClasses];
  return name.substr(name.find('/') + 1);  // "wear/male/<30" -> "male/<30"
}

}  // namespace foldstack::coordinator
