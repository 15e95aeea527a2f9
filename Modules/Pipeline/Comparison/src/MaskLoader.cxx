#include "voxelkl/MaskLoader.h"

#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionOptions.h"

#include "itkImageFileReader.h"

#include <cmath>

namespace voxelkl
{

Mask
LoadMask(const std::string & path, const std::string & seriesName, const SpatialGrid & grid)
{
  Mask mask;
  if (path.empty())
  {
    mask.count = grid.VoxelCount();
    return mask;
  }
  mask.path = path;
  RequireSameGrid(seriesName, grid, path, InspectVolume(path));
  RequireMemory(path, 6.0 * static_cast<double>(grid.VoxelCount())); // read as float, kept as two byte arrays
  using Input = itk::Image<float, 3>;
  auto reader = itk::ImageFileReader<Input>::New();
  reader->SetFileName(path);
  try
  {
    reader->Update();
  }
  catch (const itk::ExceptionObject & e)
  {
    throw InputError(path, std::string("cannot read the mask: ") + e.GetDescription());
  }
  const Input * input = reader->GetOutput();
  mask.image = itk::Image<unsigned char, 3>::New();
  mask.image->CopyInformation(input);
  mask.image->SetRegions(input->GetLargestPossibleRegion());
  mask.image->Allocate();
  const std::size_t voxels = grid.VoxelCount();
  mask.inside.resize(voxels);
  for (std::size_t v = 0; v < voxels; ++v)
  {
    const float value = input->GetBufferPointer()[v];
    mask.inside[v] = std::isfinite(value) && value != 0.0f ? 1 : 0;
    mask.count += mask.inside[v];
  }
  std::copy(mask.inside.begin(), mask.inside.end(), mask.image->GetBufferPointer());
  if (mask.count == 0)
  {
    throw InputError(path, "the mask is empty (no nonzero voxel)");
  }
  return mask;
}

} // namespace voxelkl
