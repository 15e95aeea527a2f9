// One door per format, end to end: every NIfTI an executable reads (series, mask, labels,
// RegionStatistics' map) goes through VoxelKL's reader, which refuses a bad file with one
// line naming it and the field; MetaImage raw data is sized before it is read.
#include "TestFiles.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

// Byte offsets of NIfTI-1 header fields (nifti1.h).
constexpr std::size_t VoxOffsetAt = 108;
constexpr std::size_t SformCodeAt = 254;
constexpr std::size_t SrowXAt = 280;

double
Signal(long x, long y, long z, long t)
{
  return 100.0 + x + y + z + ((t * 7 + x) % 5);
}

std::vector<unsigned char>
Bytes(const std::string & path)
{
  std::ifstream stream(path, std::ios::binary);
  return { std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>() };
}

void
Write(const std::string & path, const std::vector<unsigned char> & bytes)
{
  std::ofstream stream(path, std::ios::binary | std::ios::trunc);
  stream.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void
WriteGzip(const std::string & path, const std::vector<unsigned char> & bytes)
{
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(file);
}

template <typename T>
void
Patch(std::vector<unsigned char> & bytes, std::size_t offset, T value)
{
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

class NiftiDoor : public ::testing::Test
{
protected:
  TemporaryDirectory directory{ "door" };
  Series::Pointer    series = MakeSeries({ 6, 5, 4, 12 }, Signal);
  std::string        reference = directory / "reference.nii";
  std::string        generated = directory / "generated.nii";
  std::string        output = directory / "kl.nii";

  void
  SetUp() override
  {
    WriteSeries(series, reference);
    WriteSeries(MakeSeries({ 6, 5, 4, 10 }, [](long x, long y, long z, long t) { return Signal(x, y, z, t) * 1.5; }),
                generated);
  }

  // An uncompressed uint8 mask on the series' grid, as bytes: inside where x < 3.
  std::vector<unsigned char>
  MaskBytes(const std::string & stem)
  {
    const std::string path = directory / (stem + ".nii");
    WriteMask(series, path, [](long x, long, long) { return x < 3 ? 1 : 0; });
    auto bytes = Bytes(path);
    fs::remove(path);
    return bytes;
  }

  // Runs executable; expects exit 1, one line "<Tool>: error: <file>: ..." with every
  // needle, and no new file in the directory.
  void
  ExpectRefused(const std::string &              executable,
                const std::string &              tool,
                const std::vector<std::string> & arguments,
                const std::string &              file,
                const std::vector<std::string> & needles)
  {
    const auto before = directory.Files();
    const auto result = RunProgram(executable, arguments);
    EXPECT_EQ(result.exitCode, 1) << result.err;
    EXPECT_EQ(result.err.rfind(tool + ": error: " + file + ": ", 0), 0u) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    for (const auto & needle : needles)
    {
      EXPECT_NE(result.err.find(needle), std::string::npos) << "missing '" << needle << "' in: " << result.err;
    }
    EXPECT_EQ(directory.Files(), before) << "a file was left behind";
  }

  std::vector<std::string>
  KL(std::vector<std::string> extra)
  {
    std::vector<std::string> arguments{ "--reference", reference, "--generated", generated, "--output", output };
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  }
};

TEST_F(NiftiDoor, MaskWithVoxOffsetBelow352IsRefusedNamingTheField)
{
  auto bytes = MaskBytes("mask");
  Patch(bytes, VoxOffsetAt, 348.0f);
  const std::string mask = directory / "mask.nii";
  Write(mask, bytes);
  ExpectRefused(VOXELKL_KL_EXECUTABLE,
                "VoxelKLDivergence",
                KL({ "--mask", mask }),
                mask,
                { "invalid NIfTI header: vox_offset 348 is below 352" });
}

TEST_F(NiftiDoor, TruncatedAndBadCrcGzipMasksAreRefused)
{
  const auto        bytes = MaskBytes("plain");
  const std::string good = directory / "good.nii.gz";
  WriteGzip(good, bytes);
  const auto gz = Bytes(good);
  fs::remove(good);

  const std::string cut = directory / "cut.nii.gz";
  Write(cut, std::vector<unsigned char>(gz.begin(), gz.end() - 12));
  ExpectRefused(VOXELKL_KL_EXECUTABLE, "VoxelKLDivergence", KL({ "--mask", cut }), cut, { "truncated" });
  fs::remove(cut);

  auto crc = gz;
  crc[crc.size() - 8] ^= 0xFF; // CRC32 in the gzip trailer
  const std::string badCrc = directory / "crc.nii.gz";
  Write(badCrc, crc);
  ExpectRefused(VOXELKL_KL_EXECUTABLE, "VoxelKLDivergence", KL({ "--mask", badCrc }), badCrc, { "CRC" });
}

TEST_F(NiftiDoor, BadCrcLabelFileIsRefused)
{
  const std::string good = directory / "labels_good.nii.gz";
  WriteGzip(good, MaskBytes("labels_plain"));
  auto gz = Bytes(good);
  fs::remove(good);
  gz[gz.size() - 8] ^= 0xFF;
  const std::string labels = directory / "labels.nii.gz";
  Write(labels, gz);
  ExpectRefused(VOXELKL_KL_EXECUTABLE,
                "VoxelKLDivergence",
                KL({ "--labels", labels, "--regionTable", directory / "regions.tsv" }),
                labels,
                { "CRC" });
}

// A NaN sform made ITK's orientation code abort (SIGABRT in vnl), 2^127 made it hang.
TEST_F(NiftiDoor, RegionStatisticsMapWithBadSformIsRefused)
{
  const std::string labels = directory / "labels.nii";
  WriteMask(series, labels, [](long x, long, long) { return x < 3 ? 1 : 2; });
  const struct
  {
    const char * name;
    float        value;
    const char * problem;
  } cases[] = { { "nan", std::numeric_limits<float>::quiet_NaN(), "srow_x[0] is nan (not finite)" },
                { "inf", std::numeric_limits<float>::infinity(), "srow_x[3] is inf (not finite)" },
                { "huge", std::ldexp(1.0f, 127), "srow_x[3] 1.70141183e+38 is beyond +-1e9 mm" } };
  for (const auto & c : cases)
  {
    auto bytes = MaskBytes(std::string("map_") + c.name);
    Patch(bytes, SformCodeAt, static_cast<short>(1));
    Patch(bytes, SrowXAt + (std::string(c.name) == "nan" ? 0 : 12), c.value);
    const std::string map = directory / (std::string("map_") + c.name + ".nii");
    Write(map, bytes);
    ExpectRefused(VOXELKL_REGIONS_EXECUTABLE,
                  "RegionStatistics",
                  { "--input", map, "--labels", labels, "--table", directory / "table.tsv" },
                  map,
                  { std::string("invalid NIfTI header: ") + c.problem });
    fs::remove(map);
  }
}

TEST_F(NiftiDoor, ShortMetaImageRawIsRefused)
{
  const std::string header = directory / "short.mhd";
  WriteSeries(series, header);
  const std::string raw = directory / "short.raw";
  ASSERT_TRUE(fs::exists(raw));
  const auto size = fs::file_size(raw);
  fs::resize_file(raw, size - 4);
  ExpectRefused(VOXELKL_KL_EXECUTABLE,
                "VoxelKLDivergence",
                { "--reference", header, "--generated", generated, "--output", output },
                header,
                { "truncated", std::to_string(size) + " bytes of data", std::to_string(size - 4) });
}

// niftilib, given m.nii.gz, reads the voxels of an m.nii beside it.
TEST_F(NiftiDoor, MaskIsReadFromTheFileNamedNotItsSibling)
{
  const std::string mask = directory / "m.nii.gz";
  WriteMask(series, mask, [](long x, long, long) { return x < 2 ? 1 : 0; }); // 2 * 5 * 4 voxels
  WriteMask(series, directory / "m.nii", [](long, long, long) { return 1; });
  const std::string summary = directory / "summary.json";
  const auto        result = RunProgram(VOXELKL_KL_EXECUTABLE, KL({ "--mask", mask, "--summary", summary }));
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::ifstream        stream(summary);
  const nlohmann::json document = nlohmann::json::parse(stream);
  EXPECT_EQ(document["voxels"]["inMask"].get<long>(), 2 * 5 * 4);
}

// The grid too comes from the file named: a sibling k.nii whose pixdim[1] is one more than
// the series' spacing is read neither for k.nii.gz's voxels nor for its grid; named
// itself, it is refused for its spacing.
TEST_F(NiftiDoor, MaskGridIsReadFromTheFileNamedNotItsSibling)
{
  const std::string mask = directory / "k.nii.gz";
  const std::string sibling = directory / "k.nii";
  WriteMask(series, mask, [](long x, long, long) { return x < 2 ? 1 : 0; });
  WriteMask(series, sibling, [](long, long, long) { return 1; });
  std::vector<unsigned char> bytes = Bytes(sibling);
  float                      spacing = 0;
  std::memcpy(&spacing, bytes.data() + 80, sizeof spacing); // pixdim[1]
  Patch(bytes, 80, spacing + 1.0f);
  Write(sibling, bytes);
  const auto named = RunProgram(VOXELKL_KL_EXECUTABLE, KL({ "--mask", mask }));
  EXPECT_EQ(named.exitCode, 0) << named.err;
  const auto other = RunProgram(VOXELKL_KL_EXECUTABLE, KL({ "--mask", sibling }));
  EXPECT_EQ(other.exitCode, 1);
  EXPECT_NE(other.err.find("spacing differs"), std::string::npos) << other.err;
}

// NaN and inf samples of a series inside its mask are skipped and counted, not read as 0.
TEST_F(NiftiDoor, NonFiniteSamplesInAMaskedSeriesAreKept)
{
  long       placed = 0;
  const auto withHoles = [&placed](long x, long y, long z, long t) {
    if (x == 1 && y == 2 && (t == 3 || t == 7))
    {
      return z % 2 == 0 ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
    }
    return Signal(x, y, z, t);
  };
  for (long z = 0; z < 4; ++z)
  {
    for (long t = 0; t < 12; ++t)
    {
      placed += std::isfinite(withHoles(1, 2, z, t)) ? 0 : 1;
    }
  }
  WriteSeries(MakeSeries({ 6, 5, 4, 12 }, withHoles), reference);
  const std::string mask = directory / "brain.nii.gz";
  WriteMask(series, mask, [](long x, long, long) { return x < 3 ? 1 : 0; });
  const std::string summary = directory / "summary.json";
  const auto        result = RunProgram(VOXELKL_KL_EXECUTABLE, KL({ "--mask", mask, "--summary", summary }));
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::ifstream        stream(summary);
  const nlohmann::json document = nlohmann::json::parse(stream);
  EXPECT_EQ(placed, 8);
  EXPECT_EQ(document["skippedNonFiniteSamples"].get<long>(), placed);
  EXPECT_EQ(document["voxels"]["inMask"].get<long>(), 3 * 5 * 4);
}

// A header whose grid cannot fit in this machine's memory is refused before the image is
// allocated, naming the file, wherever a tool reads an image whole (labels, RegionStatistics'
// map, a mask): ITK's allocator failed with two lines naming no file. A gzip-encoded NRRD is
// not sized ahead (only decoding tells), so its 10^13 voxels reach the memory check.
TEST_F(NiftiDoor, HugeGridClaimsAreRefusedBeforeAllocationNamingTheFile)
{
  const std::string huge = directory / "huge_labels.nrrd";
  WriteHugeNrrd(huge, { 100000, 100000, 1000 }, "uint8");
  const std::vector<std::string> needles{ "its grid needs about", "GiB of memory, more than this machine's" };
  const std::string              table = directory / "regions.tsv";
  ExpectRefused(
    VOXELKL_KL_EXECUTABLE, "VoxelKLDivergence", KL({ "--labels", huge, "--regionTable", table }), huge, needles);
  ExpectRefused(VOXELKL_MOMENTS_EXECUTABLE,
                "VoxelMoments",
                { "--input", reference, "--mean", directory / "mean.nii", "--labels", huge, "--regionTable", table },
                huge,
                needles);
  const std::string map = directory / "map.nii";
  WriteMask(series, map, [](long x, long, long) { return x; });
  const std::string labels = directory / "labels.nii";
  WriteMask(series, labels, [](long x, long, long) { return x < 3 ? 1 : 2; });
  ExpectRefused(VOXELKL_REGIONS_EXECUTABLE,
                "RegionStatistics",
                { "--input", map, "--labels", huge, "--table", table },
                huge,
                needles);
  ExpectRefused(VOXELKL_REGIONS_EXECUTABLE,
                "RegionStatistics",
                { "--input", huge, "--labels", labels, "--table", table },
                huge,
                needles);
}

// A .nii.gz of a few dozen bytes claiming 2000^3 voxels: refused from its header and size
// (deflate expands at most 1032:1) wherever it is given, one line naming it.
TEST_F(NiftiDoor, TinyGzipClaimingAHugeGridIsRefusedUpFront)
{
  auto header = MaskBytes("tiny");
  header.resize(352);
  for (const auto & [index, value] : { std::pair<int, short>{ 1, 2000 }, { 2, 2000 }, { 3, 2000 } })
  {
    Patch(header, 40 + 2 * index, value);
  }
  const std::string tiny = directory / "tiny.nii.gz";
  WriteGzip(tiny, header);
  const std::vector<std::string> needles{ "the header describes 8000000352 bytes of data", "1032:1" };
  const std::string              table = directory / "regions.tsv";
  ExpectRefused(
    VOXELKL_KL_EXECUTABLE, "VoxelKLDivergence", KL({ "--labels", tiny, "--regionTable", table }), tiny, needles);
  ExpectRefused(VOXELKL_KL_EXECUTABLE, "VoxelKLDivergence", KL({ "--mask", tiny }), tiny, needles);
  ExpectRefused(VOXELKL_MOMENTS_EXECUTABLE,
                "VoxelMoments",
                { "--input", reference, "--mean", directory / "mean.nii", "--labels", tiny, "--regionTable", table },
                tiny,
                needles);
  const std::string labels = directory / "labels.nii";
  WriteMask(series, labels, [](long x, long, long) { return x < 3 ? 1 : 2; });
  ExpectRefused(VOXELKL_REGIONS_EXECUTABLE,
                "RegionStatistics",
                { "--input", tiny, "--labels", labels, "--table", table },
                tiny,
                needles);
}

// ITK's NRRD and MetaImage readers report a bad header over several lines, with their
// class, an address and a source location, naming no file: one line, the file first.
TEST_F(NiftiDoor, BrokenNrrdAndMetaImageHeadersGiveOneLineNamingTheFile)
{
  const auto text = [this](const std::string & name, const std::string & contents) {
    const std::string path = directory / name;
    Write(path, std::vector<unsigned char>(contents.begin(), contents.end()));
    return path;
  };
  const struct
  {
    std::string path;
    std::string problem;
  } cases[] = {
    { text("sizes.nrrd", "NRRD0004\ntype: float\ndimension: 4\nsizes: 10 12 9\nencoding: raw\nendian: little\n\n"),
      "parsed 3 values, but dimension is 4" },
    { text("type.nrrd", "NRRD0004\ntype: flaot\ndimension: 4\nsizes: 6 5 4 12\nencoding: raw\nendian: little\n\n"),
      "couldn't parse type \"flaot\"" },
    { text("nodata.nrrd", "NRRD0004\ntype: float\ndimension: 4\nsizes: 6 5 4 12\nencoding: raw\n"),
      "cannot read the header" },
    { text("what.mha",
           "ObjectType = Image\nNDims = 4\nDimSize = 6 5 4 12\nElementType = MET_WHAT\nElementDataFile = LOCAL\n"),
      "Unknown component type" },
  };
  for (const auto & c : cases)
  {
    for (const auto & arguments :
         { std::vector<std::string>{ "--reference", c.path, "--generated", generated },
           std::vector<std::string>{ "--reference", reference, "--generated", generated, "--mask", c.path } })
    {
      auto withOutput = arguments;
      withOutput.insert(withOutput.end(), { "--output", output });
      const auto result = RunProgram(VOXELKL_KL_EXECUTABLE, withOutput);
      ExpectRefused(VOXELKL_KL_EXECUTABLE, "VoxelKLDivergence", withOutput, c.path, { c.problem });
      for (const std::string noise : { "itk::ERROR", "ITK ERROR", "(0x", ".cxx:", "[nrrd]" })
      {
        EXPECT_EQ(result.err.find(noise), std::string::npos) << "'" << noise << "' in: " << result.err;
      }
    }
  }
}

// NIfTI pairs would be read by niftilib, which VoxelKL keeps from every NIfTI byte: they
// are refused, naming the missing half when there is one (niftilib said only
// "nifti_image_load failed for file: pair.hdr").
TEST_F(NiftiDoor, NiftiPairInputsAreRefusedNamingAMissingHalf)
{
  const std::string pairHeader = directory / "pair.hdr";
  const std::string pairImage = directory / "pair.img";
  WriteSeries(series, pairHeader);
  ASSERT_TRUE(fs::exists(pairImage));
  for (const std::string & given : { pairHeader, pairImage })
  {
    ExpectRefused(VOXELKL_KL_EXECUTABLE,
                  "VoxelKLDivergence",
                  { "--reference", given, "--generated", generated, "--output", output },
                  given,
                  { "NIfTI pairs (.hdr/.img) are not read: convert the pair to one .nii or .nii.gz" });
  }
  const std::string maskHeader = directory / "mask.hdr";
  WriteMask(series, maskHeader, [](long x, long, long) { return x < 3 ? 1 : 0; });
  fs::remove(directory / "mask.img");
  ExpectRefused(VOXELKL_KL_EXECUTABLE,
                "VoxelKLDivergence",
                KL({ "--mask", maskHeader }),
                maskHeader,
                { "and its other half " + directory / "mask.img" + " does not exist" });
}

// A series without orientation (qform_code and sform_code 0, like nipype's ds003) is read as
// ITK reads it: LPS identity at origin 0, the RAS affine diag(-dx, -dy, dz). A mask saved
// with the NIfTI "method 1" affine diag(dx, dy, dz) lies elsewhere and is refused, with a
// hint that says so and how to save one that matches; diag(-dx, -dy, dz) is accepted. An
// atlas resampled onto such a series gets the same explanation as a note.
TEST_F(NiftiDoor, MaskAgainstAnUnorientedSeriesGetsAHintThatSaysHowItIsRead)
{
  auto seriesBytes = Bytes(reference);
  Patch(seriesBytes, 252, static_cast<short>(0)); // qform_code
  Patch(seriesBytes, SformCodeAt, static_cast<short>(0));
  const std::string unoriented = directory / "unoriented.nii";
  Write(unoriented, seriesBytes);
  float spacing[3];
  std::memcpy(spacing, seriesBytes.data() + 80, sizeof(spacing)); // pixdim[1..3]
  const auto affine = [&](const std::string & stem, float sx, float sy, int value) {
    auto bytes = MaskBytes(stem);
    if (value != 1)
    {
      for (std::size_t v = 352; v < bytes.size(); ++v)
        bytes[v] = bytes[v] != 0 ? static_cast<unsigned char>(value) : 0;
    }
    Patch(bytes, 252, static_cast<short>(0));
    Patch(bytes, SformCodeAt, static_cast<short>(1));
    const float rows[12] = { sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, spacing[2], 0 };
    std::memcpy(bytes.data() + SrowXAt, rows, sizeof(rows));
    const std::string path = directory / (stem + ".nii");
    Write(path, bytes);
    return path;
  };
  const auto                     number = [](float value) { return (std::ostringstream() << value).str(); };
  const std::vector<std::string> arguments{ "--reference", unoriented, "--generated", unoriented, "--output", output };

  const std::string method1 = affine("method1", spacing[0], spacing[1], 1);
  auto              withMask = arguments;
  withMask.insert(withMask.end(), { "--mask", method1 });
  const auto before = directory.Files();
  const auto refused = RunProgram(VOXELKL_KL_EXECUTABLE, withMask);
  EXPECT_EQ(refused.exitCode, 1) << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
  for (const std::string & needle :
       { std::string("direction differs at (0,0): 1 vs -1"),
         unoriented +
           " has qform_code and sform_code 0 (no orientation) and is read as ITK reads it: the RAS affine "
           "diag(" +
           number(-spacing[0]) + ", " + number(-spacing[1]) + ", " + number(spacing[2]) + ") at origin 0",
         std::string("nibabel.Nifti1Image(mask, None, series.header)") })
  {
    EXPECT_NE(refused.err.find(needle), std::string::npos) << "missing '" << needle << "' in: " << refused.err;
  }
  EXPECT_EQ(directory.Files(), before);

  auto accepted = arguments;
  accepted.insert(accepted.end(), { "--mask", affine("flipped", -spacing[0], -spacing[1], 1) });
  const auto run = RunProgram(VOXELKL_KL_EXECUTABLE, accepted);
  EXPECT_EQ(run.exitCode, 0) << run.err;

  // An atlas in "method 1" is resampled (a note says so) with the same explanation.
  auto withLabels = arguments;
  withLabels.insert(withLabels.end(),
                    { "--labels", affine("atlas", spacing[0], spacing[1], 2), "--regionTable", directory / "r.tsv" });
  const auto labelled = RunProgram(VOXELKL_KL_EXECUTABLE, withLabels);
  EXPECT_EQ(labelled.exitCode, 0) << labelled.err;
  EXPECT_NE(labelled.err.find("VoxelKLDivergence: note: " + directory / "atlas.nii" + ": " + unoriented +
                              " has qform_code and sform_code 0 (no orientation) and is read as ITK reads it"),
            std::string::npos)
    << labelled.err;
}

} // namespace
