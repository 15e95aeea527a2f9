#include "voxelkl/MapWriter.h"

#include "voxelkl/Errors.h"

#include "itkImageFileWriter.h"
#include "itkImageIOFactory.h"

namespace voxelkl
{

bool
CanWriteImage(const std::string & path)
{
  return itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::CommonEnums::IOFileMode::WriteMode).IsNotNull();
}

void
WriteMap(const itk::Image<float, 3> * image, const std::string & path, const std::string & displayName)
{
  auto writer = itk::ImageFileWriter<itk::Image<float, 3>>::New();
  writer->SetInput(image);
  writer->SetFileName(path);
  const auto endsWith = [&path](const std::string & suffix) {
    return path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  // Maps are small: compress where the format's readers all understand it.
  writer->SetUseCompression(endsWith(".gz") || endsWith(".nrrd"));
  try
  {
    writer->Update();
  }
  catch (const itk::ExceptionObject & e)
  {
    throw InputError(displayName, std::string("cannot be written: ") + e.GetDescription());
  }
}

} // namespace voxelkl
