#include "voxelkl/RegionTableReader.h"

#include "RegionTableColumns.h"
#include "voxelkl/Errors.h"
#include "voxelkl/PathText.h"
#include "voxelkl/TableText.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

namespace voxelkl
{
namespace
{
using detail::RegionStatistics;

constexpr std::size_t ColumnsPerMap = 1 + RegionStatistics.size();

// The map names of a header, or an InputError saying what is wrong with it.
std::vector<std::string>
MapNamesOfHeader(const std::vector<std::string> & header, const std::string & name)
{
  if (header.size() < 3 || header[0] != "label" || header[1] != "name" || header[2] != "voxels")
  {
    throw InputError(name,
                     fmt::format("not a VoxelKL region table: the header starts '{}', expected 'label name voxels'",
                                 header.front().substr(0, 40)));
  }
  if ((header.size() - 3) % ColumnsPerMap != 0)
  {
    throw InputError(name,
                     fmt::format("not a VoxelKL region table: {} columns after 'label name voxels', expected {} per "
                                 "map (<map>_count, _mean, ..., _max)",
                                 header.size() - 3,
                                 ColumnsPerMap));
  }
  std::vector<std::string> maps;
  for (std::size_t first = 3; first < header.size(); first += ColumnsPerMap)
  {
    const std::string & count = header[first];
    if (!EndsWith(count, "_count") || count.size() == 6)
    {
      throw InputError(name,
                       fmt::format("not a VoxelKL region table: column {} is '{}', expected '<map>_count'",
                                   first + 1,
                                   count.substr(0, 40)));
    }
    const std::string map = count.substr(0, count.size() - 6);
    for (std::size_t s = 0; s < RegionStatistics.size(); ++s)
    {
      const std::string expected = map + "_" + RegionStatistics[s].suffix;
      if (header[first + 1 + s] != expected)
      {
        throw InputError(name,
                         fmt::format("not a VoxelKL region table: column {} is '{}', expected '{}'",
                                     first + 2 + s,
                                     header[first + 1 + s].substr(0, 40),
                                     expected));
      }
    }
    for (const auto & previous : maps)
    {
      if (previous == map)
      {
        throw InputError(name, fmt::format("not a VoxelKL region table: the columns of map '{}' appear twice", map));
      }
    }
    maps.push_back(map);
  }
  return maps;
}

std::int32_t
ParseLabel(const std::string & cell, const std::string & where)
{
  long long    value = 0;
  const char * end = cell.data() + cell.size();
  const auto [stop, error] = std::from_chars(cell.data(), end, value);
  if (cell.empty() || error != std::errc() || stop != end || value < std::numeric_limits<std::int32_t>::min() ||
      value > std::numeric_limits<std::int32_t>::max())
  {
    throw InputError(where, fmt::format("label '{}' is not an integer", cell.substr(0, 40)));
  }
  return static_cast<std::int32_t>(value);
}

std::size_t
ParseCount(const std::string & cell, const std::string & column, const std::string & where)
{
  const auto value = ParseTableCount(cell);
  if (!value)
  {
    throw InputError(where, fmt::format("{} '{}' is not a count", column, cell.substr(0, 40)));
  }
  return static_cast<std::size_t>(*value);
}

// Each label once, in ascending order as the writer writes them.
void
CheckLabelOrder(const std::vector<RegionRow> & rows, const std::string & where)
{
  if (rows.size() >= 2 && rows[rows.size() - 2].label >= rows.back().label)
  {
    throw InputError(where,
                     rows[rows.size() - 2].label == rows.back().label
                       ? fmt::format("label {} appears twice", rows.back().label)
                       : fmt::format("label {} after {}: the rows of a region table are in ascending label order",
                                     rows.back().label,
                                     rows[rows.size() - 2].label));
  }
}

} // namespace

RegionTable
ParseRegionTable(const std::string & text, const std::string & name)
{
  std::istringstream lines(text);
  std::string        line;
  if (!std::getline(lines, line))
  {
    throw InputError(name, "is empty: not a VoxelKL region table");
  }
  const auto  header = SplitTableLine(line);
  RegionTable table;
  table.mapNames = MapNamesOfHeader(header, name);
  for (std::size_t number = 2; std::getline(lines, line); ++number)
  {
    const std::string where = fmt::format("{}:{}", name, number);
    const auto        cells = SplitTableLine(line);
    if (cells.size() == 1 && cells[0].empty())
    {
      continue; // a blank line (the last one of a file that ends in two newlines)
    }
    if (cells.size() != header.size())
    {
      throw InputError(where, fmt::format("{} cells, the header has {}", cells.size(), header.size()));
    }
    RegionRow row;
    row.label = ParseLabel(cells[0], where);
    row.name = cells[1];
    row.voxels = ParseCount(cells[2], "voxels", where);
    for (std::size_t m = 0; m < table.mapNames.size(); ++m)
    {
      const std::size_t first = 3 + m * ColumnsPerMap;
      SampleSummary     summary;
      summary.count = ParseCount(cells[first], header[first], where);
      for (std::size_t s = 0; s < RegionStatistics.size(); ++s)
      {
        const std::string & cell = cells[first + 1 + s];
        if (summary.count == 0)
        {
          if (!cell.empty())
          {
            throw InputError(where,
                             fmt::format("{} is '{}' for a count of 0", header[first + 1 + s], cell.substr(0, 40)));
          }
          continue;
        }
        const auto value = ParseTableNumber(cell);
        if (!value)
        {
          throw InputError(where,
                           fmt::format("{} '{}' is not a finite number", header[first + 1 + s], cell.substr(0, 40)));
        }
        summary.*RegionStatistics[s].value = *value;
      }
      row.maps.push_back(summary);
    }
    table.rows.push_back(std::move(row));
    CheckLabelOrder(table.rows, where);
  }
  return table;
}

RegionTable
ReadRegionTable(const std::string & path)
{
  return ParseRegionTable(ReadTextFile(path, "a region table"), path);
}

namespace
{
const nlohmann::json &
Member(const nlohmann::json & object, const char * key, const std::string & where)
{
  if (!object.is_object() || !object.contains(key))
  {
    throw InputError(where, fmt::format("no field '{}'", key));
  }
  return object.at(key);
}

std::size_t
JsonCount(const nlohmann::json & value, const std::string & where)
{
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<long long>() >= 0))
  {
    throw InputError(where, "is not a count");
  }
  return value.get<std::size_t>();
}
} // namespace

