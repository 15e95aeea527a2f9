#include "voxelkl/SeriesComparisonArray.h"

#include <tuple>

namespace voxelkl
{

void
SeriesComparisonArray::AllocateSeries()
{
  const std::lock_guard<std::mutex> lock(m_AllocationLock.mutex);
  if (m_Reference.size() != size())
  {
    m_Reference.Resize(size());
    m_Generated.Resize(size());
  }
}

void
SeriesComparisonArray::Detach(std::size_t first, std::size_t count)
{
  AllocateSeries();
  double * pairs[8];
  double * reference[5];
  double * generated[5];
  m_Pairs.State(first, pairs);
  m_Reference.State(first, reference);
  m_Generated.State(first, generated);
  for (std::size_t i = 0; i < count; ++i)
  {
    if (m_Detached[first + i] != 0.0)
    {
      continue;
    }
    // Until now every value was finite and in a pair: each series' moments are the pairs'
    // (count, shift, shifted mean, M2), and nothing was skipped.
    for (auto [series, shift, mean, m2] : { std::tuple{ reference, 1, 3, 5 }, std::tuple{ generated, 2, 4, 6 } })
    {
      series[0][i] = pairs[0][i];
      series[1][i] = pairs[shift][i];
      series[2][i] = pairs[mean][i];
      series[3][i] = pairs[m2][i];
      series[4][i] = 0.0;
    }
    m_Detached[first + i] = 1.0;
  }
}

void
SeriesComparisonArray::Restore(std::size_t                 v,
                               const VarianceAccumulator & reference,
                               const VarianceAccumulator & generated,
                               const CoMomentState &       pairs)
{
  AllocateSeries();
  m_WholeInStep.Set(false);
  m_Detached[v] = 1.0;
  m_Reference.Set(v, reference);
  m_Generated.Set(v, generated);
  m_Pairs.SetRaw(v, pairs);
}

VarianceAccumulator
SeriesComparisonArray::Reference(std::size_t v) const
{
  if (m_Detached[v] != 0.0)
  {
    return m_Reference.Get(v);
  }
  const PairedMoments pairs = m_Pairs.Get(v);
  return VarianceAccumulator::FromState(pairs.count, m_Pairs.ShiftX(v), m_Pairs.ShiftedMeanX(v), pairs.m2X, 0);
}

VarianceAccumulator
SeriesComparisonArray::Generated(std::size_t v) const
{
  if (m_Detached[v] != 0.0)
  {
    return m_Generated.Get(v);
  }
  const PairedMoments pairs = m_Pairs.Get(v);
  return VarianceAccumulator::FromState(pairs.count, m_Pairs.ShiftY(v), m_Pairs.ShiftedMeanY(v), pairs.m2Y, 0);
}

} // namespace voxelkl
