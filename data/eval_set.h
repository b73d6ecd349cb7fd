// The competition's evaluation layout: <root>/eval/info.csv with columns ImageID and ans (ans is
// empty or 0 until a submission fills it) and the photos under <root>/eval/images/.
#ifndef FOLDSTACK_DATA_EVAL_SET_H_
#define FOLDSTACK_DATA_EVAL_SET_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::data {

struct EvalImage {
  std::string image_id;  // as written in info.csv, e.g. "cbc5c6e1...1268.jpg"
  std::string key;       // the photo's path relative to the root: "eval/images/<ImageID>"
};

struct EvalSet {
  std::string root;
  std::vector<EvalImage> images;  // in info.csv's row order
};

// Reads and checks <root>/eval/info.csv: a header naming ImageID and ans, then one row per image
// with as many columns as the header, a non-empty ImageID used once, and a photo at
// eval/images/<ImageID> (or eval/images/<ImageID>.jpg when the id has no extension). Errors are one
// line naming the file and row, e.g. `/d/eval/info.csv: row 3: duplicate ImageID "a.jpg" (first in row 1)`.
// Rows count from 1 after the header. CRLF line ends are accepted.
absl::StatusOr<EvalSet> LoadEvalSet(const std::string& root);

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_EVAL_SET_H_
