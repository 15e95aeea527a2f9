#include "voxelkl/MaskLoader.h"

#include "voxelkl/ErrorText.h"
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/ImageGrid.h"
#include "voxelkl/NiftiVolumeStream.h"

#include "itkImageFileReader.h"

#include <cmath>

namespace voxelkl
{
namespace
{

// Why the grids differ when one file is a NIfTI without orientation (qform_code and
// sform_code 0, as nipype's ds003): ITK gives it origin 0 and axes along x, y, z, while
// nibabel, saving a mask with that image's affine and a fresh header, writes an sform
// centred on the image with x flipped. The grids really differ (a voxel maps to another
// place), so the mask is refused; the hint says how to write one that matches.
std::string
OrientationHint(const std::string & seriesFile, const std::string & maskFile)
{
  for (const std::string * file : { &seriesFile, &maskFile })
  {
    if (!NiftiVolumeStream::HasNiftiName(*file))
    {
      continue;
    }
    try
    {
      const NiftiVolumeStream header(*file);
      if (header.QformCode() <= 0 && header.SformCode() <= 0)
      {
        return " (hint: " + *file +
               " has qform_code and sform_code 0, no orientation: it is read with origin 0 and axes along x, y, z; "
               "a mask saved by nibabel with the series' affine gets an sform centred on the image with x flipped: "
               "save it with the series' header and no affine, e.g. nibabel.Nifti1Image(mask, None, series.header))";
      }
    }
    catch (const InputError &)
    {
    }
  }
  return "";
}

} // namespace

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
  const SpatialGrid maskGrid = InspectVolume(path);
  try
  {
    RequireSameGrid(seriesName, grid, path, maskGrid);
  }
  catch (const InputError & e)
  {
    throw InputError(e.what() + OrientationHint(seriesName, path));
  }
  RequireMemory(path, 6.0 * static_cast<double>(grid.VoxelCount())); // read as float, kept as two byte arrays
  const ReadingScope reading(path);
  using Input = itk::Image<float, 3>;
  Input::Pointer input;
  if (NiftiVolumeStream::HasNiftiName(path))
  {
    // Our reader or its error: niftilib, given m.nii.gz, reads the voxels of an m.nii beside
    // it, and reads files our reader refuses (vox_offset < 352, bad CRC, ...).
    NiftiVolumeStream stream(path);
    input = Input::New();
    ApplyGrid(maskGrid, input);
    input->Allocate();
    stream.ReadVolumes(1, input->GetBufferPointer());
  }
  else
  {
    auto reader = itk::ImageFileReader<Input>::New();
    reader->SetFileName(path);
    try
    {
      reader->Update();
    }
    catch (const itk::ExceptionObject & e)
    {
      throw InputError(path, std::string("cannot read the mask: ") + ItkErrorText(e.GetDescription()));
    }
    input = reader->GetOutput();
  }
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
