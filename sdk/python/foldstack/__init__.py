"""Foldstack for training programs: what `wandb` is to a W&B sweep's train.py.

    import foldstack
    run = foldstack.init()
    lr = run.params["lr"]
    for epoch in range(1, run.params.get("epochs", 3) + 1):
        ...train on run.train, evaluate on run.held_out...
        run.log({"val_loss": loss, "val_acc": acc}, epoch=epoch)
        if run.should_stop():          # the sweep's pruner stopped this trial
            break
    run.predictions([s.key for s in run.held_out], probs)   # out-of-fold probabilities

The worker agent starts the program with the job's context in the environment (README "Programs")
and reads the events this module writes on descriptor $FOLDSTACK_EVENTS_FD, one JSON line each
(protocol version 1, common/job_events.h). Standard library only; numpy arrays and torch tensors
are accepted wherever lists are. Outside an agent, init() runs stand-alone: parameters come from
`defaults` and --name=value arguments, and events go to stderr.
"""

import csv
import json
import math
import os
import signal
import sys
from collections import namedtuple

PROTOCOL_VERSION = 1
Sample = namedtuple("Sample", ["key", "path", "label", "group"])

__all__ = ["init", "Run", "Sample", "PROTOCOL_VERSION"]


def _plain(values):
    """A list (of lists) of Python numbers from a list, numpy array or torch tensor."""
    if hasattr(values, "detach"):
        values = values.detach().cpu()
    if hasattr(values, "tolist"):
        values = values.tolist()
    return list(values)


def _number(value):
    value = float(value)
    return value if math.isfinite(value) else None  # JSON has no NaN: null, refused by the agent


def _parse_arg(text):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"True": True, "False": False, "None": None}.get(text, text)


def _read_split(path):
    train, held_out = [], []
    if not path:
        return train, held_out
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            sample = Sample(row["key"], row["path"], int(row["label"]), row["group"])
            (held_out if row["role"] == "held_out" else train).append(sample)
    return train, held_out


class Run:
    """One job: a trial's parameters on one fold."""

    def __init__(self, defaults=None):
        env = os.environ
        self.under_agent = "FOLDSTACK_EVENTS_FD" in env
        self.params = dict(defaults or {})
        if env.get("FOLDSTACK_PARAMS_FILE"):
            with open(env["FOLDSTACK_PARAMS_FILE"]) as f:
                self.params.update(json.load(f))
        elif not self.under_agent:
            for arg in sys.argv[1:]:
                if arg.startswith("--") and "=" in arg:
                    name, value = arg[2:].split("=", 1)
                    self.params[name] = _parse_arg(value)
        self.job_id = int(env.get("FOLDSTACK_JOB_ID", "0"))
        self.trial_id = int(env.get("FOLDSTACK_TRIAL_ID", "0"))
        self.fold = int(env.get("FOLDSTACK_FOLD", "0"))
        self.dataset_kind = env.get("FOLDSTACK_DATASET_KIND", "")
        self.dataset_root = env.get("FOLDSTACK_DATASET_ROOT", "")
        self.num_classes = int(env.get("FOLDSTACK_NUM_CLASSES", "0"))
        self.class_names = json.loads(env.get("FOLDSTACK_CLASS_NAMES", "[]"))
        self.metric = env.get("FOLDSTACK_METRIC", "")
        self.goal = env.get("FOLDSTACK_METRIC_GOAL", "")
        self.device = env.get("FOLDSTACK_DEVICE", "cpu")
        self.checkpoint_dir = env.get("FOLDSTACK_CHECKPOINT_DIR", os.path.join(os.getcwd(), "checkpoints"))
        self.resume_from = env.get("FOLDSTACK_RESUME_FROM") or None
        self.train, self.held_out = _read_split(env.get("FOLDSTACK_SPLIT_FILE", ""))
        self._stop_file = env.get("FOLDSTACK_STOP_FILE", "")
        self._stopping = False
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        fd = env.get("FOLDSTACK_EVENTS_FD")
        self._events = os.fdopen(int(fd), "w", buffering=1) if fd else sys.stderr
        if self.under_agent:
            signal.signal(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self, signum, frame):
        # The agent asks first and kills after a grace period: finish the step, then stop.
        self._stopping = True

    def _emit(self, event):
        event["v"] = PROTOCOL_VERSION
        self._events.write(json.dumps(event, allow_nan=False, separators=(",", ":")) + "\n")
        self._events.flush()

    def log(self, metrics, epoch):
        """Reports one epoch's metrics (any names; the sweep's metric among them). Epochs count from 1."""
        epoch = int(epoch)
        if epoch < 1:
            raise ValueError("foldstack: epochs count from 1, got %d" % epoch)
        self._emit({"event": "epoch", "epoch": epoch,
                    "metrics": {str(k): _number(v) for k, v in metrics.items()}})

    def predictions(self, keys, probs, chunk=1024):
        """Reports softmax probabilities (one row of num_classes per key) of held-out samples."""
        keys = [str(k) for k in _plain(keys)]
        rows = _plain(probs)
        if len(rows) != len(keys):
            raise ValueError("foldstack: %d keys but %d probability rows" % (len(keys), len(rows)))
        width = len(_plain(rows[0])) if rows else self.num_classes
        for start in range(0, len(keys), chunk):
            flat = [_number(p) for row in rows[start:start + chunk] for p in _plain(row)]
            self._emit({"event": "predictions", "num_classes": width,
                        "sample_keys": keys[start:start + chunk], "probs": flat})

    def checkpoint(self, path, epoch):
        """Says a resumable checkpoint for `epoch` is complete at `path` (write it atomically first)."""
        self._emit({"event": "checkpoint", "epoch": int(epoch), "path": os.path.abspath(path)})

    def should_stop(self):
        """True once the sweep's pruner (or a stopping worker) asked this job to end."""
        if not self._stopping and self._stop_file and os.path.exists(self._stop_file):
            self._stopping = True
        return self._stopping


def init(defaults=None):
    """The current job's Run."""
    return Run(defaults)
