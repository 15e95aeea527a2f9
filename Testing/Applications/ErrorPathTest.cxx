// Every way a user can get the command line or the files wrong: exit status 1, one line
// that names the file and the problem, and no output file (not even a partial one).
#include "TestFiles.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

double
Signal(long x, long y, long z, long t)
{
  return 100.0 + x + y + z + ((t * 7 + x) % 5);
}

class ErrorPaths : public ::testing::Test
{
protected:
  TemporaryDirectory directory{ "errors" };
  std::string        reference = directory / "reference.nii.gz";
  std::string        generated = directory / "generated.nii.gz";
  std::string        output = directory / "kl.nii.gz";

  void
  SetUp() override
  {
    WriteSeries(MakeSeries({ 6, 5, 4, 12 }, Signal), reference);
    WriteSeries(MakeSeries({ 6, 5, 4, 10 }, Signal), generated);
  }

  // Runs VoxelKLDivergence with the reference/generated/output given here plus extra
  // arguments; expects failure whose message contains every needle, and no new file.
  void
  ExpectFailure(std::vector<std::string> arguments, const std::vector<std::string> & needles)
  {
    const auto before = directory.Files();
    const auto result = RunProgram(VOXELKL_KL_EXECUTABLE, arguments);
    EXPECT_EQ(result.exitCode, 1) << result.err;
    EXPECT_EQ(result.err.rfind("VoxelKLDivergence: error: ", 0), 0u) << result.err;
    for (const auto & needle : needles)
    {
      EXPECT_NE(result.err.find(needle), std::string::npos) << "missing '" << needle << "' in: " << result.err;
    }
    EXPECT_EQ(directory.Files().size(), before.size()) << "a file was left behind";
    EXPECT_FALSE(fs::exists(output));
  }
  std::vector<std::string>
  With(std::vector<std::string> extra, const std::string & referenceFile, const std::string & generatedFile)
  {
    std::vector<std::string> arguments{
      "--reference", referenceFile, "--generated", generatedFile, "--output", output
    };
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  }
};

TEST_F(ErrorPaths, MissingFile)
{
  ExpectFailure(With({}, directory / "nope.nii.gz", generated), { "nope.nii.gz", "no such file" });
}

TEST_F(ErrorPaths, ThreeDimensionalImageWhereSeriesExpected)
{
  WriteMask(MakeSeries({ 6, 5, 4, 1 }, Signal), directory / "volume.nii.gz", [](long, long, long) { return 1; });
  ExpectFailure(With({}, reference, directory / "volume.nii.gz"), { "volume.nii.gz", "3D", "4D" });
}

TEST_F(ErrorPaths, GridMismatchNamesBothFilesAndTheField)
{
  WriteSeries(MakeSeries({ 6, 5, 4, 12 }, Signal, 1.5), directory / "shifted.nii.gz");
  ExpectFailure(With({}, reference, directory / "shifted.nii.gz"),
                { "reference.nii.gz", "shifted.nii.gz", "origin differs along axis 0" });
  WriteSeries(MakeSeries({ 6, 6, 4, 12 }, Signal), directory / "bigger.nii.gz");
  ExpectFailure(With({}, directory / "bigger.nii.gz", generated), { "bigger.nii.gz", "size differs along axis 1" });
}

TEST_F(ErrorPaths, TruncatedFiles)
{
  // An uncompressed NIfTI cut short, and a compressed one whose stream ends early.
  const std::string whole = directory / "whole.nii";
  WriteSeries(MakeSeries({ 6, 5, 4, 12 }, Signal), whole);
  fs::copy_file(whole, directory / "cut.nii");
  fs::resize_file(directory / "cut.nii", fs::file_size(whole) - 500);
  fs::remove(whole);
  ExpectFailure(With({}, reference, directory / "cut.nii"), { "cut.nii", "truncated" });
  fs::copy_file(reference, directory / "cut.nii.gz");
  fs::resize_file(directory / "cut.nii.gz", fs::file_size(reference) / 2);
  ExpectFailure(With({}, directory / "cut.nii.gz", generated), { "cut.nii.gz" });
  // A MetaImage, read through ITK tile by tile.
  WriteSeries(MakeSeries({ 6, 5, 4, 12 }, Signal), directory / "whole.mha");
  fs::copy_file(directory / "whole.mha", directory / "cut.mha");
  fs::resize_file(directory / "cut.mha", fs::file_size(directory / "whole.mha") - 500);
  WriteSeries(MakeSeries({ 6, 5, 4, 12 }, Signal), directory / "other.mha");
  ExpectFailure(With({ "--tiles", "2" }, directory / "other.mha", directory / "cut.mha"), { "cut.mha" });
}

