// The spatial (softmax) KL divergence of two paired series on disk, volume by volume:
// MindAligner's KL term, KL(softmax(generated volume) || softmax(reference volume)) over the
// voxels of the mask, and the global MSE, in one pass over the files.
#ifndef voxelkl_SpatialKLJob_h
#define voxelkl_SpatialKLJob_h

#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/GaussianKL.h"
#include "voxelkl/MaskLoader.h"
#include "voxelkl/SeriesInfo.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace voxelkl
{

/** What is done to the values before the softmax (logits = z / temperature). Each series
 * is standardized with its own statistics. */
enum class Standardization
{
  None,   ///< the values themselves (MindAligner's loss on the same numbers)
  Voxel,  ///< z-score of each voxel over time (its mean and population std over the series)
  Volume, ///< z-score of each volume over the voxels that enter its softmax (population std)
};

/** "none", "voxel", "volume"; ParseStandardization throws std::invalid_argument. */
std::string
ToString(Standardization standardization);
Standardization
ParseStandardization(const std::string & name);

struct SpatialKLJob
{
  SeriesInfo       reference;
  SeriesInfo       generated;
  Mask             mask;
  KLDirection      direction{ KLDirection::Reverse }; ///< Reverse = KL(P_gen || P_ref), MindAligner's
  Standardization  standardize{ Standardization::None };
  double           temperature{ 1.0 }; ///< > 0
  ExecutionOptions execution{};
};

/** Voxels per chunk. Each chunk of a volume is accumulated on its own (SoftmaxKLState::
 * FromLogits) and the chunks are merged in voxel order, whatever the thread count: the
 * same bits for any --threads. A constant, not an option, for the same reason. */
constexpr std::size_t SpatialKLChunkVoxels = 4096;

/** One volume pair. */
struct SpatialKLVolume
{
  /** The divergence of the job's direction, in nats; NaN when no voxel of the mask is
   * finite in both volumes (no distribution). */
  double        kl{ 0.0 };
  std::uint64_t voxels{ 0 };                     ///< voxels in the softmax: in the mask and finite in both volumes
  std::uint64_t dropped{ 0 };                    ///< voxels of the mask left out: NaN or inf in either volume
  double        squaredError{ 0.0 };             ///< sum of (generated - reference)^2 over those voxels
  double        standardizedSquaredError{ 0.0 }; ///< the same of the standardized values
};

struct SpatialKLResult
{
  std::vector<SpatialKLVolume> volumes; ///< one per volume pair, in time order
  std::size_t                  voxels{ 0 };
  std::size_t                  inMask{ 0 };
  /** Voxel standardization: voxels of the mask whose values do not vary over time (or have
   * fewer than two finite values) in the reference / generated series; their z is 0. */
  std::size_t     constantReferenceVoxels{ 0 };
  std::size_t     constantGeneratedVoxels{ 0 };
  ExecutionReport report; ///< readMode "volumes" (VoxelKL's reader) or "whole series" (ITK)
};

/** The global MSE over mask and time: the sum of the squared errors of every volume over
 * the sum of their voxel counts (volumes in order), of the input values or of the
 * standardized ones. 0 when no voxel was compared. */
double
GlobalMeanSquaredError(const SpatialKLResult & result, bool standardized);

/** Throws InputError naming both series and both lengths unless they have the same number
 * of volumes (the spatial KL pairs volume t with volume t). */
void
RequirePairedSeries(const SeriesInfo & reference, const SeriesInfo & generated);

/** Checks the job (lengths, grids, temperature), then reads each series front to back,
 * volume by volume, both at once, in blocks of ~32 MiB per series; with voxel
 * standardization, a first pass over both files computes each voxel's mean and std. NIfTI
 * files and lists of 3D files are read by VoxelKL's volume reader; other 4D formats are read
 * whole by ITK (memory = the series). Identical results for any thread count. */
SpatialKLResult
ComputeSpatialKL(const SpatialKLJob & job);

} // namespace voxelkl

#endif
