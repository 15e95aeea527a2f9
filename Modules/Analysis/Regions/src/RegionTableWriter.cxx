#include "voxelkl/RegionTableWriter.h"

#include "RegionTableColumns.h"
#include "voxelkl/Errors.h"
#include "voxelkl/TableText.h"

#include <fmt/format.h>

#include <fstream>

namespace voxelkl
{
namespace
{
using detail::RegionStatistics;

std::vector<TableColumn>
Columns(const RegionTable & table)
{
  std::vector<TableColumn> columns{
    { "label", "int", "", "atlas label (voxel value in the atlas)" },
    { "name", "string", "", "region name" },
    { "voxels", "int", "", "voxels of the region on the map's grid (inside the mask)" },
  };
  for (const auto & map : table.mapNames)
  {
    columns.push_back(
      { map + "_count", "int", "", "voxels of the region summarised in the " + map + "_* columns (valid, finite)" });
    for (const auto & statistic : RegionStatistics)
    {
      columns.push_back({ map + "_" + statistic.suffix,
                          "double",
                          "nan",
                          fmt::format("{} of {} over the region", statistic.description, map) });
    }
  }
  return columns;
}

void
WriteText(const std::string & path, const std::string & text)
{
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file)
  {
    throw InputError(path, "cannot be written");
  }
}

} // namespace

std::string
FormatRegionTable(const RegionTable & table)
{
  std::string text = FormatTableHeader(Columns(table));
  for (const auto & row : table.rows)
  {
    text += fmt::format("{}\t{}\t{}", row.label, TableCell(row.name), row.voxels);
    for (const auto & summary : row.maps)
    {
      text += fmt::format("\t{}", summary.count);
      for (const auto & statistic : RegionStatistics)
      {
        // Shortest text that reads back to the same double; empty when there is no value.
        text += '\t';
        text += summary.count == 0 ? std::string() : FormatTableNumber(summary.*statistic.value);
      }
    }
    text += '\n';
  }
  return text;
}

std::string
FormatRegionSchema(const RegionTable & table)
{
  return FormatTableSchema(Columns(table));
}

void
WriteRegionTable(const RegionTable & table, const std::string & tsvPath, const std::string & schemaPath)
{
  WriteText(tsvPath, FormatRegionTable(table));
  WriteText(schemaPath, FormatRegionSchema(table));
}

std::string
RegionSchemaPath(const std::string & tsvPath)
{
  return TableSchemaPath(tsvPath);
}

nlohmann::json
ToJson(const RegionTable & table)
{
  nlohmann::json regions = nlohmann::json::array();
  for (const auto & row : table.rows)
  {
    nlohmann::json statistics = nlohmann::json::object();
    for (std::size_t m = 0; m < row.maps.size(); ++m)
    {
      nlohmann::json summary = { { "count", row.maps[m].count } };
      for (const auto & statistic : RegionStatistics)
      {
        summary[statistic.suffix] =
          row.maps[m].count == 0 ? nlohmann::json(nullptr) : nlohmann::json(row.maps[m].*statistic.value);
      }
      statistics[table.mapNames[m]] = std::move(summary);
    }
    regions.push_back({ { "label", row.label },
                        { "name", row.name },
                        { "voxels", row.voxels },
                        { "statistics", std::move(statistics) } });
  }
  nlohmann::json    coverage = { { "consideredVoxels", table.consideredVoxels },
                                 { "labelledVoxels", table.labelledVoxels } };
  const std::string warning = CoverageWarning(table);
  if (!warning.empty())
  {
    coverage["warning"] = warning;
  }
  return { { "maps", table.mapNames }, { "regions", std::move(regions) }, { "coverage", std::move(coverage) } };
}

} // namespace voxelkl