TEST_F(ErrorPaths, NotAnImage)
{
  std::ofstream(directory / "notes.nii.gz") << "not an image";
  ExpectFailure(With({}, directory / "notes.nii.gz", generated), { "notes.nii.gz" });
}

TEST_F(ErrorPaths, EmptyMaskAndMaskOnAnotherGrid)
{
  const auto series = MakeSeries({ 6, 5, 4, 1 }, Signal);
  WriteMask(series, directory / "empty.nii.gz", [](long, long, long) { return 0; });
  ExpectFailure(With({ "--mask", directory / "empty.nii.gz" }, reference, generated), { "empty.nii.gz", "empty" });
  WriteMask(MakeSeries({ 6, 5, 3, 1 }, Signal), directory / "small.nii.gz", [](long, long, long) { return 1; });
  ExpectFailure(With({ "--mask", directory / "small.nii.gz" }, reference, generated),
                { "small.nii.gz", "size differs along axis 2" });
}

TEST_F(ErrorPaths, BadOptionValues)
{
  ExpectFailure(With({ "--direction", "backward" }, reference, generated), { "--direction", "backward" });
  ExpectFailure(With({ "--varianceFloor", "-1" }, reference, generated), { "--varianceFloor" });
  ExpectFailure(With({ "--threads", "-2" }, reference, generated), { "--threads" });
  ExpectFailure(With({ "--bins", "-1" }, reference, generated), { "--bins", "-1" });
  ExpectFailure(With({ "--estimator", "kde" }, reference, generated), { "kde" });
  ExpectFailure(With({ "--estimator", "histogram", "--pseudocount", "0" }, reference, generated), { "--pseudocount" });
  ExpectFailure(With({ "--estimator", "knn", "--neighbours", "0" }, reference, generated), { "--neighbours" });
  ExpectFailure({ "--reference", reference, "--generated", generated }, { "--output" });
  ExpectFailure({ "--reference", reference, "--generated", generated, "--output", directory / "kl.txt" }, { "kl.txt" });
  ExpectFailure(With({ "--summary", directory / "missing-dir/s.json" }, reference, generated), { "missing-dir" });
}

// Limits on every numeric option: values that would crash oneTBB, run for minutes, or be
// silently ignored by the estimator that runs, are refused in one line.
TEST_F(ErrorPaths, OptionLimits)
{
  ExpectFailure(With({ "--threads", "70000" }, reference, generated), { "--threads", "at most 1024", "70000" });
  ExpectFailure(With({ "--neighbours", "10" }, reference, generated), { "--neighbours", "knn only", "gaussian" });
  ExpectFailure(With({ "--estimator", "knn", "--bins", "12" }, reference, generated), { "--bins", "histogram only" });
  ExpectFailure(With({ "--estimator", "histogram", "--bins", "10000000" }, reference, generated),
                { "--bins", "100000" });
  // 12 + 10 time points: 23 bins would leave one empty whatever the data.
  ExpectFailure(With({ "--estimator", "histogram", "--bins", "23" }, reference, generated), { "--bins 23", "22" });
  ExpectFailure(With({ "--estimator", "knn", "--neighbours", "5000" }, reference, generated), { "--neighbours" });
  // Defaults are never refused: 3D Slicer passes every option with its value.
  const auto slicerLike = RunProgram(
    VOXELKL_KL_EXECUTABLE,
    With({ "--neighbours", "5", "--bins", "0", "--pseudocount", "0.5", "--threads", "1000" }, reference, generated));
  EXPECT_EQ(slicerLike.exitCode, 0) << slicerLike.err;
  EXPECT_EQ(slicerLike.err, "");
}

