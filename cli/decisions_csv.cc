#include "cli/decisions_csv.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/one_line.h"

namespace foldstack::cli {
namespace {

constexpr const char* kColumns[] = {"target", "decision", "label", "note"};

struct Record {
  int row = 0;
  std::vector<std::string> fields;
};

// RFC 4180 records; a quote that is never closed is an error naming the row it opened in.
absl::StatusOr<std::vector<Record>> SplitRecords(const std::string& file_name, const std::string& text) {
  std::vector<Record> records;
  Record record{1, {""}};
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        record.fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        record.fields.back() += c;
      }
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      record.fields.emplace_back();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !record.fields[0].empty()) records.push_back(record);
      record = Record{record.row + 1, {""}};
      any = false;
    } else {
      record.fields.back() += c;
      any = true;
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ": row ", record.row, ": a quoted field is never closed"));
  }
  if (any || !record.fields[0].empty()) records.push_back(record);
  return records;
}

}  // namespace

absl::StatusOr<std::vector<foldstack::v1::LabelDecision>> ParseDecisionsCsv(const std::string& file_name,
                                                                            const std::string& text) {
  absl::StatusOr<std::vector<Record>> records = SplitRecords(file_name, text);
  if (!records.ok()) return records.status();
  const std::string expected = absl::StrJoin(kColumns, ",");
  if (records->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ": empty file, expected the header ", expected));
  }
  const Record& header = records->front();
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(header.fields[i]));
    bool known = false;
    for (const char* c : kColumns) known |= name == c;
    if (!known || !column.emplace(name, i).second) {
      return absl::InvalidArgumentError(absl::StrCat(file_name, ": row ", header.row, ": column \"",
                                                     common::Printable(header.fields[i]),
                                                     "\"", known ? " appears twice" : " is unknown",
                                                     "; expected the header ", expected));
    }
  }
  for (const char* required : {"target", "decision"}) {
    if (column.count(required) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(file_name, ": row ", header.row, ": no column \"", required,
                                                     "\"; expected the header ", expected));
    }
  }
  std::vector<foldstack::v1::LabelDecision> decisions;
  for (size_t r = 1; r < records->size(); ++r) {
    const Record& record = (*records)[r];
    if (record.fields.size() != header.fields.size()) {
      return absl::InvalidArgumentError(absl::StrCat(file_name, ": row ", record.row, ": expected ",
                                                     header.fields.size(), " fields (",
                                                     common::Printable(absl::StrJoin(header.fields, ",")), "), got ",
                                                     record.fields.size()));
    }
    // The decisions travel as protobuf strings, which must be UTF-8.
    for (size_t f = 0; f < record.fields.size(); ++f) {
      const size_t bad = common::FirstInvalidUtf8(record.fields[f]);
      if (bad != std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat(file_name, ": row ", record.row, ": field ", f + 1,
                                                       " is not valid UTF-8 (byte ", bad + 1, ")"));
      }
    }
    auto field = [&](const char* name) {
      auto it = column.find(name);
      return it == column.end() ? std::string() : std::string(absl::StripAsciiWhitespace(record.fields[it->second]));
    };
    foldstack::v1::LabelDecision decision;
    decision.set_row(record.row);
    decision.set_target(field("target"));
    decision.set_decision(field("decision"));
    decision.set_label(field("label"));
    decision.set_note(field("note"));
    decisions.push_back(std::move(decision));
  }
  if (decisions.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ": no decisions after the header"));
  }
  return decisions;
}

}  // namespace foldstack::cli
