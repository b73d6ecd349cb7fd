// What a training job learns (the `task` setting) and the mask task's three heads.
//
// The 18 mask classes are mask state (3) x gender (2) x age bin (3): class = 6 * mask + 3 * gender
// + age. A trial of task single or multi_head predicts all 18; a head task (mask, gender, age)
// predicts one head's classes; age_regression predicts the age in years, which the trainer turns
// into the age head's three bin probabilities. Its rows (OOF and eval) have the head's width.
#ifndef FOLDSTACK_COMMON_MASK_HEADS_H_
#define FOLDSTACK_COMMON_MASK_HEADS_H_

#include <optional>
#include <string_view>

namespace foldstack::common {

enum class Head { kMask = 0, kGender = 1, kAge = 2 };
inline constexpr int kHeadCount = 3;

enum class TrainTask { kSingle, kMultiHead, kMask, kGender, kAge, kAgeRegression };

// "single" (and "", an old trial without the setting), "multi_head", "mask", "gender", "age",
// "age_regression"; nullopt for anything else.
std::optional<TrainTask> ParseTrainTask(std::string_view name);

// The head a head task predicts (age_regression: kAge); nullopt for the 18-class tasks.
std::optional<Head> HeadOfTask(TrainTask task);

const char* HeadName(Head head);  // "mask", "gender", "age"
std::optional<Head> ParseHead(std::string_view name);
int HeadClasses(Head head);  // 3, 2, 3

// The head's class of an 18-class mask label.
int HeadLabel(Head head, int mask_class);

// The width of a trial's probability rows: the head's classes for a head task, else the
// dataset's classes. An unknown task name counts as the full task (the settings refuse it earlier).
int TaskRowWidth(std::string_view task, int dataset_classes);

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_MASK_HEADS_H_
