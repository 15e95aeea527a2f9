// The per-voxel accumulators of a mergeable measure, as numbers: what a partial result
// (a subject, a run) saves, and what merging partial results combines.
#ifndef voxelkl_MeasureState_h
#define voxelkl_MeasureState_h

#include "voxelkl/CoMomentAccumulatorArray.h"
#include "voxelkl/MomentAccumulator.h"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace voxelkl
{

/** Which accumulators a state holds per voxel. Only measures whose merge is exact have one:
 * moments (Pebay) and co-moments merge, k-NN and histogram estimates do not. */
enum class StateKind
{
  Comparison,       ///< each series' order-2 moments (Gaussian KL, mean difference, variance ratio)
  PairedComparison, ///< the same and the pairs' co-moments (MSE, correlation)
  Moments           ///< one series' order-4 moments (VoxelMoments)
};

inline const char *
ToString(StateKind kind)
{
  switch (kind)
  {
    case StateKind::Comparison:
      return "comparison";
    case StateKind::PairedComparison:
      return "pairedComparison";
    case StateKind::Moments:
      return "moments";
  }
  return "?";
}

/** The names of the fields of a state, in storage order (each field holds one number per
 * voxel): the raw state of the accumulators (CentralMomentAccumulator::RawFields,
 * CoMomentState), so that saving and restoring changes no bit. */
inline std::vector<std::string>
StateFieldNames(StateKind kind)
{
  const std::vector<std::string> series{ "count", "shift", "shiftedMean", "m2", "skipped" };
  std::vector<std::string>       names;
  if (kind == StateKind::Moments)
  {
    names = series;
    names.insert(names.end(), { "m3", "m4", "min", "max" });
    return names;
  }
  for (const char * prefix : { "reference.", "generated." })
  {
    for (const std::string & name : series)
    {
      names.push_back(prefix + name);
    }
  }
  if (kind == StateKind::PairedComparison)
  {
    for (const char * name : { "count", "shiftX", "shiftY", "shiftedMeanX", "shiftedMeanY", "m2X", "m2Y", "c" })
    {
      names.push_back(std::string("pairs.") + name);
    }
  }
  return names;
}

/** The state of a measure over `voxels` voxels, one array of doubles per field. */
class MeasureState
{
public:
  MeasureState() = default;
  MeasureState(StateKind kind, std::size_t voxels)
    : m_Kind(kind)
    , m_Voxels(voxels)
    , m_FieldCount(StateFieldNames(kind).size())
    , m_Values(m_FieldCount * voxels, 0.0)
  {
    if (kind == StateKind::Moments)
    {
      // An empty order-4 accumulator has min +inf and max -inf.
      std::fill(Field(7), Field(7) + voxels, MomentAccumulator().RawFields()[7]);
      std::fill(Field(8), Field(8) + voxels, MomentAccumulator().RawFields()[8]);
    }
  }

  StateKind
  Kind() const
  {
    return m_Kind;
  }
  std::size_t
  Voxels() const
  {
    return m_Voxels;
  }
  std::size_t
  FieldCount() const
  {
    return m_FieldCount;
  }
  double *
  Field(std::size_t f)
  {
    return m_Values.data() + f * m_Voxels;
  }
  const double *
  Field(std::size_t f) const
  {
    return m_Values.data() + f * m_Voxels;
  }

  /** Series moments of voxel v: reference (0), generated (1), or the only series of a
   * moments state (use MomentsAt). */
  VarianceAccumulator
  SeriesAt(std::size_t v, unsigned int series) const
  {
    VarianceAccumulator::RawState f;
    for (unsigned int k = 0; k < f.size(); ++k)
    {
      f[k] = Field(series * 5 + k)[v];
    }
    return VarianceAccumulator::FromRawFields(f);
  }
  void
  SetSeries(std::size_t v, unsigned int series, const VarianceAccumulator & a)
  {
    const VarianceAccumulator::RawState f = a.RawFields();
    for (unsigned int k = 0; k < f.size(); ++k)
    {
      Field(series * 5 + k)[v] = f[k];
    }
  }
  void
  PairsAt(std::size_t v, CoMomentState & pairs) const
  {
    for (unsigned int k = 0; k < 8; ++k)
    {
      pairs[k] = Field(10 + k)[v];
    }
  }
  void
  SetPairs(std::size_t v, const CoMomentState & pairs)
  {
    for (unsigned int k = 0; k < 8; ++k)
    {
      Field(10 + k)[v] = pairs[k];
    }
  }
  MomentAccumulator
  MomentsAt(std::size_t v) const
  {
    MomentAccumulator::RawState f;
    for (unsigned int k = 0; k < f.size(); ++k)
    {
      f[k] = Field(k)[v];
    }
    return MomentAccumulator::FromRawFields(f);
  }
  void
  SetMoments(std::size_t v, const MomentAccumulator & a)
  {
    const MomentAccumulator::RawState f = a.RawFields();
    for (unsigned int k = 0; k < f.size(); ++k)
    {
      Field(k)[v] = f[k];
    }
  }

  /** Adds the samples of other, voxel by voxel (Pebay's merge of each accumulator): the
   * state of one series that held both samples, to rounding. Rounding depends on the order
   * of merges; the result does not, beyond it. other must be of the same kind and size. */
  void
  Merge(const MeasureState & other)
  {
    if (other.m_Kind != m_Kind || other.m_Voxels != m_Voxels)
    {
      throw std::invalid_argument("MeasureState::Merge: states of different kinds or sizes");
    }
    for (std::size_t v = 0; v < m_Voxels; ++v)
    {
      if (m_Kind == StateKind::Moments)
      {
        MomentAccumulator a = MomentsAt(v);
        a.Merge(other.MomentsAt(v));
        SetMoments(v, a);
        continue;
      }
      for (unsigned int series = 0; series < 2; ++series)
      {
        VarianceAccumulator a = SeriesAt(v, series);
        a.Merge(other.SeriesAt(v, series));
        SetSeries(v, series, a);
      }
      if (m_Kind == StateKind::PairedComparison)
      {
        CoMomentState a;
        CoMomentState b;
        PairsAt(v, a);
        other.PairsAt(v, b);
        MergeCoMoments(a, b);
        SetPairs(v, a);
      }
    }
  }

  /** A paired comparison without its pairs: what merges with unpaired comparisons. */
  MeasureState
  WithoutPairs() const
  {
    if (m_Kind != StateKind::PairedComparison)
    {
      return *this;
    }
    MeasureState unpaired(StateKind::Comparison, m_Voxels);
    std::copy(
      m_Values.begin(), m_Values.begin() + static_cast<std::ptrdiff_t>(10 * m_Voxels), unpaired.m_Values.begin());
    return unpaired;
  }

private:
  StateKind           m_Kind{ StateKind::Comparison };
  std::size_t         m_Voxels{ 0 };
  std::size_t         m_FieldCount{ 0 };
  std::vector<double> m_Values; // field-major
};

} // namespace voxelkl

#endif
