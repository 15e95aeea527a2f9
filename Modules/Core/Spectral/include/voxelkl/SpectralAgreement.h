// How far a generated series' temporal structure is from the real one's, at one voxel:
// from the Welch spectra of the two series (no ITK).
#ifndef voxelkl_SpectralAgreement_h
#define voxelkl_SpectralAgreement_h

#include "voxelkl/GaussianKL.h"
#include "voxelkl/WelchSpectrum.h"

#include <cstdint>
#include <string>

namespace voxelkl
{

/** The low-frequency band of ALFF and fALFF, in Hz. */
struct FrequencyBand
{
  double low{ 0.01 };
  double high{ 0.1 };
};

/** What happened at a voxel; written as a label map and counted in summaries. */
enum class SpectralStatus : std::uint8_t
{
  OutsideMask = 0,
  Valid = 1,
  NonFinite = 2, ///< a series has a non-finite sample: a spectrum needs every one (maps 0)
  NoPower = 3    ///< a series has no power beyond its linear trend in any segment (maps 0)
};

/** The spectral maps of one voxel. All finite. */
struct SpectralAgreement
{
  /** sqrt(mean over bins 1 .. Nyquist of (10 log10(P_gen / P_ref))^2), in dB. */
  double logSpectralDistance{ 0.0 };
  /** KL between the spectra normalised to sum 1 over bins 1 .. Nyquist (the spectrum as a
   * distribution over frequency), in nats, in the direction asked for. */
  double spectralKL{ 0.0 };
  /** ALFF: the sum of the amplitudes sqrt(P) over the band's bins (AFNI 3dRSFC sums the
   * amplitudes of the band); fALFF: that sum over the sum of the amplitudes of bins 1 ..
   * Nyquist. The maps are generated / reference. */
  double alffReference{ 0.0 };
  double alffGenerated{ 0.0 };
  double falffReference{ 0.0 };
  double falffGenerated{ 0.0 };
  double alffRatio{ 1.0 };
  double falffRatio{ 1.0 };
};

/** Compares two one-sided densities on the bins of settings (bin 0, the mean, is left out:
 * it is 0 after detrending). Each spectrum is floored at 1e-12 of its largest bin before a
 * logarithm or a ratio, so that an empty bin gives a large finite value, never inf or NaN;
 * the ALFF ratios add 1e-12 of the two series' total amplitude to both sides. Both spectra
 * must have some power (else the voxel is SpectralStatus::NoPower). */
SpectralAgreement
CompareSpectra(const double *        reference,
               const double *        generated,
               const WelchSettings & settings,
               const FrequencyBand & band,
               KLDirection           direction);

/** Whether a density has power in some bin beyond 0. */
bool
HasPower(const double * psd, const WelchSettings & settings);

/** The bins whose frequency lies in [band.low, band.high]: first and one past the last. */
std::pair<std::size_t, std::size_t>
BandBins(const WelchSettings & settings, const FrequencyBand & band);

} // namespace voxelkl

#endif
