#include "common/mask_heads.h"

namespace foldstack::common {

std::optional<TrainTask> ParseTrainTask(std::string_view name) {
  if (name.empty() || name == "single") return TrainTask::kSingle;
  if (name == "multi_head") return TrainTask::kMultiHead;
  if (name == "mask") return TrainTask::kMask;
  if (name == "gender") return TrainTask::kGender;
  if (name == "age") return TrainTask::kAge;
  if (name == "age_regression") return TrainTask::kAgeRegression;
  return std::nullopt;
}

std::optional<Head> HeadOfTask(TrainTask task) {
  switch (task) {
    case TrainTask::kMask:
      return Head::kMask;
    case TrainTask::kGender:
      return Head::kGender;
    case TrainTask::kAge:
    case TrainTask::kAgeRegression:
      return Head::kAge;
    default:
      return std::nullopt;
  }
}

const char* HeadName(Head head) {
  switch (head) {
    case Head::kMask:
      return "mask";
    case Head::kGender:
      return "gender";
    case Head::kAge:
      return "age";
  }
  return "?";
}

std::optional<Head> ParseHead(std::string_view name) {
  for (Head head : {Head::kMask, Head::kGender, Head::kAge}) {
    if (name == HeadName(head)) return head;
  }
  return std::nullopt;
}

int HeadClasses(Head head) { return head == Head::kGender ? 2 : 3; }

int HeadLabel(Head head, int mask_class) {
  switch (head) {
    case Head::kMask:
      return mask_class / 6;
    case Head::kGender:
      return (mask_class / 3) % 2;
    case Head::kAge:
      return mask_class % 3;
  }
  return 0;
}

int TaskRowWidth(std::string_view task, int dataset_classes) {
  const std::optional<TrainTask> parsed = ParseTrainTask(task);
  if (!parsed) return dataset_classes;
  const std::optional<Head> head = HeadOfTask(*parsed);
  return head ? HeadClasses(*head) : dataset_classes;
}

}  // namespace foldstack::common
