// Where a voxel lands in a mosaic tile: a marker voxel on LPS, RAS, oblique and permuted
// grids, drawn, encoded, decoded by ITK's PNG reader and found at the pixel the grid's affine
// puts it, computed here by a loop of its own; and on the side of the image the neurological
// convention puts the subject's left and right.
#include "ReportTestSupport.h"

#include "voxelkl/ReportEncoding.h"
#include "voxelkl/ReportSlices.h"

#include <gtest/gtest.h>

#include <cmath>

namespace
{
using namespace voxelkl;
using namespace voxelkl::test;

struct GridCase
{
  const char *        name;
  SpatialGrid         grid;
  std::array<long, 3> marker;
};

// Row-major product of two 3x3 matrices.
std::array<double, 9>
Multiply(const std::array<double, 9> & a, const std::array<double, 9> & b)
{
  std::array<double, 9> c{};
  for (int r = 0; r < 3; ++r)
  {
    for (int k = 0; k < 3; ++k)
    {
      for (int j = 0; j < 3; ++j)
      {
        c[r * 3 + k] += a[r * 3 + j] * b[j * 3 + k];
      }
    }
  }
  return c;
}

std::vector<GridCase>
Cases()
{
  SpatialGrid base;
  base.size = { 20, 24, 16 };
  base.spacing = { 2.0, 2.0, 3.0 };
  base.origin = { 12.0, -30.0, -20.0 };
  std::vector<GridCase> cases;
  // ITK's identity: index x grows to the subject's left (LPS), y posterior.
  SpatialGrid lps = base;
  lps.direction = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
  cases.push_back({ "LPS", lps, { 3, 17, 11 } });
  // NIfTI's RAS identity as ITK reads it: index x grows to the right, y anterior.
  SpatialGrid ras = base;
  ras.direction = { -1, 0, 0, 0, -1, 0, 0, 0, 1 };
  cases.push_back({ "RAS", ras, { 3, 17, 11 } });
  // Oblique: 25 degrees about z, then 15 about x; anisotropic voxels.
  SpatialGrid  oblique = base;
  const double a = 25.0 * M_PI / 180.0;
  const double b = 15.0 * M_PI / 180.0;
  oblique.direction = Multiply({ std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1 },
                               { 1, 0, 0, 0, std::cos(b), -std::sin(b), 0, std::sin(b), std::cos(b) });
  oblique.spacing = { 2.0, 2.5, 3.0 };
  cases.push_back({ "Oblique", oblique, { 5, 14, 9 } });
  // A sagittal acquisition: index x runs inferior to superior, y anterior to posterior, z
  // right to left.
  SpatialGrid permuted = base;
  permuted.direction = { 0, 0, 1, 0, 1, 0, 1, 0, 0 };
  cases.push_back({ "Permuted", permuted, { 13, 4, 2 } });
  return cases;
}

// The marker's centre in RAS: LPS = origin + sum_j direction[:, j] spacing[j] index[j], x and y negated.
RasPoint
MarkerRas(const GridCase & c)
{
  RasPoint lps{};
  for (int r = 0; r < 3; ++r)
  {
    lps[r] = c.grid.origin[r];
    for (int j = 0; j < 3; ++j)
    {
      lps[r] += c.grid.direction[r * 3 + j] * c.grid.spacing[j] * static_cast<double>(c.marker[j]);
    }
  }
  return { -lps[0], -lps[1], lps[2] };
}

// The RAS box of the grid's voxels (the 8 corners, half a voxel beyond the outer centres).
RasBox
CornerBox(const SpatialGrid & grid)
{
  RasBox box{ { 1e300, 1e300, 1e300 }, { -1e300, -1e300, -1e300 } };
  for (int corner = 0; corner < 8; ++corner)
  {
    RasPoint lps{};
    for (int r = 0; r < 3; ++r)
    {
      lps[r] = grid.origin[r];
      for (int j = 0; j < 3; ++j)
      {
        const double index = (corner >> j) & 1 ? grid.size[j] - 0.5 : -0.5;
        lps[r] += grid.direction[r * 3 + j] * grid.spacing[j] * index;
      }
    }
    const RasPoint p{ -lps[0], -lps[1], lps[2] };
    for (int r = 0; r < 3; ++r)
    {
      box.low[r] = std::min(box.low[r], p[r]);
      box.high[r] = std::max(box.high[r], p[r]);
    }
  }
  return box;
}

struct Found
{
  std::size_t pixels{ 0 };
  double      column{ 0.0 };
  double      row{ 0.0 };
  std::size_t width{ 0 };
  std::size_t height{ 0 };
};

// Draws the marker's plane of view, encodes it, decodes it with ITK and finds the marker's
// white pixels.
Found
DrawAndFind(const GridCase & c, SliceView view)
{
  const GridGeometry geometry(c.grid);
  std::vector<float> values(c.grid.VoxelCount(), 0.0f);
  values[(static_cast<std::size_t>(c.marker[2]) * c.grid.size[1] + static_cast<std::size_t>(c.marker[1])) *
           c.grid.size[0] +
         static_cast<std::size_t>(c.marker[0])] = 1.0f;
  const ColorMap hot = ColorMap::Hot();
  DisplayRange   range;
  range.low = 0.0;
  range.high = 1.0;
  const SliceLayer layer{ values.data(), nullptr, range, &hot, 1.0 };
  const SlicePlane plane = MakePlane(geometry, view, MarkerRas(c)[NormalAxis(view)]);
  const auto       voxels = SampleVoxels(geometry, plane);
  const RgbImage   image = RenderSlice(voxels, plane, nullptr, range, &layer, nullptr);
  const auto       decoded = DecodePng(EncodePng(image));
  Found            found;
  found.width = decoded->GetLargestPossibleRegion().GetSize()[0];
  found.height = decoded->GetLargestPossibleRegion().GetSize()[1];
  for (std::size_t row = 0; row < found.height; ++row)
  {
    for (std::size_t column = 0; column < found.width; ++column)
    {
      const auto pixel = decoded->GetPixel({ { static_cast<long>(column), static_cast<long>(row) } });
      if (pixel[0] == 255 && pixel[1] == 255 && pixel[2] == 255)
      {
        ++found.pixels;
        found.column += column;
        found.row += row;
      }
      else
      {
        EXPECT_TRUE(pixel[0] == 0 && pixel[1] == 0 && pixel[2] == 0) << "a pixel that is neither marker nor black";
      }
    }
  }
  if (found.pixels > 0)
  {
    found.column /= found.pixels;
    found.row /= found.pixels;
  }
  return found;
}

class Marker : public ::testing::TestWithParam<GridCase>
{
};

TEST_P(Marker, LandsWhereTheAffinePutsItInEveryView)
{
  const GridCase & c = GetParam();
  const RasPoint   marker = MarkerRas(c);
  const RasBox     box = CornerBox(c.grid);
  const double     step = std::min({ c.grid.spacing[0], c.grid.spacing[1], c.grid.spacing[2] });
  // (horizontal axis, vertical axis) of each view: x and y (A up), x and z (S up), y and z.
  const struct
  {
    SliceView view;
    int       horizontal;
    int       vertical;
  } views[] = { { SliceView::Axial, 0, 1 }, { SliceView::Coronal, 0, 2 }, { SliceView::Sagittal, 1, 2 } };
  for (const auto & v : views)
  {
    const Found found = DrawAndFind(c, v.view);
    ASSERT_GT(found.pixels, 0u) << c.name << " " << ToString(v.view) << ": the marker is not in its plane";
    // Pixel centres: column k at box.low + (k + 1/2) step, rows from the top (box.high).
    const double column = (marker[v.horizontal] - box.low[v.horizontal]) / step - 0.5;
    const double row = (box.high[v.vertical] - marker[v.vertical]) / step - 0.5;
    EXPECT_NEAR(found.column, column, 1.0) << c.name << " " << ToString(v.view);
    EXPECT_NEAR(found.row, row, 1.0) << c.name << " " << ToString(v.view);
    EXPECT_EQ(found.width,
              static_cast<std::size_t>(std::ceil((box.high[v.horizontal] - box.low[v.horizontal]) / step - 1e-6)));
  }
}

INSTANTIATE_TEST_SUITE_P(Grids,
                         Marker,
                         ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<GridCase> & info) { return std::string(info.param.name); });

