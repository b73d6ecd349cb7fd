#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_BEIT_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_BEIT_H_

#include <memory>
#include <vector>

#include "worker/trainer/models/image_classifier.h"
#include "worker/trainer/models/model_info.h"

namespace foldstack::trainer {

// timm's Beit (timm/models/beit.py) in its beit_base_patch16_224 configuration: no
// absolute position embedding, a relative position bias per block (with the three
// cls-token entries), q/v biases with a zero k bias, layer scale, mean pooling over
// the patch tokens + fc_norm. State-dict keys follow timm exactly:
//   cls_token, patch_embed.proj,
//   blocks.<i>.{gamma_1, gamma_2, norm1, attn.{q_bias, v_bias, relative_position_bias_table,
//   qkv (no bias), proj}, norm2, mlp.{fc1,fc2}}, fc_norm, head
// k_bias and relative_position_index are non-persistent in timm and so are not state.
struct BeitSpec {
  int image_size = 224;  // fixed: the relative position tables are laid out for it
  int patch_size = 16;
  int embed_dim = 768;
  int depth = 12;
  int num_heads = 12;
  double init_values = 0.1;  // layer scale gamma_1 / gamma_2 at initialization
};

std::shared_ptr<ImageClassifier> MakeBeit(const BeitSpec& spec, const ModelOptions& options);

// beit_base_patch16_224 (pretrained_cfg: bicubic, crop 0.9, mean = std = 0.5, fixed
// input size, classifier "head").
std::vector<ModelEntry> BeitModels();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_BEIT_H_
