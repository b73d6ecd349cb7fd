#!/usr/bin/python3
"""Writes the timm reference fixtures that worker/trainer/models tests compare against.

Run with Debian's python3-torch and a timm source tree (never committed, nothing
downloaded at run time):

    /usr/bin/python3 tests/golden/make_timm_fixtures.py --timm /path/to/pytorch-image-models \
        --out worker/trainer/models/testdata/timm

Fixtures were produced with timm 1.0.29.dev0 (commit aa4b5850) on torch 1.13.

For every model in MODELS it writes
  keys/<name>.txt   one line per state_dict entry at num_classes=18: "key dtype d0,d1,..."
  model_info.json   parameter counts at 18 and 1000 classes, timm's pretrained_cfg fields
                    the data pipeline uses, the classifier key, and the distinct
                    (norm type, eps, momentum) triples used by the model
  golden.json       eval-mode logits (num_classes=18) for golden_input.safetensors, with
                    every floating parameter and buffer filled by closed_form() below

closed_form (mirrored in worker/trainer/models/testing/closed_form.cc): for the k-th
state_dict entry (0-based, timm order) of a floating dtype, element j (row-major):
    u = sin(0.7 * j + 1.3 * k + 0.5)                      (float64)
    name ends with "running_var"   -> 1 + 0.2 * u
    name ends with "running_mean"  -> 0.1 * u
    name ends with "gain"          -> 0.25 + 0.1 * u   (NFNet's conv gains, any ndim)
    ndim <= 1 and name ends with "weight" -> 0.25 + 0.1 * u
    ndim <= 1 otherwise            -> 0.1 * u
    ndim >= 2                      -> u * sqrt(3 / fan_in), fan_in = numel / shape[0]
then cast to float32. (Norm weights of 0.25 keep deep residual stacks from
overflowing: the fixed running statistics do not renormalize the closed-form activations.) Integer entries (num_batches_tracked, index buffers) are left as built.

golden_input.safetensors holds tensor "input" [2, 3, 224, 224] in float16 (exact in
float32): x_j = round_to_f16(sin(0.013 * j + 0.3) * 1.5).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

MODELS = [
    "resnet18", "resnet26", "resnet34", "resnet50", "resnet101", "resnet152",
    "resnet18d", "resnet26d", "resnet34d", "resnext50_32x4d", "skresnet18",
    "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
    "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7",
    "efficientnetv2_rw_t", "efficientnetv2_rw_s", "efficientnetv2_rw_m",
    "vit_tiny_patch16_224", "vit_small_patch16_224", "vit_small_patch32_224",
    "vit_base_patch16_224", "vit_large_patch16_224", "deit_base_patch16_224",
    "vit_small_r26_s32_224", "vit_base_r50_s16_224",
    "swin_base_patch4_window7_224", "beit_base_patch16_224",
    "eca_nfnet_l0", "nfnet_l0", "dm_nfnet_f0", "convnext_tiny",
]


def closed_form(k, name, tensor):
    n = tensor.numel()
    j = np.arange(n, dtype=np.float64)
    u = np.sin(0.7 * j + 1.3 * k + 0.5)
    if name.endswith("running_var"):
        v = 1.0 + 0.2 * u
    elif name.endswith("running_mean"):
        v = 0.1 * u
    elif name.endswith("gain"):
        v = 0.25 + 0.1 * u
    elif tensor.dim() <= 1:
        v = (0.25 + 0.1 * u) if name.endswith("weight") else 0.1 * u
    else:
        fan_in = n // tensor.shape[0]
        v = u * math.sqrt(3.0 / fan_in)
    return torch.from_numpy(v.astype(np.float32)).reshape(tensor.shape)


def fill(model):
    with torch.no_grad():
        for k, (name, t) in enumerate(model.state_dict(keep_vars=True).items()):
            if t.is_floating_point():
                t.copy_(closed_form(k, name, t))


def golden_input():
    j = np.arange(2 * 3 * 224 * 224, dtype=np.float64)
    x = (np.sin(0.013 * j + 0.3) * 1.5).astype(np.float16)
    return torch.from_numpy(x).reshape(2, 3, 224, 224)


def save_f16_safetensors(path, name, t):
    data = t.numpy().astype("<f2").tobytes()
    header = json.dumps({name: {"dtype": "F16", "shape": list(t.shape), "data_offsets": [0, len(data)]}})
    header += " " * ((8 - len(header) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(header).to_bytes(8, "little"))
        f.write(header.encode())
        f.write(data)


def norms(model):
    seen = []
    for m in model.modules():
        kind = None
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            kind = "batch_norm"
        elif isinstance(m, torch.nn.LayerNorm):
            kind = "layer_norm"
        elif isinstance(m, torch.nn.GroupNorm):
            kind = "group_norm"
        if kind:
            entry = [type(m).__name__, kind, m.eps, getattr(m, "momentum", None)]
            if entry not in seen:
                seen.append(entry)
    return seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timm", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    sys.path.insert(0, args.timm)
    import timm
    torch.set_num_threads(2)
    os.makedirs(os.path.join(args.out, "keys"), exist_ok=True)
    x16 = golden_input()
    save_f16_safetensors(os.path.join(args.out, "golden_input.safetensors"), "input", x16)
    x = x16.float()
    info_path = os.path.join(args.out, "model_info.json")
    golden_path = os.path.join(args.out, "golden.json")
    info = json.load(open(info_path)) if os.path.exists(info_path) else {}
    golden = json.load(open(golden_path)) if os.path.exists(golden_path) else {}
    for name in args.only or MODELS:
        model = timm.create_model(name, num_classes=18).eval()
        sd = model.state_dict()
        with open(os.path.join(args.out, "keys", name + ".txt"), "w") as f:
            for key, t in sd.items():
                f.write("%s %s %s\n" % (key, str(t.dtype).replace("torch.", ""), ",".join(map(str, t.shape))))
        cfg = model.pretrained_cfg
        count1000 = sum(p.numel() for p in timm.create_model(name, num_classes=1000).parameters())
        info[name] = {
            "params_18": sum(p.numel() for p in model.parameters()),
            "params_1000": count1000,
            "input_size": list(cfg["input_size"]),
            "interpolation": cfg["interpolation"],
            "mean": list(cfg["mean"]),
            "std": list(cfg["std"]),
            "crop_pct": cfg["crop_pct"],
            "classifier": cfg["classifier"],
            "fixed_input_size": cfg.get("fixed_input_size", False),
            "norms": norms(model),
        }
        fill(model)
        with torch.no_grad():
            logits = model(x)
        golden[name] = [[float("%.9g" % v) for v in row] for row in logits.tolist()]
        print(name, info[name]["params_18"], count1000, logits.abs().max().item(), flush=True)
        json.dump(info, open(info_path, "w"), indent=1, sort_keys=True)
        json.dump(golden, open(golden_path, "w"), indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
