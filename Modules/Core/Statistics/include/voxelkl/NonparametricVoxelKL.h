// The non-parametric KL of one voxel from the whole time series of both series: sample
// preparation (finite samples, dequantisation, Theiler window) and the estimate in the
// requested direction (pure C++).
#ifndef voxelkl_NonparametricVoxelKL_h
#define voxelkl_NonparametricVoxelKL_h

#include "voxelkl/GaussianKL.h"
#include "voxelkl/NonparametricKL.h"
#include "voxelkl/SortedPair.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace voxelkl
{

/** Which estimator, and what a non-parametric one needs besides the samples. */
struct EstimatorSettings
{
  KLEstimator estimator{ KLEstimator::Gaussian }; ///< NonparametricVoxelKL needs another

  unsigned int neighbours{ 5 };     ///< k of the k-NN estimator
  int          theilerWindow{ -1 }; ///< half-width in volumes; -1: AutomaticTheilerWindow per voxel
  unsigned int bins{ 0 };           ///< histogram bins; 0: FreedmanDiaconisBins per voxel
  double       pseudocount{ 0.5 };  ///< added to every histogram bin (Krichevsky-Trofimov)

  /** "knn (k = 5, Theiler window automatic)", "gaussian", for summaries and PrintSelf. */
  std::string
  Describe() const;
};

struct NonparametricVoxelResult
{
  double       value{ 0.0 };
  unsigned int window{ 0 };     ///< the Theiler window used (k-NN)
  bool         enough{ false }; ///< false: too few finite samples for the estimator; value 0
};

/** Holds the two series of one voxel and estimates their KL. One per thread: its buffers
 * are reused from voxel to voxel.
 *
 * Preparation, the same for both estimators:
 * - Non-finite samples are left out; the others keep their time point.
 * - Dequantisation: a series stored as integers (quantisation step s = the NIfTI
 *   scl_slope, 1 unscaled) has every sample v_t replaced by v_t + s (u - 1/2), u uniform
 *   in [0, 1) from DequantisationUniform(voxel, series, t): deterministic, and never
 *   dropping a sample. A float series is left as it is unless a value occurs twice in it
 *   (or, for k = 1, in both series); then s is the smallest positive gap between its
 *   values (of both series if it has none).
 * - Theiler window (k-NN): the given one, or AutomaticTheilerWindow of the larger lag-1
 *   autocorrelation of the two series. Paired series (the same number of time points)
 *   exclude the window from the cross distances too. */
class NonparametricVoxelKL
{
public:
  explicit NonparametricVoxelKL(const EstimatorSettings & settings)
    : m_Settings(settings)
  {
  }

  /** Copies series `series` (0 reference, 1 generated) of the voxel: value t at
   * first[t * stride]. step: its quantisation step (0 for float data). */
  template <typename T>
  void
  Load(unsigned int series, const T * first, std::ptrdiff_t stride, std::size_t timePoints, double step)
  {
    std::vector<double> & raw = m_Raw[series];
    raw.resize(timePoints);
    for (std::size_t t = 0; t < timePoints; ++t)
    {
      raw[t] = static_cast<double>(first[static_cast<std::ptrdiff_t>(t) * stride]);
    }
    m_Step[series] = step;
  }

  /** The KL of the loaded series; voxel: its index in the whole grid (seeds the jitter). */
  NonparametricVoxelResult
  Estimate(KLDirection direction, std::uint64_t voxel);

private:
  void
  Prepare(std::uint64_t voxel);
  void
  Jitter(unsigned int series, double step, std::uint64_t voxel);
  void
  Sort();
  void
  Resort();

  EstimatorSettings         m_Settings;
  std::vector<double>       m_Raw[2];
  double                    m_Step[2]{ 0.0, 0.0 };
  std::vector<double>       m_Values[2]; // the finite samples, where they are not the loaded ones: dequantised
  std::vector<std::int32_t> m_Times[2];
  bool                      m_TimesInOrder[2]{ false, false }; // m_Times[s] is 0, 1, ... (every sample finite)
  // What each series is sorted from: its loaded values (all finite, not dequantised) or
  // m_Values, and how many.
  const double * m_Series[2]{ nullptr, nullptr };
  std::size_t    m_Sizes[2]{ 0, 0 };
  SortedPair     m_Pair;
};

} // namespace voxelkl

#endif