RegionTable
RegionTableFromJson(const nlohmann::json & document, const std::string & where)
{
  RegionTable  table;
  const auto & maps = Member(document, "maps", where);
  const auto & regions = Member(document, "regions", where);
  if (!maps.is_array() || !regions.is_array())
  {
    throw InputError(where, "'maps' and 'regions' must be arrays");
  }
  for (const auto & map : maps)
  {
    if (!map.is_string() || map.get<std::string>().empty())
    {
      throw InputError(where + ".maps", "holds something else than map names");
    }
    table.mapNames.push_back(map.get<std::string>());
  }
  for (std::size_t r = 0; r < regions.size(); ++r)
  {
    const std::string region = fmt::format("{}.regions[{}]", where, r);
    const auto &      label = Member(regions[r], "label", region);
    const auto &      name = Member(regions[r], "name", region);
    if (!label.is_number_integer() || label.get<long long>() < std::numeric_limits<std::int32_t>::min() ||
        label.get<long long>() > std::numeric_limits<std::int32_t>::max())
    {
      throw InputError(region + ".label", "is not an integer");
    }
    if (!name.is_string())
    {
      throw InputError(region + ".name", "is not text");
    }
    RegionRow row;
    row.label = label.get<std::int32_t>();
    row.name = name.get<std::string>();
    row.voxels = JsonCount(Member(regions[r], "voxels", region), region + ".voxels");
    const auto & statistics = Member(regions[r], "statistics", region);
    for (const auto & map : table.mapNames)
    {
      const std::string mapWhere = region + ".statistics";
      const auto &      values = Member(statistics, map.c_str(), mapWhere);
      SampleSummary     summary;
      summary.count = JsonCount(Member(values, "count", mapWhere + "." + map), mapWhere + "." + map + ".count");
      for (const auto & statistic : RegionStatistics)
      {
        const std::string statisticWhere = mapWhere + "." + map + "." + statistic.suffix;
        const auto &      value = Member(values, statistic.suffix, mapWhere + "." + map);
        if (summary.count == 0 ? !value.is_null() : !(value.is_number() && std::isfinite(value.get<double>())))
        {
          throw InputError(statisticWhere,
                           summary.count == 0 ? "is not null for a count of 0" : "is not a finite number");
        }
        if (summary.count > 0)
        {
          summary.*statistic.value = value.get<double>();
        }
      }
      row.maps.push_back(summary);
    }
    table.rows.push_back(std::move(row));
    CheckLabelOrder(table.rows, region);
  }
  if (document.contains("coverage") && document["coverage"].is_object())
  {
    const auto & coverage = document["coverage"];
    if (coverage.contains("consideredVoxels") && coverage["consideredVoxels"].is_number_unsigned())
    {
      table.consideredVoxels = coverage["consideredVoxels"].get<std::size_t>();
    }
    if (coverage.contains("labelledVoxels") && coverage["labelledVoxels"].is_number_unsigned())
    {
      table.labelledVoxels = coverage["labelledVoxels"].get<std::size_t>();
    }
  }
  return table;
}

} // namespace voxelkl
