// OutputTransaction: what reaches the disk, and what never does. Expectations come from the
// file system itself (stat, directory listings, file contents), not from the class.
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/Errors.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

namespace
{
namespace fs = std::filesystem;
using voxelkl::OutputTransaction;

class Directory
{
public:
  Directory()
  {
    static int count = 0;
    m_Path =
      fs::temp_directory_path() / ("voxelkl-transaction-" + std::to_string(getpid()) + "-" + std::to_string(++count));
    fs::remove_all(m_Path);
    fs::create_directories(m_Path);
  }
  ~Directory()
  {
    std::error_code ignored;
    umount2(m_Path.c_str(), MNT_DETACH); // a tmpfs some tests mount here
    fs::remove_all(m_Path, ignored);
  }
  std::string
  operator/(const std::string & name) const
  {
    return (m_Path / name).string();
  }
  const fs::path &
  Path() const
  {
    return m_Path;
  }
  std::set<std::string>
  Files() const
  {
    std::set<std::string> names;
    for (const auto & entry : fs::directory_iterator(m_Path))
    {
      names.insert(entry.path().filename().string());
    }
    return names;
  }

private:
  fs::path m_Path;
};

void
Put(const std::string & path, const std::string & text)
{
  std::ofstream(path, std::ios::binary) << text;
}

std::string
Slurp(const std::string & path)
{
  std::ifstream file(path, std::ios::binary);
  return { std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>() };
}

// Runs body with the working directory set to directory (relative paths in the tests).
template <typename Body>
void
InDirectory(const fs::path & directory, Body body)
{
  const fs::path previous = fs::current_path();
  fs::current_path(directory);
  try
  {
    body();
  }
  catch (...)
  {
    fs::current_path(previous);
    throw;
  }
  fs::current_path(previous);
}

// The message of the InputError body throws; fails the test when it throws nothing.
template <typename Body>
std::string
InputErrorOf(Body body)
{
  try
  {
    body();
  }
  catch (const voxelkl::InputError & error)
  {
    return error.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

TEST(OutputTransaction, CommitReplacesTargetsWithTheirTemporaries)
{
  Directory         directory;
  const std::string target = directory / "kl.nii.gz";
  Put(target, "old");
  OutputTransaction outputs;
  const std::string temporary = outputs.Stage(target, "--output");
  EXPECT_EQ(fs::path(temporary).parent_path(), directory.Path()) << "the rename must stay on one file system";
  EXPECT_EQ(temporary.substr(temporary.size() - 7), ".nii.gz") << "ITK picks the writer from the extension";
  outputs.Write(target, "new contents");
  EXPECT_EQ(Slurp(target), "old") << "nothing replaced before Commit";
  outputs.Commit();
  EXPECT_EQ(Slurp(target), "new contents");
  EXPECT_EQ(directory.Files(), (std::set<std::string>{ "kl.nii.gz" }));
}

TEST(OutputTransaction, AbandonedTransactionRemovesItsTemporariesAndKeepsExistingFiles)
{
  Directory directory;
  Put(directory / "summary.json", "previous run");
  {
    OutputTransaction outputs;
    outputs.Stage(directory / "summary.json", "--summary");
    const std::string map = outputs.Stage(directory / "kl.nii.gz", "--output");
    outputs.Write(directory / "summary.json", "{}");
    Put(map.substr(0, map.size() - 3), "intermediate"); // what MapWriter makes before gzip
    Put(map, "partial");
  }
  EXPECT_EQ(directory.Files(), (std::set<std::string>{ "summary.json" }));
  EXPECT_EQ(Slurp(directory / "summary.json"), "previous run");
}

TEST(OutputTransaction, CommitRenamesNothingWhenAnOutputWasNotWritten)
{
  Directory         directory;
  OutputTransaction outputs;
  outputs.Stage(directory / "a.json", "--summary");
  outputs.Stage(directory / "b.tsv", "--table");
  outputs.Write(directory / "a.json", "{}");
  const std::string message = InputErrorOf([&] { outputs.Commit(); });
  EXPECT_NE(message.find(directory / "b.tsv"), std::string::npos) << message;
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(directory / "a.json")) << "a.json renamed although b.tsv was missing";
}

// Every spelling of one existing file: the output must be refused, the input untouched.
TEST(OutputTransaction, RefusesAnOutputThatIsAnInputUnderAnySpelling)
{
  Directory directory;
  Put(directory / "reference.nii.gz", "series");
  fs::create_symlink("reference.nii.gz", directory / "link.nii.gz");
  fs::create_hard_link(directory / "reference.nii.gz", directory / "hard.nii.gz");
  fs::create_directories(directory / "sub");
  const std::vector<std::string> spellings{ directory / "reference.nii.gz",
                                            directory / "./reference.nii.gz",
                                            directory / "sub/../reference.nii.gz",
                                            directory / "link.nii.gz",
                                            directory / "hard.nii.gz" };
  for (const auto & spelling : spellings)
  {
    OutputTransaction outputs;
    outputs.ProtectInput(directory / "reference.nii.gz", "--reference");
    const std::string message = InputErrorOf([&] { outputs.Stage(spelling, "--output"); });
    EXPECT_NE(message.find("--output " + spelling), std::string::npos) << message;
    EXPECT_NE(message.find("--reference " + (directory / "reference.nii.gz")), std::string::npos) << message;
  }
  // The other order: the output staged first, the input declared after it.
  for (const auto & spelling : spellings)
  {
    OutputTransaction outputs;
    outputs.Stage(directory / "reference.nii.gz", "--output");
    const std::string message = InputErrorOf([&] { outputs.ProtectInput(spelling, "--mask"); });
    EXPECT_NE(message.find("--mask " + spelling), std::string::npos) << message;
  }
  EXPECT_EQ(Slurp(directory / "reference.nii.gz"), "series");
  EXPECT_EQ(directory.Files(), (std::set<std::string>{ "reference.nii.gz", "link.nii.gz", "hard.nii.gz", "sub" }));
}

TEST(OutputTransaction, RelativePathsAreResolvedBeforeComparing)
{
  Directory directory;
  Put(directory / "a.nii.gz", "input");
  InDirectory(directory.Path(), [] {
    OutputTransaction inputAndOutput;
    inputAndOutput.ProtectInput("a.nii.gz", "--reference");
    EXPECT_NE(InputErrorOf([&] { inputAndOutput.Stage("./a.nii.gz", "--output"); }).find("./a.nii.gz"),
              std::string::npos);

    // Two outputs, neither existing yet: compared by resolved path.
    OutputTransaction twoOutputs;
    twoOutputs.Stage("b.nii.gz", "--output");
    const std::string message = InputErrorOf([&] { twoOutputs.Stage("./b.nii.gz", "--mse"); });
    EXPECT_NE(message.find("--output b.nii.gz"), std::string::npos) << message;
    EXPECT_NE(message.find("--mse ./b.nii.gz"), std::string::npos) << message;
  });
  EXPECT_EQ(directory.Files(), (std::set<std::string>{ "a.nii.gz" }));
}

TEST(OutputTransaction, OutputsThroughALinkedDirectoryAreOneFile)
{
  Directory directory;
  fs::create_directories(directory / "real");
  fs::create_directory_symlink("real", directory / "alias");
  OutputTransaction outputs;
  outputs.Stage(directory / "real/kl.nii.gz", "--output");
  EXPECT_NE(InputErrorOf([&] { outputs.Stage(directory / "alias/kl.nii.gz", "--mse"); }).find("same file"),
            std::string::npos);
}

TEST(OutputTransaction, DistinctFilesAreAccepted)
{
  Directory directory;
  Put(directory / "reference.nii.gz", "same bytes");
  Put(directory / "copy.nii.gz", "same bytes"); // equal contents, another file
  OutputTransaction outputs;
  outputs.ProtectInput(directory / "reference.nii.gz", "--reference");
  outputs.ProtectInput(directory / "reference.nii.gz", "--generated"); // an input read twice is fine
  outputs.ProtectInput("", "--mask");                                  // an option not given
  EXPECT_NO_THROW(outputs.Stage(directory / "copy.nii.gz", "--output"));
  EXPECT_NO_THROW(outputs.Stage(directory / "reference.nii", "--mse"));
  EXPECT_NO_THROW(outputs.Stage(directory / "kl.json", "--summary"));
}

TEST(OutputTransaction, WriteFileDurablyNamesTheFileAndTheSystemsReason)
{
  Directory         directory;
  const std::string message =
    InputErrorOf([&] { voxelkl::WriteFileDurably(directory / "missing/x.json", "{}", "final.json"); });
  EXPECT_EQ(message, "final.json: cannot be written: No such file or directory");
}

TEST(OutputTransaction, CheckFileCompleteRefusesAShortFile)
{
  Directory directory;
  Put(directory / "map.nii", std::string(400, 'x'));
  EXPECT_NO_THROW(voxelkl::CheckFileComplete(directory / "map.nii", 400, "map.nii"));
  const std::string message = InputErrorOf([&] { voxelkl::CheckFileComplete(directory / "map.nii", 500, "out.nii"); });
  EXPECT_EQ(message, "out.nii: cannot be written: only 400 of 500 bytes were written");
}

// Mounts a 64 KiB tmpfs on directory; false (and why) where mounting is not allowed.
bool
MountSmallFileSystem(const Directory & directory, std::string & why)
{
  if (mount("tmpfs", directory.Path().c_str(), "tmpfs", 0, "size=64k") != 0)
  {
    why = std::string("cannot mount a tmpfs (the test needs root): ") + std::strerror(errno);
    return false;
  }
  return true;
}

// Fills the file system of directory to the last byte.
void
FillUp(const Directory & directory)
{
  std::ofstream     filler(directory / "filler", std::ios::binary);
  const std::string block(1024, 'f');
  while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) && filler.flush())
  {
  }
}

