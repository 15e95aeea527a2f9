// Tile readers for any series: in place where the file allows it, else from a scratch copy
// made in one pass, so that the engine can read tiles of voxels x all time points.
#ifndef voxelkl_TileStaging_h
#define voxelkl_TileStaging_h

#include "voxelkl/NiftiTileReader.h"
#include "voxelkl/SeriesInfo.h"

#include <functional>
#include <memory>

namespace voxelkl
{

/** A tile reader for any series: in place for what NiftiTileReader<T> supports (unless
 * the runs are demeaned); else the series is read once through its VolumeSource (each file
 * inflated once) and its values, converted to T as itk::ImageFileReader would, are written
 * to a scratch file in the temporary directory (TMPDIR, else /tmp). The scratch file is
 * deleted as soon as it is created, so it disappears with the reader or the process, even
 * on a crash; it needs voxels x time points x sizeof(T) bytes of disk (or page cache).
 *
 * RunsHandling::Demean: while copying, each voxel's mean over the finite samples of each
 * run is computed (in double), and the reader subtracts it from every value of that run
 * (in double, then rounded to T); a single file is one run.
 *
 * progress(volumes) is called as volumes are copied. Throws InputError naming the series
 * or the scratch directory (no space left, ...). */
template <typename T>
std::unique_ptr<NiftiTileReader<T>>
OpenTileReader(const SeriesInfo &                       series,
               const std::function<void(std::size_t)> & progress,
               RunsHandling                             runs = RunsHandling::Concatenate);

} // namespace voxelkl

#endif
