#include "voxelkl/NonparametricVoxelKL.h"

#include <algorithm>
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
NonparametricVoxelKL::Prepare(std::uint64_t voxel)
{
  for (unsigned int s = 0; s < 2; ++s)
  {
    std::vector<TimedSample> &  samples = m_Samples[s];
    const std::vector<double> & raw = m_Raw[s];
    samples.resize(raw.size());
    std::size_t finite = 0;
    for (std::size_t t = 0; t < raw.size(); ++t)
    {
      samples[finite] = { raw[t], static_cast<std::uint32_t>(t) };
      finite += std::isfinite(raw[t]) ? 1 : 0;
    }
    samples.resize(finite);
    if (m_Step[s] > 0.0)
    {
      Dequantise(samples, m_Step[s], voxel, s); // sorts
    }
    else
    {
      SortByValue(samples);
    }
  }
  // k = 1 also needs no value shared by the two series: the nearest q sample of a p
  // sample would be at distance 0.
  const bool sharedMatters = m_Settings.estimator == KLEstimator::NearestNeighbour && m_Settings.neighbours == 1 &&
                             SharesValue(m_Samples[0], m_Samples[1]);
  for (unsigned int s = 0; s < 2; ++s)
  {
    if (m_Step[s] == 0.0 && (sharedMatters || HasTies(m_Samples[s])))
    {
      double step = SmallestGap(m_Samples[s]);
      if (step == 0.0)
      {
        step = SmallestGap(m_Samples[1 - s]);
      }
      Dequantise(m_Samples[s], step, voxel, s);
    }
  }
}

NonparametricVoxelResult
NonparametricVoxelKL::Estimate(KLDirection direction, std::uint64_t voxel)
{
  Prepare(voxel);
  const std::vector<TimedSample> & reference = m_Samples[0];
  const std::vector<TimedSample> & generated = m_Samples[1];
  NonparametricVoxelResult         result;
  if (reference.empty() || generated.empty())
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
    const double phi = std::max(LagOneAutocorrelation(m_Raw[0].data(), m_Raw[0].size()),
                                LagOneAutocorrelation(m_Raw[1].data(), m_Raw[1].size()));
    result.window = AutomaticTheilerWindow(phi, std::min(reference.size(), generated.size()), k);
  }
  const std::size_t needed = NearestNeighbourMinimumSamples(k, result.window);
  if (reference.size() < needed || generated.size() < needed)
  {
    return result;
  }
  result.enough = true;
  const double forward =
    direction != KLDirection::Reverse ? NearestNeighbourKL(reference, generated, k, result.window, paired) : 0.0;
  const double reverse =
    direction != KLDirection::Forward ? NearestNeighbourKL(generated, reference, k, result.window, paired) : 0.0;
  result.value = forward + reverse;
  return result;
}

} // namespace voxelkl
