#include "voxelkl/RegionTableWriter.h"

#include "voxelkl/Errors.h"
#include "voxelkl/PathText.h"

#include <fmt/format.h>

#include <fstream>

namespace voxelkl
{
namespace
{

// The statistics of a map, in column order: suffix, what it is, and how to read it.
struct Statistic
{
  const char * suffix;
  const char * description;
  double SampleSummary::*value;
};

const Statistic Statistics[] = {
  { "mean", "mean", &SampleSummary::mean },
  { "std", "population standard deviation (numpy.std)", &SampleSummary::std },
  { "min", "minimum", &SampleSummary::min },
  { "p5", "5th percentile (numpy.percentile, linear)", &SampleSummary::p5 },
  { "p25", "25th percentile (numpy.percentile, linear)", &SampleSummary::p25 },
  { "median", "median", &SampleSummary::median },
  { "p75", "75th percentile (numpy.percentile, linear)", &SampleSummary::p75 },
  { "p95", "95th percentile (numpy.percentile, linear)", &SampleSummary::p95 },
  { "max", "maximum", &SampleSummary::max },
};

struct Column
{
  std::string  name;
  const char * type;      // Slicer's (VTK's) type name
  const char * nullValue; // what Slicer puts in an empty cell
  std::string  description;
};

std::vector<Column>
Columns(const RegionTable & table)
{
  std::vector<Column> columns{
    { "label", "int", "", "atlas label (voxel value in the atlas)" },
    { "name", "string", "", "region name" },
    { "voxels", "int", "", "voxels of the region on the map's grid (inside the mask)" },
  };
  for (const auto & map : table.mapNames)
  {
    columns.push_back(
      { map + "_count", "int", "", "voxels of the region summarised in the " + map + "_* columns (valid, finite)" });
    for (const auto & statistic : Statistics)
    {
      columns.push_back({ map + "_" + statistic.suffix,
                          "double",
                          "nan",
                          fmt::format("{} of {} over the region", statistic.description, map) });
    }
  }
  return columns;
}

// A name as one TSV cell: a tab or line break would start another cell or row.
std::string
Cell(std::string text)
{
  for (char & c : text)
  {
    if (c == '\t' || c == '\n' || c == '\r')
    {
      c = ' ';
    }
  }
  return text;
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
  std::string text;
  const auto  columns = Columns(table);
  for (std::size_t c = 0; c < columns.size(); ++c)
  {
    text += (c == 0 ? "" : "\t") + columns[c].name;
  }
  text += '\n';
  for (const auto & row : table.rows)
  {
    text += fmt::format("{}\t{}\t{}", row.label, Cell(row.name), row.voxels);
    for (const auto & summary : row.maps)
    {
      text += fmt::format("\t{}", summary.count);
      for (const auto & statistic : Statistics)
      {
        // Shortest text that reads back to the same double; empty when there is no value.
        text += summary.count == 0 ? std::string("\t") : fmt::format("\t{}", summary.*statistic.value);
      }
    }
    text += '\n';
  }
  return text;
}

std::string
FormatRegionSchema(const RegionTable & table)
{
  std::string text = "columnName\ttype\tnullValue\tdescription\n";
  for (const auto & column : Columns(table))
  {
    text += fmt::format("{}\t{}\t{}\t{}\n", column.name, column.type, column.nullValue, Cell(column.description));
  }
  return text;
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
  for (const char * extension : { ".tsv", ".csv", ".txt" })
  {
    const std::string suffix = extension;
    if (EndsWith(tsvPath, suffix))
    {
      return tsvPath.substr(0, tsvPath.size() - suffix.size()) + ".schema" + suffix;
    }
  }
  return tsvPath + ".schema.tsv";
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
      for (const auto & statistic : Statistics)
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
