#include "voxelkl/RegionStatistics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace voxelkl
{
namespace
{

void
CheckInputs(const LabelVolume & labels, const std::vector<RegionMap> & maps, const std::vector<unsigned char> & inside)
{
  const std::size_t voxels = labels.grid.VoxelCount();
  if (labels.labels.size() != voxels)
  {
    throw std::invalid_argument("ComputeRegionStatistics: the label volume does not fill its grid");
  }
  if (!inside.empty() && inside.size() != voxels)
  {
    throw std::invalid_argument("ComputeRegionStatistics: the inside flags are not on the labels' grid");
  }
  std::set<std::string> seen;
  for (const auto & map : maps)
  {
    if (map.image == nullptr || map.name.empty() || !seen.insert(map.name).second)
    {
      throw std::invalid_argument("ComputeRegionStatistics: each map needs an image and a name of its own ('" +
                                  map.name + "')");
    }
    const std::string difference = CompareGrids(labels.grid, ImageGrid(map.image));
    if (!difference.empty())
    {
      throw std::invalid_argument("ComputeRegionStatistics: map '" + map.name +
                                  "' is not on the labels' grid: " + difference);
    }
    if (!map.valid.empty() && map.valid.size() != voxels)
    {
      throw std::invalid_argument("ComputeRegionStatistics: the valid flags of map '" + map.name +
                                  "' are not on the labels' grid");
    }
  }
}

} // namespace

RegionTable
ComputeRegionStatistics(const LabelVolume &                labels,
                        const LabelNames &                 names,
                        const std::vector<RegionMap> &     maps,
                        const std::vector<unsigned char> & inside)
{
  CheckInputs(labels, maps, inside);
  RegionTable table;
  for (const auto & map : maps)
  {
    table.mapNames.push_back(map.name);
  }
  const auto & regions = labels.atlasLabels; // ascending: a row is found by binary search
  for (const std::int32_t label : regions)
  {
    RegionRow  row;
    const auto name = names.find(label);
    row.label = label;
    row.name = name != names.end() ? name->second : std::to_string(label);
    table.rows.push_back(std::move(row));
    if (!names.empty() && name == names.end())
    {
      table.unnamed.push_back(label);
    }
  }
  // values[row][map]: the finite, valid values of the map over the row's voxels.
  std::vector<std::vector<std::vector<double>>> values(regions.size(), std::vector<std::vector<double>>(maps.size()));
  std::int32_t                                  lastLabel = 0;
  std::size_t                                   lastRow = 0;
  for (std::size_t v = 0; v < labels.labels.size(); ++v)
  {
    const std::int32_t label = labels.labels[v];
    if (!inside.empty() && inside[v] == 0)
    {
      continue;
    }
    ++table.consideredVoxels;
    if (label == 0)
    {
      continue;
    }
    ++table.labelledVoxels;
    if (label != lastLabel)
    {
      const auto where = std::lower_bound(regions.begin(), regions.end(), label);
      if (where == regions.end() || *where != label)
      {
        throw std::invalid_argument("ComputeRegionStatistics: label " + std::to_string(label) +
                                    " is on the grid but not among the atlas labels");
      }
      lastLabel = label;
      lastRow = static_cast<std::size_t>(where - regions.begin());
    }
    ++table.rows[lastRow].voxels;
    for (std::size_t m = 0; m < maps.size(); ++m)
    {
      const float value = maps[m].image->GetBufferPointer()[v];
      if ((maps[m].valid.empty() || maps[m].valid[v] != 0) && std::isfinite(value))
      {
        values[lastRow][m].push_back(value);
      }
    }
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r)
  {
    for (auto & sample : values[r])
    {
      table.rows[r].maps.push_back(Summarize(std::move(sample)));
    }
  }
  return table;
}

std::string
CoverageWarning(std::size_t labelled, std::size_t considered, const std::string & describes)
{
  if (2 * labelled >= considered)
  {
    return "";
  }
  return fmt::format("the atlas labels {} of the {} voxels considered ({:.1f} %): {} only them (is the atlas in the "
                     "maps' space?)",
                     labelled,
                     considered,
                     100.0 * static_cast<double>(labelled) / static_cast<double>(std::max<std::size_t>(1, considered)),
                     describes);
}

std::string
CoverageWarning(const RegionTable & table)
{
  return CoverageWarning(table.labelledVoxels, table.consideredVoxels, "the region table describes");
}

} // namespace voxelkl
