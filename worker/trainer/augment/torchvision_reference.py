"""Per-image cost of torchvision's nearest equivalents of transform_benchmark's
cases, on one thread, for comparison with the C++ transforms.

    /usr/bin/python3 worker/trainer/augment/torchvision_reference.py

The input is a 384 x 512 RGB PIL image (the mask data set's photo size), as a
torchvision data set hands it to its transform after decoding.
"""
import time

import numpy as np
import torch
from PIL import Image
from torchvision import transforms as T

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def gauss_noise(x):
    # albumentations' GaussNoise on the 0..255 scale, applied to the 0..1 tensor.
    sigma = np.sqrt(np.random.uniform(10, 50)) / 255.0
    return (x + torch.randn_like(x) * sigma).clamp_(0, 1)


def pipeline(ops, noise):
    """ops on the PIL image, then to a 0..1 tensor, optional noise, normalisation."""
    tail = [T.ToTensor()] + ([T.Lambda(gauss_noise)] if noise else []) + [T.Normalize(MEAN, STD)]
    return T.Compose(list(ops) + tail)


RRC = T.RandomResizedCrop(224, scale=(0.08, 1.0))
FLIP = T.RandomHorizontalFlip(p=1.0)
AFFINE = T.RandomAffine(degrees=45, translate=(0.0625, 0.0625), scale=(0.9, 1.1),
                        interpolation=T.InterpolationMode.BILINEAR)
HSV = T.ColorJitter(saturation=0.3, hue=0.1)
BRIGHTNESS_CONTRAST = T.ColorJitter(brightness=0.2, contrast=0.2)
RESIZE = T.Resize((224, 224))


def main():
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    x = np.arange(384, dtype=np.uint8)[None, :, None].repeat(512, 0).repeat(3, 2)
    image = Image.fromarray((x + rng.integers(0, 40, x.shape, dtype=np.uint8)).astype(np.uint8))
    cases = [
        ("resize_only", [RESIZE], False),
        ("crop_flip", [RRC, FLIP], False),
        ("shift_scale_rotate", [RESIZE, AFFINE], False),
        ("hsv", [RESIZE, HSV], False),
        ("brightness_contrast", [RESIZE, BRIGHTNESS_CONTRAST], False),
        ("gauss_noise", [RESIZE], True),
        ("every_op", [RRC, FLIP, AFFINE, HSV, BRIGHTNESS_CONTRAST], True),
        ("eval", [RESIZE], False),
    ]
    for name, ops, noise in cases:
        transform = pipeline(ops, noise)
        for _ in range(20):
            transform(image)
        n = 300
        start = time.process_time()
        for _ in range(n):
            transform(image)
        print(f"{name:22s} {1e6 * (time.process_time() - start) / n:10.0f} us CPU per image")


if __name__ == "__main__":
    main()
