// The page: every colour range is numpy's p2/p98 of the voxels shown, every histogram counts
// each of them once, every image is a PNG data URI, hostile names are text, and what the page
// cannot show is refused naming the file and the problem.
#include "ReportTestSupport.h"

#include "voxelkl/Errors.h"
#include "voxelkl/HtmlReport.h"
#include "voxelkl/ImageGrid.h"
#include "voxelkl/ReportViewer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace
{
using namespace voxelkl;
using namespace voxelkl::test;

SpatialGrid
Grid()
{
  SpatialGrid grid;
  grid.size = { 16, 18, 12 };
  grid.spacing = { 2.0, 2.0, 2.5 };
  grid.origin = { 15.0, 17.0, -14.0 };
  grid.direction = { -1, 0, 0, 0, -1, 0, 0, 0, 1 };
  return grid;
}

bool
Inside(long x, long y, long z)
{
  const double dx = (x - 7.5) / 6.5;
  const double dy = (y - 8.5) / 7.5;
  const double dz = (z - 5.5) / 5.0;
  return dx * dx + dy * dy + dz * dz < 1.0;
}

nlohmann::json
Summary()
{
  const nlohmann::json statistics = { { "count", 100 }, { "mean", 0.5 }, { "std", 0.1 },    { "min", 0 },
                                      { "p5", 0.1 },    { "p25", 0.2 },  { "median", 0.3 }, { "p75", 0.6 },
                                      { "p95", 1.0 },   { "max", 2.0 } };
  return { { "tool", "VoxelKLDivergence" },
           { "version", "0.1.0" },
           { "inputs",
             { { "reference", { { "paths", { "</script><b>ref</b>.nii.gz" } }, { "timePoints", 20 } } },
               { "generated", { { "paths", { "gen.nii.gz" } }, { "timePoints", 20 } } },
               { "mask", nullptr } } },
           { "options", { { "estimator", "knn" }, { "direction", "forward" } } },
           { "units", "nats" },
           { "divergence", "KL(reference || generated)" },
           { "voxels",
             { { "total", 3456 },
               { "inMask", 900 },
               { "valid", 880 },
               { "constant", 0 },
               { "floored", 20 },
               { "noSamples", 0 } } },
           { "skippedNonFiniteSamples", 7 },
           { "kl", statistics },
           { "warnings", { "k = 5 neighbours is more than a quarter of <the> series" } } };
}

ReportContent
Content()
{
  const SpatialGrid grid = Grid();
  ReportContent     content;
  content.tool = "test";
  content.anatomy = MakeVolume(grid, [](long x, long y, long z) { return 500.0f + 10.0f * x + y - z; });
  content.anatomySource = "anatomy.nii.gz";
  std::vector<unsigned char> mask(grid.VoxelCount());
  std::size_t                v = 0;
  for (long z = 0; z < 12; ++z)
  {
    for (long y = 0; y < 18; ++y)
    {
      for (long x = 0; x < 16; ++x, ++v)
      {
        mask[v] = Inside(x, y, z) ? 1 : 0;
      }
    }
  }
  content.mask = mask;
  content.maskSource = "mask.nii.gz";
  ReportMap kl;
  kl.name = "kl";
  kl.kind = MapKind::KL;
  kl.source = "<img src=x onerror=alert(1)>.nii.gz";
  kl.image = MakeVolume(grid, [](long x, long y, long z) {
    if (x == 4 && y == 4 && z == 4)
    {
      return std::nanf(""); // not shown, not counted
    }
    return static_cast<float>(std::exp(0.3 * ((x * 7 + y * 3 + z * 5) % 11)) - 1.0);
  });
  content.maps.push_back(kl);
  ReportMap ratio;
  ratio.name = "varianceLogRatio";
  ratio.kind = MapKind::VarianceLogRatio;
  ratio.source = "vlr.nii.gz";
  ratio.image = MakeVolume(grid, [](long x, long y, long) { return static_cast<float>(0.1 * (x - 9) + 0.01 * y); });
  content.maps.push_back(ratio);
  content.summary = Summary();
  content.summarySource = "kl.json";
  RegionTable table;
  table.mapNames = { "kl" };
  for (int label = 1; label <= 25; ++label)
  {
    RegionRow row;
    row.label = label;
    row.name = label == 23 ? "<script>alert(1)</script>" : "region " + std::to_string(label);
    row.voxels = 10;
    SampleSummary s;
    s.count = 10;
    s.median = label;
    s.p5 = label - 1;
    s.p25 = label - 0.5;
    s.p75 = label + 0.5;
    s.p95 = label + 1;
    row.maps.push_back(s);
    table.rows.push_back(row);
  }
  content.regions = table;
  content.regionsSource = "regions.tsv";
  return content;
}

// The part of html from the first occurrence of start to the next occurrence of end.
std::string
Between(const std::string & html, const std::string & start, const std::string & end, std::size_t from = 0)
{
  const std::size_t a = html.find(start, from);
  if (a == std::string::npos)
  {
    return "";
  }
  return html.substr(a, html.find(end, a) - a);
}

// The values of a map shown on the page (the mask's voxels with a finite value).
std::vector<double>
ShownValues(const ReportContent & content, std::size_t m)
{
  std::vector<double> values;
  const float *       p = content.maps[m].image->GetBufferPointer();
  for (std::size_t v = 0; v < content.mask.size(); ++v)
  {
    if (content.mask[v] && std::isfinite(p[v]))
    {
      values.push_back(p[v]);
    }
  }
  return values;
}

TEST(HtmlReport, ColourRangesAreNumpysP2AndP98AndHistogramsCountEveryShownVoxel)
{
  const ReportContent content = Content();
  const std::string   html = MakeHtmlReport(content);
  for (std::size_t m = 0; m < content.maps.size(); ++m)
  {
    const std::string article = Between(html, "data-map=\"" + content.maps[m].name + "\"", "</article>");
    const auto        values = ShownValues(content, m);
    const double      p2 = NumpyPercentile(values, 2.0);
    const double      p98 = NumpyPercentile(values, 98.0);
    const std::string colorbar = Between(article, "<figure class=\"colorbar\"", ">");
    EXPECT_DOUBLE_EQ(std::stod(AttributeValues(colorbar, "data-p2").at(0)), p2);
    EXPECT_DOUBLE_EQ(std::stod(AttributeValues(colorbar, "data-p98").at(0)), p98);
    EXPECT_EQ(std::stoul(AttributeValues(colorbar, "data-count").at(0)), values.size());
    const double low = std::stod(AttributeValues(colorbar, "data-low").at(0));
    const double high = std::stod(AttributeValues(colorbar, "data-high").at(0));
    if (IsDiverging(content.maps[m].kind))
    {
      EXPECT_DOUBLE_EQ(high, std::max(std::abs(p2), std::abs(p98)));
      EXPECT_DOUBLE_EQ(low, -high);
    }
    else
    {
      EXPECT_DOUBLE_EQ(low, p2);
      EXPECT_DOUBLE_EQ(high, p98);
    }
    // The histogram's bars, the two outside the range included, hold every shown voxel once.
    const std::string histogram = Between(article, "<svg class=\"histogram\"", "</svg>");
    std::size_t       total = 0;
    for (const std::string & count : AttributeValues(histogram, "data-count"))
    {
      total += std::stoul(count);
    }
    EXPECT_EQ(total, values.size()) << content.maps[m].name;
    EXPECT_EQ(AttributeValues(histogram, "data-count").size(), 42u); // 40 bins, below, above
    // 12 axial tiles (or one per plane of the mask, when it has fewer), a sagittal and a
    // coronal, each a PNG that ITK decodes.
    std::size_t planes = 0;
    for (long z = 0; z < 12; ++z)
    {
      bool any = false;
      for (long y = 0; y < 18; ++y)
      {
        for (long x = 0; x < 16; ++x)
        {
          any = any || Inside(x, y, z);
        }
      }
      planes += any ? 1 : 0;
    }
    ASSERT_EQ(planes, 10u);
    const auto sources = AttributeValues(article, "src");
    EXPECT_EQ(sources.size(), planes + 2);
    for (const std::string & source : sources)
    {
      ASSERT_EQ(source.rfind("data:image/png;base64,", 0), 0u);
      EXPECT_GT(DecodePng(DecodeDataUri(source))->GetLargestPossibleRegion().GetNumberOfPixels(), 0u);
    }
    const auto views = AttributeValues(article, "data-view");
    EXPECT_EQ(static_cast<std::size_t>(std::count(views.begin(), views.end(), "axial")), planes);
    EXPECT_EQ(std::count(views.begin(), views.end(), "sagittal"), 1);
    EXPECT_EQ(std::count(views.begin(), views.end(), "coronal"), 1);
  }
}

TEST(HtmlReport, HostileNamesAreTextAndNothingLeavesThePage)
{
  const std::string html = MakeHtmlReport(Content());
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_EQ(html.find("</script><b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos); // the region, as text
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;.nii.gz"), std::string::npos);
  // Script elements: the error log, the viewer's data, the bundle and the viewer, the self-check.
  // (NiiVue's own code writes "<script" into pages it exports: the bundle is left out here.)
  std::string page = html;
  if (HasViewerBundle())
  {
    const std::size_t at = page.find(ViewerBundle());
    ASSERT_NE(at, std::string::npos);
    page.erase(at, ViewerBundle().size());
  }
  EXPECT_EQ(Occurrences(page, "<script"), HasViewerBundle() ? 5u : 2u);
  EXPECT_EQ(Occurrences(page, "</script>"), Occurrences(page, "<script"));
  // No resource from elsewhere: every image is data, no stylesheet or script is linked.
  for (const std::string & source : AttributeValues(html, "src"))
  {
    EXPECT_EQ(source.rfind("data:", 0), 0u) << source.substr(0, 40);
  }
  for (const std::string & link : AttributeValues(html, "href"))
  {
    EXPECT_EQ(link.front(), '#') << link;
  }
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  // The warnings and notes of the summary.
  EXPECT_NE(html.find("20 voxels of the mask had a variance below the floor"), std::string::npos);
  EXPECT_NE(html.find("7 non-finite samples (NaN, inf) were skipped"), std::string::npos);
  EXPECT_NE(html.find("k-NN estimates near 0 can be slightly negative"), std::string::npos);
  EXPECT_NE(html.find("quarter of &lt;the&gt; series"), std::string::npos);
  // The region chart: the 20 highest medians of the 25 regions.
  EXPECT_NE(html.find("data-regions=\"20\""), std::string::npos);
  EXPECT_NE(html.find(">region 25<"), std::string::npos);
  EXPECT_EQ(html.find(">region 5<"), std::string::npos);
  EXPECT_EQ(html.find("id=\"voxelkl-viewer-data\"") != std::string::npos, HasViewerBundle());
  if (!HasViewerBundle())
  {
    EXPECT_NE(html.find("The interactive viewer is not in this report"), std::string::npos);
  }
}

void
ExpectInputError(const ReportContent & content, const std::vector<std::string> & needles)
{
  try
  {
    MakeHtmlReport(content);
    ADD_FAILURE() << "no error";
  }
  catch (const InputError & error)
  {
    const std::string message = error.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    for (const std::string & needle : needles)
    {
      EXPECT_NE(message.find(needle), std::string::npos) << "'" << needle << "' not in: " << message;
    }
  }
}

TEST(HtmlReport, RefusesWhatItCannotShowNamingTheFileAndTheProblem)
{
  {
    ReportContent content = Content();
    SpatialGrid   shifted = Grid();
    shifted.origin[1] += 4.0;
    content.maps[1].image = MakeVolume(shifted, [](long, long, long) { return 1.0f; });
    ExpectInputError(content, { "anatomy.nii.gz", "vlr.nii.gz", "origin differs along axis 1" });
  }
  {
    ReportContent content = Content();
    SpatialGrid   other = Grid();
    other.size[2] = 11;
    content.maps[0].image = MakeVolume(other, [](long, long, long) { return 1.0f; });
    ExpectInputError(content, { "anatomy.nii.gz", "size differs along axis 2" });
  }
  {
    ReportContent content = Content();
    content.summary->at("voxels").erase("floored");
    ExpectInputError(content, { "kl.json: no field 'voxels.floored': not a complete VoxelKLDivergence summary" });
  }
  {
    ReportContent content = Content();
    (*content.summary)["kl"]["median"] = "high";
    ExpectInputError(content, { "kl.json: field 'kl.median' is string, expected a number" });
  }
  {
    ReportContent content = Content();
    (*content.summary)["tool"] = "fmriprep";
    ExpectInputError(content, { "kl.json: a summary of 'fmriprep'" });
  }
  {
    ReportContent content = Content();
    content.spatialSummary = Summary(); // of VoxelKLDivergence, where SpatialKLDivergence's is expected
    content.spatialSummarySource = "spatial.json";
    ExpectInputError(content, { "spatial.json: a summary of 'VoxelKLDivergence'" });
  }
  {
    ReportContent content = Content();
    content.anatomy = nullptr;
    ExpectInputError(content, { "<img src=x", "needs the reference's mean image" });
  }
  {
    ReportContent content = Content();
    content.mask.pop_back();
    ExpectInputError(content, { "mask.nii.gz", "not on the grid of anatomy.nii.gz" });
  }
  {
    ReportContent content = Content();
    content.cohort = ParseTextTable("model\tmeanKL\na\t1\n", "cohort.tsv");
    ExpectInputError(content, { "cohort.tsv: no 'subject' column" });
  }
}

TEST(Tables, SpatialAndCohortTablesParseOrNameTheirLine)
{
  const SpatialSeries series = ParseSpatialTable("volume\tkl\n0\t0.5\n1\tnan\n2\t0.25\n", "t.tsv");
  ASSERT_EQ(series.kl.size(), 3u);
  EXPECT_EQ(series.kl[0], 0.5);
  EXPECT_TRUE(std::isnan(series.kl[1]));
  EXPECT_TRUE(series.mse.empty());
  EXPECT_EQ(ParseSpatialTable("volume\tkl\tmse\n0\t1\t2\n", "t.tsv").mse, std::vector<double>{ 2.0 });
  EXPECT_THROW(ParseSpatialTable("volume\tloss\n0\t1\n", "t.tsv"), InputError);
  EXPECT_THROW(ParseSpatialTable("volume\tkl\n1\t0.5\n", "t.tsv"), InputError); // volumes from 0
  EXPECT_THROW(ParseSpatialTable("volume\tkl\n0\tmuch\n", "t.tsv"), InputError);
  try
  {
    ParseTextTable("subject\tmodel\n01\ta\textra\n", "c.tsv");
    ADD_FAILURE();
  }
  catch (const InputError & error)
  {
    EXPECT_EQ(std::string(error.what()), "c.tsv:2: 3 cells, but the header names 2 columns");
  }
  const TextTable table = ParseTextTable("\xEF\xBB\xBFsubject\tmodel\r\n01\ta\r\n\n02\n", "c.tsv");
  EXPECT_EQ(table.columns, (std::vector<std::string>{ "subject", "model" }));
  EXPECT_EQ(table.rows.size(), 2u);
}

TEST(HtmlReport, CohortAndSpatialPagesNeedNoMaps)
{
  ReportContent content;
  content.tool = "test";
  content.cohort = ParseTextTable("subject\tmodel\tmeanKL\n01\ta\t0.5\n01\tb\t0.7\n<02>\ta\tn/a\n", "cohort.tsv");
  SpatialSeries series;
  series.kl = { 0.1, 0.2, std::nan(""), 0.15 };
  series.source = "per_volume.tsv";
  content.spatial = series;
  const std::string html = MakeHtmlReport(content);
  EXPECT_NE(html.find("data-subjects=\"2\""), std::string::npos);
  EXPECT_NE(html.find("&lt;02&gt;"), std::string::npos);
  EXPECT_NE(html.find("data-volumes=\"4\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"viewer\""), std::string::npos); // nothing to view
  EXPECT_EQ(html.find("<img"), std::string::npos);
}

} // namespace
