#!/usr/bin/python3
"""The forward Gaussian KL map as a user would script it with numpy (float64), timed, and
compared with VoxelKLDivergence's map of the same pair.

usage: /usr/bin/python3 numpy_kl.py REFERENCE.nii GENERATED.nii VOXELKL_MAP.nii
(Debian's python3-nibabel and python3-numpy; the map from VoxelKLDivergence --direction forward)
"""
import sys
import time

import nibabel
import numpy

reference_path, generated_path, map_path = sys.argv[1:4]
start = time.time()
reference = numpy.asarray(nibabel.load(reference_path).dataobj, dtype=numpy.float64)
generated = numpy.asarray(nibabel.load(generated_path).dataobj, dtype=numpy.float64)
mean_r, var_r = reference.mean(-1), reference.var(-1)
mean_g, var_g = generated.mean(-1), generated.var(-1)
with numpy.errstate(all="ignore"):
    kl = 0.5 * (numpy.log(var_g / var_r) + (var_r + (mean_r - mean_g) ** 2) / var_g - 1)
elapsed = time.time() - start

ours = nibabel.load(map_path).get_fdata()
valid = (var_r > 0) & (var_g > 0)
relative = numpy.abs(ours[valid] - kl[valid]) / numpy.maximum(kl[valid], 1e-3)
print(f"numpy: {elapsed:.2f} s; {valid.sum()} voxels with both variances > 0; "
      f"max relative difference to VoxelKLDivergence {relative.max():.2e}")
