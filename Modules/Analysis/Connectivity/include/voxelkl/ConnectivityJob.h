// Functional connectivity agreement of two series on disk: each atlas region's mean time
// series of both series, accumulated in one pass over the files (the engine's volume
// blocks), then compared (voxelkl::CompareConnectivity).
#ifndef voxelkl_ConnectivityJob_h
#define voxelkl_ConnectivityJob_h

#include "voxelkl/ConnectivityComparison.h"
#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/GaussianKL.h"
#include "voxelkl/LabelNames.h"
#include "voxelkl/LabelVolume.h"
#include "voxelkl/MaskLoader.h"
#include "voxelkl/RegionTimeSeries.h"
#include "voxelkl/SeriesInfo.h"

#include <cstdint>
#include <string>

namespace voxelkl
{

struct ConnectivityJob
{
  SeriesInfo       reference;
  SeriesInfo       generated;
  Mask             mask;      ///< on the reference grid; empty = every voxel
  LabelVolume      labels;    ///< the atlas on the reference grid (LoadLabels)
  LabelNames       names;     ///< may be empty
  std::string      namesPath; ///< the file names came from, for the summary (may be empty)
  KLDirection      direction{ KLDirection::Forward };
  ExecutionOptions execution{};
};

struct ConnectivityResult
{
  RegionVoxels           regions; ///< every label of the atlas file (labels.atlasLabels)
  RegionTimeSeries       reference;
  RegionTimeSeries       generated;
  ConnectivityComparison comparison;              ///< comparison.problem is None (ComputeConnectivity throws otherwise)
  std::uint64_t          referenceNonFinite{ 0 }; ///< samples of region voxels skipped (NaN, inf)
  std::uint64_t          generatedNonFinite{ 0 };
  ExecutionReport        report; ///< readMode "volumes"
};

/** The region's name: from names, else its label as text. */
std::string
RegionName(const LabelNames & names, std::int32_t label);

/** Checks the job (same grid, at least 2 regions with voxels in the mask: InputError naming
 * the atlas and the mask otherwise, before any series is read), then reads both series
 * once, front to back, volume by volume (blocks of ~32 MiB per series, the two files
 * inflated on two cores), sums each region's finite values at each time point (fixed
 * chunks of each region's voxels, in parallel, merged in chunk order: the same bits for any
 * thread count) and compares the two series' connectivity. InputError naming the files
 * when fewer than 2 regions can be compared (constant or without finite values) or a series
 * keeps fewer than 2 time points. */
ConnectivityResult
ComputeConnectivity(const ConnectivityJob & job);

} // namespace voxelkl

#endif
