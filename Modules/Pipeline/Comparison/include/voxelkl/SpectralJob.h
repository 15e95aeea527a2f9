// The temporal-structure maps of two series on disk: spectra and autocorrelation, end to end.
#ifndef voxelkl_SpectralJob_h
#define voxelkl_SpectralJob_h

#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/MaskLoader.h"
#include "voxelkl/SeriesInfo.h"
#include "voxelkl/SpectralAgreement.h"

#include "itkImage.h"

#include <array>
#include <cstdint>
#include <vector>

namespace voxelkl
{

struct SpectralJob
{
  SeriesInfo       reference;
  SeriesInfo       generated;
  Mask             mask;
  WelchSettings    welch;                             ///< the same segments (and repetition time) for both series
  FrequencyBand    band{};                            ///< of ALFF and fALFF
  KLDirection      direction{ KLDirection::Forward }; ///< of the spectral KL
  std::size_t      lag{ 1 };                          ///< of the autocorrelation maps
  bool             spectra{ false };                  ///< also return every voxel's two spectra
  ExecutionOptions execution{};
};

/** The maps, in SpectralMapNames() order. */
enum class SpectralMap : unsigned int
{
  LogSpectralDistance = 0,
  SpectralKL,
  AlffRatio,
  FalffRatio,
  AutocorrelationReference,
  AutocorrelationGenerated,
  AutocorrelationDifference,
  Count
};
constexpr std::size_t SpectralMapCount = static_cast<std::size_t>(SpectralMap::Count);

struct SpectralMaps
{
  std::array<itk::Image<float, 3>::Pointer, SpectralMapCount> maps;
  itk::Image<unsigned char, 3>::Pointer                       status; ///< SpectralStatus
  /** With SpectralJob::spectra: each voxel's density per bin, [bin][voxel] (0 outside the
   * mask and where a series has no spectrum). */
  std::vector<float> referenceSpectra, generatedSpectra;
  ExecutionReport    report;
};

/** Every voxel's Welch spectra (the whole series of a voxel at once: tiles of voxels x all
 * time points, read in place from uncompressed float NIfTI, else from a scratch copy made
 * in one pass) and lag autocorrelation (about each run's linear trend, pooled over runs),
 * and the maps of their agreement. Autocorrelation maps are computed wherever the voxel is
 * in the mask (non-finite samples are gaps); the spectral maps where the status is Valid,
 * 0 elsewhere. The same bits for any threads and tiles. */
SpectralMaps
ComputeSpectralMaps(const SpectralJob & job);

/** The names of the maps (the options of VoxelSpectralAgreement), in SpectralMap order. */
const std::array<const char *, SpectralMapCount> &
SpectralMapNames();

} // namespace voxelkl

#endif
