"""The peer for the sweep pruning benchmark, and the writer of its curves.

  --write-curves PATH: writes the seeded learning-curve set (CSV trial,fold,epoch,value; the default
    input tests/bench/testdata/sweep_curves.csv was written this way), 16 trials x 3 folds x 8
    epochs of a macro-F1 to maximise. Trial i has a learning-rate-like a = log10(lr), uniform in
    [-5, -1]; a > -1.7 cannot learn (flat 0.05 + N(0, 0.005)); otherwise
      ceiling = 0.25 + 0.6 exp(-((a + 2.7) / 0.9)^2),  rate = 0.25 + 0.35 (a + 5) / 4,
      value(f, e) = 0.05 + (ceiling + offset[f] - 0.05) (1 - exp(-rate e)) + N(0, 0.008),
    offset = (0, -0.05, +0.03) shared by all trials, clipped to [0, 1], 4 decimals.
  otherwise: replays the curves through Optuna 3.1's MedianPruner and SuccessiveHalvingPruner the
    way tests/bench/sweep_prune_bench.cc replays them through Foldstack's pruners: trials arrive in
    index order, 4 in flight, epochs advance round-robin. One Optuna trial per trial, its folds
    trained in lockstep: at each epoch it reports the mean over its folds (step = epoch) and
    counts `folds` epochs; a prune ends all its folds. Prints one JSON line per pruner.
    --reverse: trials arrive in reverse index order (the last curve first).

Usage: /usr/bin/python3 tests/bench/sweep_prune_peer.py [--curves CSV] [--concurrency 4] [--reverse]
       /usr/bin/python3 tests/bench/sweep_prune_peer.py --write-curves PATH [--seed 7]"""
import argparse
import csv
import json
import math

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def write_curves(path, seed, trials=16, folds=3, epochs=8):
    rng = np.random.default_rng(seed)
    offset = [0.0, -0.05, 0.03]
    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["trial", "fold", "epoch", "value"])
        for t in range(trials):
            a = rng.uniform(-5, -1)
            ceiling = 0.25 + 0.6 * math.exp(-((a + 2.7) / 0.9) ** 2)
            rate = 0.25 + 0.35 * (a + 5) / 4
            for f in range(folds):
                for e in range(1, epochs + 1):
                    if a > -1.7:
                        v = 0.05 + rng.normal(0, 0.005)
                    else:
                        v = 0.05 + (ceiling + offset[f] - 0.05) * (1 - math.exp(-rate * e)) + rng.normal(0, 0.008)
                    writer.writerow([t, f, e, f"{min(1.0, max(0.0, v)):.4f}"])


def read_curves(path):
    rows = [(int(r["trial"]), int(r["fold"]), int(r["epoch"]), float(r["value"])) for r in csv.DictReader(open(path))]
    shape = [max(r[i] for r in rows) + (1 if i < 2 else 0) for i in range(3)]
    curves = np.full(shape, np.nan)
    for t, f, e, v in rows:
        curves[t, f, e - 1] = v
    return curves


def replay(curves, pruner, concurrency, reverse):
    trials, folds, epochs = curves.shape
    study = optuna.create_study(direction="maximize", pruner=pruner)
    waiting = list(range(trials))[::-1] if reverse else list(range(trials))
    in_flight, reached, trained = [], {}, 0
    kept = set()
    while waiting or in_flight:
        while waiting and len(in_flight) < concurrency:
            in_flight.append((waiting.pop(0), study.ask()))
            reached[in_flight[-1][0]] = 0
        for t, trial in list(in_flight):
            e = reached[t] = reached[t] + 1
            trial.report(float(curves[t, :, e - 1].mean()), step=e)
            trained += folds
            if trial.should_prune():
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            elif e == epochs:
                study.tell(trial, float(curves[t].max(axis=1).mean()))
                kept.add(t)
            else:
                continue
            in_flight.remove((t, trial))
    return trained, kept


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--curves", default="tests/bench/testdata/sweep_curves.csv")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--reverse", action="store_true", help="trials arrive last curve first")
    parser.add_argument("--write-curves")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.write_curves:
        write_curves(args.write_curves, args.seed)
        return
    curves = read_curves(args.curves)
    rank = list(np.argsort(-curves[:, :, -1].mean(axis=1), kind="stable"))
    pruners = {
        "optuna MedianPruner()": optuna.pruners.MedianPruner(),
        "optuna SHA(min_resource=1, rf=3)": optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
        "optuna SHA() defaults": optuna.pruners.SuccessiveHalvingPruner(),
    }
    for name, pruner in pruners.items():
        trained, kept = replay(curves, pruner, args.concurrency, args.reverse)
        print(json.dumps({"side": "optuna", "pruner": name, "epochs": trained, "total": int(curves.size),
                          "done_trials": len(kept), "best_trial": int(rank[0]), "best_kept": rank[0] in kept,
                          "top3_kept": sum(t in kept for t in rank[:3])}))


if __name__ == "__main__":
    main()
