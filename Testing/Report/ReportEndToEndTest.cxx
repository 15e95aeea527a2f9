// The report's executables end to end: VoxelKLReport puts a marker voxel of an oblique, an LPS
// and a RAS NIfTI file at the pixel of its tile that the file's affine (read back by ITK)
// says; VoxelKLDivergence, VoxelKLMerge, SpatialKLDivergence and VoxelKLCohort --report
// write pages whose numbers are their summaries'.
#include "ReportFiles.h"

#include "itkImageFileReader.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

constexpr std::array<long, 3> MarkerIndex{ 4, 13, 6 };

float
MarkerMap(long x, long y, long z)
{
  return x == MarkerIndex[0] && y == MarkerIndex[1] && z == MarkerIndex[2] ? 1000.0f : 0.0f;
}

float
Flat(long, long, long)
{
  return 100.0f;
}

struct OrientationCase
{
  const char *          name;
  std::array<double, 9> direction;
  bool                  markerOnTheLeft; // index 4 of 18 along x
};

class MarkerInReport : public ::testing::TestWithParam<OrientationCase>
{
};

TEST_P(MarkerInReport, LandsAtThePixelOfTheFilesAffine)
{
  const OrientationCase &          c = GetParam();
  TemporaryDirectory               directory(std::string("report-marker-") + c.name);
  const std::array<std::size_t, 3> size{ 18, 20, 10 };
  WriteVolume(directory / "anatomy.nii.gz", size, c.direction, Flat);
  WriteVolume(directory / "marker.nii.gz", size, c.direction, MarkerMap);
  const auto result = RunProgram(VOXELKL_REPORT_EXECUTABLE,
                                 { "--anatomy",
                                   directory / "anatomy.nii.gz",
                                   "--kl",
                                   directory / "marker.nii.gz",
                                   "--slices",
                                   "64",
                                   "--output",
                                   directory / "report.html" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const std::string html = ReadFile(directory / "report.html");

  // Where the file puts the marker, and the box of its voxels, in RAS: ITK's reading of the
  // NIfTI header (LPS), x and y negated.
  auto reader = itk::ImageFileReader<itk::Image<float, 3>>::New();
  reader->SetFileName(directory / "marker.nii.gz");
  reader->Update();
  const auto image = reader->GetOutput();
  auto       ras = [&](double i, double j, double k) {
    itk::ContinuousIndex<double, 3> index;
    index[0] = i;
    index[1] = j;
    index[2] = k;
    itk::Point<double, 3> lps;
    image->TransformContinuousIndexToPhysicalPoint(index, lps);
    return std::array<double, 3>{ -lps[0], -lps[1], lps[2] };
  };
  const auto            marker = ras(MarkerIndex[0], MarkerIndex[1], MarkerIndex[2]);
  std::array<double, 3> low{ 1e300, 1e300, 1e300 };
  std::array<double, 3> high{ -1e300, -1e300, -1e300 };
  for (int corner = 0; corner < 8; ++corner)
  {
    const auto p =
      ras(corner & 1 ? size[0] - 0.5 : -0.5, corner & 2 ? size[1] - 0.5 : -0.5, corner & 4 ? size[2] - 0.5 : -0.5);
    for (int a = 0; a < 3; ++a)
    {
      low[a] = std::min(low[a], p[a]);
      high[a] = std::max(high[a], p[a]);
    }
  }
  const double step = 2.0; // the smallest spacing

  // The axial tile through the marker (one per plane of voxel centres with --slices 64).
  const std::string article = Between(html, "data-map=\"kl\"", "</article>");
  std::string       tile;
  for (std::size_t at = article.find("<figure class=\"tile\""); at != std::string::npos;
       at = article.find("<figure class=\"tile\"", at + 1))
  {
    const std::string figure = Between(article, "<figure class=\"tile\"", "</figure>", at);
    if (AttributeValues(figure, "data-view").at(0) == "axial" &&
        std::abs(std::stod(AttributeValues(figure, "data-position").at(0)) - marker[2]) < 1e-3)
    {
      tile = figure;
    }
  }
  ASSERT_FALSE(tile.empty()) << "no axial tile at z = " << marker[2];
  const auto png = DecodePng(DecodeDataUri(AttributeValues(tile, "src").at(0)));
  const auto width = png->GetLargestPossibleRegion().GetSize()[0];
  const auto height = png->GetLargestPossibleRegion().GetSize()[1];
  EXPECT_EQ(width, static_cast<std::size_t>(std::ceil((high[0] - low[0]) / step - 1e-6)));
  // The marker is the only light grey-white pixel: the map's top colour (white) over the grey
  // anatomy; every other voxel is 0, the middle of the hot colours (red-orange, no blue).
  double      column = 0.0;
  double      row = 0.0;
  std::size_t found = 0;
  for (std::size_t r = 0; r < height; ++r)
  {
    for (std::size_t k = 0; k < width; ++k)
    {
      const auto pixel = png->GetPixel({ { static_cast<long>(k), static_cast<long>(r) } });
      if (pixel[2] > 150)
      {
        column += k;
        row += r;
        ++found;
      }
    }
  }
  ASSERT_GT(found, 0u) << "the marker is not in its tile";
  column /= found;
  row /= found;
  // Pixel (k, r) is at x = low + (k + 1/2) step, y = high - (r + 1/2) step: L on the left, A up.
  EXPECT_NEAR(column, (marker[0] - low[0]) / step - 0.5, 1.0);
  EXPECT_NEAR(row, (high[1] - marker[1]) / step - 0.5, 1.0);
  EXPECT_EQ(column < width / 2.0, c.markerOnTheLeft) << "the subject's left must be on the left";
  // The tile says so.
  EXPECT_NE(tile.find("<span class=\"l\">L</span><span class=\"r\">R</span><span class=\"t\">A</span>"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
  Orientations,
  MarkerInReport,
  ::testing::Values(
    // ITK's identity is LPS: index x grows to the subject's left, so index 4 of 18 is on the right.
    OrientationCase{ "LPS", { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, false },
    // NIfTI's RAS identity: index x grows to the right.
    OrientationCase{ "RAS", { -1, 0, 0, 0, -1, 0, 0, 0, 1 }, true },
    // Oblique, 30 degrees about z, RAS-like.
    OrientationCase{ "Oblique",
                     { -std::cos(0.5236), std::sin(0.5236), 0, -std::sin(0.5236), -std::cos(0.5236), 0, 0, 0, 1 },
                     true }),
  [](const ::testing::TestParamInfo<OrientationCase> & info) { return std::string(info.param.name); });

double
Signal(long x, long y, long z, long t)
{
  return 200.0 + 3 * x + 2 * y + z + ((t * 7 + x * 3 + y) % 5) * (1.0 + 0.2 * z);
}
double
Generated(long x, long y, long z, long t)
{
  return 201.0 + 3 * x + 2 * y + z + ((t * 5 + z + 2 * y) % 4) * (x > 3 ? 0.5 : 1.5);
}

class RunReports : public ::testing::Test
{
protected:
  TemporaryDirectory directory{ "report-runs" };
  void
  SetUp() override
  {
    const auto reference = MakeSeries({ 8, 7, 5, 24 }, Signal);
    WriteSeries(reference, directory / "ref.nii.gz");
    WriteSeries(MakeSeries({ 8, 7, 5, 24 }, Generated), directory / "gen.nii.gz");
    WriteMask(reference, directory / "mask.nii.gz", [](long x, long y, long) { return x > 0 && y > 0 ? 1 : 0; });
    WriteMask(reference, directory / "labels.nii.gz", [](long x, long, long z) { return 1 + (x + z) % 3; });
    std::ofstream(directory / "names.txt") << "1 one\n2 <script>alert(1)</script>\n3 three\n";
  }
};

TEST_F(RunReports, VoxelKLDivergencesPageShowsTheSummarysValidVoxels)
{
  const auto result =
    RunProgram(VOXELKL_KL_EXECUTABLE,
               { "--reference",   directory / "ref.nii.gz",    "--generated",        directory / "gen.nii.gz",
                 "--mask",        directory / "mask.nii.gz",   "--output",           directory / "kl.nii.gz",
                 "--mse",         directory / "mse.nii",       "--varianceLogRatio", directory / "vlr.nii.gz",
                 "--labels",      directory / "labels.nii.gz", "--labelNames",       directory / "names.txt",
                 "--regionTable", directory / "regions.tsv",   "--summary",          directory / "kl.json",
                 "--saveState",   directory / "kl.vkls",       "--report",           directory / "report.html" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("Report: " + directory / "report.html"), std::string::npos) << result.out;
  const auto        summary = nlohmann::json::parse(ReadFile(directory / "kl.json"));
  const std::string html = ReadFile(directory / "report.html");
  const std::size_t valid = summary["voxels"]["valid"].get<std::size_t>();
  for (const char * map : { "kl", "mse", "correlation", "varianceLogRatio" })
  {
    const std::string article = Between(html, std::string("data-map=\"") + map + "\"", "</article>");
    ASSERT_FALSE(article.empty()) << map;
    const std::string colorbar = Between(article, "<figure class=\"colorbar\"", ">");
    EXPECT_EQ(std::stoul(AttributeValues(colorbar, "data-count").at(0)), valid) << map;
    std::size_t total = 0;
    for (const std::string & count :
         AttributeValues(Between(article, "<svg class=\"histogram\"", "</svg>"), "data-count"))
    {
      total += std::stoul(count);
    }
    EXPECT_EQ(total, valid) << map;
  }
  // The Gaussian KL's p2/p98 is over the summary's valid voxels: numpy's, of the map.
  const auto          kl = ReadVolume(directory / "kl.nii.gz");
  const auto          mask = ReadVolume(directory / "mask.nii.gz");
  std::vector<double> values;
  for (std::size_t v = 0; v < kl->GetLargestPossibleRegion().GetNumberOfPixels(); ++v)
  {
    if (mask->GetBufferPointer()[v] != 0)
    {
      values.push_back(kl->GetBufferPointer()[v]);
    }
  }
  ASSERT_EQ(values.size(), valid); // no constant or floored voxel in this pair
  const std::string colorbar =
    Between(Between(html, "data-map=\"kl\"", "</article>"), "<figure class=\"colorbar\"", ">");
  EXPECT_DOUBLE_EQ(std::stod(AttributeValues(colorbar, "data-p2").at(0)), NumpyPercentile(values, 2.0));
  EXPECT_DOUBLE_EQ(std::stod(AttributeValues(colorbar, "data-p98").at(0)), NumpyPercentile(values, 98.0));
  // The region chart, its hostile name as text.
  EXPECT_NE(html.find("id=\"regions\""), std::string::npos);
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);

  // The merge of the state writes the same kind of page, over the merged reference mean.
  const auto merged = RunProgram(VOXELKL_MERGE_EXECUTABLE,
                                 { "--state",
                                   directory / "kl.vkls",
                                   "--output",
                                   directory / "merged.nii.gz",
                                   "--summary",
                                   directory / "merged.json",
                                   "--report",
                                   directory / "merged.html" });
  ASSERT_EQ(merged.exitCode, 0) << merged.err;
  // VoxelKLReport takes the merge's summary too.
  const auto fromMerge = RunProgram(VOXELKL_REPORT_EXECUTABLE,
                                    { "--anatomy",
                                      directory / "mse.nii",
                                      "--kl",
                                      directory / "merged.nii.gz",
                                      "--summary",
                                      directory / "merged.json",
                                      "--output",
                                      directory / "from-merge.html" });
  ASSERT_EQ(fromMerge.exitCode, 0) << fromMerge.err;
  EXPECT_NE(ReadFile(directory / "from-merge.html").find("run&#39;s states"), std::string::npos);
  const std::string mergedHtml = ReadFile(directory / "merged.html");
  EXPECT_NE(mergedHtml.find("Written by VoxelKLMerge"), std::string::npos);
  EXPECT_EQ(
    std::stoul(
      AttributeValues(Between(Between(mergedHtml, "data-map=\"kl\"", "</article>"), "<figure class=\"colorbar\"", ">"),
                      "data-count")
        .at(0)),
    valid);
}

TEST_F(RunReports, DemeanedRunsAreDrawnOverTheSeriesMean)
{
  // Demeaned runs have a mean of 0: the underlay is the series' own mean, read again.
  const auto result = RunProgram(VOXELKL_KL_EXECUTABLE,
                                 { "--reference",
                                   directory / "ref.nii.gz",
                                   "--reference",
                                   directory / "ref.nii.gz",
                                   "--generated",
                                   directory / "gen.nii.gz",
                                   "--generated",
                                   directory / "gen.nii.gz",
                                   "--runs",
                                   "demean",
                                   "--mask",
                                   directory / "mask.nii.gz",
                                   "--output",
                                   directory / "kl.nii.gz",
                                   "--report",
                                   directory / "report.html" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const std::string html = ReadFile(directory / "report.html");
  EXPECT_NE(html.find("(before the runs were demeaned)"), std::string::npos);
  // The grey range is that of the signal (about 200 and up), not of demeaned values near 0.
  const std::string range = Between(html, "over the mask: ", ")");
  ASSERT_FALSE(range.empty());
  EXPECT_GT(std::stod(range.substr(std::string("over the mask: ").size())), 150.0) << range;
}

TEST_F(RunReports, SpatialKLAndCohortPages)
{
  const auto spatial = RunProgram(VOXELKL_SPATIALKL_EXECUTABLE,
                                  { "--reference",
                                    directory / "ref.nii.gz",
                                    "--generated",
                                    directory / "gen.nii.gz",
                                    "--standardize",
                                    "volume",
                                    "--summary",
                                    directory / "sub-01_desc-spatial_kl.json",
                                    "--table",
                                    directory / "spatial.tsv",
                                    "--report",
                                    directory / "spatial.html" });
  ASSERT_EQ(spatial.exitCode, 0) << spatial.err;
  const std::string spatialHtml = ReadFile(directory / "spatial.html");
  EXPECT_NE(spatialHtml.find("data-volumes=\"24\""), std::string::npos);
  EXPECT_EQ(Occurrences(spatialHtml, "<svg class=\"series\""), 2u); // KL and MSE over time
  // The same page from the files, through VoxelKLReport.
  const auto fromFiles = RunProgram(VOXELKL_REPORT_EXECUTABLE,
                                    { "--summary",
                                      directory / "sub-01_desc-spatial_kl.json",
                                      "--spatialTable",
                                      directory / "spatial.tsv",
                                      "--output",
                                      directory / "spatial-files.html" });
  ASSERT_EQ(fromFiles.exitCode, 0) << fromFiles.err;
  EXPECT_NE(ReadFile(directory / "spatial-files.html").find("data-volumes=\"24\""), std::string::npos);

  for (const char * subject : { "01", "02" })
  {
    const auto kl = RunProgram(VOXELKL_KL_EXECUTABLE,
                               { "--reference",
                                 directory / "ref.nii.gz",
                                 "--generated",
                                 directory / "gen.nii.gz",
                                 "--output",
                                 directory / (std::string("sub-") + subject + "_kl.nii.gz"),
                                 "--summary",
                                 directory / (std::string("sub-") + subject + "_kl.json") });
    ASSERT_EQ(kl.exitCode, 0) << kl.err;
  }
  const auto cohort = RunProgram(VOXELKL_COHORT_EXECUTABLE,
                                 { "--summary",
                                   directory / "sub-01_kl.json",
                                   "--summary",
                                   directory / "sub-02_kl.json",
                                   "--table",
                                   directory / "cohort.tsv",
                                   "--report",
                                   directory / "cohort.html" });
  ASSERT_EQ(cohort.exitCode, 0) << cohort.err;
  const std::string cohortHtml = ReadFile(directory / "cohort.html");
  EXPECT_NE(cohortHtml.find("data-subjects=\"2\""), std::string::npos);
  const auto table =
    RunProgram(VOXELKL_REPORT_EXECUTABLE,
               { "--cohortTable", directory / "cohort.tsv", "--output", directory / "cohort-files.html" });
  ASSERT_EQ(table.exitCode, 0) << table.err;
  EXPECT_NE(ReadFile(directory / "cohort-files.html").find("data-subjects=\"2\""), std::string::npos);
}

TEST_F(RunReports, VoxelKLReportTakesTheReferenceSeriesAndMaps)
{
  ASSERT_EQ(RunProgram(VOXELKL_KL_EXECUTABLE,
                       { "--reference",
                         directory / "ref.nii.gz",
                         "--generated",
                         directory / "gen.nii.gz",
                         "--output",
                         directory / "kl.nii.gz",
                         "--meanDifference",
                         directory / "dm.nii.gz",
                         "--summary",
                         directory / "kl.json" })
              .exitCode,
            0);
  const auto result = RunProgram(VOXELKL_REPORT_EXECUTABLE,
                                 { "--reference",
                                   directory / "ref.nii.gz",
                                   "--mask",
                                   directory / "mask.nii.gz",
                                   "--kl",
                                   directory / "kl.nii.gz",
                                   "--map",
                                   "meanDifference=" + directory / "dm.nii.gz",
                                   "--map",
                                   "other-map=" + directory / "dm.nii.gz",
                                   "--summary",
                                   directory / "kl.json",
                                   "--title",
                                   "sub-01 <model>",
                                   "--output",
                                   directory / "report.html" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("Report: " + directory / "report.html"), std::string::npos);
  const std::string html = ReadFile(directory / "report.html");
  EXPECT_NE(html.find("<title>VoxelKL report: sub-01 &lt;model&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("data-map=\"meanDifference\""), std::string::npos);
  EXPECT_NE(html.find("data-map=\"other-map\""), std::string::npos);
  EXPECT_NE(html.find("the mean over time of " + directory / "ref.nii.gz"), std::string::npos);
  // The mask's voxels: 7 x 6 x 5 of 8 x 7 x 5.
  const std::string colorbar =
    Between(Between(html, "data-map=\"kl\"", "</article>"), "<figure class=\"colorbar\"", ">");
  EXPECT_EQ(AttributeValues(colorbar, "data-count").at(0), "210");
  for (const auto & name : directory.Files())
  {
    EXPECT_EQ(name.find("voxelkl-partial"), std::string::npos) << name;
  }
}

} // namespace
