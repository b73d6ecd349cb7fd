#!/usr/bin/python3
"""Python PyTorch peer of //tests/bench:model_bench: same flags, same JSON line.

resnet18 and efficientnet_b0 come from torchvision (the same architectures as
timm's); vit_small_patch16_224 is written out below as timm builds it (fused qkv,
pre-norm blocks, LayerNorm eps 1e-6, class token + position embedding, token pooling).
Input: torch.manual_seed(seed), then randn images and randint labels, the same
generator calls as the C++ side, so both see identical float32 tensors.
Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision).
"""
import argparse
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, mlp_dim)
        self.fc2 = nn.Linear(mlp_dim, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class VisionTransformer(nn.Module):
    def __init__(self, num_classes, img_size=224, patch=16, dim=384, depth=12, heads=6, mlp_dim=1536,
                 drop_rate=0.0):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, patch, stride=patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, (img_size // patch) ** 2 + 1, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp_dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head_drop = nn.Dropout(drop_rate)
        self.head = nn.Linear(dim, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, images):
        x = self.patch_embed(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return self.head(self.head_drop(x[:, 0]))


def build(name, classes, drop_rate, drop_path_rate):
    if name == "resnet18":
        if drop_rate or drop_path_rate:
            raise ValueError("resnet18 peer has no dropout / stochastic depth")
        return torchvision.models.resnet18(num_classes=classes)
    if name == "efficientnet_b0":
        model = torchvision.models.efficientnet_b0(num_classes=classes, stochastic_depth_prob=drop_path_rate)
        model.classifier[0].p = drop_rate  # torchvision fixes 0.2; timm's default is 0
        return model
    if name == "vit_small_patch16_224":
        if drop_path_rate:
            raise ValueError("vit peer has no stochastic depth")
        return VisionTransformer(classes, drop_rate=drop_rate)
    raise ValueError(f"unknown model {name!r}")


def print_profile(step, top):
    """One step under the (legacy, as on the C++ side) autograd profiler: top ops by self time."""
    with torch.autograd.profiler.profile(use_kineto=False) as prof:
        step()
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    print(f"{'op':<48}{'calls':>8}{'self ms':>12}{'total ms':>12}", file=sys.stderr)
    for e in rows[:top]:
        print(f"{e.key[:47]:<48}{e.count:>8}{e.self_cpu_time_total / 1e3:>12.1f}{e.cpu_time_total / 1e3:>12.1f}",
              file=sys.stderr)
    total = sum(e.self_cpu_time_total for e in rows) / 1e3
    print(f"self time of all ops: {total:.1f} ms", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="resnet18")
    p.add_argument("--mode", choices=["train", "infer"], default="train")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--classes", type=int, default=1000)
    p.add_argument("--drop_rate", type=float, default=0.0)
    p.add_argument("--drop_path_rate", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--profile", type=int, default=0,
                   help="after the timed steps, profile one more step and print the N ops with the most "
                        "self CPU time to stderr (the same table as model_bench --profile)")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    try:
        model = build(a.model, a.classes, a.drop_rate, a.drop_path_rate)
    except ValueError as e:
        print(json.dumps({"side": "python", "error": str(e)}), flush=True)
        return 1
    torch.manual_seed(a.seed)
    images = torch.randn(a.batch, 3, a.size, a.size)
    labels = torch.randint(a.classes, (a.batch,), dtype=torch.long)

    if a.mode == "train":
        model.train()
        sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def step():
            sgd.zero_grad()
            F.cross_entropy(model(images), labels).backward()
            sgd.step()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                model(images)

    for _ in range(a.warmup):
        step()
    cpu_start, start = time.process_time(), time.perf_counter()
    for _ in range(a.steps):
        step()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start  # all threads, like std::clock() on the C++ side
    if a.profile > 0:
        print_profile(step, a.profile)
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    print(json.dumps({"side": "python", "model": a.model, "mode": a.mode, "batch": a.batch, "size": a.size,
                      "steps": a.steps, "threads": a.threads, "seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3),
                      "images_per_s": round(a.batch * a.steps / seconds, 3),
                      "max_rss_mb": round(max_rss_mb, 1)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
