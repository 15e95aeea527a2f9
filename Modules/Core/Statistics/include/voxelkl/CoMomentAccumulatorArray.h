// Paired moments (co-moment) of many voxels at once, in a form the compiler vectorises.
#ifndef voxelkl_CoMomentAccumulatorArray_h
#define voxelkl_CoMomentAccumulatorArray_h

#include "voxelkl/PairedMoments.h"

#include <cstddef>
#include <vector>

namespace voxelkl
{

namespace detail
{
/** The kernel for float and double values (src/CoMomentAccumulatorArray.cxx), compiled per
 * instruction set like the variance kernel. state: count, shiftX, shiftY, meanX, meanY,
 * m2X, m2Y, c, each at the first voxel. */
void
PushCoMomentTimePoint(std::size_t           count,
                      const float *         x,
                      const float *         y,
                      const unsigned char * inside,
                      double *              state[8]);
void
PushCoMomentTimePoint(std::size_t           count,
                      const double *        x,
                      const double *        y,
                      const unsigned char * inside,
                      double *              state[8]);
/** Adds the pairs when every voxel is in step (equal counts, finite values, none detached);
 * returns false, changing nothing, otherwise. */
bool
PushPairsInStep(std::size_t count, const float * x, const float * y, double * state[8], const double * detached);
bool
PushPairsInStep(std::size_t count, const double * x, const double * y, double * state[8], const double * detached);
/** A run of voxels and `steps` consecutive pairs of time points (step s at x + s * stride
 * and y + s * stride; at most MaxUniformSteps), with the run's state and detached flags. */
template <typename T>
struct PairSteps
{
  std::size_t    count;
  const T *      x;
  const T *      y;
  std::size_t    stride;
  std::size_t    steps;
  double **      state; ///< the eight fields at the run's first voxel
  const double * detached;
};
/** Adds the steps to the voxels while they are in step, each voxel's moments in registers
 * across the steps: the same bits as `steps` calls of PushPairsInStep
 * (src/VarianceStepsKernels.cxx, for float and double, by vector width like
 * PushVarianceTimePointsUniform). Returns how many voxels, from the first, it updated: it
 * stops, leaving the rest unchanged, at the first group of voxels that is not in step or
 * meets a value that is not finite. */
template <typename T>
std::size_t
PushPairTimePointsInStep(const PairSteps<T> & in);
/** The same when the caller knows the counts are equal and no voxel is detached: only the
 * values are checked. */
bool
PushPairsKnownInStep(std::size_t count, const float * x, const float * y, double * state[8]);
bool
PushPairsKnownInStep(std::size_t count, const double * x, const double * y, double * state[8]);
} // namespace detail

/** The raw state of one voxel's paired moments, as the array keeps it: count, shiftX,
 * shiftY, shifted meanX, shifted meanY, m2X, m2Y, c. */
using CoMomentState = double[8];

/** Merges the pairs of b into a (Chan et al. 1979; Pebay 2008): the moments of the union
 * of the two samples, expressed relative to a's shifts. Written as
 * CentralMomentAccumulator::Merge, so that the X and Y parts of a merged state equal the
 * merged series moments of the same pairs. */
void
MergeCoMoments(CoMomentState & a, const CoMomentState & b);

/** The paired moments of `size` voxels, updated a time point at a time: one pass, shifted by
 * each voxel's first pair (as the single-series accumulators), Welford/Pebay updates of
 * both means, both M2 and the co-moment C. A pair counts only when both values are finite
 * (and the voxel is inside the mask), so r and MSE are over the same time points for both
 * series. Each voxel's result depends only on its own pairs in time order: identical for any
 * split of the voxels into runs, threads and tiles. */
class CoMomentAccumulatorArray
{
public:
  explicit CoMomentAccumulatorArray(std::size_t size = 0) { Resize(size); }

  /** `size` voxels without pairs (the memory is kept when it is large enough). */
  void
  Resize(std::size_t size)
  {
    for (auto & field : m_Fields)
    {
      field.assign(size, 0.0);
    }
  }
  std::size_t
  size() const
  {
    return m_Fields[0].size();
  }

  /** Adds (x[i], y[i]) as the next pair of voxel first + i, for i < count; voxels whose
   * inside flag is 0 are left alone (inside may be null). T is float or double. */
  template <typename T>
  void
  PushTimePoint(std::size_t first, std::size_t count, const T * x, const T * y, const unsigned char * inside)
  {
    double * state[8];
    State(first, state);
    detail::PushCoMomentTimePoint(count, x, y, inside, state);
  }

  /** The shifts and shifted means behind Get's means (for SeriesComparisonArray). */
  double
  ShiftX(std::size_t v) const
  {
    return m_Fields[1][v];
  }
  double
  ShiftY(std::size_t v) const
  {
    return m_Fields[2][v];
  }
  double
  ShiftedMeanX(std::size_t v) const
  {
    return m_Fields[3][v];
  }
  double
  ShiftedMeanY(std::size_t v) const
  {
    return m_Fields[4][v];
  }

  /** Pointers to the eight fields at voxel first. */
  void
  State(std::size_t first, double * state[8])
  {
    for (int k = 0; k < 8; ++k)
    {
      state[k] = m_Fields[k].data() + first;
    }
  }

  /** The raw state of voxel v (saving a state), and putting it back (restoring one). */
  void
  GetRaw(std::size_t v, CoMomentState & state) const
  {
    for (int k = 0; k < 8; ++k)
    {
      state[k] = m_Fields[k][v];
    }
  }
  void
  SetRaw(std::size_t v, const CoMomentState & state)
  {
    for (int k = 0; k < 8; ++k)
    {
      m_Fields[k][v] = state[k];
    }
  }

  PairedMoments
  Get(std::size_t v) const
  {
    PairedMoments moments;
    moments.count = m_Fields[0][v];
    moments.meanX = m_Fields[1][v] + m_Fields[3][v];
    moments.meanY = m_Fields[2][v] + m_Fields[4][v];
    moments.m2X = m_Fields[5][v];
    moments.m2Y = m_Fields[6][v];
    moments.c = m_Fields[7][v];
    if (moments.count == 0.0)
    {
      moments.meanX = moments.meanY = 0.0;
    }
    return moments;
  }

private:
  std::vector<double> m_Fields[8]; // count, shiftX, shiftY, meanX, meanY (shifted), m2X, m2Y, c
};

} // namespace voxelkl

#endif
