#!/usr/bin/python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/: small real files of each format.

Run from the repository root: /usr/bin/python3 tests/fuzz/make_corpus.py
The sweep corpus copies experiments/*.yaml; everything else is made here (deterministic)."""
import gzip
import io
import json
import os
import shutil
import struct

from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def sweep_yaml():
    experiments = os.path.join(os.path.dirname(ROOT), "..", "..", "experiments")
    for name in sorted(os.listdir(experiments)):
        if name.endswith(".yaml"):
            shutil.copy(os.path.join(experiments, name), os.path.join(ROOT, "sweep_yaml", name))
    put("sweep_yaml", "anchors.yaml", "base: &b {values: [0.1, 0.01]}\nparameters:\n  lr: *b\n  x: [1, 2]\n")


def train_csv():
    header = "id,gender,race,age,path\n"
    put("train_csv", "two.csv", header + "000001,female,Asian,45,000001_female_Asian_45\n"
        "000002,male,Asian,62,000002_male_Asian_62\n")
    put("train_csv", "crlf.csv", (header + "000002,male,Asian,62,000002_male_Asian_62\n").replace("\n", "\r\n"))
    put("train_csv", "bad_age.csv", header + "000001,female,Asian,forty,000001_female_Asian_45\n")


def eval_info_csv():
    put("eval_info_csv", "plain.csv", "ImageID,ans\na.jpg,0\nb.jpg,0\nc.png,\n")
    put("eval_info_csv", "bom_crlf.csv", "\ufeffImageID,ans\r\ncbc5c6e168e63498590db46022617123f1fe1268.jpg,3\r\nd,0\r\n")
    put("eval_info_csv", "dup.csv", "ans,ImageID\n0,a.jpg\n0,a.jpg\n")


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_header():
    put("safetensors_header", "f32.safetensors", safetensors(
        {"fc.weight": ("F32", [2, 3], struct.pack("<6f", *range(6))), "fc.bias": ("F32", [2], struct.pack("<2f", 1, 2))},
        {"format": "pt"}))
    put("safetensors_header", "mixed.safetensors", safetensors({
        "bn.num_batches_tracked": ("I64", [], struct.pack("<q", 7)),
        "half": ("F16", [4], b"\x00\x3c" * 4), "bf": ("BF16", [2, 1], b"\x80\x3f" * 2), "empty": ("F32", [0, 5], b"")}))
    put("safetensors_header", "unsupported.safetensors", safetensors({"x": ("U8", [3], b"abc")}))


def idx(magic, dims, data):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def idx_files():
    images = idx(0x803, [2, 4, 4], range(32))
    put("idx", "images.idx", images)
    put("idx", "images.idx.gz", gzip.compress(images, mtime=0))
    put("idx", "labels.idx", idx(0x801, [5], [0, 9, 3, 3, 1]))


def image_decode():
    image = Image.new("RGB", (40, 30))
    image.putdata([((x * 6) % 256, (y * 8) % 256, (x * y) % 256) for y in range(30) for x in range(40)])
    for name, fmt, options in [("photo.jpg", "JPEG", {"quality": 80}), ("progressive.jpg", "JPEG", {"progressive": True}),
                               ("photo.png", "PNG", {}), ("grey.png", "PNG", {})]:
        out = io.BytesIO()
        (image.convert("L") if name == "grey.png" else image).save(out, fmt, **options)
        put("image_decode", name, out.getvalue())


def job_events():
    events = {
        "epoch.jsonl": {"v": 1, "event": "epoch", "epoch": 1, "metrics": {"train_loss": 0.5, "val_macro_f1": None}},
        "epoch_v0.jsonl": {"event": "epoch", "epoch": 2, "val_loss": 0.25},
        "predictions.jsonl": {"v": 1, "event": "predictions", "num_classes": 2, "sample_ids": [3, 7],
                              "probs": [0.25, 0.75, 1.0, None]},
        "keys.jsonl": {"v": 1, "event": "predictions", "num_classes": 1, "sample_keys": ["a/mask1.jpg"], "probs": [1]},
        "checkpoint.jsonl": {"v": 1, "event": "checkpoint", "epoch": 2, "path": "/out/resume.ckpt"},
        "done.jsonl": {"v": 1, "event": "done", "best_epoch": 2, "macro_f1": 0.5, "accuracy": 0.75, "val_loss": 0.1,
                       "seconds": 12.5},
    }
    for name, event in events.items():
        put("job_events", name, json.dumps(event))


def decisions_csv():
    put("decisions_csv", "full.csv", "target,decision,label,note\ntrain/a/mask1.jpg,accept,3,\"looks, older\"\n"
        "#12,reject,,\n")
    put("decisions_csv", "reordered.csv", "Decision,Target\r\naccept,\"x\"\"y\"\r\n")
    put("decisions_csv", "multiline.csv", "target,decision,note\nx,accept,\"two\nlines\"\n")


if __name__ == "__main__":
    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(os.path.join(ROOT, "sweep_yaml"))
    for make in (sweep_yaml, train_csv, eval_info_csv, safetensors_header, idx_files, image_decode, job_events,
                 decisions_csv):
        make()
