#ifndef FOLDSTACK_COMMON_CLOSEST_NAME_H_
#define FOLDSTACK_COMMON_CLOSEST_NAME_H_

// "Did you mean ...?" suggestions for misspelt keys and setting names.

#include <string>
#include <string_view>
#include <vector>

namespace foldstack::common {

// Levenshtein distance (insert, delete, substitute each cost 1).
int EditDistance(std::string_view a, std::string_view b);

// The known name closest to `name`, or "" when none is close enough to be a
// plausible typo (distance at most 2, or a third of the longer name).
std::string ClosestName(std::string_view name, const std::vector<std::string>& known);

// Up to `count` known names, nearest first (ties alphabetical), however far.
std::vector<std::string> ClosestNames(std::string_view name, const std::vector<std::string>& known,
                                      size_t count);

// ` (did you mean "metric"?)` for a close match, else "" — ready to append to
// an error message.
std::string DidYouMean(std::string_view name, const std::vector<std::string>& known);

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_CLOSEST_NAME_H_
