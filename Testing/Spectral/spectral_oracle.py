#!/usr/bin/env python3
"""VoxelSpectralAgreement against scipy.signal.welch and numpy, on series made here.

Usage: spectral_oracle.py EXECUTABLE WORK_DIR

Writes a reference and a generated series (NIfTI-1, written byte by byte here: no nibabel),
runs the executable with every map and both spectra, reads them back and checks:
  - each voxel's spectra equal scipy.signal.welch(x, fs=1/TR, window='hann', nperseg=L,
    noverlap=O, detrend='linear', scaling='density') to 1e-6 relative (float32 output),
    for one run and for two runs (segments within each run, averaged over all segments);
  - the log-spectral distance, spectral KL, ALFF and fALFF ratios equal the definitions
    in the executable's --help computed with numpy from scipy's spectra;
  - the lag autocorrelations equal numpy's about each series' least-squares line;
  - voxels with a NaN sample, a constant or a straight line get their status and 0 maps;
  - the repetition time is read from pixdim[4] in milliseconds as well as seconds.
Exits 77 (skipped) when numpy or scipy is missing.
"""
import json
import os
import struct
import subprocess
import sys

try:
    import numpy as np
    from scipy import signal
except ImportError as missing:
    print(f"skipped: {missing} (apt-get install python3-numpy python3-scipy)")
    sys.exit(77)

EXE, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
SIZE = (5, 4, 3)
L, O = 32, 12


def write_nifti(path, data, tr, units="s"):
    """A single-file NIfTI-1 (.nii) of float32 data (x, y, z, t), sform = 2 mm grid."""
    data = np.asarray(data, dtype="<f4")
    dims = [data.ndim] + list(data.shape) + [1] * (7 - data.ndim)
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, *dims)
    struct.pack_into("<hh", header, 70, 16, 32)  # float32, 32 bits
    pixdim = [1.0, 2.0, 2.0, 2.0, tr * (1000.0 if units == "ms" else 1.0), 1.0, 1.0, 1.0]
    struct.pack_into("<8f", header, 76, *pixdim)
    struct.pack_into("<f", header, 108, 352.0)  # vox_offset
    struct.pack_into("<f", header, 112, 1.0)  # scl_slope
    header[123] = 2 | (16 if units == "ms" else 8)  # xyzt_units: mm and ms/s
    struct.pack_into("<hh", header, 252, 0, 1)  # qform 0, sform 1
    struct.pack_into("<4f", header, 280, 2.0, 0.0, 0.0, -4.0)
    struct.pack_into("<4f", header, 296, 0.0, 2.0, 0.0, -3.0)
    struct.pack_into("<4f", header, 312, 0.0, 0.0, 2.0, -2.0)
    header[344:348] = b"n+1\0"
    with open(path, "wb") as f:
        f.write(bytes(header) + b"\0\0\0\0" + data.tobytes(order="F"))


def read_nifti(path):
    with open(path, "rb") as f:
        raw = f.read()
    dims = struct.unpack_from("<8h", raw, 40)
    offset = int(struct.unpack_from("<f", raw, 108)[0])
    shape = dims[1 : dims[0] + 1]
    return np.frombuffer(raw, dtype="<f4", offset=offset, count=int(np.prod(shape))).reshape(shape, order="F")


def series(seed, t, red):
    rng = np.random.default_rng(seed)
    x = np.zeros(SIZE + (t,))
    for i in np.ndindex(SIZE):
        e = rng.standard_normal(t)
        if red:  # AR(1) with phi 0.7 plus a slow oscillation: BOLD-like
            for k in range(1, t):
                e[k] += 0.7 * e[k - 1]
            e += 2.0 * np.sin(2 * np.pi * 0.03 * 2.0 * np.arange(t) + i[0])
        x[i] = 500.0 + 10.0 * i[0] + 3.0 * e + 0.02 * np.arange(t)
    return stored(x)


def stored(x):
    """The values as the float32 file holds them: the oracle sees what the executable reads."""
    return x.astype(np.float32).astype(np.float64)


def special(x):
    x[0, 0, 0, :] = 42.0  # constant: no power
    x[1, 0, 0, :] = 7.0 + 0.5 * np.arange(x.shape[3])  # a straight line: no power
    x[2, 0, 0, 9] = np.nan  # a gap: no spectrum


failures = []


def check(name, got, want, rtol, atol=0.0):
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    bad = np.abs(got - want) > rtol * np.abs(want) + atol
    if bad.any():
        where = np.argwhere(bad)[0]
        failures.append(f"{name}: {bad.sum()} values differ, first at {tuple(where)}: {got[tuple(where)]} vs {want[tuple(where)]}")


def autocorrelation(x, lag):
    t = np.arange(len(x), dtype=float)
    ok = np.isfinite(x)
    slope, intercept = np.polyfit(t[ok], x[ok], 1)
    e = x - (intercept + slope * t)
    pairs = ok[:-lag] & ok[lag:]
    return np.sum(e[:-lag][pairs] * e[lag:][pairs]), np.sum(e[ok] ** 2)