// One rule for output names in every executable: a summary is .json, a table .tsv.
TEST_F(ErrorPaths, OutputNamesFollowOneRule)
{
  ExpectFailure(With({ "--summary", directory / "s.nii.gz" }, reference, generated),
                { "--summary", "s.nii.gz", "expected a .json file name" });
  WriteMask(
    MakeSeries({ 6, 5, 4, 1 }, Signal), directory / "atlas.nii.gz", [](long x, long, long) { return 1 + x % 2; });
  ExpectFailure(
    With({ "--labels", directory / "atlas.nii.gz", "--regionTable", directory / "r.csv" }, reference, generated),
    { "--regionTable", "r.csv", "expected a .tsv file name" });
  const auto upper =
    RunProgram(VOXELKL_KL_EXECUTABLE, With({ "--summary", directory / "S.JSON" }, reference, generated));
  EXPECT_EQ(upper.exitCode, 0) << upper.err; // the extension in any case
}

// Formats whose voxels go to a second file (NIfTI pairs, .mhd, .nhdr) are refused up front:
// the transaction renamed the header and left the voxels in a hidden temporary it named
// (exit 0, a 352-byte o.hdr).
TEST_F(ErrorPaths, TwoFileOutputFormatsAreRefusedUpFront)
{
  for (const std::string name : { "o.hdr", "o.img", "o.HDR", "o.hdr.gz", "o.mhd", "o.nhdr" })
  {
    const std::string path = directory / name;
    const auto        before = directory.Files();
    auto              arguments = With({}, reference, generated);
    arguments[5] = path; // --output
    const auto result = RunProgram(VOXELKL_KL_EXECUTABLE, arguments);
    EXPECT_EQ(result.exitCode, 1) << result.err;
    EXPECT_EQ(result.err.rfind("VoxelKLDivergence: error: --output " + path + ": ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find("are not written; use .nii or .nii.gz"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(directory.Files(), before) << name;

    const auto moments = RunProgram(VOXELKL_MOMENTS_EXECUTABLE, { "--input", reference, "--mean", path });
    EXPECT_EQ(moments.exitCode, 1) << moments.err;
    EXPECT_EQ(moments.err.rfind("VoxelMoments: error: --mean " + path + ": ", 0), 0u) << moments.err;
    EXPECT_EQ(directory.Files(), before) << name;
  }
  ExpectFailure(With({ "--mse", directory / "mse.hdr" }, reference, generated),
                { "--mse", "mse.hdr: NIfTI pairs (.hdr/.img) are not written" });
}

// k close to T: the estimate is strongly biased; the run succeeds, and says so on stderr
// and in the summary.
TEST_F(ErrorPaths, LargeKIsWarnedAbout)
{
  const auto result = RunProgram(
    VOXELKL_KL_EXECUTABLE,
    With({ "--estimator", "knn", "--neighbours", "4", "--summary", directory / "s.json" }, reference, generated));
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err.rfind("VoxelKLDivergence: warning: k = 4 neighbours", 0), 0u) << result.err;
  std::ifstream     summary(directory / "s.json");
  const std::string text((std::istreambuf_iterator<char>(summary)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"warnings\""), std::string::npos) << text;
}

// A header that claims a grid no machine can hold is refused before anything is allocated.
TEST_F(ErrorPaths, HugeHeaderIsRefusedBeforeAllocating)
{
  // A NIfTI-1 header of 2000 x 2000 x 2000 x 1000 float32 voxels with 4 bytes of data.
  std::string header(348, '\0');
  auto        put = [&header](std::size_t offset, const auto & value) {
    std::memcpy(header.data() + offset, &value, sizeof(value));
  };
  put(0, std::int32_t{ 348 });
  const std::int16_t dims[8] = { 4, 2000, 2000, 2000, 1000, 1, 1, 1 };
  std::memcpy(header.data() + 40, dims, sizeof(dims));
  put(70, std::int16_t{ 16 }); // float32
  put(72, std::int16_t{ 32 });
  const float pixdim[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
  std::memcpy(header.data() + 76, pixdim, sizeof(pixdim));
  put(108, 352.0f);
  put(112, 1.0f);
  std::memcpy(header.data() + 344, "n+1", 4);
  {
    std::ofstream file(directory / "huge.nii", std::ios::binary);
    file << header << std::string(8, '\0');
  }
  ExpectFailure(With({}, directory / "huge.nii", directory / "huge.nii"), { "huge.nii" });
}

// A MetaImage header that ITK's MetaIO loops on forever (found by the series fuzzer) is
// refused first, naming the field.
TEST_F(ErrorPaths, MetaImageHeaderCheckedBeforeItk)
{
  {
    std::ofstream file(directory / "bad.mha", std::ios::binary);
    file << "ObjectType = Image\nNDims = -4\nDimSize = 2 2 2 3\nElementType = MET_SHORT\n"
            "ElementDataFile = LOCAL\n"
         << std::string(48, '\0');
  }
  ExpectFailure(With({}, directory / "bad.mha", generated), { "bad.mha", "NDims" });
  {
    std::ofstream file(directory / "short.mha", std::ios::binary);
    file << "ObjectType = Image\nNDims = 4\nDimSize = 2 2 0 3\nElementType = MET_SHORT\n"
            "ElementDataFile = LOCAL\n"
         << std::string(48, '\0');
  }
  ExpectFailure(With({}, directory / "short.mha", generated), { "short.mha", "DimSize" });
  // One file per volume named by a pattern whose range gives a step of 0 (MetaIO divides by
  // it: SIGFPE, found by the series fuzzer), or names fewer files than volumes (MetaIO
  // would leave the last volumes unread).
  for (const std::string range : { "1 3", "1 1 1", "3 1 1", "1 3 0" })
  {
    {
      std::ofstream file(directory / "pattern.mhd", std::ios::binary);
      file << "ObjectType = Image\nNDims = 4\nDimSize = 2 2 2 3\nElementType = MET_SHORT\n"
              "ElementDataFile = volume%d.raw "
           << range << "\n";
    }
    ExpectFailure(With({}, directory / "pattern.mhd", generated), { "pattern.mhd", "ElementDataFile" });
  }
  // No data file named: MetaIO would read the header's directory.
  {
    std::ofstream file(directory / "nodata.mha", std::ios::binary);
    file << "ObjectType = Image\nNDims = 4\nDimSize = 2 2 2 3\nElementType = MET_SHORT\nCompressedData = True\n"
            "ElementDataFile = \n";
  }
  ExpectFailure(With({}, directory / "nodata.mha", generated), { "nodata.mha", "ElementDataFile names no data file" });
  // A compressed data file that does not exist: MetaIO allocates its "size", -1 bytes
  // (found by the series fuzzer with a one-byte name).
  {
    std::ofstream file(directory / "nofile.mha", std::ios::binary);
    file << "ObjectType = Image\nNDims = 4\nDimSize = 2 2 2 3\nElementType = MET_SHORT\nCompressedData = True\n"
            "ElementDataFile = \xca \n";
  }
  ExpectFailure(With({}, directory / "nofile.mha", generated), { "nofile.mha", "does not exist" });
  // Compressed data asking for a preset dictionary (MetaIO inflates forever) or shorter
  // than CompressedDataSize.
  for (const auto & [data, words] : std::vector<std::pair<std::string, std::string>>{
         { std::string("\x78\x20", 2) + std::string(100, 'x'), "preset dictionary" },
         { std::string("\x78\x9c", 2) + std::string(10, 'x'), "CompressedDataSize is 93" } })
  {
    {
      std::ofstream file(directory / "compressed.mha", std::ios::binary);
      file << "ObjectType = Image\nNDims = 4\nDimSize = 2 2 2 3\nElementType = MET_SHORT\n"
              "CompressedData = True\nCompressedDataSize = 93\nElementDataFile = LOCAL\n"
           << data;
    }
    ExpectFailure(With({}, directory / "compressed.mha", generated), { "compressed.mha", words });
  }
  // MetaIO copies each word of a pattern into 80 bytes (an overflow, found by the fuzzers),
  // formats the slice number with the name as the format (a '%s' would read memory), and
  // frees words it never allocated when three spaces in a row make it count one too many.
  for (const std::string & pattern : std::vector<std::string>{ "v%" + std::string(90, 'B') + "d.raw 1 3 1",
                                                               "volume%s%d.raw 1 3 1",
                                                               "volume.raw 1 3 1 %d",
                                                               "volume%d.raw 1   3 1",
                                                               "LIST   3" })
  {
    {
      std::ofstream file(directory / "pattern.mhd", std::ios::binary);
      file << "ObjectType = Image\nNDims = 4\nDimSize = 2 2 2 3\nElementType = MET_SHORT\n"
              "ElementDataFile = "
           << pattern << "\n";
    }
    ExpectFailure(With({}, directory / "pattern.mhd", generated), { "pattern.mhd", "ElementDataFile" });
  }
  // MetaIO strcpy's a field's name and the text values it keeps into 255 bytes, and
  // SequenceID into 4 floats whatever NDims says: without the check, a fortified abort
  // (the long name was found by the series fuzzer) or neighbouring fields overwritten. An
  // NDims after DimSize leaves sizes of 0 (MetaIO divides by one for a file pattern).
  const std::string header = "ObjectType = Image\nNDims = 4\nDimSize = 2 2 2 3\nElementType = MET_SHORT\n";
  for (const auto & [fields, words] : std::vector<std::pair<std::string, std::string>>{
         { header + std::string(255, 'X') + " = 1\n", "a field name of 255 characters" },
         { "Comment = " + std::string(255, 'c') + "\n" + header, "the value of Comment has 255 characters" },
         { "ObjectType = Image\nNDims = 5\nDimSize = 2 2 2 3 1\nSequenceID = 1 2 3 4 5\nElementType = MET_SHORT\n",
           "SequenceID with NDims 5" },
         { header + "NDims = 5\n", "NDims (5) changed after DimSize gave 4 sizes" } })
  {
    {
      std::ofstream file(directory / "long.mha", std::ios::binary);
      file << fields << "ElementDataFile = LOCAL\n" << std::string(48, '\0');
    }
    ExpectFailure(With({}, directory / "long.mha", generated), { "long.mha", words });
  }
  // The longest name and value MetaIO keeps are read.
  {
    std::ofstream file(directory / "longest.mha", std::ios::binary);
    file << "Comment = " << std::string(254, 'c') << "\n"
         << header << std::string(254, 'X') << " = 1\nElementDataFile = LOCAL\n"
         << std::string(48, '\0');
  }
  const auto longest =
    RunProgram(VOXELKL_KL_EXECUTABLE, With({}, directory / "longest.mha", directory / "longest.mha"));
  EXPECT_EQ(longest.exitCode, 0) << longest.err;
}

// A MetaImage may keep its data in one file per slice: a LIST of names after the header, or
// a pattern such as v%02d.raw. MetaIO skips a file it cannot open or that is short with a
// message on stderr only and leaves those voxels as the buffer held them (a KL map of two
// reads of the same header was 3.26, not 0): every file is checked first. Complete ones
// give the map of the same series in one data file.
TEST_F(ErrorPaths, MetaImageAndNrrdDataLayoutsAreCheckedAndRead)
{
  // int16 voxels first..first+count-1 of the 6x5x4x12 series f, x fastest
  const auto slice = [&](long first, long count, const ValueFunction & f = Signal) {
    std::string bytes;
    for (long i = first; i < first + count; ++i)
    {
      const long         x = i % 6, y = i / 6 % 5, z = i / 30 % 4, t = i / 120;
      const std::int16_t value = static_cast<std::int16_t>(f(x, y, z, t));
      bytes.append(reinterpret_cast<const char *>(&value), sizeof(value));
    }
    return bytes;
  };
  const auto write = [&](const std::string & name, const std::string & text) {
    std::ofstream file(directory / name, std::ios::binary);
    file << text;
  };
  const std::string header = "ObjectType = Image\nNDims = 4\nDimSize = 6 5 4 12\nElementType = MET_SHORT\n";
  std::string       volumes = "ElementDataFile = LIST\n", planes = "ElementDataFile = LIST 2\n";
  for (long t = 0; t < 12; ++t)
  {
    write("v" + std::to_string(t) + ".raw", slice(t * 120, 120));
    volumes += "v" + std::to_string(t) + ".raw\n";
    write("p" + std::to_string(100 + t) + ".raw", slice(t * 120, 120));
    for (long z = 0; z < 4; ++z)
    {
      const std::string name = "z" + std::to_string(z) + "t" + std::to_string(t) + ".raw";
      write(name, slice(t * 120 + z * 30, 30));
      planes += name + "\n";
    }
  }
  // The generated series and the expected map: single data files, read as MetaIO always has.
  write("other.raw",
        slice(0, 1440, [](long x, long y, long z, long t) { return 100.0 + (x * 3 + y + z * 2 + t * 5) % 7; }));
  write("other.mhd", header + "ElementDataFile = other.raw\n");
  write("all.raw", slice(0, 1440));
  write("all.mhd", header + "ElementDataFile = all.raw\n");
  const std::string other = directory / "other.mhd";
  write("volumes.mhd", header + volumes);
  write("planes.mhd", header + planes);
  write("pattern.mhd", header + "ElementDataFile = p%03d.raw 100 111 1\n");
  const auto single = RunProgram(VOXELKL_KL_EXECUTABLE, With({}, directory / "all.mhd", other));
  ASSERT_EQ(single.exitCode, 0) << single.err;
  const auto expected = ReadVolume(output);
  for (const std::string name : { "volumes.mhd", "planes.mhd", "pattern.mhd" })
  {
    fs::remove(output);
    const auto result = RunProgram(VOXELKL_KL_EXECUTABLE, With({}, directory / name, other));
    ASSERT_EQ(result.exitCode, 0) << name << ": " << result.err;
    EXPECT_TRUE(SameVoxels(ReadVolume(output), expected)) << name;
  }
  fs::remove(output);
  // A listed file missing or short, a pattern's file missing, the last name without a line
  // break (MetaIO reads it as the end of the header and skips it), an empty name, and a
  // negative number of dimensions per file (MetaIO indexes DimSize with it).
  std::vector<std::pair<std::string, std::vector<std::string>>> cases{
    { header + std::string(volumes).replace(volumes.find("v3.raw"), 6, "no.raw"), { "no.raw" } },
    { header + "ElementDataFile = LIST\nv0.raw\nv1.raw\nz0t0.raw\n" + volumes.substr(volumes.find("v3.raw")),
      { "truncated", "240 bytes of data in each of its 12 data files", "z0t0.raw holds 60" } },
    { header + "ElementDataFile = p%03d.raw 101 112 1\n", { "p112.raw" } },
    { header + volumes.substr(0, volumes.size() - 1), { "the LIST names 11 files, not 12" } },
    { header + "ElementDataFile = LIST\n\n" + volumes.substr(volumes.find("v1.raw")),
      { "file 1 of the LIST is an empty line" } },
    { header + "ElementDataFile = LIST -1\n" + volumes.substr(volumes.find('\n') + 1), { "must be 1 to 4, not '-1'" } },
  };
  // Text voxels (BinaryData = False): MetaIO reads numbers until one fails, then leaves 0s,
  // and casts each to the voxel type whatever its range: they are read here first.
  std::string numbers;
  for (long i = 0; i < 1440; ++i)
  {
    numbers +=
      std::to_string(static_cast<int>(Signal(i % 6, i / 6 % 5, i / 30 % 4, i / 120))) + (i % 6 == 5 ? "\n" : " ");
  }
  const std::string textHeader = header + "BinaryData = False\n";
  write("text.mha", textHeader + "ElementDataFile = LOCAL\n" + numbers);
  const auto textRun = RunProgram(VOXELKL_KL_EXECUTABLE, With({}, directory / "text.mha", other));
  ASSERT_EQ(textRun.exitCode, 0) << textRun.err;
  EXPECT_TRUE(SameVoxels(ReadVolume(output), expected));
  fs::remove(output);
  cases.push_back({ textHeader + "ElementDataFile = LOCAL\n" + numbers.substr(0, numbers.rfind(' ')) + " x\n",
                    { "hold 1439 numbers, the header describes 1440" } });
  cases.push_back({ textHeader + "ElementDataFile = LOCAL\n" + numbers.substr(0, numbers.rfind(' ')) + " 40000\n",
                    { "text voxel 1439 is 40000, which a short voxel cannot hold" } });
  cases.push_back({ textHeader + volumes, { "text voxels", "not one file per slice" } });
  // NRRD: NrrdIO quotes a field line it cannot parse in a message of 1025 bytes on the stack
  // (an overflow, found by the series fuzzer); long comments and key:=value lines, as 3D
  // Slicer writes frame labels, are only copied and are read.
  const std::string nrrd = "NRRD0004\ntype: short\ndimension: 4\nsizes: 6 5 4 12\nencoding: raw\nendian: little\n";
  std::string       labels = "MultiVolume.FrameLabels:=0";
  for (int t = 1; t < 400; ++t)
  {
    labels += "," + std::to_string(t * 2000);
  }
  write("long.nrrd",
        nrrd + "# " + std::string(1500, 'c') + "\ncontent: " + std::string(1500, 'c') + "\n" + labels + "\n\n" +
          slice(0, 1440));
  const auto nrrdRun = RunProgram(VOXELKL_KL_EXECUTABLE, With({}, directory / "long.nrrd", other));
  ASSERT_EQ(nrrdRun.exitCode, 0) << nrrdRun.err;
  EXPECT_TRUE(SameVoxels(ReadVolume(output), expected));
  fs::remove(output);
  write("field.nrrd", nrrd + "spacings: " + std::string(1200, 'B') + "\n\n" + slice(0, 1440));
  ExpectFailure(With({}, directory / "field.nrrd", other),
                { "field.nrrd", "invalid NRRD header: line 7 has 1210 characters" });
  write("unknown.nrrd", nrrd + std::string(1200, 'B') + "\n\n" + slice(0, 1440));
  ExpectFailure(With({}, directory / "unknown.nrrd", other), { "unknown.nrrd", "line 7 has 1200 characters" });
  for (const auto & [text, words] : cases)
  {
    write("slices.mhd", text);
    std::vector<std::string> needles{ "slices.mhd" };
    needles.insert(needles.end(), words.begin(), words.end());
    ExpectFailure(With({}, directory / "slices.mhd", other), needles);
  }
}

// An atlas that labels few of the voxels considered: every tool warns alike, on one line
// "<Tool>: warning: ..." (RegionStatistics said "RegionStatistics: note: warning: ...", the
// region options a bare "warning: ...").
TEST_F(ErrorPaths, AtlasCoverageWarningHasTheToolsPrefix)
{
  const auto grid = MakeSeries({ 6, 5, 4, 1 }, Signal);
  WriteMask(grid, directory / "few.nii.gz", [](long x, long y, long) { return x == 0 && y == 0 ? 1 : 0; });
  const std::string warning = "warning: the atlas labels 4 of the 120 voxels considered (3.3 %): the region table "
                              "describes only them (is the atlas in the maps' space?)\n";
  const auto        kl = RunProgram(
    VOXELKL_KL_EXECUTABLE,
    With({ "--labels", directory / "few.nii.gz", "--regionTable", directory / "kl.tsv" }, reference, generated));
  ASSERT_EQ(kl.exitCode, 0) << kl.err;
  EXPECT_NE(kl.err.find("VoxelKLDivergence: " + warning), std::string::npos) << kl.err;
  const auto moments = RunProgram(VOXELKL_MOMENTS_EXECUTABLE,
                                  { "--input",
                                    reference,
                                    "--mean",
                                    directory / "mean.nii",
                                    "--labels",
                                    directory / "few.nii.gz",
                                    "--regionTable",
                                    directory / "m.tsv" });
  ASSERT_EQ(moments.exitCode, 0) << moments.err;
  EXPECT_NE(moments.err.find("VoxelMoments: " + warning), std::string::npos) << moments.err;
  const auto regions = RunProgram(
    VOXELKL_REGIONS_EXECUTABLE,
    { "--input", directory / "mean.nii", "--labels", directory / "few.nii.gz", "--table", directory / "r.TSV" });
  ASSERT_EQ(regions.exitCode, 0) << regions.err;
  EXPECT_EQ(regions.err, "RegionStatistics: " + warning);
  // The table's schema beside it, the extension matched in any case.
  EXPECT_TRUE(fs::exists(directory / "r.schema.tsv"));
  EXPECT_FALSE(fs::exists(directory / "r.TSV.schema.tsv"));
}

TEST_F(ErrorPaths, MomentsWithoutOutputOr3DInput)
{
  auto result = RunProgram(VOXELKL_MOMENTS_EXECUTABLE, { "--input", reference });
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("no output requested"), std::string::npos) << result.err;
  WriteMask(MakeSeries({ 6, 5, 4, 1 }, Signal), directory / "volume.nii.gz", [](long, long, long) { return 1; });
  result =
    RunProgram(VOXELKL_MOMENTS_EXECUTABLE, { "--input", directory / "volume.nii.gz", "--mean", directory / "m.nii" });
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("volume.nii.gz: is a 3D image"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(directory / "m.nii"));
}

TEST_F(ErrorPaths, HelpAndVersionSucceed)
{
  const auto help = RunProgram(VOXELKL_KL_EXECUTABLE, { "--help" });
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("--reference"), std::string::npos);
  EXPECT_NE(help.out.find("VoxelKLDivergence --reference"), std::string::npos); // an example
  const auto version = RunProgram(VOXELKL_KL_EXECUTABLE, { "--version" });
  EXPECT_EQ(version.exitCode, 0);
  EXPECT_EQ(version.out.rfind("VoxelKLDivergence ", 0), 0u);
}

} // namespace
