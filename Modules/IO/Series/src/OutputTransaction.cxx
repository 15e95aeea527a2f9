#include "voxelkl/OutputTransaction.h"

#include "voxelkl/Errors.h"
#include "voxelkl/PathText.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace voxelkl
{
namespace fs = std::filesystem;

namespace
{

// The temporaries a signal handler must remove. A handler may only make async-signal-safe
// calls, so the paths live in fixed storage: slots are never reused within a process (a
// handler reading a slot while it is rewritten could unlink a wrong name), and a slot's
// path is complete before its flag says so.
constexpr std::size_t MaxTemporaries = 1024;
constexpr std::size_t MaxTemporaryPath = 4096;
char                  g_Temporaries[MaxTemporaries][MaxTemporaryPath];
std::atomic<bool>     g_Live[MaxTemporaries];
std::atomic<size_t>   g_Slots{ 0 };
std::mutex            g_RegistryMutex;
// A signal during Commit's renames is held back until they are done: the run then ends
// with every output replaced, or none.
std::atomic<bool> g_Committing{ false };
std::atomic<int>  g_DeferredSignal{ 0 };
constexpr int     HandledSignals[] = { SIGINT, SIGTERM, SIGHUP };

void
RemoveTemporariesAndDie(int signal)
{
  if (g_Committing.load())
  {
    g_DeferredSignal.store(signal);
    return;
  }
  const std::size_t slots = std::min(g_Slots.load(), MaxTemporaries);
  for (std::size_t i = 0; i < slots; ++i)
  {
    if (g_Live[i].load())
    {
      unlink(g_Temporaries[i]);
    }
  }
  // The default action, as if this handler had not been there: the parent sees the signal.
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

void
InstallSignalHandlers()
{
  static std::once_flag installed;
  std::call_once(installed, [] {
    for (const int signal : HandledSignals)
    {
      struct sigaction previous = {};
      sigaction(signal, nullptr, &previous);
      if (previous.sa_handler == SIG_IGN) // nohup and shells' background jobs: keep ignoring
      {
        continue;
      }
      struct sigaction action = {};
      action.sa_handler = &RemoveTemporariesAndDie;
      sigemptyset(&action.sa_mask);
      for (const int other : HandledSignals)
      {
        sigaddset(&action.sa_mask, other); // one handler at a time
      }
      sigaction(signal, &action, nullptr);
    }
  });
}

void
RegisterTemporary(const std::string & path)
{
  const std::lock_guard<std::mutex> lock(g_RegistryMutex);
  const std::size_t                 slot = g_Slots.load();
  if (slot >= MaxTemporaries || path.size() >= MaxTemporaryPath)
  {
    throw InputError(path, "cannot be staged: too many outputs or too long a path");
  }
  std::memcpy(g_Temporaries[slot], path.c_str(), path.size() + 1);
  g_Live[slot].store(true);
  g_Slots.store(slot + 1);
}

void
ForgetTemporary(const std::string & path)
{
  const std::lock_guard<std::mutex> lock(g_RegistryMutex);
  for (std::size_t i = 0; i < g_Slots.load(); ++i)
  {
    if (g_Live[i].load() && path == g_Temporaries[i])
    {
      g_Live[i].store(false);
    }
  }
}

// A staged temporary and the intermediate a writer may make beside it (x.nii for x.nii.gz).
std::vector<std::string>
TemporaryFiles(const std::string & temporary)
{
  std::vector<std::string> files{ temporary };
  if (EndsWith(temporary, ".gz"))
  {
    files.push_back(temporary.substr(0, temporary.size() - 3));
  }
  return files;
}

std::string
SystemReason(int error)
{
  return std::strerror(error);
}

// What identifies a file: device and inode when it exists (links and every spelling of
// its path lead there), else its absolute path with "." , ".." and the symbolic links of
// its existing directories resolved.
struct Identity
{
  bool        exists{ false };
  dev_t       device{};
  ino_t       inode{};
  std::string path;
};

Identity
Identify(const std::string & path)
{
  Identity    identity;
  struct stat status = {};
  if (stat(path.c_str(), &status) == 0)
  {
    identity.exists = true;
    identity.device = status.st_dev;
    identity.inode = status.st_ino;
  }
  std::error_code error;
  fs::path        absolute = fs::absolute(path, error);
  fs::path        canonical = fs::weakly_canonical(absolute, error);
  identity.path = (error ? absolute : canonical).lexically_normal().string();
  return identity;
}

bool
SameFile(const std::string & a, const std::string & b)
{
  const Identity first = Identify(a);
  const Identity second = Identify(b);
  if (first.exists && second.exists)
  {
    return first.device == second.device && first.inode == second.inode;
  }
  return !first.exists && !second.exists && first.path == second.path;
}

std::string
Described(const std::string & option, const std::string & path)
{
  return option.empty() ? path : option + " " + path;
}

void
SyncDirectory(const fs::path & directory)
{
  const int descriptor = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (descriptor >= 0)
  {
    // Best effort: the renames are already visible; this makes them survive a crash.
    fsync(descriptor);
    close(descriptor);
  }
}

} // namespace

std::string
ImageExtension(const std::string & path)
{
  const std::string name = fs::path(path).filename().string();
  for (const char * doubled : { ".nii.gz", ".nrrd.gz", ".mha.gz" })
  {
    const std::string suffix = doubled;
    if (name.size() > suffix.size() && EndsWith(name, suffix))
    {
      return suffix;
    }
  }
  return fs::path(name).extension().string();
}

CheckedFileWriter::CheckedFileWriter(const std::string & path, const std::string & displayName)
  : m_Descriptor(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666))
  , m_DisplayName(displayName)
{
  if (m_Descriptor < 0)
  {
    throw InputError(displayName, "cannot be written: " + SystemReason(errno));
  }
}

CheckedFileWriter::~CheckedFileWriter()
{
  if (m_Descriptor >= 0)
  {
    close(m_Descriptor);
  }
}

void
CheckedFileWriter::Append(const void * data, std::size_t size)
{
  const char * bytes = static_cast<const char *>(data);
  std::size_t  written = 0;
  while (written < size)
  {
    const ssize_t count = write(m_Descriptor, bytes + written, size - written);
    if (count < 0 && errno == EINTR)
    {
      continue;
    }
    if (count <= 0)
    {
      // A write that makes no progress without an error: the disk is full.
      throw InputError(m_DisplayName, "cannot be written: " + SystemReason(count < 0 ? errno : ENOSPC));
    }
    written += static_cast<std::size_t>(count);
  }
}

void
CheckedFileWriter::Close()
{
  const int descriptor = m_Descriptor;
  m_Descriptor = -1;
  if (close(descriptor) != 0) // NFS reports a failed write here
  {
    throw InputError(m_DisplayName, "cannot be written: " + SystemReason(errno));
  }
}

void
WriteFileDurably(const std::string & path, const std::string & contents, const std::string & displayName)
{
  CheckedFileWriter writer(path, displayName);
  writer.Append(contents.data(), contents.size());
  writer.Close();
}

void
CheckFileComplete(const std::string & path, std::uintmax_t expectedSize, const std::string & displayName)
{
  struct stat status = {};
  if (stat(path.c_str(), &status) != 0)
  {
    throw InputError(displayName, "cannot be written: " + SystemReason(errno));
  }
  const auto size = static_cast<std::uintmax_t>(status.st_size);
  if (size >= expectedSize)
  {
    return;
  }
  // The writer stopped early without saying why. Asking for the missing space gets the
  // file system's reason (ENOSPC, EDQUOT, EFBIG); the file is discarded anyway.
  std::string reason = "only " + std::to_string(size) + " of " + std::to_string(expectedSize) + " bytes were written";
  const int   descriptor = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (descriptor >= 0)
  {
    const int error = posix_fallocate(descriptor, 0, static_cast<off_t>(expectedSize));
    close(descriptor);
    if (error != 0 && error != EOPNOTSUPP && error != EINVAL)
    {
      reason = SystemReason(error);
    }
  }
  throw InputError(displayName, "cannot be written: " + reason);
}

OutputTransaction::OutputTransaction()
{
  InstallSignalHandlers();
}

OutputTransaction::~OutputTransaction()
{
  for (const auto & output : m_Outputs)
  {
    for (const std::string & file : TemporaryFiles(output.temporary))
    {
      if (!m_Committed)
      {
        std::error_code ignored;
        fs::remove(file, ignored);
      }
      ForgetTemporary(file);
    }
  }
}

void
OutputTransaction::RequireDistinct(const File & file) const
{
  const bool isOutput = !file.temporary.empty();
  if (isOutput)
  {
    for (const auto & input : m_Inputs)
    {
      if (SameFile(file.path, input.path))
      {
        throw InputError(Described(file.option, file.path) + " is the same file as " +
                         Described(input.option, input.path) + ": an output may not replace an input");
      }
    }
  }
  for (const auto & output : m_Outputs)
  {
    if (SameFile(file.path, output.path))
    {
      throw InputError(isOutput ? Described(output.option, output.path) + " and " + Described(file.option, file.path) +
                                    " are the same file: two outputs cannot be written to one file"
                                : Described(output.option, output.path) + " is the same file as " +
                                    Described(file.option, file.path) + ": an output may not replace an input");
    }
  }
}

void
OutputTransaction::ProtectInput(const std::string & path, const std::string & option)
{
  if (path.empty())
  {
    return;
  }
  const File input{ option, path, "" };
  RequireDistinct(input);
  m_Inputs.push_back(input);
}

void
OutputTransaction::ProtectInputs(const std::vector<std::string> & paths, const std::string & option)
{
  for (const auto & path : paths)
  {
    ProtectInput(path, option);
  }
}

std::string
OutputTransaction::Stage(const std::string & target, const std::string & option)
{
  const fs::path  path(target);
  const fs::path  directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code error;
  if (!fs::is_directory(directory, error))
  {
    throw InputError(target, "cannot be written: directory " + directory.string() + " does not exist");
  }
  if (fs::is_directory(path, error))
  {
    throw InputError(target, "cannot be written: it is a directory");
  }
  if (access(directory.c_str(), W_OK) != 0)
  {
    throw InputError(target, "cannot be written: directory " + directory.string() + " is not writable");
  }
  // The whole file name, then the extension again: a.nii and a.nii.gz get distinct
  // temporaries (.a.nii.voxelkl-partial-PID.nii, .a.nii.gz.voxelkl-partial-PID.nii.gz, and
  // the .nii a gzip writer makes beside the second is not the first), and the extension
  // last lets ITK choose the writer.
  const std::string extension = ImageExtension(target);
  const fs::path    temporary = directory / ("." + path.filename().string() + ".voxelkl-partial-" +
                                          std::to_string(static_cast<long>(getpid())) + extension);
  File              output{ option, target, temporary.string() };
  RequireDistinct(output);
  // Registered before anything can create it: a signal from here on removes it (and the
  // intermediate a writer may make beside it).
  for (const std::string & file : TemporaryFiles(output.temporary))
  {
    RegisterTemporary(file);
  }
  m_Outputs.push_back(output);
  return output.temporary;
}

const std::string &
OutputTransaction::Temporary(const std::string & target) const
{
  for (const auto & output : m_Outputs)
  {
    if (output.path == target)
    {
      return output.temporary;
    }
  }
  throw std::logic_error(target + " was written without being staged");
}

void
OutputTransaction::Write(const std::string & target, const std::string & contents) const
{
  WriteFileDurably(Temporary(target), contents, target);
}

void
OutputTransaction::Commit()
{
  // Every file on disk before any is renamed: a failure here leaves every target as it was.
  for (const auto & output : m_Outputs)
  {
    const int descriptor = open(output.temporary.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0)
    {
      throw InputError(output.path, "cannot be written: " + SystemReason(errno));
    }
    const int synced = fsync(descriptor);
    const int error = errno;
    close(descriptor);
    if (synced != 0)
    {
      throw InputError(output.path, "cannot be written: " + SystemReason(error));
    }
  }
  g_Committing.store(true);
  struct Release
  {
    ~Release()
    {
      g_Committing.store(false);
      if (const int signal = g_DeferredSignal.exchange(0))
      {
        std::raise(signal); // the handler now removes whatever is left, then dies
      }
    }
  } release;
  for (const auto & output : m_Outputs)
  {
    if (std::rename(output.temporary.c_str(), output.path.c_str()) != 0)
    {
      throw InputError(output.path, "cannot be written: " + SystemReason(errno));
    }
  }
  m_Committed = true;
  std::vector<fs::path> directories; // each once: one fsync makes all its renames durable
  for (const auto & output : m_Outputs)
  {
    const fs::path directory =
      fs::path(output.path).has_parent_path() ? fs::path(output.path).parent_path() : fs::path(".");
    if (std::find(directories.begin(), directories.end(), directory) == directories.end())
    {
      directories.push_back(directory);
      SyncDirectory(directory);
    }
  }
}

} // namespace voxelkl
