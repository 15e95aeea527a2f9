#include "voxelkl/NonparametricVoxelKL.h"

#include <algorithm>
#include <numeric>
#include <sstream>

namespace voxelkl
{

std::string
EstimatorSettings::Describe() const
{
  std::ostringstream text;
  text << ToString(estimator);
  if (estimator == KLEstimator::NearestNeighbour)
  {
    text << " (k = " << neighbours << ", Theiler window "
         << (theilerWindow < 0 ? std::string("automatic") : std::to_string(theilerWindow)) << ")";
  }
  else if (estimator == KLEstimator::Histogram)
  {
    text << " (bins " << (bins == 0 ? std::string("Freedman-Diaconis") : std::to_string(bins)) << ", pseudocount "
         << pseudocount << ")";
  }
  return text.str();
}

void
NonparametricVoxelKL::Jitter(unsigned int series, double step, std::uint64_t voxel)
{
  std::vector<double> & values = m_Values[series];
  if (m_Series[series] != values.data())
  {
    // The series was sorted from its loaded values: jitter a copy of them.
    values.assign(m_Series[series], m_Series[series] + m_Sizes[series]);
    m_Series[series] = values.data();
  }
  const std::vector<std::int32_t> & times = m_Times[series];
  for (std::size_t i = 0; i < values.size(); ++i)
  {
    values[i] += step * (DequantisationUniform(voxel, series, static_cast<std::uint32_t>(times[i])) - 0.5);
  }
}

void
NonparametricVoxelKL::Sort()
{
  const std::int32_t * const times[2] = { m_Times[0].data(), m_Times[1].data() };
  m_Pair.Sort(m_Series, times, m_Sizes);
}

// Each value moved by less than half its series' smallest gap: Resort's insertion has
// little to do.
void
NonparametricVoxelKL::Resort()
{
  m_Pair.Resort(m_Series);
}

void
NonparametricVoxelKL::Prepare(std::uint64_t voxel)
{
  for (unsigned int s = 0; s < 2; ++s)
  {
    const std::vector<double> & raw = m_Raw[s];
    std::vector<std::int32_t> & times = m_Times[s];
    if (AllFinite(raw.data(), raw.size()))
    {
      // The usual case: sorted from the loaded values themselves (Jitter copies them),
      // their time points 0, 1, ... kept from the voxel before where the length is the same.
      if (!m_TimesInOrder[s] || times.size() != raw.size())
      {
        times.resize(raw.size());
        std::iota(times.begin(), times.end(), std::int32_t{ 0 });
        m_TimesInOrder[s] = true;
      }
      m_Series[s] = raw.data();
      m_Sizes[s] = raw.size();
    }
    else
    {
      std::vector<double> & values = m_Values[s];
      values.resize(raw.size());
      times.resize(raw.size());
      std::size_t finite = 0;
      for (std::size_t t = 0; t < raw.size(); ++t)
      {
        values[finite] = raw[t];
        times[finite] = static_cast<std::int32_t>(t);
        finite += std::isfinite(raw[t]) ? 1 : 0;
      }
      values.resize(finite);
      times.resize(finite);
      m_TimesInOrder[s] = false;
      m_Series[s] = values.data();
      m_Sizes[s] = finite;
    }
    if (m_Step[s] > 0.0)
    {
      Jitter(s, m_Step[s], voxel);
    }
  }
  Sort();
  // k = 1 also needs no value shared by the two series: the nearest q sample of a p
  // sample would be at distance 0.
  const bool sharedMatters =
    m_Settings.estimator == KLEstimator::NearestNeighbour && m_Settings.neighbours == 1 && m_Pair.SharesValue();
  const bool tied[2] = { m_Step[0] == 0.0 && (sharedMatters || m_Pair.HasTies(0)),
                         m_Step[1] == 0.0 && (sharedMatters || m_Pair.HasTies(1)) };
  for (unsigned int s = 0; s < 2; ++s)
  {
    if (tied[s])
    {
      if (s == 1 && tied[0])
      {
        Resort(); // series 0 was jittered: its gaps are those of its new values
      }
      double step = m_Pair.SmallestGap(s);
      if (step == 0.0)
      {
        step = m_Pair.SmallestGap(1 - s);
      }
      Jitter(s, step, voxel);
    }
  }
  if (tied[0] || tied[1])
  {
    Resort();
  }
}

NonparametricVoxelResult
NonparametricVoxelKL::Estimate(KLDirection direction, std::uint64_t voxel)
{
  Prepare(voxel);
  const SortedSeries       reference = m_Pair.Series(0);
  const SortedSeries       generated = m_Pair.Series(1);
  NonparametricVoxelResult result;
  if (reference.size == 0 || generated.size == 0)
  {
    return result;
  }
  if (m_Settings.estimator == KLEstimator::Histogram)
  {
    const HistogramDivergences h = HistogramKL(reference, generated, m_Settings.bins, m_Settings.pseudocount);
    result.value = direction == KLDirection::Forward   ? h.forward
                   : direction == KLDirection::Reverse ? h.reverse
                                                       : h.forward + h.reverse;
    result.enough = true;
    return result;
  }
  const unsigned int k = m_Settings.neighbours;
  const bool         paired = m_Raw[0].size() == m_Raw[1].size();
  if (m_Settings.theilerWindow >= 0)
  {
    result.window = static_cast<unsigned int>(m_Settings.theilerWindow);
  }
  else
  {
    const double phi = LargerLagOneAutocorrelation(m_Raw[0].data(), m_Raw[0].size(), m_Raw[1].data(), m_Raw[1].size());
    result.window = AutomaticTheilerWindow(phi, std::min(reference.size, generated.size), k);
  }
  const std::size_t needed = NearestNeighbourMinimumSamples(k, result.window);
  if (reference.size < needed || generated.size < needed)
  {
    return result;
  }
  result.enough = true;
  const double forward = direction != KLDirection::Reverse
                           ? NearestNeighbourKL(reference, generated, m_Pair.Insertion(0), k, result.window, paired)
                           : 0.0;
  const double reverse = direction != KLDirection::Forward
                           ? NearestNeighbourKL(generated, reference, m_Pair.Insertion(1), k, result.window, paired)
                           : 0.0;
  result.value = forward + reverse;
  return result;
}

} // namespace voxelkl
