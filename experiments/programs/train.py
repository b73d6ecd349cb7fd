"""A team's PyTorch training script, as they wrote them for W&B sweeps, run by Foldstack.

torchvision's resnet18 (no pretrained weights: nodes are offline) on the mask layout, trained on
this job's training folds and evaluated on its held-out fold every epoch. Reports val_loss,
val_accuracy and val_macro_f1 per epoch, the held-out softmax probabilities (OOF) at the end, and a
resumable checkpoint every epoch. Parameters arrive as --name=value (W&B's ${args}).

    foldstack sweep submit experiments/programs/resnet18-program.yaml
"""
import argparse
import os

import torch
import torch.nn.functional as F
import torchvision
from PIL import Image

import foldstack


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--image_size", type=int, default=96)
    parser.add_argument("--weight_decay", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def load(samples, size):
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    images = []
    for s in samples:
        image = Image.open(s.path).convert("RGB").resize((size, size))
        x = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).view(size, size, 3)
        images.append((x.permute(2, 0, 1).float() / 255 - mean) / std)
    return torch.stack(images), torch.tensor([s.label for s in samples])


def macro_f1(pred, label, classes):
    scores = []
    for c in range(classes):
        tp = ((pred == c) & (label == c)).sum().item()
        denominator = (pred == c).sum().item() + (label == c).sum().item()
        if denominator:
            scores.append(2 * tp / denominator)
    return sum(scores) / len(scores)


def main():
    args = parse_args()
    run = foldstack.init()
    torch.manual_seed(args.seed)
    torch.set_num_threads(int(os.environ.get("FOLDSTACK_THREADS", "1")))
    x_train, y_train = load(run.train, args.image_size)
    x_val, y_val = load(run.held_out, args.image_size)
    model = torchvision.models.resnet18(num_classes=run.num_classes)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    start = 1
    if run.resume_from:
        state = torch.load(run.resume_from)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng"])
        start = state["epoch"] + 1
    for epoch in range(start, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train))
        for i in range(0, len(order), args.batch_size):
            batch = order[i:i + args.batch_size]
            optimizer.zero_grad()
            F.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(x_val[i:i + 256]) for i in range(0, len(x_val), 256)])
        probs = logits.softmax(dim=1)
        pred = probs.argmax(dim=1)
        run.log({"val_loss": F.cross_entropy(logits, y_val).item(),
                 "val_accuracy": (pred == y_val).float().mean().item(),
                 "val_macro_f1": macro_f1(pred, y_val, run.num_classes)}, epoch=epoch)
        path = os.path.join(run.checkpoint_dir, "last.pt")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "rng": torch.get_rng_state(), "epoch": epoch}, path + ".tmp")
        os.replace(path + ".tmp", path)
        run.checkpoint(path, epoch)
        if run.should_stop():
            return
    run.predictions([s.key for s in run.held_out], probs)


if __name__ == "__main__":
    main()
