#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_MODEL_INFO_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_MODEL_INFO_H_

#include <array>
#include <functional>
#include <memory>
#include <string>

#include "worker/trainer/models/image_classifier.h"

namespace foldstack::trainer {

// What a sweep may vary when it builds a backbone (timm's create_model kwargs).
struct ModelOptions {
  int num_classes = 1000;
  double drop_rate = 0.0;       // dropout on the pooled features, before the classifier
  double drop_path_rate = 0.0;  // stochastic depth, linearly increasing over the blocks
};

// timm's pretrained_cfg fields that the data pipeline needs, per model.
struct DataConfig {
  int channels = 3;
  int height = 224;
  int width = 224;
  std::string interpolation = "bicubic";  // "bilinear" | "bicubic"
  std::array<double, 3> mean = {0.485, 0.456, 0.406};
  std::array<double, 3> std = {0.229, 0.224, 0.225};
  double crop_pct = 0.875;
  bool fixed_input_size = false;  // true for ViT-like models (position embeddings, windows)
};

struct ModelInfo {
  std::string name;    // timm name, e.g. "resnet18"
  std::string family;  // timm module name, e.g. "resnet", "efficientnet", "vision_transformer"
  DataConfig data;
  // State-dict key prefix of the classifier (timm's pretrained_cfg["classifier"]), e.g. "fc",
  // "classifier", "head", "head.fc": the keys dropped when a checkpoint's class count differs.
  std::string classifier;
};

using ModelBuilder = std::function<std::shared_ptr<ImageClassifier>(const ModelOptions&)>;

// One registry row; each models/<family>.h exposes std::vector<ModelEntry> <Family>Models().
struct ModelEntry {
  ModelInfo info;
  ModelBuilder build;
};

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_MODEL_INFO_H_
