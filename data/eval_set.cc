#include "data/eval_set.h"

#include <filesystem>
#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/one_line.h"

namespace fs = std::filesystem;

namespace foldstack::data {
namespace {

std::vector<std::string> SplitRow(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return absl::StrSplit(line, ',');
}

}  // namespace

absl::StatusOr<EvalSet> LoadEvalSet(const std::string& root) {
  const std::string path = (fs::path(root) / "eval" / "info.csv").string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read (expected the eval layout: eval/info.csv)"));
  auto error = [&](const std::string& what) { return absl::InvalidArgumentError(absl::StrCat(path, ": ", what)); };

  std::string line;
  if (!std::getline(in, line)) return error("empty file, expected a header ImageID,ans");
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte order mark from spreadsheet tools
  const std::vector<std::string> header = SplitRow(line);
  int id_column = -1, ans_column = -1;
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c] == "ImageID") id_column = static_cast<int>(c);
    if (header[c] == "ans") ans_column = static_cast<int>(c);
  }
  if (id_column < 0 || ans_column < 0) {
    return error(absl::StrCat("header: expected columns ImageID and ans, got \"",
                              common::Printable(absl::StrJoin(header, ",")), "\""));
  }

  EvalSet set;
  set.root = root;
  absl::flat_hash_map<std::string, int> first_row;
  for (int row = 1; std::getline(in, line); ++row) {
    if (line.empty() || line == "\r") continue;  // a trailing blank line
    const std::vector<std::string> cells = SplitRow(line);
    const std::string where = absl::StrCat("row ", row, ": ");
    if (cells.size() != header.size()) {
      return error(absl::StrCat(where, "expected ", header.size(), " columns (",
                                common::Printable(absl::StrJoin(header, ",")), "), got ", cells.size()));
    }
    const std::string& id = cells[id_column];
    if (id.empty()) return error(absl::StrCat(where, "empty ImageID"));
    // Keys travel in protobuf strings and a person reads them: UTF-8 without control characters.
    if (id.find('/') != std::string::npos || id == "." || id == ".." || common::Printable(id, id.size()) != id) {
      return error(absl::StrCat(where, "ImageID \"", common::Printable(id), "\" is not a plain file name"));
    }
    auto [it, inserted] = first_row.emplace(id, row);
    if (!inserted) {
      return error(absl::StrCat(where, "duplicate ImageID \"", common::Printable(id), "\" (first in row ", it->second, ")"));
    }
    std::string key = absl::StrCat("eval/images/", id);
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(root) / key, ec) && fs::path(id).extension().empty() &&
        fs::is_regular_file(fs::path(root) / (key + ".jpg"), ec)) {
      key += ".jpg";
    }
    if (!fs::is_regular_file(fs::path(root) / key, ec)) {
      return error(absl::StrCat(where, "ImageID \"", id, "\": no image at ", (fs::path(root) / key).string()));
    }
    set.images.push_back({id, std::move(key)});
  }
  if (set.images.empty()) return error("no rows after the header");
  return set;
}

}  // namespace foldstack::data
