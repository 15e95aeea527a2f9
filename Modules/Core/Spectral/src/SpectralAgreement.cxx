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
  double            squaredLogs = 0.0;
  double            weightedR = 0.0; // sum r ln(r / g)
  double            weightedG = 0.0; // sum g ln(r / g)
  // One logarithm per bin: ln(r / g) gives the decibels (10 / ln 10 of it) and, shifted by
  // ln(sum g / sum r), the log ratio of the normalised spectra.
  for (std::size_t k = 1; k < bins; ++k)
  {
    const double r = reference[k] + floorR;
    const double g = generated[k] + floorG;
    totalR += r;
    totalG += g;
    const double logRatio = std::log(r / g);
    squaredLogs += logRatio * logRatio;
    weightedR += r * logRatio;
    weightedG += g * logRatio;
  }
  SpectralAgreement result;
  const double      decibelsPerNeper = 10.0 / std::log(10.0);
  result.logSpectralDistance = decibelsPerNeper * std::sqrt(squaredLogs / static_cast<double>(bins - 1));
  // p = r / R, q = g / G: ln(p / q) = ln(r / g) + ln(G / R).
  const double shift = std::log(totalG / totalR);
  double       forward = weightedR / totalR + shift;
  double       reverse = -(weightedG / totalG + shift);
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
