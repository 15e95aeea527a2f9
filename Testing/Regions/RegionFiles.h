// Fixtures of the RegionStatistics tests: a map on a 2 mm grid, atlases on it or on a
// finer one, and the table read back.
#ifndef voxelkl_test_RegionFiles_h
#define voxelkl_test_RegionFiles_h

#include "RegionTestSupport.h"
#include "TestFiles.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace voxelkl::test
{

// 12x10x8 voxels of 2 mm, x and y flipped (an LPS view of RAS-stored data).
inline const SpatialGrid MapGrid =
  MakeGrid({ 12, 10, 8 }, { 2, 2, 2 }, { 30, 20, -10 }, { -1, 0, 0, 0, -1, 0, 0, 0, 1 });

/** Map value of voxel (i, j, k); NaN at one voxel, which must be skipped, not read as 0. */
inline float
MapValue(long i, long j, long k)
{
  if (i == 5 && j == 4 && k == 3)
    return std::numeric_limits<float>::quiet_NaN();
  return float(std::sin(0.9 * i) * 3.0 + 0.5 * j - 0.25 * k);
}

/** Label of map voxel (i, j, k) in the atlas drawn on the map's grid: 0..6. */
inline std::int16_t
SameGridLabel(long i, long j, long k)
{
  return std::int16_t((i / 3 + 2 * (j / 4) + k / 5) % 7);
}

/** One parsed TSV file: the header and the rows, each a map from column to cell. */
struct Table
{
  std::vector<std::string>                        header;
  std::vector<std::map<std::string, std::string>> rows;
};

inline std::vector<std::string>
SplitTabs(const std::string & line)
{
  std::vector<std::string> cells;
  std::size_t              start = 0;
  for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
    cells.push_back(line.substr(start, tab - start));
  cells.push_back(line.substr(start));
  return cells;
}

inline Table
ReadTable(const std::string & path)
{
  Table         table;
  std::ifstream file(path);
  std::string   line;
  std::getline(file, line);
  table.header = SplitTabs(line);
  while (std::getline(file, line))
  {
    const auto                         cells = SplitTabs(line);
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < cells.size() && c < table.header.size(); ++c)
      row[table.header[c]] = cells[c];
    if (cells.size() != table.header.size())
      row["#cells"] = std::to_string(cells.size());
    table.rows.push_back(row);
  }
  return table;
}

inline std::string
Slurp(const std::string & path)
{
  std::ifstream      file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

} // namespace voxelkl::test

#endif
