#include "cli/table.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace foldstack::cli {
namespace {

bool LooksNumeric(const std::string& cell) {
  if (cell.empty()) return false;
  char c = cell[0];
  return std::isdigit(static_cast<unsigned char>(c)) || ((c == '-' || c == '.') && cell.size() > 1 &&
                                                          std::isdigit(static_cast<unsigned char>(cell[1])));
}

}  // namespace

std::string Table::Render() const {
  std::vector<size_t> widths(header_.size(), 0);
  auto widen = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  };
  widen(header_);
  for (const auto& row : rows_) widen(row);
  auto render_row = [&](const std::vector<std::string>& row, bool header) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      const std::string pad(widths[i] - std::min(widths[i], cell.size()), ' ');
      bool last = i + 1 == widths.size();
      if (!header && LooksNumeric(cell)) {
        absl::StrAppend(&line, pad, cell);
      } else {
        absl::StrAppend(&line, cell, last ? "" : pad);
      }
      if (!last) line += "  ";
    }
    return line + "\n";
  };
  std::string out = render_row(header_, true);
  for (const auto& row : rows_) out += render_row(row, false);
  return out;
}

std::string FormatDuration(double seconds) {
  if (seconds < 0 || std::isnan(seconds)) return "-";
  long s = std::lround(seconds);
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
}

std::string FormatFixed(double value, int digits) { return absl::StrFormat("%.*f", digits, value); }

std::string ProgressBar(int done, int total, int width) {
  int filled = total > 0 ? static_cast<int>(static_cast<double>(done) * width / total) : 0;
  filled = std::clamp(filled, 0, width);
  return absl::StrCat("[", std::string(filled, '#'), std::string(width - filled, '-'), "] ", done, "/", total);
}

}  // namespace foldstack::cli
