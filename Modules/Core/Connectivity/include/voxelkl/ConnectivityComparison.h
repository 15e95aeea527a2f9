// Functional connectivity of a reference and a generated series compared, from their region
// time series: which regions can be used, each series' correlation matrix and Fisher z
// values, the agreement of the two matrices, and the KL divergence between the multivariate
// Gaussians of the region time series (Ledoit-Wolf covariances). Pure C++.
//
// Nothing here pairs time point t of one series with time point t of the other: the
// series may differ in length.
#ifndef voxelkl_ConnectivityComparison_h
#define voxelkl_ConnectivityComparison_h

#include "voxelkl/ConnectivityMath.h"
#include "voxelkl/GaussianKL.h"
#include "voxelkl/RegionTimeSeries.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace voxelkl
{

/** Why a region is (not) in the matrices. Decided in this order:
 *  1. NoVoxel: no voxel of the region inside the mask (or on the series' grid);
 *  2. NoFiniteValue: at every time point of a series all its voxels are NaN or inf;
 *  then, per series, a time point where a remaining region has no finite voxel is censored
 *  (left out of that series' correlations, means and covariance);
 *  3. Constant: its mean time series takes one value over a series' kept time points (its
 *  correlations do not exist);
 *  the others are Used. */
enum class RegionStatus
{
  Used,
  NoVoxel,
  NoFiniteValue,
  Constant
};

/** "used", "no voxel in the mask", "no finite value", "constant". */
std::string
ToString(RegionStatus status);

struct RegionOutcome
{
  RegionStatus status{ RegionStatus::Used };
  bool         reference{ false }; ///< NoFiniteValue / Constant: in the reference series
  bool         generated{ false }; ///< ... in the generated series
};

/** What cannot be computed at all. */
enum class ConnectivityProblem
{
  None,
  TooFewRegions,             ///< fewer than 2 used regions
  TooFewReferenceTimePoints, ///< fewer than 2 kept time points in the reference
  TooFewGeneratedTimePoints, ///< ... in the generated series
};

/** One series' connectivity over the used regions (in ascending label order). */
struct SeriesConnectivity
{
  std::size_t              timePoints{ 0 }; ///< of the series
  std::vector<std::size_t> censored;        ///< time points left out (0-based)
  Matrix                   correlation;     ///< Pearson r of the region means, p x p
  Matrix                   fisherZ;         ///< FisherZ of correlation (diagonal: FisherZ(1))
  LedoitWolfEstimate       covariance;      ///< of the region means over the kept time points
  std::optional<double>    logDeterminant;  ///< ln det of the shrunk covariance
};

struct ConnectivityComparison
{
  std::vector<RegionOutcome> regions;                              ///< one per region of the RegionVoxels
  std::vector<std::size_t>   used;                                 ///< indices of the used regions, ascending
  ConnectivityProblem        problem{ ConnectivityProblem::None }; ///< when set, nothing below is
  SeriesConnectivity         reference;
  SeriesConnectivity         generated;
  /** Region pairs i < j of the upper triangles: p (p - 1) / 2. */
  std::size_t pairs{ 0 };
  /** Pearson r between the upper triangles' Fisher z values of the two matrices; none for
   * fewer than 2 pairs (p < 3) or a triangle that does not vary. */
  std::optional<double> matrixSimilarity;
  /** Mean over the pairs of (z_generated - z_reference)^2. */
  double meanSquaredZDifference{ 0.0 };
  /** Per used region: Pearson r between its row of Fisher z values in the two matrices,
   * the diagonal left out; none for p < 3 or a row that does not vary. */
  std::vector<std::optional<double>> profileCorrelation;
  /** KL between the multivariate Gaussians (means and Ledoit-Wolf covariances of the region
   * time series): KL(reference || generated) and KL(generated || reference); none when a
   * shrunk covariance is not positive definite. */
  std::optional<double> forwardKL;
  std::optional<double> reverseKL;

  /** The divergence of the given direction (symmetric: the sum of both). */
  std::optional<double>
  GaussianDivergence(KLDirection direction) const;
};

/** Compares the connectivity of two series' region time series, over the same regions
 * (reference.RegionCount() == generated.RegionCount() == regions.RegionCount()). */
ConnectivityComparison
CompareConnectivity(const RegionVoxels &     regions,
                    const RegionTimeSeries & reference,
                    const RegionTimeSeries & generated);

} // namespace voxelkl

#endif
