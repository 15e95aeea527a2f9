// Memory claimed by a header, checked before it is allocated: a 100-byte file may claim
// terabytes, and ITK's or the C++ library's failure to allocate them names no file.
#ifndef voxelkl_MemoryLimit_h
#define voxelkl_MemoryLimit_h

#include <string>

namespace voxelkl
{

/** This machine's physical memory in bytes; 0 when it cannot be told. */
double
PhysicalMemory();

/** Throws InputError naming `what` (the file, or the files, whose grid it is) when about
 * `bytes` of memory do not fit in this machine's physical memory: "its grid needs about
 * 976.1 GiB of memory, more than this machine's 23.5 GiB (is the header's size right?)".
 * Called before anything on a header's grid is allocated. */
void
RequireMemory(const std::string & what, double bytes);

/** Names the file being read while it lives, so that RunCommand can say what was being
 * read when memory ran out anyway (std::bad_alloc): "out of memory while reading
 * m.nii.gz". Scopes nest. A scope left by an exception keeps its name current: the
 * handler runs after the scopes are gone. */
class ReadingScope
{
public:
  explicit ReadingScope(const std::string & what);
  ReadingScope(const ReadingScope &) = delete;
  ReadingScope &
  operator=(const ReadingScope &) = delete;
  ~ReadingScope();

  /** The innermost live scope's name, or that of the scope an exception left; "" when
   * no scope was entered. */
  static std::string
  Current();
  /** Forgets the name an exception left (RunCommand, before a command runs). */
  static void
  Clear();

private:
  std::string m_Previous;
  int         m_Exceptions;
};

} // namespace voxelkl

#endif
