// A scratch copy of a series that can only be read front to back, so that it can be read
// in tiles of voxels x all time points.
#ifndef voxelkl_TileStaging_h
#define voxelkl_TileStaging_h

#include "voxelkl/NiftiTileReader.h"
#include "voxelkl/SeriesInfo.h"

#include <functional>
#include <memory>

namespace voxelkl
{

/** A tile reader for any series: in place for what NiftiTileReader<T> supports; else
 * (.nii.gz, integer or scaled NIfTI, lists of volumes, MetaImage, NRRD) the series is read
 * once, volume by volume (each file inflated once; a non-streaming ITK format read whole,
 * as ITK does), and its values, converted to T as itk::ImageFileReader would, are written
 * to a scratch file in the temporary directory (TMPDIR, else /tmp). The scratch file is
 * deleted as soon as it is created, so it disappears with the reader or the process, even
 * on a crash; it needs voxels x time points x sizeof(T) bytes of disk (or page cache).
 * progress(volumes) is called as volumes are copied. Throws InputError naming the series
 * or the scratch directory (no space left, ...). */
template <typename T>
std::unique_ptr<NiftiTileReader<T>>
OpenTileReader(const SeriesInfo & series, const std::function<void(std::size_t)> & progress);

} // namespace voxelkl

#endif