TEST(Marker, SubjectsLeftIsOnTheLeftOfTheImage)
{
  // Index 3 of 20 along x: on the subject's right on an LPS grid (x grows to the left), on
  // the left on a RAS grid. Neurological convention: left on the left of the image.
  const auto  cases = Cases();
  const Found lps = DrawAndFind(cases[0], SliceView::Axial);
  const Found ras = DrawAndFind(cases[1], SliceView::Axial);
  EXPECT_GT(lps.column, lps.width / 2.0);
  EXPECT_LT(ras.column, ras.width / 2.0);
  // Index 17 of 24 along y: posterior on LPS (bottom of an axial tile), anterior on RAS (top).
  EXPECT_GT(lps.row, lps.height / 2.0);
  EXPECT_LT(ras.row, ras.height / 2.0);
  // Index 11 of 16 along z: superior, the top of a coronal tile, on both.
  EXPECT_LT(DrawAndFind(cases[0], SliceView::Coronal).row, lps.height / 2.0);
  // The sagittal acquisition: index z 2 of 16 runs right to left, so the marker is near the
  // subject's right; index x 13 of 20 runs up: superior.
  const Found sagittal = DrawAndFind(cases[3], SliceView::Coronal);
  EXPECT_GT(sagittal.column, sagittal.width / 2.0);
  EXPECT_LT(sagittal.row, sagittal.height / 2.0);
}

