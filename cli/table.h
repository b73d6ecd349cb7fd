// Aligned text tables for people; scripts use --json instead.
#ifndef FOLDSTACK_CLI_TABLE_H_
#define FOLDSTACK_CLI_TABLE_H_

#include <string>
#include <vector>

namespace foldstack::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns padded to their widest cell; numbers (cells starting with a digit, '-' or '.') right-aligned.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

std::string FormatDuration(double seconds);  // "42s", "3m05s", "2h10m", "-" when negative
std::string FormatFixed(double value, int digits);

// "[##########----------] 10/20"
std::string ProgressBar(int done, int total, int width);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_TABLE_H_
