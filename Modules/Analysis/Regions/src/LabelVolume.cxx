#include "voxelkl/LabelVolume.h"

#include "voxelkl/Errors.h"
#include "voxelkl/MaskLoader.h"
#include "voxelkl/MemoryLimit.h"
#include "voxelkl/ScalarVolumeReader.h"

#include "itkIdentityTransform.h"
#include "itkNearestNeighborInterpolateImageFunction.h"
#include "itkResampleImageFilter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace voxelkl
{
namespace
{

// Inserts label into the ascending set unless it is there already.
void
Remember(std::vector<std::int32_t> & sorted, std::int32_t label)
{
  const auto where = std::lower_bound(sorted.begin(), sorted.end(), label);
  if (where == sorted.end() || *where != label)
  {
    sorted.insert(where, label);
  }
}

// The distinct nonzero labels, ascending. Neighbouring voxels mostly share a label, so
// the set is searched only when the value changes.
std::vector<std::int32_t>
DistinctLabels(const std::int32_t * labels, std::size_t count)
{
  std::vector<std::int32_t> distinct;
  std::int32_t              previous = 0;
  for (std::size_t v = 0; v < count; ++v)
  {
    if (labels[v] != previous && labels[v] != 0)
    {
      Remember(distinct, labels[v]);
    }
    previous = labels[v];
  }
  return distinct;
}

// The atlas as integer labels: NaN is background (unlabelled), anything else must be a
// whole number in the int32 range.
LabelImage::Pointer
ToLabels(const std::string & atlas, const itk::Image<double, 3> * values)
{
  auto labels = LabelImage::New();
  labels->CopyInformation(values);
  labels->SetRegions(values->GetLargestPossibleRegion());
  labels->Allocate();
  const double *    in = values->GetBufferPointer();
  std::int32_t *    out = labels->GetBufferPointer();
  const std::size_t count = values->GetLargestPossibleRegion().GetNumberOfPixels();
  for (std::size_t v = 0; v < count; ++v)
  {
    const double value = in[v];
    if (std::isnan(value))
    {
      out[v] = 0;
      continue;
    }
    if (value != std::nearbyint(value) || value < std::numeric_limits<std::int32_t>::min() ||
        value > std::numeric_limits<std::int32_t>::max())
    {
      const auto index = values->ComputeIndex(static_cast<LabelImage::OffsetValueType>(v));
      throw InputError(atlas,
                       fmt::format("holds {} at voxel ({}, {}, {}): a label atlas must hold integer labels",
                                   value,
                                   index[0],
                                   index[1],
                                   index[2]));
    }
    out[v] = static_cast<std::int32_t>(value);
  }
  return labels;
}

// The box spanned by the voxel centres, in physical (LPS) millimetres: for messages.
std::string
DescribeExtent(const SpatialGrid & grid)
{
  std::array<double, 3> low{ std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::infinity() };
  std::array<double, 3> high{ -low[0], -low[1], -low[2] };
  for (unsigned int corner = 0; corner < 8; ++corner)
  {
    std::array<double, 3> index{};
    for (unsigned int axis = 0; axis < 3; ++axis)
    {
      index[axis] = (corner >> axis) & 1u ? static_cast<double>(grid.size[axis] - 1) : 0.0;
    }
    for (unsigned int row = 0; row < 3; ++row)
    {
      double point = grid.origin[row];
      for (unsigned int axis = 0; axis < 3; ++axis)
      {
        point += grid.direction[row * 3 + axis] * grid.spacing[axis] * index[axis];
      }
      low[row] = std::min(low[row], point);
      high[row] = std::max(high[row], point);
    }
  }
  return fmt::format(
    "x {:.4g}..{:.4g}, y {:.4g}..{:.4g}, z {:.4g}..{:.4g} mm (LPS)", low[0], high[0], low[1], high[1], low[2], high[2]);
}

} // namespace

std::string
DescribeGrid(const SpatialGrid & grid)
{
  return fmt::format("{}x{}x{} voxels of {:g}x{:g}x{:g} mm",
                     grid.size[0],
                     grid.size[1],
                     grid.size[2],
                     grid.spacing[0],
                     grid.spacing[1],
                     grid.spacing[2]);
}

LabelImage::Pointer
ResampleLabels(const LabelImage * labels, const SpatialGrid & grid)
{
  using Resampler = itk::ResampleImageFilter<LabelImage, LabelImage>;
  auto reference = LabelImage::New(); // carries the output grid; never allocated
  ApplyGrid(grid, reference);
  auto resampler = Resampler::New();
  resampler->SetInput(labels);
  resampler->SetTransform(itk::IdentityTransform<double, 3>::New());
  resampler->SetInterpolator(itk::NearestNeighborInterpolateImageFunction<LabelImage, double>::New());
  resampler->SetDefaultPixelValue(0);
  resampler->SetOutputParametersFromImage(reference);
  resampler->Update();
  LabelImage::Pointer output = resampler->GetOutput();
  output->DisconnectPipeline();
  return output;
}

LabelVolume
LoadLabels(const std::string & atlas, const std::string & mapName, const SpatialGrid & mapGrid, std::ostream & notes)
{
  LabelVolume volume;
  volume.path = atlas;
  volume.grid = mapGrid;
  LabelImage::Pointer labels;
  {
    itk::Image<double, 3>::Pointer values; // freed once converted
    try
    {
      values = ReadScalarVolume<double>(atlas);
    }
    catch (const InputError & e)
    {
      const std::string message = e.what();
      if (message.find("4D image") == std::string::npos)
      {
        throw;
      }
      throw InputError(message + " (for a probabilistic atlas, give its 3D maximum-probability image)");
    }
    volume.atlasGrid = ImageGrid(values);
    labels = ToLabels(atlas, values);
  }
  volume.atlasLabels = DistinctLabels(labels->GetBufferPointer(), volume.atlasGrid.VoxelCount());
  if (volume.atlasLabels.empty())
  {
    throw InputError(atlas, "holds no label: every voxel is 0 (background)");
  }
  const std::string difference = CompareGrids(volume.atlasGrid, mapGrid);
  // The labels on the map's grid: the resampled image and their copy, 4 bytes each.
  RequireMemory(mapName, 8.0 * static_cast<double>(mapGrid.VoxelCount()));
  const ReadingScope reading(atlas);
  if (!difference.empty())
  {
    labels = ResampleLabels(labels, mapGrid);
    volume.resampled = true;
  }
  const std::int32_t * buffer = labels->GetBufferPointer();
  volume.labels.assign(buffer, buffer + mapGrid.VoxelCount());
  volume.keptLabels = DistinctLabels(volume.labels.data(), volume.labels.size()).size();
  if (volume.keptLabels == 0)
  {
    throw InputError(fmt::format("{} and {} do not overlap: no labelled voxel of the atlas falls on the map's grid "
                                 "(atlas {}; map {})",
                                 atlas,
                                 mapName,
                                 DescribeExtent(volume.atlasGrid),
                                 DescribeExtent(mapGrid)));
  }
  if (volume.resampled)
  {
    notes << fmt::format("{}: resampled from {} to the grid of {} ({}) by nearest neighbour in physical space, as "
                         "the grids differ ({}); {} of its {} labels have voxels there\n",
                         atlas,
                         DescribeGrid(volume.atlasGrid),
                         mapName,
                         DescribeGrid(mapGrid),
                         difference,
                         volume.keptLabels,
                         volume.atlasLabels.size());
    // An atlas drawn on an unoriented series' own voxels but saved with another affine is
    // moved by the resampling: say how the series is placed and how to save one that fits.
    if (const std::string hint = UnorientedSeriesHint(mapName, mapGrid, "an atlas"); !hint.empty())
    {
      notes << atlas << ": " << hint << '\n';
    }
  }
  return volume;
}

void
CheckLabelNames(const std::string & namesPath,
                const LabelNames &  names,
                const LabelVolume & labels,
                std::ostream &      notes)
{
  std::vector<std::int32_t> unnamed;
  for (const std::int32_t label : labels.atlasLabels)
  {
    if (names.count(label) == 0)
    {
      unnamed.push_back(label);
    }
  }
  if (unnamed.empty())
  {
    return;
  }
  if (unnamed.size() == labels.atlasLabels.size())
  {
    throw InputError(fmt::format("{} names none of the {} labels of {} ({}..{}): another atlas's names?",
                                 namesPath,
                                 labels.atlasLabels.size(),
                                 labels.path,
                                 labels.atlasLabels.front(),
                                 labels.atlasLabels.back()));
  }
  notes << fmt::format("{}: names no region for {} of the {} labels (first: {}); they are named by number\n",
                       namesPath,
                       unnamed.size(),
                       labels.atlasLabels.size(),
                       unnamed.front());
}

} // namespace voxelkl
