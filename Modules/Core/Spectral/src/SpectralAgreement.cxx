#include "voxelkl/SpectralAgreement.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace voxelkl
{

std::pair<std::size_t, std::size_t>
BandBins(const WelchSettings & settings, const FrequencyBand & band)
{
  std::size_t first = settings.Bins();
  std::size_t last = 0;
  for (std::size_t k = 1; k < settings.Bins(); ++k)
  {
    const double f = settings.Frequency(k);
    if (f >= band.low && f <= band.high)
    {
      first = std::min(first, k);
      last = k + 1;
    }
  }
  return first < last ? std::pair{ first, last } : std::pair{ std::size_t{ 0 }, std::size_t{ 0 } };
}

bool
HasPower(const double * psd, const WelchSettings & settings)
{
  for (std::size_t k = 1; k < settings.Bins(); ++k)
  {
    if (psd[k] > 0.0)
    {
      return true;
    }
  }
  return false;
}

SpectralAgreement
CompareSpectra(const double *        reference,
               const double *        generated,
               const WelchSettings & settings,
               const FrequencyBand & band,
               KLDirection           direction)
{
  const std::size_t bins = settings.Bins();
  const auto        floorOf = [bins](const double * psd) { return 1e-12 * *std::max_element(psd + 1, psd + bins); };
  const double      floorR = floorOf(reference);
  const double      floorG = floorOf(generated);
  double            totalR = 0.0;
  double            totalG = 0.0;
  double            squaredDecibels = 0.0;
  for (std::size_t k = 1; k < bins; ++k)
  {
    const double r = reference[k] + floorR;
    const double g = generated[k] + floorG;
    totalR += r;
    totalG += g;
    const double decibels = 10.0 * std::log10(g / r);
    squaredDecibels += decibels * decibels;
  }
  SpectralAgreement result;
  result.logSpectralDistance = std::sqrt(squaredDecibels / static_cast<double>(bins - 1));
  double forward = 0.0;
  double reverse = 0.0;
  for (std::size_t k = 1; k < bins; ++k)
  {
    const double p = (reference[k] + floorR) / totalR;
    const double q = (generated[k] + floorG) / totalG;
    const double logRatio = std::log(p / q);
    forward += p * logRatio;
    reverse -= q * logRatio;
  }
  // Both are >= 0 for distributions; rounding can take a near-zero sum just below.
  forward = std::max(forward, 0.0);
  reverse = std::max(reverse, 0.0);
  result.spectralKL = direction == KLDirection::Forward   ? forward
                      : direction == KLDirection::Reverse ? reverse
                                                          : forward + reverse;
  const auto [first, last] = BandBins(settings, band);
  double amplitudeR = 0.0;
  double amplitudeG = 0.0;
  for (std::size_t k = 1; k < bins; ++k)
  {
    const double ar = std::sqrt(reference[k]);
    const double ag = std::sqrt(generated[k]);
    amplitudeR += ar;
    amplitudeG += ag;
    if (k >= first && k < last)
    {
      result.alffReference += ar;
      result.alffGenerated += ag;
    }
  }
  result.falffReference = amplitudeR > 0.0 ? result.alffReference / amplitudeR : 0.0;
  result.falffGenerated = amplitudeG > 0.0 ? result.alffGenerated / amplitudeG : 0.0;
  const double epsilon = 1e-12 * (amplitudeR + amplitudeG);
  result.alffRatio = (result.alffGenerated + epsilon) / (result.alffReference + epsilon);
  result.falffRatio = (result.falffGenerated + 1e-12) / (result.falffReference + 1e-12);
  return result;
}

} // namespace voxelkl
