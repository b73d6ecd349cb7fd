// foldstack-train: the standalone trainer (the same code the worker runs for
// `foldstack-worker train`), e.g. to build against a CUDA LibTorch.
#include "worker/trainer/trainer_main.h"

int main(int argc, char** argv) { return foldstack::trainer::TrainerMain(argc, argv); }
