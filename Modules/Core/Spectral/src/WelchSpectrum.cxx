#include "voxelkl/WelchSpectrum.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>

namespace voxelkl
{
namespace
{
// FFTW's planner is not thread-safe; executing distinct plans is.
std::mutex g_Planner;
} // namespace

struct WelchEstimator::Fftw
{
  double *       input{ nullptr };
  fftw_complex * output{ nullptr };
  fftw_plan      plan{ nullptr };

  explicit Fftw(std::size_t length)
  {
    const std::lock_guard<std::mutex> lock(g_Planner);
    input = fftw_alloc_real(length);
    output = fftw_alloc_complex(length / 2 + 1);
    if (input == nullptr || output == nullptr)
    {
      fftw_free(input);
      fftw_free(output);
      throw std::bad_alloc();
    }
    // FFTW_ESTIMATE: the plan does not depend on timings, so neither do the bits.
    plan = fftw_plan_dft_r2c_1d(static_cast<int>(length), input, output, FFTW_ESTIMATE);
  }
  ~Fftw()
  {
    const std::lock_guard<std::mutex> lock(g_Planner);
    fftw_destroy_plan(plan);
    fftw_free(input);
    fftw_free(output);
  }
};

WelchSettings
WelchSettings::ForLength(std::size_t timePoints, double timeStep)
{
  WelchSettings settings;
  settings.segmentLength = std::min<std::size_t>(timePoints, 128);
  settings.overlap = settings.segmentLength / 2;
  settings.timeStep = timeStep;
  return settings;
}

WelchEstimator::WelchEstimator(const WelchSettings & settings)
  : m_Settings(settings)
  , m_Window(settings.segmentLength)
{
  const std::size_t length = settings.segmentLength;
  if (length < 2 || settings.overlap >= length || !(settings.timeStep > 0.0))
  {
    throw std::invalid_argument("WelchEstimator: invalid settings");
  }
  // scipy.signal.get_window('hann', L): the periodic Hann window, 0.5 - 0.5 cos(2 pi n / L).
  const double pi = std::acos(-1.0);
  double       squares = 0.0;
  for (std::size_t n = 0; n < length; ++n)
  {
    m_Window[n] = 0.5 - 0.5 * std::cos(2.0 * pi * static_cast<double>(n) / static_cast<double>(length));
    squares += m_Window[n] * m_Window[n];
  }
  m_Scale = settings.timeStep / squares; // 1 / (fs sum w^2), fs = 1 / TR
  m_Fftw = std::make_unique<Fftw>(length);
}

WelchEstimator::~WelchEstimator() = default;

bool
WelchEstimator::Estimate(const double *                   values,
                         std::ptrdiff_t                   stride,
                         const std::vector<std::size_t> & runs,
                         double *                         psd)
{
  const std::size_t length = m_Settings.segmentLength;
  const std::size_t bins = m_Settings.Bins();
  std::size_t       total = 0;
  std::size_t       segments = 0;
  for (const std::size_t run : runs)
  {
    total += run;
    segments += m_Settings.SegmentsIn(run);
  }
  if (segments == 0)
  {
    return false;
  }
  for (std::size_t t = 0; t < total; ++t)
  {
    if (!std::isfinite(values[static_cast<std::ptrdiff_t>(t) * stride]))
    {
      return false;
    }
  }
  std::fill(psd, psd + bins, 0.0);
  double *             x = m_Fftw->input;
  const fftw_complex * spectrum = m_Fftw->output;
  // The least-squares line over n = 0 .. L-1 (scipy.signal.detrend 'linear'): with the
  // centred index c = n - (L - 1) / 2, slope = sum c x / sum c^2, and the line passes
  // through the segment's mean at the centre.
  const double centre = (static_cast<double>(length) - 1.0) / 2.0;
  const double indexSquares = static_cast<double>(length) * (static_cast<double>(length) * length - 1.0) / 12.0;
  std::size_t  runStart = 0;
  for (const std::size_t run : runs)
  {
    for (std::size_t s = 0; s < m_Settings.SegmentsIn(run); ++s)
    {
      const double * segment = values + static_cast<std::ptrdiff_t>(runStart + s * m_Settings.Step()) * stride;
      double         sum = 0.0;
      double         cross = 0.0;
      for (std::size_t n = 0; n < length; ++n)
      {
        const double v = segment[static_cast<std::ptrdiff_t>(n) * stride];
        sum += v;
        cross += (static_cast<double>(n) - centre) * v;
      }
      const double mean = sum / static_cast<double>(length);
      const double slope = cross / indexSquares;
      for (std::size_t n = 0; n < length; ++n)
      {
        const double v = segment[static_cast<std::ptrdiff_t>(n) * stride];
        x[n] = (v - mean - slope * (static_cast<double>(n) - centre)) * m_Window[n];
      }
      fftw_execute(m_Fftw->plan);
      for (std::size_t k = 0; k < bins; ++k)
      {
        psd[k] += spectrum[k][0] * spectrum[k][0] + spectrum[k][1] * spectrum[k][1];
      }
    }
    runStart += run;
  }
  // One-sided: every bin but 0 (and Nyquist, for even L) holds the power of +f and -f.
  const double scale = m_Scale / static_cast<double>(segments);
  for (std::size_t k = 0; k < bins; ++k)
  {
    const bool single = k == 0 || (length % 2 == 0 && k == bins - 1);
    psd[k] *= single ? scale : 2.0 * scale;
  }
  return true;
}

} // namespace voxelkl
