// A full disk while the outputs are written: the run fails with one line naming the final
// file and the system's reason, the file that was there before is left as it was, and no
// temporary is left behind. On a 64 KiB tmpfs (mounting needs root; skipped otherwise).
#include "Spawn.h"
#include "TestFiles.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <sys/mount.h>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

double
Signal(long x, long y, long z, long t)
{
  return 50.0 + x + y + z + ((t * 3 + x + 2 * y) % 7);
}

// A small file system on directory, unmounted before the directory is removed.
class SmallFileSystem
{
public:
  explicit SmallFileSystem(const std::string & directory)
    : m_Directory(directory)
  {
    if (mount("tmpfs", directory.c_str(), "tmpfs", 0, "size=64k") != 0)
    {
      m_Why = std::string("cannot mount a 64 KiB tmpfs (the test needs root): ") + std::strerror(errno);
    }
  }
  ~SmallFileSystem()
  {
    if (m_Why.empty())
    {
      umount2(m_Directory.c_str(), MNT_DETACH);
    }
  }
  const std::string &
  Why() const
  {
    return m_Why;
  }
  // Fills it up, leaving `room` bytes.
  void
  Fill(std::uintmax_t room) const
  {
    const std::string filler = m_Directory + "/filler";
    {
      std::ofstream     file(filler, std::ios::binary);
      const std::string block(1024, 'f');
      while (file.write(block.data(), static_cast<std::streamsize>(block.size())) && file.flush())
      {
      }
    }
    fs::resize_file(filler, fs::file_size(filler) > room ? fs::file_size(filler) - room : 0);
  }

private:
  std::string m_Directory;
  std::string m_Why;
};

struct DiskFullCase
{
  const char *   name;
  const char *   option; // the output that goes to the full disk
  const char *   file;   // its name there
  std::uintmax_t room;   // bytes left free: 16 KiB, a .nii/.mha starts and stops; 0, nothing starts
};

class DiskFull : public ::testing::TestWithParam<DiskFullCase>
{
};

TEST_P(DiskFull, FailsNamingTheFileAndKeepsTheOldOne)
{
  const DiskFullCase & c = GetParam();
  TemporaryDirectory   inputs(std::string("disk-full-inputs-") + c.name);
  TemporaryDirectory   full(std::string("disk-full-") + c.name);
  // 40x40x20 voxels: a map of 128 KB, twice the file system.
  const auto series = MakeSeries({ 40, 40, 20, 4 }, Signal);
  WriteSeries(series, inputs / "ref.nii.gz");
  WriteSeries(MakeSeries({ 40, 40, 20, 4 }, [](long x, long y, long z, long t) { return Signal(y, x, z, t + 1); }),
              inputs / "gen.nii.gz");
  const SmallFileSystem disk(full.Path());
  if (!disk.Why().empty())
  {
    GTEST_SKIP() << disk.Why();
  }
  const std::string target = full / c.file;
  std::ofstream(target) << "the previous run's result";
  disk.Fill(c.room);
  std::vector<std::string> arguments{ "--reference", inputs / "ref.nii.gz", "--generated", inputs / "gen.nii.gz" };
  if (std::string(c.option) == "output")
  {
    arguments.insert(arguments.end(), { "--output", target });
  }
  else
  {
    arguments.insert(arguments.end(), { "--output", inputs / "kl.nii.gz", "--" + std::string(c.option), target });
  }
  if (std::string(c.option) == "regionTable")
  {
    WriteMask(series, inputs / "labels.nii.gz", [](long x, long y, long) { return 1 + (x + y) % 4; });
    arguments.insert(arguments.end(), { "--labels", inputs / "labels.nii.gz" });
  }
  const auto before = Snapshot(full.Path());
  const auto inputsBefore = Snapshot(inputs.Path());

  const auto result = RunToEnd(VOXELKL_KL_EXECUTABLE, arguments, inputs.Path());

  EXPECT_EQ(result.exitCode, 1) << result.err;
  EXPECT_EQ(result.err, "VoxelKLDivergence: error: " + target + ": cannot be written: No space left on device\n");
  EXPECT_TRUE(Snapshot(full.Path()) == before) << "the full disk's files changed";
  EXPECT_TRUE(Snapshot(inputs.Path()) == inputsBefore) << "the other outputs were committed or left behind";
}

INSTANTIATE_TEST_SUITE_P(VoxelKLDivergence,
                         DiskFull,
                         ::testing::Values(DiskFullCase{ "Nifti", "output", "kl.nii", 16 * 1024 },
                                           DiskFullCase{ "MetaImage", "output", "kl.mha", 16 * 1024 },
                                           DiskFullCase{ "CompressedNifti", "output", "kl.nii.gz", 16 * 1024 },
                                           DiskFullCase{ "Nrrd", "output", "kl.nrrd", 0 },
                                           DiskFullCase{ "Json", "summary", "kl.json", 0 },
                                           // 32000 voxels x 10 fields x 8 bytes: written in pieces
                                           DiskFullCase{ "State", "saveState", "kl.vkls", 16 * 1024 },
                                           DiskFullCase{ "RegionTable", "regionTable", "regions.tsv", 0 },
                                           // a page of megabytes (the viewer's bundle), written whole
                                           DiskFullCase{ "Report", "report", "report.html", 16 * 1024 },
                                           DiskFullCase{ "ReturnParameters", "returnparameterfile", "return.txt", 0 }),
                         [](const ::testing::TestParamInfo<DiskFullCase> & info) { return info.param.name; });

} // namespace
