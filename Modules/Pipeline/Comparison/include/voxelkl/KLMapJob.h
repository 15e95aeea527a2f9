// The voxel-wise Gaussian KL map of two series on disk, end to end.
#ifndef voxelkl_KLMapJob_h
#define voxelkl_KLMapJob_h

#include "voxelkl/ComparisonMeasure.h"
#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/GaussianKL.h"
#include "voxelkl/MaskLoader.h"
#include "voxelkl/NonparametricVoxelKL.h"
#include "voxelkl/SeriesInfo.h"
#include "voxelkl/VoxelDivergence.h"

#include "itkImage.h"

#include <cstdint>
#include <memory>

namespace voxelkl
{

/** The fidelity maps computed in the same pass as the KL map. */
struct FidelityMaps
{
  bool   meanDifference{ false };     ///< mean_generated - mean_reference
  bool   varianceLogRatio{ false };   ///< ln(var_generated / var_reference), floored variances
  bool   paired{ false };             ///< MSE and Pearson r: the series must have the same length
  double undefinedCorrelation{ 0.0 }; ///< r written where a series is constant
  /** The reference's mean over time (its finite samples; 0 outside the mask): the
   * underlay of a report. Not a fidelity map: not in the summary. */
  bool referenceMean{ false };
};

struct KLMapJob
{
  SeriesInfo        reference;
  SeriesInfo        generated;
  Mask              mask;
  KLDirection       direction{ KLDirection::Forward };
  EstimatorSettings estimator{}; ///< Gaussian closed form unless set
  VarianceFloor     floor{};
  FidelityMaps      fidelity{};
  ExecutionOptions  execution{};
  /** Series of several 4D runs: concatenated as they are, or each run's voxel mean removed
   * first (then the maps are computed from tiles of a scratch copy, as for k-NN). */
  RunsHandling runs{ RunsHandling::Concatenate };
  /** Also return the per-voxel accumulators (KLMaps::state), to save them for a merge:
   * Gaussian estimator only (k-NN and histogram estimates do not merge). */
  bool saveState{ false };
};

using MapPointer = itk::Image<float, 3>::Pointer;

struct KLMaps
{
  MapPointer                            divergence;       ///< nats
  itk::Image<unsigned char, 3>::Pointer status;           ///< VoxelStatus per voxel
  itk::Image<std::uint32_t, 3>::Pointer nonFiniteSamples; ///< both series together
  MapPointer                            meanDifference;   ///< null unless asked for
  MapPointer                            varianceLogRatio; ///< null unless asked for
  MapPointer                            meanSquaredError; ///< null unless paired maps were asked for
  MapPointer                            correlation;      ///< null unless paired maps were asked for
  itk::Image<std::uint32_t, 3>::Pointer pairCounts;       ///< finite pairs per voxel (paired maps)
  itk::Image<std::uint16_t, 3>::Pointer theilerWindows;   ///< k-NN only: the window used per voxel
  MapPointer                            referenceMean;    ///< null unless asked for (FidelityMaps::referenceMean)
  ExecutionReport                       report;
  /** With KLMapJob::saveState: every voxel's accumulators (paired with paired maps). */
  std::shared_ptr<MeasureState> state;
};

/** MindAligner's reconstruction term: the mean of (generated - reference)^2 over the mask
 * and all finite pairs, from the written MSE map and pair counts (summed in voxel order in
 * double, so the same for every read path). 0 without paired maps. */
double
GlobalMeanSquaredError(const KLMaps & maps);

/** Checks the grids (InputError naming both files) and, for paired maps, the lengths; then
 * computes the maps, reading each series once. Gaussian: tiles of voxels x all time points
 * read in place from uncompressed float NIfTI, else volume by volume from each series'
 * VolumeSource (any kind). k-NN and histogram (and demeaned runs) need each voxel's whole
 * series: tiles, read in place from uncompressed float NIfTI, else from a scratch copy made
 * in one pass (OpenTileReader); the Gaussian accumulators run alongside for the status and
 * fidelity maps. Identical results for any thread count, tile count and read path. Throws
 * voxelkl::Cancelled when ExecutionOptions::cancelled says so. */
KLMaps
ComputeKLMaps(const KLMapJob & job);

/** The maps of a saved or merged state (over the grid's voxels; paired maps need a paired
 * state), as ComputeKLMaps would have written them from the samples behind it. inside:
 * empty, or the mask's flags. */
KLMaps
FinishKLMaps(const MeasureState &               state,
             const SpatialGrid &                grid,
             const std::vector<unsigned char> & inside,
             const ComparisonSettings &         settings,
             const FidelityMaps &               fidelity,
             const ExecutionOptions &           execution);

} // namespace voxelkl

#endif
