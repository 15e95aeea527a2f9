// Welch power spectral density of a voxel's time series (FFTW3; no ITK).
#ifndef voxelkl_WelchSpectrum_h
#define voxelkl_WelchSpectrum_h

#include <cstddef>
#include <memory>
#include <vector>

namespace voxelkl
{

/** How the spectrum is estimated. */
struct WelchSettings
{
  std::size_t segmentLength{ 0 }; ///< L samples per segment
  std::size_t overlap{ 0 };       ///< samples shared by consecutive segments (< L)
  double      timeStep{ 0.0 };    ///< seconds between samples (the repetition time)

  /** The defaults for a series of T samples: L = min(T, 128), overlap L / 2 (scipy's). */
  static WelchSettings
  ForLength(std::size_t timePoints, double timeStep);
  std::size_t
  Step() const
  {
    return segmentLength - overlap;
  }
  /** Frequency bins of the one-sided spectrum: L / 2 + 1 (0 .. Nyquist). */
  std::size_t
  Bins() const
  {
    return segmentLength / 2 + 1;
  }
  /** Frequency of bin k in Hz: k / (L TR). */
  double
  Frequency(std::size_t k) const
  {
    return static_cast<double>(k) / (static_cast<double>(segmentLength) * timeStep);
  }
  double
  Nyquist() const
  {
    return 0.5 / timeStep;
  }
  /** Whole segments in a run of `length` samples: (length - L) / step + 1, 0 if shorter. */
  std::size_t
  SegmentsIn(std::size_t length) const
  {
    return length < segmentLength ? 0 : (length - segmentLength) / Step() + 1;
  }
};

/** The estimator of one thread: scipy.signal.welch(x, fs = 1 / TR, window = 'hann' (periodic),
 * nperseg = L, noverlap = overlap, detrend = 'linear', scaling = 'density',
 * return_onesided = True, average = 'mean'), with segments taken within each run of a
 * series of several runs (none straddles a boundary) and averaged over all of them.
 *
 * Not thread-safe: one per thread (FFTW plans are made once per estimator, under a lock,
 * with FFTW_ESTIMATE, so that the same machine always computes the same bits). */
class WelchEstimator
{
public:
  explicit WelchEstimator(const WelchSettings & settings);
  ~WelchEstimator();
  WelchEstimator(const WelchEstimator &) = delete;
  WelchEstimator &
  operator=(const WelchEstimator &) = delete;

  const WelchSettings &
  Settings() const
  {
    return m_Settings;
  }

  /** The density of values[0 .. sum(runs)) (stride apart), its runs of the given lengths,
   * into psd[0 .. Bins()). False, psd untouched, when a value is not finite or no run holds
   * a whole segment. */
  bool
  Estimate(const double * values, std::ptrdiff_t stride, const std::vector<std::size_t> & runs, double * psd);

private:
  WelchSettings       m_Settings;
  std::vector<double> m_Window;
  std::vector<double> m_Centred;       // n - (L - 1) / 2: the detrending line's abscissa
  std::vector<double> m_CentredWindow; // its product with the window
  double              m_CentredSquares{ 0.0 };
  double              m_Scale{ 0.0 }; // 1 / (fs sum(w^2))
  std::vector<double> m_Gathered;     // a strided series, made contiguous
  struct Fftw;
  std::unique_ptr<Fftw> m_Fftw;
};

} // namespace voxelkl

#endif
