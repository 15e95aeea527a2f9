#include "voxelkl/ScalarVolumeReader.h"

#include "voxelkl/ErrorText.h"
#include "voxelkl/Errors.h"
#include "voxelkl/LabelVolume.h"
#include "voxelkl/MemoryLimit.h"
#include "voxelkl/NiftiVolumeStream.h"
#include "voxelkl/SeriesInfo.h"

#include "itkImageFileReader.h"

namespace voxelkl
{

template <typename T>
typename itk::Image<T, 3>::Pointer
ReadScalarVolume(const std::string & path)
{
  using Image = itk::Image<T, 3>;
  // Checks existence, readability, scalar voxels and three dimensions, naming the file.
  const SpatialGrid grid = InspectVolume(path);
  // The whole volume is allocated: a header claiming more than this machine holds is
  // refused here, naming the file, not by ITK's allocator naming none.
  RequireMemory(path, static_cast<double>(sizeof(T)) * static_cast<double>(grid.VoxelCount()));
  const ReadingScope reading(path);
  // A NIfTI name is read by our reader or refused with its error, never by niftilib (which
  // turns NaN into 0 and reads what our reader refuses).
  if (NiftiVolumeStream::HasNiftiName(path))
  {
    NiftiVolumeStream stream(path);
    if (stream.VolumeCount() != 1)
    {
      throw InputError(path, "is not a single 3D volume");
    }
    auto image = Image::New();
    ApplyGrid(grid, image);
    image->Allocate();
    stream.ReadVolumes(1, image->GetBufferPointer());
    return image;
  }
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetFileName(path);
  try
  {
    reader->Update();
  }
  catch (const itk::ExceptionObject & e)
  {
    throw InputError(path, std::string("cannot be read: ") + ItkErrorText(e.GetDescription()));
  }
  typename Image::Pointer image = reader->GetOutput();
  image->DisconnectPipeline();
  return image;
}

template itk::Image<float, 3>::Pointer
ReadScalarVolume<float>(const std::string & path);
template itk::Image<double, 3>::Pointer
ReadScalarVolume<double>(const std::string & path);

} // namespace voxelkl
