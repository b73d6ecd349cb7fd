"""The peer for the coordinator benchmark: Optuna's SQLite storage (RDBStorage), the store most teams
reach for when they persist a hyper-parameter search. Measures ask -> tell per second, in process
(no network: a generous comparison for Optuna), on a fresh SQLite file.
Usage: /usr/bin/python3 tests/bench/optuna_peer.py DB_PATH [SECONDS]"""
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
path = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
study = optuna.create_study(storage=optuna.storages.RDBStorage(f"sqlite:///{path}"))
count = 0
start = time.perf_counter()
while time.perf_counter() - start < seconds:
    trial = study.ask()
    study.tell(trial, 0.5)
    count += 1
elapsed = time.perf_counter() - start
print(f"peer: Optuna {optuna.__version__} RDBStorage(sqlite) ask->tell: {count} in {elapsed:.2f} s = "
      f"{count / elapsed:.0f} per second (in process, no network)")
