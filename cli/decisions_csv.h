// The bulk review file of `foldstack relabel apply FILE.csv`: a header naming the columns
// target, decision, label, note (any order; label and note may be left out) and one decision a
// row. Quoted fields ("a, b" with "" for a quote) may hold commas and line breaks.
#ifndef FOLDSTACK_CLI_DECISIONS_CSV_H_
#define FOLDSTACK_CLI_DECISIONS_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/foldstack.pb.h"

namespace foldstack::cli {

// Rows numbered as in a spreadsheet (header = row 1). Only the file's shape is checked here;
// targets, decisions and labels are checked by the coordinator against the dataset. Errors are one
// line: `d.csv: row 4: expected 4 fields (target,decision,label,note), got 3`.
absl::StatusOr<std::vector<foldstack::v1::LabelDecision>> ParseDecisionsCsv(const std::string& file_name,
                                                                            const std::string& text);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_DECISIONS_CSV_H_