TEST(Letters, NameTheEdgesOfEachView)
{
  const ViewLetters axial = LettersOf(SliceView::Axial);
  EXPECT_EQ(std::string({ axial.left, axial.right, axial.top, axial.bottom }), "LRAP");
  const ViewLetters coronal = LettersOf(SliceView::Coronal);
  EXPECT_EQ(std::string({ coronal.left, coronal.right, coronal.top, coronal.bottom }), "LRSI");
  const ViewLetters sagittal = LettersOf(SliceView::Sagittal);
  EXPECT_EQ(std::string({ sagittal.left, sagittal.right, sagittal.top, sagittal.bottom }), "PASI");
}

TEST(SlicePositions, OfAnUnrotatedGridPassThroughVoxelCentresInOrder)
{
  const auto                 cases = Cases();
  const SpatialGrid &        grid = cases[0].grid; // LPS, z spacing 3 from origin -20
  const GridGeometry         geometry(grid);
  std::vector<unsigned char> inside(grid.VoxelCount(), 0);
  for (std::size_t z = 2; z <= 13; ++z)
  {
    inside[(z * grid.size[1] + 5) * grid.size[0] + 5] = 1;
  }
  const RasBox box = VoxelCentreBox(geometry, inside);
  EXPECT_DOUBLE_EQ(box.low[2], -20.0 + 3 * 2);
  EXPECT_DOUBLE_EQ(box.high[2], -20.0 + 3 * 13);
  const auto four = SlicePositions(geometry, box, SliceView::Axial, 4);
  ASSERT_EQ(four.size(), 4u);
  for (std::size_t k = 0; k < four.size(); ++k)
  {
    const double index = (four[k] + 20.0) / 3.0;
    EXPECT_DOUBLE_EQ(index, std::round(index)) << four[k];
    EXPECT_GE(index, 2.0);
    EXPECT_LE(index, 13.0);
    if (k > 0)
    {
      EXPECT_GT(four[k], four[k - 1]);
    }
  }
  // More slices than planes: each plane once.
  EXPECT_EQ(SlicePositions(geometry, box, SliceView::Axial, 64).size(), 12u);
}

TEST(RenderSlice, OutlinesTheMaskOutsideItAndMixesTheMapOverTheAnatomy)
{
  SpatialGrid grid;
  grid.size = { 9, 9, 1 };
  grid.spacing = { 1, 1, 1 };
  grid.direction = { -1, 0, 0, 0, -1, 0, 0, 0, 1 }; // RAS: columns follow index x, rows fall with y
  const GridGeometry         geometry(grid);
  std::vector<unsigned char> mask(grid.VoxelCount(), 0);
  for (std::size_t y = 3; y <= 5; ++y)
  {
    for (std::size_t x = 3; x <= 5; ++x)
    {
      mask[y * 9 + x] = 1;
    }
  }
  std::vector<float> anatomy(grid.VoxelCount(), 1.0f);
  std::vector<float> map(grid.VoxelCount(), 1.0f);
  const ColorMap     hot = ColorMap::Hot();
  DisplayRange       unit;
  unit.low = 0.0;
  unit.high = 2.0; // anatomy 1 = mid grey; map 1 = the hot table's entry 128
  const SliceLayer layer{ map.data(), &mask, unit, &hot, 0.5 };
  const SlicePlane plane = MakePlane(geometry, SliceView::Axial, 0.0);
  const RgbImage   image = RenderSlice(SampleVoxels(geometry, plane), plane, anatomy.data(), unit, &layer, &mask);
  ASSERT_EQ(image.width, 9u);
  ASSERT_EQ(image.height, 9u);
  // Row r shows index y = 8 - r (anterior at the top).
  EXPECT_EQ(image.At(4, 4),
            (Rgb{ static_cast<std::uint8_t>(std::lround(0.5 * hot.Table()[128].r + 0.5 * 128)),
                  static_cast<std::uint8_t>(std::lround(0.5 * hot.Table()[128].g + 0.5 * 128)),
                  static_cast<std::uint8_t>(std::lround(0.5 * hot.Table()[128].b + 0.5 * 128)) }));
  EXPECT_EQ(image.At(2, 4), OutlineColor);           // left of the mask
  EXPECT_EQ(image.At(4, 2), OutlineColor);           // above it
  EXPECT_EQ(image.At(2, 2), (Rgb{ 128, 128, 128 })); // diagonal: not 4-adjacent, the anatomy
  EXPECT_EQ(image.At(0, 0), (Rgb{ 128, 128, 128 }));
}

} // namespace
