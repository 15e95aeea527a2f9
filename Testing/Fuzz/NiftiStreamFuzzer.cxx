// libFuzzer target: a whole .nii or .nii.gz file (told apart by its first bytes, as the
// reader does) read through both VoxelKL NIfTI readers:
// - NiftiVolumeStream, every volume front to back (float; double for float64 voxels);
// - NiftiImageIO (the itk::ImageIOBase), the whole image, then its last volume again as a
//   region of its own (the .nii.gz index of access points).
// Images of more than MaxVoxels voxels are only opened: the callers refuse a grid that does
// not fit in memory before they allocate, and a fuzzer's input is small anyway.
#include "FuzzSupport.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/NiftiVolumeStream.h"

#include <vector>

namespace
{

constexpr std::size_t MaxVoxels = std::size_t{ 1 } << 22;

template <typename T>
void
ReadEveryVolume(voxelkl::NiftiVolumeStream & stream)
{
  std::vector<T> volume(stream.VoxelsPerVolume());
  while (stream.VolumesRead() < stream.VolumeCount())
  {
    stream.ReadVolumes(1, volume.data());
  }
}

void
ReadStream(const std::string & path)
{
  voxelkl::NiftiVolumeStream stream(path);
  const std::size_t          perVolume = stream.VoxelsPerVolume();
  if (perVolume == 0 || perVolume > MaxVoxels || stream.VolumeCount() > MaxVoxels / perVolume)
  {
    return;
  }
  if (stream.VoxelTypeName() == "float64")
  {
    ReadEveryVolume<double>(stream);
  }
  else
  {
    ReadEveryVolume<float>(stream);
  }
}

void
ReadImageIO(const std::string & path)
{
  const auto io = voxelkl::NiftiImageIO::New();
  if (!io->CanReadFile(path.c_str()))
  {
    return;
  }
  io->SetFileName(path);
  io->ReadImageInformation();
  const unsigned int dimensions = io->GetNumberOfDimensions();
  itk::ImageIORegion region(dimensions);
  std::size_t        voxels = 1;
  for (unsigned int i = 0; i < dimensions; ++i)
  {
    const std::size_t extent = io->GetDimensions(i);
    if (extent == 0 || extent > MaxVoxels || voxels > MaxVoxels / extent)
    {
      return;
    }
    voxels *= extent;
    region.SetIndex(i, 0);
    region.SetSize(i, extent);
  }
  const std::size_t bytesPerVoxel = io->GetComponentSize() * io->GetNumberOfComponents();
  std::vector<char> buffer(voxels * bytesPerVoxel);
  io->SetIORegion(region);
  io->Read(buffer.data());
  if (dimensions == 4 && io->GetDimensions(3) > 1)
  {
    region.SetIndex(3, io->GetDimensions(3) - 1);
    region.SetSize(3, 1);
    io->SetIORegion(region);
    io->Read(buffer.data());
  }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t * data, std::size_t size)
{
  // The reader tells gzip by its first two bytes; ITK wants a NIfTI name. Different stems:
  // niftilib, given x.nii.gz, reads an x.nii beside it.
  const bool        gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const std::string path = voxelkl::fuzz::WriteInput(data, size, gzip ? "compressed.nii.gz" : "raw.nii");
  voxelkl::fuzz::Expected([&] { ReadStream(path); });
  voxelkl::fuzz::Expected([&] { ReadImageIO(path); });
  return 0;
}
