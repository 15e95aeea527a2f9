// Per-region statistics against a brute-force computation written here, and the table
// they become (TSV, Slicer schema, JSON).
#include "voxelkl/RegionStatistics.h"
#include "RegionTestSupport.h"
#include "voxelkl/RegionTableWriter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace
{
using namespace voxelkl;
using voxelkl::test::MakeGrid;
using voxelkl::test::MakeVolume;
using Map = itk::Image<float, 3>;

constexpr float NaN = std::numeric_limits<float>::quiet_NaN();
constexpr float Inf = std::numeric_limits<float>::infinity();

// Textbook forms: two-pass mean and ML variance; percentile by numpy's linear rule
// (position q/100 * (n - 1) between the order statistics).
struct Expected
{
  std::size_t count{ 0 };
  double      mean{ 0 }, std{ 0 }, min{ 0 }, max{ 0 }, p5{ 0 }, p25{ 0 }, median{ 0 }, p75{ 0 }, p95{ 0 };
};

double
Percentile(const std::vector<double> & sorted, double q)
{
  const double h = q / 100.0 * double(sorted.size() - 1);
  const auto   lo = std::size_t(std::floor(h));
  const auto   hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - double(lo)) * (sorted[hi] - sorted[lo]);
}

Expected
BruteForce(std::vector<double> values)
{
  Expected e;
  e.count = values.size();
  if (values.empty())
  {
    return e;
  }
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values)
    sum += v;
  e.mean = sum / double(values.size());
  double squares = 0;
  for (double v : values)
    squares += (v - e.mean) * (v - e.mean);
  e.std = std::sqrt(squares / double(values.size()));
  e.min = values.front();
  e.max = values.back();
  e.p5 = Percentile(values, 5);
  e.p25 = Percentile(values, 25);
  e.median = Percentile(values, 50);
  e.p75 = Percentile(values, 75);
  e.p95 = Percentile(values, 95);
  return e;
}

// Smooth values with NaN and -inf sprinkled in, which must be skipped.
float
KLValue(long i, long j, long k)
{
  if ((i + j + k) % 13 == 0)
    return NaN;
  if ((i * j + k) % 17 == 5)
    return -Inf;
  return float(std::sin(0.7 * i + 1.3 * j) * 10.0 + 0.01 * k);
}

void
ExpectSummary(const SampleSummary & s, const Expected & e, const std::string & where)
{
  SCOPED_TRACE(where);
  ASSERT_EQ(s.count, e.count);
  const auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-12 * std::max(1.0, std::fabs(b)); };
  EXPECT_PRED2(near, s.mean, e.mean);
  EXPECT_PRED2(near, s.std, e.std);
  EXPECT_EQ(s.min, e.min);
  EXPECT_EQ(s.max, e.max);
  EXPECT_PRED2(near, s.p5, e.p5);
  EXPECT_PRED2(near, s.p25, e.p25);
  EXPECT_PRED2(near, s.median, e.median);
  EXPECT_PRED2(near, s.p75, e.p75);
  EXPECT_PRED2(near, s.p95, e.p95);
}

class RegionStatisticsFixture : public ::testing::Test
{
protected:
  SpatialGrid                grid = MakeGrid({ 9, 7, 6 }, { 2, 2, 3 }, { 10, -20, 5 }, { -1, 0, 0, 0, -1, 0, 0, 0, 1 });
  LabelVolume                labels;
  Map::Pointer               kl;
  Map::Pointer               std;
  std::vector<unsigned char> inside;
  std::vector<unsigned char> stdValid;
  LabelNames                 names{ { 1, "Precentral_L" }, { 3, "Insula R" }, { 42, "not in this atlas" } };

  void
  SetUp() override
  {
    labels.grid = grid;
    labels.atlasGrid = grid;
    // Labels -2, 1 and 3 on the grid; 9 is in the atlas file but lost in resampling.
    labels.atlasLabels = { -2, 1, 3, 9 };
    const std::size_t n = grid.VoxelCount();
    labels.labels.resize(n);
    inside.resize(n);
    stdValid.resize(n);
    for (std::size_t v = 0; v < n; ++v)
    {
      const std::int32_t choice[] = { 0, 1, 3, -2, 1, 3, 1 };
      labels.labels[v] = choice[(v * 7 + v / 5) % 7];
      inside[v] = v % 11 != 3;
      stdValid[v] = v % 4 != 1;
    }
    kl = MakeVolume<float>(grid, KLValue);
    std = MakeVolume<float>(grid, [](long i, long j, long k) { return float(i * 100 + j * 10 + k) / 7.0f; });
  }

