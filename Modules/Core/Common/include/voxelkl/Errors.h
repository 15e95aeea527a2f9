// The two kinds of failure an executable reports to its user (exit status 1 for both), and
// the stop a caller asked for.
#ifndef voxelkl_Errors_h
#define voxelkl_Errors_h

#include <stdexcept>
#include <string>

namespace voxelkl
{

/** A file that cannot be used: missing, unreadable, truncated, of the wrong dimension or
 * on another grid. The message names the file (or files) and the problem. */
class InputError : public std::runtime_error
{
public:
  InputError(const std::string & file, const std::string & problem)
    : std::runtime_error(file + ": " + problem)
  {
  }
  /** For problems that involve several files; the message names them itself. */
  explicit InputError(const std::string & message)
    : std::runtime_error(message)
  {
  }
};

/** A command line that cannot be followed: unknown option, bad value, missing argument. */
class UsageError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

/** Work stopped because its caller asked (ExecutionOptions::cancelled, a GUI's Cancel). */
class Cancelled : public std::runtime_error
{
public:
  Cancelled()
    : std::runtime_error("cancelled")
  {
  }
};

} // namespace voxelkl

#endif
