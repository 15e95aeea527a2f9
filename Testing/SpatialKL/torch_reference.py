#!/usr/bin/env python3
"""SpatialKLDivergence against PyTorch, the way MindAligner computes its KL term.

MindAligner (Da1yuqin/MindAligner, my_utils/losses.py) wraps each sample's voxel vector in
torch.distributions.Categorical(logits=...) and averages
kl_divergence(Categorical(logits=generated), Categorical(logits=reference)) over samples.
This script writes small NIfTI series itself (numpy only, no nibabel), runs the executable
for several directions and standardizations, and compares every per-volume KL of its
--table with torch's in float64 (relative 1e-9), and the summary's mean, MSE and combined
loss with the same quantities computed by torch.

Usage: torch_reference.py SPATIALKL_EXECUTABLE WORK_DIRECTORY
Exit status: 0 all agree; 1 a mismatch or a failure; 77 torch or numpy cannot be imported
(CTest reports the test as skipped, SKIP_RETURN_CODE 77).
"""

import gzip
import json
import math
import os
import struct
import subprocess
import sys

SKIP = 77
TOLERANCE = 1e-9

try:
    import numpy as np
    import torch
    from torch.distributions import Categorical, kl_divergence
except ImportError as error:  # Debian: apt-get install python3-torch
    print(f"skipped: {error}; install python3-torch (Debian) to run this test")
    sys.exit(SKIP)


def write_nifti(path, data, datatype):
    """A NIfTI-1 single file: data shaped (t, z, y, x) (or (z, y, x)), x fastest on disk."""
    codes = {"float32": (16, 32, np.float32), "uint8": (2, 8, np.uint8)}
    code, bitpix, dtype = codes[datatype]
    shape = data.shape[::-1]  # x, y, z[, t]
    header = bytearray(352)
    struct.pack_into("<i", header, 0, 348)
    header[38] = ord("r")
    dim = [len(shape)] + list(shape) + [1] * (7 - len(shape))
    struct.pack_into("<8h", header, 40, *dim)
    struct.pack_into("<hh", header, 70, code, bitpix)
    struct.pack_into("<8f", header, 76, 1.0, 2.0, 2.0, 2.5, 1.5, 0.0, 0.0, 0.0)  # qfac, spacing, TR
    struct.pack_into("<f", header, 108, 352.0)  # vox_offset
    struct.pack_into("<ff", header, 112, 1.0, 0.0)  # scl_slope, scl_inter
    header[123] = 2 | 8  # mm, s
    struct.pack_into("<hh", header, 252, 1, 1)  # qform_code, sform_code
    struct.pack_into("<6f", header, 256, 0.0, 0.0, 0.0, -20.0, 10.0, 5.0)  # identity rotation, offsets
    struct.pack_into("<12f", header, 280, 2.0, 0, 0, -20.0, 0, 2.0, 0, 10.0, 0, 0, 2.5, 5.0)
    header[344:348] = b"n+1\0"
    payload = bytes(header) + np.ascontiguousarray(data, dtype=dtype).tobytes()
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as stream:
        stream.write(payload)


def zscore_volume(values):
    std = values.std()  # population (ddof=0)
    return (values - values.mean()) / std if std > 0 else np.zeros_like(values)


def voxel_moments(series):
    """Per-voxel mean and population std over the finite values of a (t, voxels) array."""
    finite = np.isfinite(series)
    count = finite.sum(axis=0)
    safe = np.where(finite, series, 0.0)
    mean = np.divide(safe.sum(axis=0), count, out=np.zeros(series.shape[1]), where=count > 0)
    squares = np.where(finite, (series - mean) ** 2, 0.0).sum(axis=0)
    std = np.sqrt(np.divide(squares, count, out=np.zeros(series.shape[1]), where=count > 0))
    return mean, std


def torch_expected(reference, generated, mask, direction, standardize, temperature):
    """Per-volume KL, and the MSE of the values the loss sees, from torch in float64."""
    moments = None
    if standardize == "voxel":
        moments = voxel_moments(np.where(mask, reference, np.nan)), voxel_moments(np.where(mask, generated, np.nan))
    kls, a_all, b_all, ga_all, rb_all = [], [], [], [], []
    for t in range(reference.shape[0]):
        valid = mask & np.isfinite(reference[t]) & np.isfinite(generated[t])
        b = reference[t][valid]
        a = generated[t][valid]
        if standardize == "none":
            za, zb = a, b
        elif standardize == "volume":
            za, zb = zscore_volume(a), zscore_volume(b)
        else:
            (mean_r, std_r), (mean_g, std_g) = moments
            zb = np.where(std_r[valid] > 0, (b - mean_r[valid]) / np.where(std_r[valid] > 0, std_r[valid], 1.0), 0.0)
            za = np.where(std_g[valid] > 0, (a - mean_g[valid]) / np.where(std_g[valid] > 0, std_g[valid], 1.0), 0.0)
        generated_logits = torch.from_numpy(za / temperature).to(torch.float64)
        reference_logits = torch.from_numpy(zb / temperature).to(torch.float64)
        p_gen = Categorical(logits=generated_logits)
        p_ref = Categorical(logits=reference_logits)
        reverse = kl_divergence(p_gen, p_ref).item()
        forward = kl_divergence(p_ref, p_gen).item()
        kls.append({"reverse": reverse, "forward": forward, "symmetric": reverse + forward}[direction])
        a_all.append(a)
        b_all.append(b)
        ga_all.append(za)
        rb_all.append(zb)
    mse = torch.nn.functional.mse_loss(torch.from_numpy(np.concatenate(a_all)), torch.from_numpy(np.concatenate(b_all)))
    loss_mse = torch.nn.functional.mse_loss(
        torch.from_numpy(np.concatenate(ga_all)), torch.from_numpy(np.concatenate(rb_all))
    )
    return kls, mse.item(), loss_mse.item()


