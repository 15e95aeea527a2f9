#include "voxelkl/ScalarVolumeReader.h"

#include "voxelkl/Errors.h"
#include "voxelkl/LabelVolume.h"
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
  if (NiftiVolumeStream::CanRead(path))
  {
    NiftiVolumeStream stream(path);
    auto              image = Image::New();
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
    throw InputError(path, std::string("cannot be read: ") + e.GetDescription());
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