  // The values of map over label, as the definition says, computed voxel by voxel.
  std::vector<double>
  Values(const Map * map, std::int32_t label, const std::vector<unsigned char> & valid) const
  {
    std::vector<double> values;
    for (std::size_t v = 0; v < labels.labels.size(); ++v)
    {
      const float x = map->GetBufferPointer()[v];
      if (labels.labels[v] == label && inside[v] && (valid.empty() || valid[v]) && std::isfinite(x))
        values.push_back(x);
    }
    return values;
  }
};

TEST_F(RegionStatisticsFixture, EveryRegionAndMapMatchesBruteForce)
{
  const auto table = ComputeRegionStatistics(labels, names, { { "kl", kl, {} }, { "std", std, stdValid } }, inside);
  EXPECT_EQ(table.mapNames, (std::vector<std::string>{ "kl", "std" }));
  ASSERT_EQ(table.rows.size(), 4u);
  EXPECT_EQ(table.unnamed, (std::vector<std::int32_t>{ -2, 9 }));
  const std::string expectedNames[] = { "-2", "Precentral_L", "Insula R", "9" };
  for (std::size_t r = 0; r < 4; ++r)
  {
    const auto & row = table.rows[r];
    EXPECT_EQ(row.label, labels.atlasLabels[r]);
    EXPECT_EQ(row.name, expectedNames[r]);
    std::size_t voxels = 0;
    for (std::size_t v = 0; v < labels.labels.size(); ++v)
      voxels += labels.labels[v] == row.label && inside[v];
    EXPECT_EQ(row.voxels, voxels);
    ASSERT_EQ(row.maps.size(), 2u);
    ExpectSummary(row.maps[0], BruteForce(Values(kl, row.label, {})), "kl " + row.name);
    ExpectSummary(row.maps[1], BruteForce(Values(std, row.label, stdValid)), "std " + row.name);
  }
  // The data really exercise the skipping: some kl values are NaN or -inf, some std invalid.
  EXPECT_LT(table.rows[1].maps[0].count, table.rows[1].voxels);
  EXPECT_LT(table.rows[1].maps[1].count, table.rows[1].voxels);
  EXPECT_EQ(table.rows[3].voxels, 0u);
  EXPECT_EQ(table.rows[3].maps[0].count, 0u);
}

TEST_F(RegionStatisticsFixture, NoMaskAndNoNamesCountEveryVoxelAndNameByNumber)
{
  const auto table = ComputeRegionStatistics(labels, {}, { { "kl", kl, {} } });
  EXPECT_TRUE(table.unnamed.empty());
  std::size_t total = 0;
  for (const auto & row : table.rows)
  {
    EXPECT_EQ(row.name, std::to_string(row.label));
    total += row.voxels;
  }
  EXPECT_EQ(total,
            std::size_t(std::count_if(labels.labels.begin(), labels.labels.end(), [](auto l) { return l != 0; })));
}

