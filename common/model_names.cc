#include "common/model_names.h"

#include <algorithm>

namespace foldstack::common {

const std::vector<std::string>& KnownModelNames() {
  static const auto* const kNames = [] {
    auto* names = new std::vector<std::string>{
        "resnet18", "resnet26", "resnet34", "resnet50", "resnet101", "resnet152",
        "resnet18d", "resnet26d", "resnet34d", "resnext50_32x4d", "skresnet18",
        "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
        "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7",
        "efficientnetv2_rw_t", "efficientnetv2_rw_s", "efficientnetv2_rw_m",
        "vit_tiny_patch16_224", "vit_small_patch16_224", "vit_small_patch32_224",
        "vit_base_patch16_224", "vit_large_patch16_224", "deit_base_patch16_224",
        "vit_small_r26_s32_224", "vit_base_r50_s16_224", "swin_base_patch4_window7_224",
        "beit_base_patch16_224", "eca_nfnet_l0", "nfnet_l0", "dm_nfnet_f0", "convnext_tiny",
    };
    std::sort(names->begin(), names->end());
    return names;
  }();
  return *kNames;
}

}  // namespace foldstack::common
