// State files: what is written is read back bit for bit, and every damaged, foreign or
// incompatible file is refused naming the file and the field. The damaged files are made
// here byte by byte from the layout in StateFile.h (CRC-64/XZ recomputed with ISA-L where
// the damage is to a field, not to the checksum).
#include "voxelkl/StateFile.h"
#include "voxelkl/Errors.h"

#include <gtest/gtest.h>
#include <isa-l/crc64.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

namespace
{
using namespace voxelkl;
namespace fs = std::filesystem;

class StateFiles : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    directory = fs::temp_directory_path() /
                ("voxelkl-state-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(directory);
    fs::create_directories(directory);
  }
  void
  TearDown() override
  {
    fs::remove_all(directory);
  }

  static StateHeader
  Header(StateKind kind, bool masked)
  {
    StateHeader header;
    header.kind = kind;
    header.grid.size = { 4, 3, 2 };
    header.grid.spacing = { 2, 2, 2.5 };
    header.grid.origin = { -10, 5, 0.25 };
    header.grid.direction = { 1, 0, 0, 0, -1, 0, 0, 0, 1 };
    if (masked)
    {
      header.inside = { 0, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0 };
    }
    header.options = { { "direction", "forward" }, { "runs", "concatenate" } };
    header.inputs = { { "reference", { "a.nii.gz" } } };
    header.software = "VoxelKL test";
    return header;
  }

  // Distinct values in every field of every stored voxel (zeros outside the mask), whole
  // numbers in the counts.
  static MeasureState
  State(const StateHeader & header)
  {
    MeasureState                   state(header.kind, header.grid.VoxelCount());
    const std::vector<std::string> names = StateFieldNames(header.kind);
    for (std::size_t f = 0; f < state.FieldCount(); ++f)
    {
      const bool whole = names[f].find("count") != std::string::npos || names[f].find("skipped") != std::string::npos;
      for (std::size_t v = 0; v < state.Voxels(); ++v)
      {
        if (header.inside.empty() || header.inside[v] != 0)
        {
          state.Field(f)[v] = (whole ? 1.0 : 1.0 / 3.0) + static_cast<double>(f) * 1000.0 + static_cast<double>(v);
        }
      }
    }
    return state;
  }

  std::string
  Write(const std::string & name, const StateHeader & header)
  {
    const std::string path = (directory / name).string();
    WriteStateFile(path, path, header, State(header));
    return path;
  }

  static std::string
  Bytes(const std::string & path)
  {
    std::ifstream stream(path, std::ios::binary);
    return { std::istreambuf_iterator<char>(stream), {} };
  }
  static void
  Save(const std::string & path, const std::string & bytes)
  {
    std::ofstream(path, std::ios::binary) << bytes;
  }
  // Replaces the trailing CRC by the right one for the bytes before it.
  static std::string
  Reseal(std::string bytes)
  {
    const std::size_t body = bytes.size() - 8;
    const uint64_t    crc = crc64_ecma_refl(0, reinterpret_cast<const unsigned char *>(bytes.data()), body);
    std::memcpy(bytes.data() + body, &crc, 8);
    return bytes;
  }
  // The file with its JSON header replaced (sizes and CRC made consistent).
  static std::string
  WithHeader(const std::string & bytes, const std::string & header)
  {
    std::uint32_t oldLength;
    std::memcpy(&oldLength, bytes.data() + 12, 4);
    std::string result = bytes.substr(0, 24) + header + bytes.substr(24 + oldLength);
    const auto  length = static_cast<std::uint32_t>(header.size());
    std::memcpy(result.data() + 12, &length, 4);
    return Reseal(result);
  }
  static nlohmann::json
  HeaderOf(const std::string & bytes)
  {
    std::uint32_t length;
    std::memcpy(&length, bytes.data() + 12, 4);
    return nlohmann::json::parse(bytes.substr(24, length));
  }

  void
  ExpectRefused(const std::string & path, const std::vector<std::string> & words)
  {
    try
    {
      ReadStateFile(path);
      ADD_FAILURE() << path << " was accepted";
    }
    catch (const InputError & e)
    {
      const std::string message = e.what();
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      EXPECT_NE(message.find(path), std::string::npos) << message;
      for (const std::string & word : words)
      {
        EXPECT_NE(message.find(word), std::string::npos) << "'" << word << "' not in: " << message;
      }
    }
  }

  fs::path directory;
};

TEST_F(StateFiles, WhatIsWrittenIsReadBackBitForBit)
{
  for (const StateKind kind : { StateKind::Comparison, StateKind::PairedComparison, StateKind::Moments })
  {
    for (const bool masked : { false, true })
    {
      const StateHeader  header = Header(kind, masked);
      const std::string  path = Write("state.vkls", header);
      const StateFile    file = ReadStateFile(path);
      const MeasureState expected = State(header);
      EXPECT_EQ(file.header.kind, kind);
      EXPECT_EQ(CompareGrids(file.header.grid, header.grid, { 0.0, 0.0 }), "");
      EXPECT_EQ(file.header.inside, header.inside);
      EXPECT_EQ(file.header.options, header.options);
      EXPECT_EQ(file.header.inputs, header.inputs);
      ASSERT_EQ(file.state.FieldCount(), expected.FieldCount());
      for (std::size_t f = 0; f < expected.FieldCount(); ++f)
      {
        for (std::size_t v = 0; v < expected.Voxels(); ++v)
        {
          const bool stored = header.inside.empty() || header.inside[v] != 0;
          if (stored || kind != StateKind::Moments || f < 7)
          {
            EXPECT_EQ(std::memcmp(&file.state.Field(f)[v], &expected.Field(f)[v], sizeof(double)), 0) << f << " " << v;
          }
          else // min and max of an empty order-4 accumulator
          {
            EXPECT_TRUE(std::isinf(file.state.Field(f)[v]));
          }
        }
      }
      // Only the mask's voxels are stored: the size is the layout's.
      const std::size_t stored = masked ? 18 : 24;
      const std::string bytes = Bytes(path);
      EXPECT_EQ(bytes.size(),
                24 + HeaderOf(bytes).dump(1).size() + (masked ? 24 : 0) + expected.FieldCount() * stored * 8 + 8);
      EXPECT_EQ(HeaderOf(bytes)["storedVoxels"], stored);
    }
  }
}

