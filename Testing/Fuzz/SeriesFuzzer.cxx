// libFuzzer target: the front door of the executables for a series file (InspectSeries:
// ITK's ImageIO header, NRRD `kinds`, the checks of SeriesInfo.cxx), then every volume
// through the series' own VolumeSource, as the engine reads it. The input is written as
// a .nrrd when it starts with "NRRD", as a .nii.gz / .nii when it starts like one (gzip
// magic / sizeof_hdr 348 in either byte order), else as a MetaImage .mha.
// Series of more than MaxVoxels voxels are only inspected (see NiftiStreamFuzzer.cxx).
#include "FuzzSupport.h"
#include "voxelkl/SeriesInfo.h"
#include "voxelkl/VolumeSource.h"

#include <cstring>
#include <vector>

namespace
{

constexpr std::size_t MaxVoxels = std::size_t{ 1 } << 22;

std::string
NameFor(const std::uint8_t * data, std::size_t size)
{
  if (size >= 4 && std::memcmp(data, "NRRD", 4) == 0)
  {
    return "series.nrrd";
  }
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
  {
    return "compressed.nii.gz";
  }
  if (size >= 4 && ((data[0] == 0x5c && data[1] == 0x01 && data[2] == 0 && data[3] == 0) ||
                    (data[0] == 0 && data[1] == 0 && data[2] == 0x01 && data[3] == 0x5c)))
  {
    return "raw.nii";
  }
  return "series.mha";
}

void
ReadSeries(const std::string & path)
{
  const voxelkl::SeriesInfo series = voxelkl::InspectSeries({ path });
  const std::size_t         perVolume = series.grid.VoxelCount();
  if (perVolume == 0 || perVolume > MaxVoxels || series.timePoints > MaxVoxels / perVolume)
  {
    return;
  }
  const std::size_t block = 2; // more than one volume per call, as the engine reads
  if (series.needsDouble)
  {
    const auto          source = voxelkl::OpenVolumeSource<double>(series);
    std::vector<double> volumes(block * perVolume);
    while (source->Read(block, volumes.data()) > 0)
    {
    }
  }
  else
  {
    const auto         source = voxelkl::OpenVolumeSource<float>(series);
    std::vector<float> volumes(block * perVolume);
    while (source->Read(block, volumes.data()) > 0)
    {
    }
  }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t * data, std::size_t size)
{
  const std::string path = voxelkl::fuzz::WriteInput(data, size, NameFor(data, size));
  voxelkl::fuzz::Expected([&] { ReadSeries(path); });
  return 0;
}
