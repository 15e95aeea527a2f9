#include "voxelkl/MaskLoader.h"

#include "voxelkl/ErrorText.h"
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/ImageGrid.h"
#include "voxelkl/NiftiVolumeStream.h"

#include "itkImageFileReader.h"

#include <fmt/format.h>

#include <cmath>

namespace voxelkl
{
namespace
{

bool
IsUnorientedNiftiFile(const std::string & file)
{
  if (!NiftiVolumeStream::HasNiftiName(file))
  {
    return false;
  }
  try
  {
    const NiftiVolumeStream header(file);
    return header.QformCode() <= 0 && header.SformCode() <= 0;
  }
  catch (const InputError &)
  {
    return false;
  }
}

} // namespace

std::string
UnorientedSeriesHint(const std::string & seriesFile, const SpatialGrid & seriesGrid, const std::string & what)
{
  if (!IsUnorientedNiftiFile(seriesFile))
  {
    return "";
  }
  const auto & d = seriesGrid.spacing;
  return fmt::format("{} has qform_code and sform_code 0 (no orientation) and is read as ITK reads it: the RAS "
                     "affine diag({:g}, {:g}, {:g}) at origin 0 (LPS identity); {} saved with the NIfTI 'method 1' "
                     "affine diag({:g}, {:g}, {:g}), or by nibabel with the series' affine, lies elsewhere: save it "
                     "with the series' header and no affine, e.g. nibabel.Nifti1Image(mask, None, series.header)",
                     seriesFile,
                     -d[0],
                     -d[1],
                     d[2],
                     what,
                     d[0],
                     d[1],
                     d[2]);
}

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
  // Where the grids differ in orientation (not in size or spacing) and the series has none
  // (qform_code and sform_code 0), the grids really differ (a voxel maps to another place),
  // so the mask is refused; the hint says why and how to save one that matches.
  const std::string difference = CompareGrids(grid, maskGrid);
  if (!difference.empty())
  {
    const bool orientation = difference.find("direction differs") != std::string::npos ||
                             difference.find("origin differs") != std::string::npos;
    std::string hint = orientation ? UnorientedSeriesHint(seriesName, grid, "a mask") : "";
    if (orientation && hint.empty())
    {
      hint = UnorientedSeriesHint(path, maskGrid, "a mask"); // the mask is the unoriented one
    }
    try
    {
      RequireSameGrid(seriesName, grid, path, maskGrid);
    }
    catch (const InputError & e)
    {
      throw InputError(e.what() + (hint.empty() ? "" : " (hint: " + hint + ")"));
    }
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