TEST_F(RegionStatisticsFixture, TableSchemaAndJson)
{
  auto table = ComputeRegionStatistics(labels, names, { { "kl", kl, {} } }, inside);
  table.rows[1].name = "tab\there"; // a name must stay one cell
  const std::string  tsv = FormatRegionTable(table);
  std::istringstream lines(tsv);
  std::string        line;
  std::getline(lines, line);
  EXPECT_EQ(line,
            "label\tname\tvoxels\tkl_count\tkl_mean\tkl_std\tkl_min\tkl_p5\tkl_p25\tkl_median\tkl_p75\tkl_p95\tkl_max");
  std::vector<std::vector<std::string>> rows;
  while (std::getline(lines, line))
  {
    std::vector<std::string> cells;
    std::size_t              start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
      cells.push_back(line.substr(start, tab - start));
    cells.push_back(line.substr(start));
    rows.push_back(cells);
  }
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1][1], "tab here");
  for (std::size_t r = 0; r < 4; ++r)
  {
    ASSERT_EQ(rows[r].size(), 13u) << "row " << r;
    EXPECT_EQ(std::stoi(rows[r][0]), table.rows[r].label);
    EXPECT_EQ(std::stoul(rows[r][2]), table.rows[r].voxels);
    const auto & s = table.rows[r].maps[0];
    if (s.count == 0)
    {
      for (std::size_t c = 4; c < 13; ++c)
        EXPECT_EQ(rows[r][c], "") << "an empty region has empty statistics";
      continue;
    }
    // Full precision: every number reads back to the same double.
    const double values[] = { s.mean, s.std, s.min, s.p5, s.p25, s.median, s.p75, s.p95, s.max };
    for (std::size_t c = 0; c < 9; ++c)
      EXPECT_EQ(std::stod(rows[r][4 + c]), values[c]) << rows[r][4 + c];
  }

  const std::string schema = FormatRegionSchema(table);
  EXPECT_EQ(schema.rfind("columnName\ttype\tnullValue\tdescription\nlabel\tint\t\t", 0), 0u) << schema;
  EXPECT_NE(schema.find("\nname\tstring\t\t"), std::string::npos);
  EXPECT_NE(schema.find("\nkl_count\tint\t\t"), std::string::npos);
  EXPECT_NE(schema.find("\nkl_median\tdouble\tnan\t"), std::string::npos);
  EXPECT_EQ(std::count(schema.begin(), schema.end(), '\n'), 14);

  const auto json = ToJson(table);
  EXPECT_EQ(json["maps"], nlohmann::json({ "kl" }));
  ASSERT_EQ(json["regions"].size(), 4u);
  EXPECT_EQ(json["regions"][2]["name"], "Insula R");
  EXPECT_EQ(json["regions"][2]["statistics"]["kl"]["median"].get<double>(), table.rows[2].maps[0].median);
  EXPECT_TRUE(json["regions"][3]["statistics"]["kl"]["mean"].is_null());
  EXPECT_EQ(json["regions"][3]["statistics"]["kl"]["count"], 0);

  EXPECT_EQ(RegionSchemaPath("out/kl_regions.tsv"), "out/kl_regions.schema.tsv");
  EXPECT_EQ(RegionSchemaPath("t.csv"), "t.schema.csv");
  // The extension in any case (the options accept it): not t.TSV.schema.tsv.
  EXPECT_EQ(RegionSchemaPath("t.TSV"), "t.schema.tsv");
  EXPECT_EQ(RegionSchemaPath("out/T.Csv"), "out/T.schema.csv");
  EXPECT_EQ(RegionSchemaPath("t.dat"), "t.dat.schema.tsv");
}

TEST_F(RegionStatisticsFixture, MisuseIsAProgrammingError)
{
  const SpatialGrid other = MakeGrid({ 9, 7, 6 }, { 2, 2, 3 }, { 11, -20, 5 });
  const auto        shifted = MakeVolume<float>(other, [](long, long, long) { return 1.0f; });
  EXPECT_THROW(ComputeRegionStatistics(labels, {}, { { "kl", shifted, {} } }), std::invalid_argument);
  EXPECT_THROW(ComputeRegionStatistics(labels, {}, { { "kl", kl, {} }, { "kl", std, {} } }), std::invalid_argument);
  EXPECT_THROW(ComputeRegionStatistics(labels, {}, { { "kl", kl, { 1, 0 } } }), std::invalid_argument);
  EXPECT_THROW(ComputeRegionStatistics(labels, {}, { { "kl", kl, {} } }, { 1 }), std::invalid_argument);
}

} // namespace

namespace
{
using namespace voxelkl;

// Coverage: the voxels considered (in the mask) and those the atlas labels, counted by a
// loop written here; a warning below one half.
TEST_F(RegionStatisticsFixture, CoverageCountsAndWarning)
{
  const RegionTable table = ComputeRegionStatistics(labels, names, { { "kl", kl.GetPointer(), {} } }, inside);
  std::size_t       considered = 0;
  std::size_t       labelled = 0;
  for (std::size_t v = 0; v < labels.labels.size(); ++v)
  {
    considered += inside[v] != 0;
    labelled += inside[v] != 0 && labels.labels[v] != 0;
  }
  EXPECT_EQ(table.consideredVoxels, considered);
  EXPECT_EQ(table.labelledVoxels, labelled);
  EXPECT_EQ(CoverageWarning(table), ""); // six of seven voxels are labelled

  LabelVolume sparse = labels;
  std::fill(sparse.labels.begin() + 10, sparse.labels.end(), 0);
  const RegionTable few = ComputeRegionStatistics(sparse, names, { { "kl", kl.GetPointer(), {} } }, {});
  EXPECT_EQ(few.consideredVoxels, sparse.labels.size());
  const std::string warning = CoverageWarning(few);
  EXPECT_NE(warning.find("labels " + std::to_string(few.labelledVoxels) + " of the " +
                         std::to_string(sparse.labels.size()) + " voxels"),
            std::string::npos)
    << warning;
  EXPECT_EQ(ToJson(few)["coverage"]["labelledVoxels"], few.labelledVoxels);
  EXPECT_TRUE(ToJson(few)["coverage"].contains("warning"));
}

} // namespace
