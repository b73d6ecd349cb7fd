#!/usr/bin/python3
"""torchvision peer of //tests/bench:input_bench: same flags, same JSON line.

PIL decodes each JPEG in full; torchvision then applies RandomHorizontalFlip(0.5),
RandomApply([RandomAffine(45, translate 0.0625, scale 0.9-1.1)], 0.5),
RandomApply([ColorJitter(brightness 0.2, contrast 0.2)], 0.5), Resize((S, S)),
ToTensor, Normalize(ImageNet) -- the same ops and probabilities as the C++ side --
in a DataLoader with num_workers = threads, batch_size = batch.
Peak memory: the sum of VmHWM (peak RSS) of the main process and of every
DataLoader worker, read from /proc/<pid>/status just before the workers exit
(pages shared after fork are counted once per process, so this overstates the
unique memory a little). The main process's own peak is reported too.
Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision, python3-pil).
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
from PIL import Image
from torchvision import transforms as T

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def image_paths(folder, count):
    paths = []
    for root, _, files in os.walk(folder):
        paths += [os.path.join(root, f) for f in files if f.lower().endswith((".jpg", ".jpeg"))]
    paths.sort(key=lambda p: p.encode())  # byte order, as the C++ side sorts
    if not paths:
        raise SystemExit(f"input_peer.py: no JPEG files under {folder}")
    return [paths[i % len(paths)] for i in range(count)]


class Files(torch.utils.data.Dataset):
    def __init__(self, paths, transform):
        self.paths, self.transform = paths, transform

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        with Image.open(self.paths[i]) as image:
            return self.transform(image.convert("RGB"))


def vm_hwm_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def run_pass(paths, args, transform):
    """Loads every path once; returns (seconds, images, peak MB of main + workers)."""
    loader = torch.utils.data.DataLoader(Files(paths, transform), batch_size=args.batch,
                                         num_workers=args.threads, shuffle=False, drop_last=False)
    start = time.perf_counter()
    images, worker_peak = 0, 0.0
    iterator = iter(loader)
    for i, batch in enumerate(iterator):
        images += batch.shape[0]
        if i == len(loader) - 1:  # workers still alive: read their peaks now
            worker_peak = sum(vm_hwm_mb(w.pid) for w in getattr(iterator, "_workers", []))
    seconds = time.perf_counter() - start
    del iterator
    return seconds, images, vm_hwm_mb(os.getpid()) + worker_peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", required=True, help="folder of JPEGs (recursive, sorted by path)")
    parser.add_argument("--count", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--warmup", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    transform = T.Compose([
        T.RandomHorizontalFlip(0.5),
        T.RandomApply([T.RandomAffine(degrees=45, translate=(0.0625, 0.0625), scale=(0.9, 1.1))], p=0.5),
        T.RandomApply([T.ColorJitter(brightness=0.2, contrast=0.2)], p=0.5),
        T.Resize((args.size, args.size)),
        T.ToTensor(),
        T.Normalize(MEAN, STD),
    ])
    try:
        if args.warmup > 0:  # page cache, imports
            run_pass(image_paths(args.images, args.warmup), args, transform)
        cpu_before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, images, peak_mb = run_pass(image_paths(args.images, args.count), args, transform)
        cpu_after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    except Exception as e:  # one JSON line, so the runner can show why this side has no figure
        print(json.dumps({"side": "python", "error": str(e).replace("\n", " ")}))
        return 1
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(cpu_after, cpu_before))
    print(json.dumps({
        "side": "python", "images": images, "threads": args.threads, "batch": args.batch, "size": args.size,
        "seconds": round(seconds, 3), "images_per_s": round(images / seconds, 2), "cpu_seconds": round(cpu, 3),
        "peak_rss_mb": round(peak_mb, 1), "main_rss_mb": round(vm_hwm_mb(os.getpid()), 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
