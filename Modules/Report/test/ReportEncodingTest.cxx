// The encodings of a self-contained page: base64 (RFC 4648's vectors), PNG read back by ITK,
// gzip inflated by zlib, the viewer's NIfTI read back by ITK, hostile text escaped.
#include "ReportTestSupport.h"

#include "voxelkl/ImageGrid.h"
#include "voxelkl/ReportEncoding.h"
#include "voxelkl/ReportViewer.h"

#include "itkImageFileReader.h"
#include "itkNiftiImageIO.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

namespace
{
using namespace voxelkl;
using namespace voxelkl::test;

TEST(Base64, MatchesTheVectorsOfRfc4648)
{
  EXPECT_EQ(EncodeBase64(""), "");
  EXPECT_EQ(EncodeBase64("f"), "Zg==");
  EXPECT_EQ(EncodeBase64("fo"), "Zm8=");
  EXPECT_EQ(EncodeBase64("foo"), "Zm9v");
  EXPECT_EQ(EncodeBase64("foob"), "Zm9vYg==");
  EXPECT_EQ(EncodeBase64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(EncodeBase64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(EncodeBase64(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_EQ(DataUri("image/png", "foo"), "data:image/png;base64,Zm9v");
  std::string bytes;
  for (int i = 0; i < 1000; ++i)
  {
    bytes += static_cast<char>((i * 37) & 0xFF);
  }
  EXPECT_EQ(DecodeDataUri(DataUri("x/y", bytes)), bytes);
}

TEST(Png, DecodesWithItksReaderToTheSamePixels)
{
  RgbImage image;
  image.width = 37;
  image.height = 23;
  std::mt19937 random(3);
  for (std::size_t i = 0; i < 3 * image.width * image.height; ++i)
  {
    image.pixels.push_back(static_cast<std::uint8_t>(random() & 0xFF));
  }
  const std::string png = EncodePng(image);
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  const auto decoded = DecodePng(png);
  ASSERT_EQ(decoded->GetLargestPossibleRegion().GetSize()[0], image.width);
  ASSERT_EQ(decoded->GetLargestPossibleRegion().GetSize()[1], image.height);
  for (std::size_t row = 0; row < image.height; ++row)
  {
    for (std::size_t column = 0; column < image.width; ++column)
    {
      const auto pixel = decoded->GetPixel({ { static_cast<long>(column), static_cast<long>(row) } });
      const Rgb  expected = image.At(column, row);
      ASSERT_EQ(pixel[0], expected.r);
      ASSERT_EQ(pixel[1], expected.g);
      ASSERT_EQ(pixel[2], expected.b);
    }
  }
  EXPECT_THROW(EncodePng(RgbImage{}), std::invalid_argument);
}

TEST(Gzip, InflatesWithZlibToTheSameBytes)
{
  std::string text;
  for (int i = 0; i < 100000; ++i)
  {
    text += static_cast<char>('a' + (static_cast<long long>(i) * i) % 7);
  }
  const std::string compressed = Gzip(text);
  EXPECT_EQ(compressed.substr(0, 2), "\x1f\x8b");
  std::string out(text.size(), '\0');
  z_stream    stream{};
  ASSERT_EQ(inflateInit2(&stream, 16 + MAX_WBITS), Z_OK);
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef *>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  inflateEnd(&stream);
  EXPECT_EQ(out, text);
}

TEST(EscapeHtml, LeavesNoMarkupAndRepairsBrokenUtf8)
{
  EXPECT_EQ(EscapeHtml("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(EscapeHtml("a & \"b\""), "a &amp; &quot;b&quot;");
  EXPECT_EQ(EscapeHtml("Gyrus \xC3\xA9tendu"), "Gyrus \xC3\xA9tendu"); // UTF-8 kept
  EXPECT_EQ(EscapeHtml("Latin-1 \xE9t\xE9"), "Latin-1 \xEF\xBF\xBDt\xEF\xBF\xBD");
  EXPECT_EQ(EscapeHtml(std::string("bell\x07 nul\0 del\x7F", 15)), "bell nul del");
  EXPECT_EQ(EscapeHtml("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");                 // four bytes
  EXPECT_EQ(EscapeHtml("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); // a surrogate is not UTF-8
}

TEST(ScriptJson, CannotEndItsScriptElement)
{
  const nlohmann::json document = { { "name", "</script><script>alert(1)</script><!--" }, { "x", "a & b > c" } };
  const std::string    text = ScriptJson(document);
  EXPECT_EQ(text.find('<'), std::string::npos);
  EXPECT_EQ(text.find('>'), std::string::npos);
  EXPECT_EQ(text.find('&'), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(text), document);
  nlohmann::json repaired;
  EXPECT_NO_THROW(repaired = nlohmann::json::parse(ScriptJson({ { "bad", "\xE9" } })));
  EXPECT_EQ(repaired["bad"], "\xEF\xBF\xBD");
}

TEST(ViewerVolume, ReadsBackWithItksNiftiReaderOnTheGridAndWithItsValues)
{
  // An oblique grid, as the maps' grid of any scanner.
  SpatialGrid grid;
  grid.size = { 7, 6, 5 };
  grid.spacing = { 2.0, 2.5, 3.0 };
  grid.origin = { 10.0, -20.0, 30.0 };
  const double a = 0.3;
  grid.direction = { std::cos(a), -std::sin(a), 0.0, std::sin(a), std::cos(a), 0.0, 0.0, 0.0, 1.0 };
  std::vector<float> values(grid.VoxelCount());
  for (std::size_t v = 0; v < values.size(); ++v)
  {
    values[v] = static_cast<float>(v % 17) - 4.0f;
  }
  std::vector<unsigned char> shown(values.size(), 1);
  shown[5] = 0;
  DisplayRange       range = RobustRange({ values.begin(), values.end() }, false);
  const ViewerVolume volume = QuantiseMap(values.data(), values.size(), shown, range);
  EXPECT_EQ(volume.codes[5], 0);
  const std::string file = "/tmp/voxelkl-viewer-volume-test.nii.gz";
  std::ofstream(file, std::ios::binary) << ViewerNifti(volume, grid);
  auto reader = itk::ImageFileReader<itk::Image<float, 3>>::New();
  reader->SetImageIO(itk::NiftiImageIO::New());
  reader->SetFileName(file);
  reader->Update();
  std::remove(file.c_str());
  const auto        read = reader->GetOutput();
  const SpatialGrid readGrid = ImageGrid(read);
  EXPECT_EQ(CompareGrids(readGrid, grid), "");
  for (std::size_t v = 0; v < values.size(); ++v)
  {
    const float value = read->GetBufferPointer()[v];
    if (v == 5)
    {
      EXPECT_LT(value, range.low); // not shown: below the colour map
      continue;
    }
    // Within half a code of the value clipped to the range.
    const double clipped = std::clamp<double>(values[v], range.low, range.high);
    EXPECT_NEAR(value, clipped, 0.5 * volume.slope + 1e-5) << v;
  }
  // The anatomy: 0 to 255 over its range.
  const ViewerVolume anatomy = QuantiseAnatomy(values.data(), values.size(), range);
  EXPECT_EQ(*std::max_element(anatomy.codes.begin(), anatomy.codes.end()), 255);
  EXPECT_EQ(*std::min_element(anatomy.codes.begin(), anatomy.codes.end()), 0);
}

TEST(ViewerBundle, CanBeInlinedInAScriptElement)
{
  for (const std::string_view text : { ViewerBundle(), ViewerScript() })
  {
    EXPECT_EQ(text.find("</script"), std::string_view::npos);
    EXPECT_EQ(text.find("<!--"), std::string_view::npos);
  }
  EXPECT_FALSE(ViewerScript().empty());
  if (HasViewerBundle())
  {
    EXPECT_NE(ViewerBundle().find("globalThis.VoxelKLNiivue"), std::string_view::npos);
    EXPECT_EQ(ViewerBundleVersion(), "0.69.0"); // Modules/Report/viewer/package.json
  }
  else
  {
    EXPECT_TRUE(ViewerBundleVersion().empty());
  }
}

} // namespace
