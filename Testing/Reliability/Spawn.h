// Running an executable in a chosen working directory, waiting for it or signalling it,
// and snapshots of a directory to compare before and after a run.
#ifndef voxelkl_test_Spawn_h
#define voxelkl_test_Spawn_h

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace voxelkl::test
{

struct Finished
{
  int         exitCode{ -1 }; // -1 when killed by a signal
  int         signal{ 0 };    // the signal that killed it, else 0
  std::string out;
  std::string err;
};

/** A child process with stdout and stderr captured in files. */
class Spawned
{
public:
  Spawned(const std::string &              executable,
          const std::vector<std::string> & arguments,
          const std::string &              workingDirectory);
  ~Spawned();
  Spawned(const Spawned &) = delete;
  Spawned &
  operator=(const Spawned &) = delete;
  pid_t
  Pid() const
  {
    return m_Pid;
  }
  /** Waits for the process to end. */
  Finished
  Wait();

private:
  pid_t       m_Pid{ -1 };
  std::string m_Capture;
};

/** Runs executable to its end. */
Finished
RunToEnd(const std::string &              executable,
         const std::vector<std::string> & arguments,
         const std::string &              workingDirectory);

/** Every entry of directory (not recursive) with its bytes, read through symbolic links. */
std::map<std::string, std::string>
Snapshot(const std::string & directory);

/** Number of lines of text. */
long
Lines(const std::string & text);

} // namespace voxelkl::test

#endif