TEST(OutputTransaction, FullDiskFailsWithTheFinalNameAndLeavesTheOldFile)
{
  Directory   directory;
  std::string why;
  if (!MountSmallFileSystem(directory, why))
  {
    GTEST_SKIP() << why;
  }
  const std::string target = directory / "kl.json";
  Put(target, "previous summary"); // written before the disk filled up: must survive
  FillUp(directory);
  const auto before = directory.Files();
  {
    OutputTransaction outputs;
    outputs.Stage(target, "--summary");
    const std::string message = InputErrorOf([&] { outputs.Write(target, std::string(20000, '{')); });
    EXPECT_EQ(message, target + ": cannot be written: No space left on device");
  }
  EXPECT_EQ(Slurp(target), "previous summary");
  EXPECT_EQ(directory.Files(), before);
}

TEST(OutputTransaction, CheckFileCompleteReportsAFullDisk)
{
  Directory   directory;
  std::string why;
  if (!MountSmallFileSystem(directory, why))
  {
    GTEST_SKIP() << why;
  }
  Put(directory / "short.nii", std::string(352, 'h')); // a header, then the disk was full
  FillUp(directory);
  const std::string message =
    InputErrorOf([&] { voxelkl::CheckFileComplete(directory / "short.nii", 352 + 100000, "kl.nii"); });
  EXPECT_EQ(message, "kl.nii: cannot be written: No space left on device");
}

// A signal before Commit: the handler removes every temporary and the process dies of the
// signal, as it would have without the handler. In a child, so the test survives.
void
ExpectSignalRemovesTemporaries(int signal)
{
  Directory directory;
  Put(directory / "kl.nii.gz", "previous map");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0)
  {
    OutputTransaction outputs;
    const std::string map = outputs.Stage(directory / "kl.nii.gz", "--output");
    Put(map.substr(0, map.size() - 3), "intermediate");
    Put(map, "partial");
    outputs.Stage(directory / "kl.json", "--summary");
    outputs.Write(directory / "kl.json", "{}");
    std::raise(signal);
    _exit(0); // not reached
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), signal);
  EXPECT_EQ(directory.Files(), (std::set<std::string>{ "kl.nii.gz" }));
  EXPECT_EQ(Slurp(directory / "kl.nii.gz"), "previous map");
}

TEST(OutputTransaction, SigtermRemovesTemporaries)
{
  ExpectSignalRemovesTemporaries(SIGTERM);
}

TEST(OutputTransaction, SigintRemovesTemporaries)
{
  ExpectSignalRemovesTemporaries(SIGINT);
}

} // namespace
