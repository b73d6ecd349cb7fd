#include "worker/trainer/testing/synth_mask.h"

#include <map>

#include "data/dataset.h"
#include "data/synth.h"

namespace foldstack::trainer::testing {

absl::Status WriteSynthMask(const std::string& root, int people, uint64_t seed, int width, int height,
                            int eval_people) {
  data::SynthOptions options;
  options.out_dir = root;
  options.people = people;
  options.seed = seed;
  options.width = width;
  options.height = height;
  options.threads = 2;
  options.eval_people = eval_people;
  return data::WriteSynthDataset(options).status();
}

absl::StatusOr<SynthMaskSamples> LoadSynthMaskSamples(const std::string& root, int folds) {
  absl::StatusOr<data::DatasetIndex> index = data::LoadDatasetIndex(data::DatasetKind::kMask, root);
  if (!index.ok()) return index.status();
  SynthMaskSamples out;
  out.num_classes = index->num_classes;
  out.samples = nlohmann::json::array();
  std::map<std::string, int> fold_of_person;
  int64_t id = 100;
  for (const data::Sample& sample : index->samples) {
    const int fold = fold_of_person.emplace(sample.group, static_cast<int>(fold_of_person.size()) % folds).first->second;
    out.samples.push_back({{"id", id++}, {"key", sample.key}, {"label", sample.label}, {"fold", fold}});
  }
  return out;
}

}  // namespace foldstack::trainer::testing
