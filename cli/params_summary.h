#ifndef FOLDSTACK_CLI_PARAMS_SUMMARY_H_
#define FOLDSTACK_CLI_PARAMS_SUMMARY_H_

#include <string>
#include <vector>

namespace foldstack::cli {

// A trial's params_json holds every trainer setting (~65, defaults filled in), far too
// much for a leaderboard cell. This keeps what tells the rows apart: the settings whose
// values differ between the rows, as "key=value" in settings-table order. When every
// row has the same settings (e.g. one trial), it keeps the settings that differ from
// their defaults instead. "-" when nothing is left; a row that is not a JSON object is
// shown as given. One string per row, in row order.
std::vector<std::string> DistinguishingParams(const std::vector<std::string>& params_json_rows);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_PARAMS_SUMMARY_H_
