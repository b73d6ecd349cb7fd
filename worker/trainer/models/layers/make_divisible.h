#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_MAKE_DIVISIBLE_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_MAKE_DIVISIBLE_H_

namespace foldstack::trainer {

// timm's make_divisible: `value` rounded to the nearest multiple of `divisor` (at least
// `divisor`), bumped up one step when rounding lost more than (1 - round_limit) of it.
int MakeDivisible(double value, int divisor = 8, double round_limit = 0.9);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_MAKE_DIVISIBLE_H_
