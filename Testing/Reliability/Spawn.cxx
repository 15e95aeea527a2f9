#include "Spawn.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace voxelkl::test
{
namespace fs = std::filesystem;

namespace
{
std::string
Slurp(const std::string & path)
{
  std::ifstream file(path, std::ios::binary);
  return { std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>() };
}
} // namespace

Spawned::Spawned(const std::string &              executable,
                 const std::vector<std::string> & arguments,
                 const std::string &              workingDirectory)
{
  static int count = 0;
  m_Capture =
    (fs::temp_directory_path() / ("voxelkl-spawn-" + std::to_string(getpid()) + "-" + std::to_string(++count)))
      .string();
  fs::create_directories(m_Capture);
  const std::string        out = m_Capture + "/out";
  const std::string        err = m_Capture + "/err";
  std::vector<std::string> strings{ executable };
  strings.insert(strings.end(), arguments.begin(), arguments.end());
  std::vector<char *> argv;
  for (auto & s : strings)
  {
    argv.push_back(s.data());
  }
  argv.push_back(nullptr);
  m_Pid = fork();
  if (m_Pid < 0)
  {
    throw std::runtime_error("fork failed");
  }
  if (m_Pid == 0)
  {
    const int input = open("/dev/null", O_RDONLY);
    const int output = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int error = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (input < 0 || output < 0 || error < 0 || dup2(input, 0) < 0 || dup2(output, 1) < 0 || dup2(error, 2) < 0 ||
        chdir(workingDirectory.c_str()) != 0)
    {
      _exit(127);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
}

Spawned::~Spawned()
{
  if (m_Pid > 0)
  {
    Wait();
  }
  std::error_code ignored;
  fs::remove_all(m_Capture, ignored);
}

Finished
Spawned::Wait()
{
  Finished finished;
  int      status = 0;
  if (m_Pid > 0 && waitpid(m_Pid, &status, 0) == m_Pid)
  {
    if (WIFEXITED(status))
    {
      finished.exitCode = WEXITSTATUS(status);
    }
    else if (WIFSIGNALED(status))
    {
      finished.signal = WTERMSIG(status);
    }
  }
  m_Pid = -1;
  finished.out = Slurp(m_Capture + "/out");
  finished.err = Slurp(m_Capture + "/err");
  return finished;
}

Finished
RunToEnd(const std::string &              executable,
         const std::vector<std::string> & arguments,
         const std::string &              workingDirectory)
{
  Spawned process(executable, arguments, workingDirectory);
  return process.Wait();
}

std::map<std::string, std::string>
Snapshot(const std::string & directory)
{
  std::map<std::string, std::string> files;
  for (const auto & entry : fs::directory_iterator(directory))
  {
    std::error_code error;
    files[entry.path().filename().string()] =
      fs::is_regular_file(entry.path(), error) ? Slurp(entry.path().string()) : std::string("<not a file>");
  }
  return files;
}

long
Lines(const std::string & text)
{
  return static_cast<long>(std::count(text.begin(), text.end(), '\n'));
}

} // namespace voxelkl::test