TEST_F(StateFiles, DamagedOrForeignFilesAreRefusedNamingTheProblem)
{
  const std::string path = Write("state.vkls", Header(StateKind::PairedComparison, true));
  const std::string good = Bytes(path);
  const std::string bad = (directory / "bad.vkls").string();

  Save(bad, good.substr(0, good.size() - 100));
  ExpectRefused(bad, { "truncated", std::to_string(good.size()) });
  Save(bad, good.substr(0, 10));
  ExpectRefused(bad, { "not a VoxelKL state", "10 bytes" });
  Save(bad, good + "x");
  ExpectRefused(bad, { "trailing bytes" });

  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x10; // one bit of a stored value
  Save(bad, flipped);
  ExpectRefused(bad, { "corrupt", "CRC-64" });

  Save(bad, "{\"format\": \"VoxelKL state\"}\n" + good);
  ExpectRefused(bad, { "not a VoxelKL state", "magic" });

  std::string version = good;
  version[8] = 2;
  Save(bad, Reseal(version));
  ExpectRefused(bad, { "format version 2", "reads version 1" });

  nlohmann::json header = HeaderOf(good);
  header["measure"] = "knn";
  Save(bad, WithHeader(good, header.dump()));
  ExpectRefused(bad, { "measure", "knn" });

  header = HeaderOf(good);
  header.erase("grid");
  Save(bad, WithHeader(good, header.dump()));
  ExpectRefused(bad, { "'grid'" });

  header = HeaderOf(good);
  header["grid"]["spacing"][1] = -2.0;
  Save(bad, WithHeader(good, header.dump()));
  ExpectRefused(bad, { "grid.spacing" });

  header = HeaderOf(good);
  header["storedVoxels"] = 17;
  Save(bad, WithHeader(good, header.dump()));
  ExpectRefused(bad, { "storedVoxels" });

  header = HeaderOf(good);
  header["fields"][3] = "m3";
  Save(bad, WithHeader(good, header.dump()));
  ExpectRefused(bad, { "'fields'" });

  Save(bad, WithHeader(good, "[1, 2"));
  ExpectRefused(bad, { "not valid JSON" });

  // Numbers no run produces, behind a valid checksum: a NaN count, a negative M2.
  std::uint32_t headerLength;
  std::memcpy(&headerLength, good.data() + 12, 4);
  const std::size_t payload = 24 + headerLength + 24; // after the mask of 24 voxels
  std::string       values = good;
  const double      nan = std::numeric_limits<double>::quiet_NaN();
  std::memcpy(values.data() + payload, &nan, 8); // reference.count of the first stored voxel
  Save(bad, Reseal(values));
  ExpectRefused(bad, { "field 'reference.count'", "nan" });
  values = good;
  const double negative = -1.0;
  std::memcpy(values.data() + payload + 3 * 18 * 8, &negative, 8); // reference.m2 (field 3, 18 stored voxels)
  Save(bad, Reseal(values));
  ExpectRefused(bad, { "field 'reference.m2'", "-1" });

  ExpectRefused((directory / "missing.vkls").string(), { "cannot be read" });
}

TEST_F(StateFiles, IncompatibleStatesAreNotMerged)
{
  const StateHeader base = Header(StateKind::Comparison, true);
  auto              expectRefused = [&](const StateHeader & other, const std::string & word) {
    try
    {
      RequireMergeable("a.vkls", base, "b.vkls", other);
      ADD_FAILURE() << word << ": accepted";
    }
    catch (const InputError & e)
    {
      const std::string message = e.what();
      EXPECT_NE(message.find("b.vkls cannot be merged with a.vkls"), std::string::npos) << message;
      EXPECT_NE(message.find(word), std::string::npos) << message;
    }
  };
  StateHeader paired = Header(StateKind::PairedComparison, true);
  EXPECT_NO_THROW(RequireMergeable("a.vkls", base, "b.vkls", paired));
  expectRefused(Header(StateKind::Moments, true), "measure differs");
  expectRefused(Header(StateKind::Comparison, false), "mask differs");
  StateHeader other = base;
  other.grid.spacing[2] = 3.0;
  expectRefused(other, "grid: spacing");
  other = base;
  other.options["direction"] = "reverse";
  expectRefused(other, "option 'direction' differs: \"reverse\" vs \"forward\"");
  other = base;
  other.options["varianceFloor"] = 1.0;
  expectRefused(other, "option 'varianceFloor'");
}

} // namespace
