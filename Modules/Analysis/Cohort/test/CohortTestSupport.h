// Hand-written inputs of the cohort tests: VoxelKLDivergence and SpatialKLDivergence
// summaries with chosen numbers, region tables, and a scratch directory to put them in.
#ifndef voxelkl_CohortTestSupport_h
#define voxelkl_CohortTestSupport_h

#include "voxelkl/Errors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace voxelkl::test
{

// Expects fn to throw an InputError whose message holds every needle.
template <typename Function>
void
ExpectInputError(Function && fn, const std::vector<std::string> & needles)
{
  try
  {
    fn();
    ADD_FAILURE() << "no error; expected one with '" << needles.front() << "'";
  }
  catch (const InputError & error)
  {
    const std::string message = error.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    for (const auto & needle : needles)
    {
      EXPECT_NE(message.find(needle), std::string::npos) << "missing '" << needle << "' in: " << message;
    }
  }
}

class Scratch
{
public:
  explicit Scratch(const std::string & name)
    : m_Path(
        (std::filesystem::temp_directory_path() / ("voxelkl-cohort-" + name + "-" + std::to_string(getpid()))).string())
  {
    std::filesystem::remove_all(m_Path);
    std::filesystem::create_directories(m_Path);
  }
  ~Scratch()
  {
    std::error_code ignored;
    std::filesystem::remove_all(m_Path, ignored);
  }
  std::string
  operator/(const std::string & file) const
  {
    return m_Path + "/" + file;
  }
  const std::string &
  Path() const
  {
    return m_Path;
  }

private:
  std::string m_Path;
};

inline void
WriteText(const std::string & path, const std::string & text)
{
  std::ofstream(path, std::ios::binary) << text;
}

/** A summary as VoxelKLDivergence writes it (the fields the cohort reads, and some it does
 * not), with the given numbers. */
inline nlohmann::json
KLSummaryDocument(double                mean,
                  double                median,
                  std::size_t           valid,
                  std::optional<double> globalMSE = std::nullopt,
                  const std::string &   estimator = "gaussian",
                  const std::string &   direction = "forward")
{
  nlohmann::json document = {
    { "tool", "VoxelKLDivergence" },
    { "version", "0.1.0" },
    { "options",
      { { "estimator", estimator },
        { "direction", direction },
        { "varianceFloor", "relative: (1e-06 * max(|mean_reference|, |mean_generated|, 1))^2" },
        { "threads", 2 },
        { "readMode", "voxel tiles" },
        { "tiles", 4 } } },
    { "units", "nats" },
    { "voxels", { { "total", 1000 }, { "inMask", valid + 10 }, { "valid", valid }, { "constant", 10 } } },
    { "kl",
      { { "count", valid },
        { "mean", mean },
        { "std", 0.5 },
        { "min", 0.0 },
        { "p5", 0.01 },
        { "p25", 0.1 },
        { "median", median },
        { "p75", 0.9 },
        { "p95", 2.0 },
        { "max", 3.0 } } },
  };
  if (estimator == "knn")
  {
    document["options"]["neighbours"] = 5;
    document["options"]["theilerWindow"] = "automatic";
  }
  if (globalMSE)
  {
    document["globalMSE"] = *globalMSE;
    document["pairedSamples"] = 1234.0;
  }
  return document;
}

inline nlohmann::json
SpatialSummaryDocument(double spatialKL, const std::string & standardize = "volume")
{
  return {
    { "tool", "SpatialKLDivergence" },
    { "options",
      { { "direction", "reverse" }, { "standardize", standardize }, { "temperature", 1.0 }, { "lambda", nullptr } } },
    { "spatialKL", { { "count", 20 }, { "mean", spatialKL }, { "median", spatialKL * 0.9 } } },
    { "globalMSE", 0.25 }
  };
}

/** A region: label, name, voxels, and per map (count, median); the other statistics are
 * made up around the median. */
struct TestRegion
{
  int                                         label;
  std::string                                 name;
  std::size_t                                 voxels;
  std::vector<std::pair<std::size_t, double>> maps;
};

/** The TSV VoxelKLDivergence --regionTable writes for these regions and maps. */
inline std::string
RegionTableText(const std::vector<std::string> & maps, const std::vector<TestRegion> & regions)
{
  const char * suffixes[] = { "count", "mean", "std", "min", "p5", "p25", "median", "p75", "p95", "max" };
  std::string  text = "label\tname\tvoxels";
  for (const auto & map : maps)
  {
    for (const char * suffix : suffixes)
    {
      text += "\t" + map + "_" + suffix;
    }
  }
  text += '\n';
  for (const auto & region : regions)
  {
    text += std::to_string(region.label) + "\t" + region.name + "\t" + std::to_string(region.voxels);
    for (const auto & [count, median] : region.maps)
    {
      text += "\t" + std::to_string(count);
      if (count == 0)
      {
        text += "\t\t\t\t\t\t\t\t\t";
        continue;
      }
      const nlohmann::json m = median; // the shortest text that reads back, as the writer's
      const double         others[] = { median * 1.1, 0.3, median * 0.1, median * 0.2, median * 0.5 };
      for (const double value : others)
      {
        text += "\t" + nlohmann::json(value).dump();
      }
      text += "\t" + m.dump();
      text += "\t" + nlohmann::json(median * 1.5).dump() + "\t" + nlohmann::json(median * 2).dump() + "\t" +
              nlohmann::json(median * 3).dump();
    }
    text += '\n';
  }
  return text;
}

/** The same regions as the "regions" member of a summary. */
inline nlohmann::json
RegionJson(const std::vector<std::string> & maps, const std::vector<TestRegion> & regions)
{
  nlohmann::json rows = nlohmann::json::array();
  for (const auto & region : regions)
  {
    nlohmann::json statistics = nlohmann::json::object();
    for (std::size_t m = 0; m < maps.size(); ++m)
    {
      const auto [count, median] = region.maps[m];
      nlohmann::json values = { { "count", count } };
      for (const char * suffix : { "mean", "std", "min", "p5", "p25", "median", "p75", "p95", "max" })
      {
        values[suffix] =
          count == 0 ? nlohmann::json(nullptr) : nlohmann::json(std::string(suffix) == "median" ? median : 1.0);
      }
      statistics[maps[m]] = values;
    }
    rows.push_back({ { "label", region.label },
                     { "name", region.name },
                     { "voxels", region.voxels },
                     { "statistics", statistics } });
  }
  return { { "maps", maps },
           { "regions", rows },
           { "coverage", { { "consideredVoxels", 100 }, { "labelledVoxels", 90 } } } };
}

/** Lines of a table, each split at tabs. */
inline std::vector<std::vector<std::string>>
Cells(const std::string & text)
{
  std::vector<std::vector<std::string>> rows;
  std::size_t                           start = 0;
  while (start < text.size())
  {
    const std::size_t        end = text.find('\n', start);
    const std::string        line = text.substr(start, end - start);
    std::vector<std::string> cells;
    std::size_t              from = 0;
    for (std::size_t tab; (tab = line.find('\t', from)) != std::string::npos; from = tab + 1)
    {
      cells.push_back(line.substr(from, tab - from));
    }
    cells.push_back(line.substr(from));
    rows.push_back(cells);
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return rows;
}

} // namespace voxelkl::test

#endif
