// Helpers shared by the jobs: image allocation on a grid, block and tile sizing, and the
// tile loop that streams every output of a filter.
#ifndef voxelkl_JobSupport_h
#define voxelkl_JobSupport_h

#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/SeriesInfo.h"

#include "itkImage.h"
#include "itkImageAlgorithm.h"
#include "itkImageRegionSplitterSlowDimension.h"

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace voxelkl::detail
{

template <typename TPixel>
typename itk::Image<TPixel, 3>::Pointer
MakeImage(const SpatialGrid & grid)
{
  using Image = itk::Image<TPixel, 3>;
  auto                          image = Image::New();
  typename Image::SizeType      size;
  typename Image::SpacingType   spacing;
  typename Image::PointType     origin;
  typename Image::DirectionType direction;
  for (unsigned int i = 0; i < 3; ++i)
  {
    size[i] = grid.size[i];
    spacing[i] = grid.spacing[i];
    origin[i] = grid.origin[i];
    for (unsigned int j = 0; j < 3; ++j)
    {
      direction[i][j] = grid.direction[i * 3 + j];
    }
  }
  image->SetRegions(typename Image::RegionType(size));
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  return image;
}

/** Voxels per tile when uncompressed NIfTI is read tile by tile (voxel runs x all time
 * points): 128 KiB of float32 per time point, and order-2 accumulators (40 bytes per voxel)
 * that stay in the L2 cache while all the time points are pushed. */
constexpr std::size_t VoxelsPerTile = 16384;

/** Volumes read per step in the volume-by-volume path: ~32 MiB per series, so that each
 * voxel's accumulator stays in cache over several time points. */
std::size_t
VolumesPerBlock(std::size_t voxelsPerVolume, std::size_t bytesPerValue);

/** Tiles for the ITK path when the user gave none: ~64 MiB of each series per tile. */
unsigned int
AutomaticTiles(const SpatialGrid & grid, std::size_t timePoints, std::size_t bytesPerValue);

/** Serialises progress reports from several threads. */
class ProgressCounter
{
public:
  ProgressCounter(std::function<void(double)> callback, double total)
    : m_Callback(std::move(callback))
    , m_Total(total)
  {
  }
  void
  Add(double amount)
  {
    std::lock_guard<std::mutex> lock(m_Mutex);
    m_Done += amount;
    if (m_Callback)
    {
      m_Callback(m_Total > 0 ? std::min(1.0, m_Done / m_Total) : 1.0);
    }
  }

private:
  std::function<void(double)> m_Callback;
  double                      m_Total;
  double                      m_Done{ 0 };
  std::mutex                  m_Mutex;
};

/** Streams a filter tile by tile: requests each tile of region (split along the slowest
 * axis into about `tiles` pieces) on the filter's first output and updates it, then calls
 * takeTile(tile) to copy the filter's outputs for that tile, and reports progress. An ITK
 * failure (a reader's, typically) becomes an InputError naming `inputs`. Returns the
 * number of pieces. */
unsigned int
StreamTiles(itk::ImageBase<3> *                                      firstOutput,
            const itk::ImageRegion<3> &                              region,
            unsigned int                                             tiles,
            const std::string &                                      inputs,
            const std::function<void(double)> &                      progress,
            const std::function<void(const itk::ImageRegion<3> &)> & takeTile);

/** Copies the tile of a filter output into the whole-grid result. */
template <typename TImage>
void
CopyTile(const TImage * tileOutput, TImage * result, const itk::ImageRegion<3> & tile)
{
  itk::ImageAlgorithm::Copy(tileOutput, result, tile, tile);
}

} // namespace voxelkl::detail

#endif