def run_case(label, reference_runs, generated, tr, units, lag):
    paths = []
    for k, run in enumerate(reference_runs):
        path = os.path.join(WORK, f"{label}-ref-{k}.nii")
        write_nifti(path, run, tr, units)
        paths.append(path)
    gen_path = os.path.join(WORK, f"{label}-gen.nii")
    write_nifti(gen_path, generated, tr, units)
    out = lambda name: os.path.join(WORK, f"{label}-{name}.nii")
    maps = ["logSpectralDistance", "spectralKL", "alffRatio", "falffRatio", "autocorrelationReference",
            "autocorrelationGenerated", "autocorrelationDifference", "status", "referenceSpectrum", "generatedSpectrum"]
    args = [EXE]
    for p in paths:
        args += ["--reference", p]
    args += ["--generated", gen_path, "--segmentLength", str(L), "--overlap", str(O), "--band", "0.02,0.1",
             "--lag", str(lag), "--direction", "symmetric", "--summary", os.path.join(WORK, f"{label}.json")]
    for m in maps:
        args += [f"--{m}", out(m)]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        failures.append(f"{label}: exit {done.returncode}: {done.stderr.strip()}")
        return
    got = {m: read_nifti(out(m)) for m in maps}
    fs = 1.0 / tr
    bins = L // 2 + 1
    status = got["status"]
    for i in np.ndindex(SIZE):
        # scipy's Welch of each run, averaged over all segments (weighted by their count).
        psd_r, segments = np.zeros(bins), 0
        for run in reference_runs:
            n = (run.shape[3] - L) // (L - O) + 1
            if np.isfinite(run[i]).all():
                f, p = signal.welch(run[i], fs=fs, window="hann", nperseg=L, noverlap=O, detrend="linear",
                                    scaling="density")
                psd_r += p * n
            segments += n
        psd_r /= segments
        f, psd_g = signal.welch(generated[i], fs=fs, window="hann", nperseg=L, noverlap=O, detrend="linear",
                                scaling="density")
        finite = all(np.isfinite(r[i]).all() for r in reference_runs) and np.isfinite(generated[i]).all()
        if not finite:
            check(f"{label} status {i}", status[i], 2, 0)
            continue
        scale = max(psd_r.max(), psd_g.max())
        check(f"{label} reference spectrum {i}", got["referenceSpectrum"][i], psd_r, 1e-6, 1e-9 * scale)
        check(f"{label} generated spectrum {i}", got["generatedSpectrum"][i], psd_g, 1e-6, 1e-9 * scale)
        if psd_r[1:].max() < 1e-12 * 500**2 or psd_g[1:].max() < 1e-12 * 500**2:
            check(f"{label} status {i}", status[i], 3, 0)
            check(f"{label} spectral KL {i}", got["spectralKL"][i], 0.0, 0)
            continue
        check(f"{label} status {i}", status[i], 1, 0)
        r, g = psd_r[1:], psd_g[1:]
        rf, gf = r + 1e-12 * r.max(), g + 1e-12 * g.max()
        lsd = np.sqrt(np.mean((10 * np.log10(gf / rf)) ** 2))
        p, q = rf / rf.sum(), gf / gf.sum()
        kl = np.sum(p * np.log(p / q)) + np.sum(q * np.log(q / p))
        band = (f[1:] >= 0.02) & (f[1:] <= 0.1)
        alff_r, alff_g = np.sqrt(r)[band].sum(), np.sqrt(g)[band].sum()
        falff_r, falff_g = alff_r / np.sqrt(r).sum(), alff_g / np.sqrt(g).sum()
        check(f"{label} log-spectral distance {i}", got["logSpectralDistance"][i], lsd, 1e-5)
        check(f"{label} spectral KL {i}", got["spectralKL"][i], kl, 1e-5)
        check(f"{label} ALFF ratio {i}", got["alffRatio"][i], alff_g / alff_r, 1e-5)
        check(f"{label} fALFF ratio {i}", got["falffRatio"][i], falff_g / falff_r, 1e-5)
    for i in np.ndindex(SIZE):
        sums = [autocorrelation(run[i], lag) for run in reference_runs]
        lagged, squares = sum(s[0] for s in sums), sum(s[1] for s in sums)
        phi_r = lagged / squares if squares > 1e-9 else 0.0
        lg, sq = autocorrelation(generated[i], lag)
        phi_g = lg / sq if sq > 1e-9 else 0.0
        check(f"{label} reference autocorrelation {i}", got["autocorrelationReference"][i], phi_r, 1e-5, 1e-6)
        check(f"{label} generated autocorrelation {i}", got["autocorrelationGenerated"][i], phi_g, 1e-5, 1e-6)
        check(f"{label} autocorrelation difference {i}", got["autocorrelationDifference"][i], phi_g - phi_r, 1e-5, 1e-6)
    summary = json.load(open(os.path.join(WORK, f"{label}.json")))
    if abs(summary["options"]["repetitionTime"] - tr) > 1e-9:
        failures.append(f"{label}: repetition time {summary['options']['repetitionTime']} read, not {tr}")
    print(f"{label}: {summary['voxels']}")


reference = series(1, 100, True)
generated = series(2, 90, False)
special(reference)
run_case("one-run", [reference], generated, 2.0, "s", 1)
second = series(3, 45, True)
special(second)
run_case("two-runs-ms", [reference[..., :60], second], generated, 0.8, "ms", 3)
if failures:
    print("\n".join(failures[:20]))
    print(f"{len(failures)} checks failed")
    sys.exit(1)
print("every value equals the scipy/numpy oracle")