def relative_error(value, expected):
    if value == expected:
        return 0.0
    return abs(value - expected) / max(abs(expected), 1e-300)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 1
    executable, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(20250601)

    # 23 x 19 x 13 voxels (two chunks of 4096), 7 volumes; one NaN voxel; a mask.
    t_count, z, y, x = 7, 13, 19, 23
    voxels = z * y * x
    pattern = np.sin(np.linspace(0, 6, voxels)) + 0.3 * rng.standard_normal(voxels)
    reference = pattern[None, :] + rng.normal(0.0, 1.0, (t_count, voxels))
    generated = 0.6 * reference + rng.normal(0.0, 0.7, (t_count, voxels)) + 0.05 * np.arange(t_count)[:, None]
    generated[2, 100] = np.nan
    bold_reference = 1000.0 + 15.0 * pattern[None, :] + rng.normal(0.0, 10.0, (t_count, voxels))
    bold_generated = 995.0 + 10.0 * pattern[None, :] + rng.normal(0.0, 6.0, (t_count, voxels))
    mask = np.ones(voxels, dtype=bool)
    mask[::11] = False
    # What the files hold: float32, read back as float64 exactly by both sides.
    series = {}
    for name, values in (
        ("reference", reference),
        ("generated", generated),
        ("bold_reference", bold_reference),
        ("bold_generated", bold_generated),
    ):
        stored = values.astype(np.float32)
        extension = ".nii.gz" if name == "generated" else ".nii"
        path = os.path.join(work, name + extension)
        write_nifti(path, stored.reshape(t_count, z, y, x), "float32")
        series[name] = (path, stored.astype(np.float64))
    mask_path = os.path.join(work, "mask.nii")
    write_nifti(mask_path, mask.astype(np.uint8).reshape(z, y, x), "uint8")

    cases = []
    for direction in ("reverse", "forward", "symmetric"):
        for standardize in ("none", "volume", "voxel"):
            cases.append(("reference", "generated", direction, standardize, 1.0))
    cases += [
        ("reference", "generated", "reverse", "volume", 0.5),
        ("bold_reference", "bold_generated", "reverse", "volume", 1.0),
        ("bold_reference", "bold_generated", "forward", "voxel", 2.0),
        ("bold_reference", "bold_generated", "reverse", "none", 1.0),
    ]
    worst = 0.0
    failures = 0
    table = os.path.join(work, "kl.tsv")
    summary = os.path.join(work, "kl.json")
    for reference_name, generated_name, direction, standardize, temperature in cases:
        label = f"{reference_name}/{generated_name} {direction} standardize={standardize} T={temperature}"
        command = [
            executable,
            "--reference", series[reference_name][0],
            "--generated", series[generated_name][0],
            "--mask", mask_path,
            "--direction", direction,
            "--standardize", standardize,
            "--temperature", repr(temperature),
            "--lambda", "0.1",
            "--table", table,
            "--summary", summary,
        ]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {label}: exit {run.returncode}\n{run.stderr}")
            failures += 1
            continue
        with open(table) as stream:
            lines = stream.read().splitlines()
        if lines[0] != "volume\tkl" or len(lines) != t_count + 1:
            print(f"FAIL {label}: unexpected table {lines[:3]}...")
            failures += 1
            continue
        ours = [float(line.split("\t")[1]) for line in lines[1:]]
        expected, mse, loss_mse = torch_expected(
            series[reference_name][1], series[generated_name][1], mask, direction, standardize, temperature
        )
        errors = [relative_error(value, want) for value, want in zip(ours, expected)]
        with open(summary) as stream:
            document = json.load(stream)
        mean = float(np.mean(expected))
        checks = {
            "mean": relative_error(document["spatialKL"]["mean"], mean),
            "globalMSE": relative_error(document["globalMSE"], mse),
            "loss.mse": relative_error(document["loss"]["mse"], loss_mse),
            "loss.total": relative_error(document["loss"]["total"], loss_mse + 0.1 * mean),
        }
        case_worst = max(errors + list(checks.values()))
        worst = max(worst, case_worst)
        status = "ok  " if case_worst <= TOLERANCE else "FAIL"
        print(f"{status} {label}: KL {min(expected):.4g}..{max(expected):.4g}, "
              f"max relative error {max(errors):.2e} (summary {max(checks.values()):.2e})")
        if case_worst > TOLERANCE:
            failures += 1
            for t, (value, want) in enumerate(zip(ours, expected)):
                print(f"    volume {t}: ours {value!r} torch {want!r}")
            print(f"    summary checks: {checks}")
    print(f"torch {torch.__version__}: {len(cases)} cases, max relative error {worst:.2e} (tolerance {TOLERANCE:g})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
