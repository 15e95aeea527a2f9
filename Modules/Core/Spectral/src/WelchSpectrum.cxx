#include "voxelkl/WelchSpectrum.h"

#include "voxelkl/KernelClones.h"
#include "voxelkl/NonparametricKL.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <stdexcept>

namespace voxelkl
{
namespace
{
// FFTW's planner is not thread-safe; executing distinct plans is.
std::mutex g_Planner;

// The segment with its least-squares line over n = 0 .. L-1 removed (scipy.signal.detrend
// 'linear'), times the window: with the centred index c = n - (L - 1) / 2, slope =
// sum c x / sum c^2, and the line passes through the segment's mean at the centre. Four
// partial sums in a fixed order, so that the loop runs in vector registers (one clone per
// instruction set, the same operations in each: the same bits on every machine).
VOXELKL_KERNEL_CLONES void
DetrendAndWindow(const double * segment,
                 std::size_t    length,
                 const double * centred,
                 const double * window,
                 const double * centredWindow,
                 double         centredSquares,
                 double *       x)
{
  double      sums[4] = { 0.0, 0.0, 0.0, 0.0 };
  double      cross[4] = { 0.0, 0.0, 0.0, 0.0 };
  std::size_t n = 0;
  for (; n + 4 <= length; n += 4)
  {
    for (std::size_t j = 0; j < 4; ++j)
    {
      sums[j] += segment[n + j];
      cross[j] += centred[n + j] * segment[n + j];
    }
  }
  for (std::size_t j = 0; n < length; ++n, ++j)
  {
    sums[j] += segment[n];
    cross[j] += centred[n] * segment[n];
  }
  const double mean = ((sums[0] + sums[1]) + (sums[2] + sums[3])) / static_cast<double>(length);
  const double slope = ((cross[0] + cross[1]) + (cross[2] + cross[3])) / centredSquares;
  // (v - mean - slope c) w, with w and c w precomputed.
  for (std::size_t k = 0; k < length; ++k)
  {
    x[k] = (segment[k] - mean) * window[k] - slope * centredWindow[k];
  }
}

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
  const double centre = (static_cast<double>(length) - 1.0) / 2.0;
  m_Centred.resize(length);
  m_CentredWindow.resize(length);
  for (std::size_t n = 0; n < length; ++n)
  {
    m_Centred[n] = static_cast<double>(n) - centre;
    m_CentredWindow[n] = m_Centred[n] * m_Window[n];
  }
  // sum over n of (n - centre)^2, exact for any length that fits in memory.
  m_CentredSquares = static_cast<double>(length) * (static_cast<double>(length) * length - 1.0) / 12.0;
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
  if (stride != 1)
  {
    m_Gathered.resize(total);
    for (std::size_t t = 0; t < total; ++t)
    {
      m_Gathered[t] = values[static_cast<std::ptrdiff_t>(t) * stride];
    }
    values = m_Gathered.data();
  }
  if (!AllFinite(values, total))
  {
    return false;
  }
  std::fill(psd, psd + bins, 0.0);
  double *             x = m_Fftw->input;
  const fftw_complex * spectrum = m_Fftw->output;
  const double *       window = m_Window.data();
  const double *       centred = m_Centred.data();
  const double *       centredWindow = m_CentredWindow.data();
  std::size_t          runStart = 0;
  for (const std::size_t run : runs)
  {
    for (std::size_t s = 0; s < m_Settings.SegmentsIn(run); ++s)
    {
      const double * segment = values + runStart + s * m_Settings.Step();
      DetrendAndWindow(segment, length, centred, window, centredWindow, m_CentredSquares, x);
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
