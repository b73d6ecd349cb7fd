"""The peer for the sweep search benchmark: Optuna's TPESampler and RandomSampler on the same three
functions as tests/bench/sweep_search_bench.cc, 50 trials per study (study.optimize), seeds 0..19.
Prints the same JSON lines (side "optuna"), and the median ms of TPESampler's ask (ask + every
suggest_float) on a study of 1,000 random done Hartmann-6 trials.

Test functions:
  branin     x1 in [-5, 10], x2 in [0, 15], minimise, minimum 0.397887
  hartmann6  x1..x6 in [0, 1], minimise, minimum -3.32237
  train      a training-like surface to maximise (formula below), best 0.95 + noise
Training-like surface: a = log10(lr), lr log-uniform in [1e-5, 1e-1]; w = log10(weight_decay),
weight_decay log-uniform in [1e-6, 1e-2]; d = drop_rate, uniform in [0, 0.5];
  acc = max(0.1, 0.95 - 0.3 (a + 2.5)^2 - 0.1 (w + 4 + 0.5 (a + 2.5))^2 - 2 (d - 0.2)^2)
        + 0.02 (u - 0.5),   u = (SplitMix64(seed * 1000 + trial) >> 11) / 2^53,
SplitMix64(x) being one step of SplitMix64 from state x (common/splitmix64.h) and trial the
trial's number 0, 1, ... in its study: both sides see the same noise at the same trial.

Usage: /usr/bin/python3 tests/bench/sweep_search_peer.py [--trials 50] [--seeds 20]
         [--methods random,tpe] [--functions branin,hartmann6,train] [--tpe_history 1000]
         [--latency_asks 20]"""
import argparse
import json
import math
import time

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
MASK = (1 << 64) - 1
HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
              [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
              [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def splitmix64(state):
    z = (state + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def branin(p, seed, trial):
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(p, seed, trial):
    total = 0.0
    for alpha, a_row, p_row in zip(HARTMANN_ALPHA, HARTMANN_A, HARTMANN_P):
        inner = sum(a * (p[f"x{j + 1}"] - 1e-4 * q) ** 2 for j, (a, q) in enumerate(zip(a_row, p_row)))
        total += alpha * math.exp(-inner)
    return -total


def train(p, seed, trial):
    a, w, d = math.log10(p["lr"]), math.log10(p["weight_decay"]), p["drop_rate"]
    acc = 0.95 - 0.3 * (a + 2.5) ** 2 - 0.1 * (w + 4 + 0.5 * (a + 2.5)) ** 2 - 2 * (d - 0.2) ** 2
    u = (splitmix64((seed * 1000 + trial) & MASK) >> 11) / 2.0 ** 53
    return max(0.1, acc) + 0.02 * (u - 0.5)


# name -> (direction, evaluate, [(param, low, high, log)])
FUNCTIONS = {
    "branin": ("minimize", branin, [("x1", -5, 10, False), ("x2", 0, 15, False)]),
    "hartmann6": ("minimize", hartmann6, [(f"x{j}", 0, 1, False) for j in range(1, 7)]),
    "train": ("maximize", train, [("lr", 1e-5, 1e-1, True), ("weight_decay", 1e-6, 1e-2, True),
                                  ("drop_rate", 0, 0.5, False)]),
}


def suggest(trial, space):
    return {name: trial.suggest_float(name, low, high, log=log) for name, low, high, log in space}


def make_sampler(method, seed):
    return optuna.samplers.TPESampler(seed=seed) if method == "tpe" else optuna.samplers.RandomSampler(seed=seed)


def run_quality(name, method, args):
    direction, evaluate, space = FUNCTIONS[name]
    best, start = [], time.perf_counter()
    for seed in range(args.seeds):
        study = optuna.create_study(direction=direction, sampler=make_sampler(method, seed))
        study.optimize(lambda t: evaluate(suggest(t, space), seed, t.number), n_trials=args.trials)
        best.append(study.best_value)
    print(json.dumps({"side": "optuna", "kind": "best", "function": name, "method": method,
                      "seconds": time.perf_counter() - start, "best": best}), flush=True)


def run_latency(history, asks):
    direction, evaluate, space = FUNCTIONS["hartmann6"]
    rng = np.random.default_rng(12345)
    dists = {n: optuna.distributions.FloatDistribution(lo, hi, log=log) for n, lo, hi, log in space}
    trials = []
    for _ in range(history):
        p = {n: float(rng.uniform(lo, hi)) for n, lo, hi, _ in space}
        trials.append(optuna.trial.create_trial(params=p, distributions=dists, value=evaluate(p, 0, 0)))
    study = optuna.create_study(direction=direction)
    study.add_trials(trials)
    ms = []
    for i in range(asks):
        study.sampler = optuna.samplers.TPESampler(seed=i)
        start = time.perf_counter()
        trial = study.ask()
        suggest(trial, space)
        ms.append((time.perf_counter() - start) * 1000)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)  # failed trials do not feed TPE
    print(json.dumps({"side": "optuna", "kind": "latency", "function": "hartmann6", "method": "tpe",
                      "history": history, "asks": asks, "median_ms": float(np.median(ms))}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--methods", default="random,tpe")
    parser.add_argument("--functions", default="branin,hartmann6,train")
    parser.add_argument("--tpe_history", type=int, default=1000)
    parser.add_argument("--latency_asks", type=int, default=20)
    args = parser.parse_args()
    for name in args.functions.split(","):
        for method in args.methods.split(","):
            run_quality(name, method, args)
    if args.tpe_history > 0:
        run_latency(args.tpe_history, args.latency_asks)
    print(json.dumps({"side": "optuna", "kind": "version", "version": optuna.__version__}))


if __name__ == "__main__":
    main()
