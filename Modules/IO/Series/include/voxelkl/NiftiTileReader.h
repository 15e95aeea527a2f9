// Reads any run of voxels of any time point of an uncompressed NIfTI file, in place.
#ifndef voxelkl_NiftiTileReader_h
#define voxelkl_NiftiTileReader_h

#include "voxelkl/SeriesInfo.h"

#include <cstddef>
#include <string>
#include <vector>

namespace voxelkl
{

/** Tile-by-tile reading of an uncompressed 4D NIfTI (.nii) whose voxels are stored as T
 * (float32 for float, float64 for double), unscaled and in this machine's byte order: the
 * voxels [first, first + count) of time point t are one contiguous run of the file, read
 * with one pread straight into the caller's buffer. A tile of a few ten thousand voxels x
 * all time points then keeps its accumulators in cache while every byte of the file is read
 * once, in bounded memory; several threads may read different tiles at once. */
template <typename T>
class NiftiTileReader
{
public:
  /** Whether the series is such a file. */
  static bool
  Supports(const SeriesInfo & series);

  /** Throws InputError naming the file if it cannot be opened. */
  explicit NiftiTileReader(const SeriesInfo & series);
  /** Reads raw volumes of T that start at offset 0 of an open file (a scratch copy, see
   * StageForTiles), which it closes when done; name is for messages. */
  NiftiTileReader(int descriptor, std::string name, std::size_t voxelsPerVolume);
  ~NiftiTileReader();
  NiftiTileReader(const NiftiTileReader &) = delete;
  NiftiTileReader &
  operator=(const NiftiTileReader &) = delete;

  /** From now on, Read subtracts from each value the mean of its voxel in its run:
   * runStarts holds the first time point of each run and the total last; means holds
   * voxelsPerVolume means per run, run after run. The difference is taken in double and
   * rounded to T; NaN and inf stay what they are. */
  void
  SubtractRunMeans(std::vector<std::size_t> runStarts, std::vector<double> means);

  /** Reads voxels [first, first + count) of time point t into out. Throws InputError
   * ("truncated ...") when the file ends early. Thread-safe. */
  void
  Read(std::size_t t, std::size_t first, std::size_t count, T * out) const;

private:
  std::string              m_Path;
  int                      m_Descriptor{ -1 };
  std::size_t              m_DataOffset{ 0 };
  std::size_t              m_VoxelsPerVolume{ 0 };
  std::vector<std::size_t> m_RunStarts; // empty: nothing subtracted
  std::vector<double>      m_RunMeans;
};

extern template class NiftiTileReader<float>;
extern template class NiftiTileReader<double>;

} // namespace voxelkl

#endif
