// A region table read back, from its TSV and from its JSON, is the table that was written,
// bit for bit; and every way a file can fail to be one is refused by name and line.
#include "voxelkl/RegionTableReader.h"
#include "voxelkl/Errors.h"
#include "voxelkl/RegionTableWriter.h"
#include "voxelkl/TableText.h"

#include <gtest/gtest.h>

#include <cmath>

namespace
{
using namespace voxelkl;

SampleSummary
MakeSummary(std::size_t count, double base)
{
  SampleSummary s;
  s.count = count;
  if (count > 0)
  {
    // Values whose shortest text is long, tiny, huge and negative.
    s.mean = base + 0.1 + 0.2;
    s.std = std::sqrt(base + 2.0);
    s.min = -base / 3.0;
    s.p5 = 1e-300 * base;
    s.p25 = base / 7.0;
    s.median = base * std::acos(-1.0);
    s.p75 = 1e300 / (base + 1.0);
    s.p95 = base + 1.0 / 3.0;
    s.max = base * 1e6 + 0.5;
  }
  return s;
}

RegionTable
MakeTable()
{
  RegionTable table;
  table.mapNames = { "kl", "mean_difference" };
  table.rows.push_back({ -2, "-2", 3, { MakeSummary(3, 0.25), MakeSummary(2, 1.5) } });
  table.rows.push_back({ 1, "Precentral_L", 40, { MakeSummary(38, 0.5), MakeSummary(38, 2.5) } });
  table.rows.push_back({ 7, "Insula R (anterior)", 0, { MakeSummary(0, 0), MakeSummary(0, 0) } });
  return table;
}

void
ExpectSameTable(const RegionTable & read, const RegionTable & written)
{
  EXPECT_EQ(read.mapNames, written.mapNames);
  ASSERT_EQ(read.rows.size(), written.rows.size());
  for (std::size_t r = 0; r < read.rows.size(); ++r)
  {
    EXPECT_EQ(read.rows[r].label, written.rows[r].label);
    EXPECT_EQ(read.rows[r].name, written.rows[r].name);
    EXPECT_EQ(read.rows[r].voxels, written.rows[r].voxels);
    ASSERT_EQ(read.rows[r].maps.size(), written.rows[r].maps.size());
    for (std::size_t m = 0; m < read.rows[r].maps.size(); ++m)
    {
      const SampleSummary & a = read.rows[r].maps[m];
      const SampleSummary & b = written.rows[r].maps[m];
      EXPECT_EQ(a.count, b.count);
      for (const auto member : { &SampleSummary::mean,
                                 &SampleSummary::std,
                                 &SampleSummary::min,
                                 &SampleSummary::p5,
                                 &SampleSummary::p25,
                                 &SampleSummary::median,
                                 &SampleSummary::p75,
                                 &SampleSummary::p95,
                                 &SampleSummary::max })
      {
        EXPECT_EQ(a.*member, b.*member) << "row " << r << " map " << m; // the same bits
      }
    }
  }
}

void
ExpectRefused(const std::string & text, const std::vector<std::string> & needles)
{
  try
  {
    ParseRegionTable(text, "regions.tsv");
    ADD_FAILURE() << "accepted: " << text;
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

TEST(RegionTableReader, TheTsvReadsBackToTheSameTable)
{
  const RegionTable table = MakeTable();
  const std::string text = FormatRegionTable(table);
  ExpectSameTable(ParseRegionTable(text, "t.tsv"), table);
  EXPECT_EQ(FormatRegionTable(ParseRegionTable(text, "t.tsv")), text);
  // CRLF line ends and a final blank line are read as well.
  std::string crlf;
  for (const char c : text)
  {
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  }
  ExpectSameTable(ParseRegionTable(crlf + "\r\n", "t.tsv"), table);
}

TEST(RegionTableReader, TheJsonReadsBackToTheSameTable)
{
  RegionTable table = MakeTable();
  table.consideredVoxels = 100;
  table.labelledVoxels = 43;
  const RegionTable read = RegionTableFromJson(ToJson(table), "kl.json: regions");
  ExpectSameTable(read, table);
  EXPECT_EQ(read.consideredVoxels, 100u);
  EXPECT_EQ(read.labelledVoxels, 43u);
  // Through JSON text too (nlohmann writes the shortest text that reads back).
  ExpectSameTable(RegionTableFromJson(nlohmann::json::parse(ToJson(table).dump()), "kl.json: regions"), table);

  auto broken = ToJson(table);
  broken["regions"][1]["statistics"]["kl"].erase("p95");
  try
  {
    RegionTableFromJson(broken, "kl.json: regions");
    ADD_FAILURE() << "accepted a region without p95";
  }
  catch (const InputError & error)
  {
    EXPECT_NE(std::string(error.what()).find("kl.json: regions.regions[1].statistics.kl: no field 'p95'"),
              std::string::npos)
      << error.what();
  }
}

TEST(RegionTableReader, WhatIsNotARegionTableIsRefusedByNameAndLine)
{
  const std::string text = FormatRegionTable(MakeTable());
  const std::string header = text.substr(0, text.find('\n') + 1);
  ExpectRefused("", { "regions.tsv: is empty" });
  ExpectRefused("subject\tmodel\tsummary\n",
                { "regions.tsv: not a VoxelKL region table", "expected 'label name voxels'" });
  ExpectRefused("label\tname\tvoxels\tkl_count\tkl_mean\n",
                { "2 columns after 'label name voxels', expected 10 per map" });
  std::string renamed = header;
  renamed.replace(renamed.find("kl_median"), 9, "kl_middle");
  ExpectRefused(renamed, { "column 10 is 'kl_middle', expected 'kl_median'" });
  std::string noCount = header;
  noCount.replace(noCount.find("kl_count"), 8, "kl_total");
  ExpectRefused(noCount, { "column 4 is 'kl_total', expected '<map>_count'" });
  ExpectRefused(header + "1\tA\t3\n", { "regions.tsv:2: 3 cells, the header has 23" });
  const std::string row = text.substr(header.size(), text.find('\n', header.size()) + 1 - header.size());
  auto              cells = SplitTableLine(row.substr(0, row.size() - 1));
  const auto        join = [](std::vector<std::string> c) {
    std::string line;
    for (std::size_t i = 0; i < c.size(); ++i)
    {
      line += (i ? "\t" : "") + c[i];
    }
    return line + '\n';
  };
  auto bad = cells;
  bad[0] = "1.5";
  ExpectRefused(header + join(bad), { "regions.tsv:2: label '1.5' is not an integer" });
  bad = cells;
  bad[3] = "-3";
  ExpectRefused(header + join(bad), { "regions.tsv:2: kl_count '-3' is not a count" });
  bad = cells;
  bad[9] = "0.5x";
  ExpectRefused(header + join(bad), { "regions.tsv:2: kl_median '0.5x' is not a finite number" });
  bad = cells;
  bad[9] = "nan";
  ExpectRefused(header + join(bad), { "kl_median 'nan' is not a finite number" });
  bad = cells;
  bad[3] = "0";
  ExpectRefused(header + join(bad), { "regions.tsv:2: kl_mean is '", "for a count of 0" });
  ExpectRefused(header + row + "\n" + row, { "regions.tsv:4: label -2 appears twice" });
  const std::string second = text.substr(header.size() + row.size());
  ExpectRefused(header + second.substr(0, second.find('\n') + 1) + row, { "regions.tsv:3: label -2 after 1" });
}

TEST(TableText, NumbersReadBackAndCellsStayCells)
{
  for (const double value : { 0.1 + 0.2, 1e-300, -2.5, 3.0, 123456789.125, 5e-324 })
  {
    EXPECT_EQ(ParseTableNumber(FormatTableNumber(value)), value) << FormatTableNumber(value);
  }
  EXPECT_EQ(FormatTableNumber(3.0), "3");
  for (const char * cell : { "", " 1", "1 ", "nan", "inf", "1e999", "0x10", "1,5", "n/a" })
  {
    EXPECT_FALSE(ParseTableNumber(cell)) << cell;
  }
  EXPECT_EQ(ParseTableCount("12"), 12u);
  EXPECT_FALSE(ParseTableCount("-1"));
  EXPECT_FALSE(ParseTableCount("1.0"));
  EXPECT_EQ(TableCell("a\tb\nc\rd"), "a b c d");
  EXPECT_EQ(SplitTableLine("a\t\tb\r"), (std::vector<std::string>{ "a", "", "b" }));
  EXPECT_EQ(TableSchemaPath("out/cohort.tsv"), "out/cohort.schema.tsv");
  EXPECT_EQ(FormatTableSchema({ { "x", "double", "nan", "tab\there" } }),
            "columnName\ttype\tnullValue\tdescription\nx\tdouble\tnan\ttab here\n");
}

} // namespace
