// All-or-nothing output files: written under temporary names beside their targets,
// checked, flushed to disk and renamed only when every one of them is complete. No output
// may be an input or another output of the same run.
#ifndef voxelkl_OutputTransaction_h
#define voxelkl_OutputTransaction_h

#include <cstdint>
#include <string>
#include <vector>

namespace voxelkl
{

/** Stages output files so that a failure never leaves a partial or corrupt one and never
 * touches an existing file.
 *
 *   OutputTransaction outputs;
 *   outputs.ProtectInput("sub-01_bold.nii.gz", "--reference"); // every file the run reads
 *   const std::string temporary = outputs.Stage("out/kl.nii.gz", "--output"); //
 * out/.kl.nii.gz.voxelkl-partial-1234.nii.gz write(temporary) ...;           // WriteFileDurably, or an image writer +
 * CheckFileComplete outputs.Commit();               // fsyncs every staged file, then renames it onto its target
 *
 * Paths are compared as files, not as text: existing files by device and inode (so "./a",
 * "a", a symbolic link to a or a hard link of a are all a), the others by their absolute,
 * weakly canonical path. An output that is an input or another output is refused, before
 * any work, with an InputError naming both options and paths.
 *
 * A temporary is named after its target's whole file name, so that no two outputs share
 * one (a.nii and a.nii.gz), keeps the target's extension last (ITK chooses the writer from
 * it) and lives in the target's directory, so the final rename is atomic. Files staged but not committed
 * are removed by the destructor, also when an exception unwinds, and by a SIGINT, SIGTERM
 * or SIGHUP handler (which then lets the signal kill the process as it would have). */
class OutputTransaction
{
public:
  OutputTransaction();
  OutputTransaction(const OutputTransaction &) = delete;
  OutputTransaction &
  operator=(const OutputTransaction &) = delete;
  ~OutputTransaction();

  /** Declares a file the run reads (option names it in messages, e.g. "--reference"). An
   * empty path is ignored, so optional inputs can be passed as they are. */
  void
  ProtectInput(const std::string & path, const std::string & option);
  void
  ProtectInputs(const std::vector<std::string> & paths, const std::string & option);

  /** Returns the temporary path to write target to. Throws InputError when the target's
   * directory does not exist or is not writable, when the target is a directory, and when
   * the target is the same file as a protected input or another staged output. Writers
   * may use the temporary's name without a final ".gz" as an intermediate file; it is
   * cleaned up with the temporary. */
  std::string
  Stage(const std::string & target, const std::string & option = "");

  /** Writes contents to the temporary of a staged target (WriteFileDurably). */
  void
  Write(const std::string & target, const std::string & contents) const;

  /** The temporary of a staged target; std::logic_error if target was not staged. */
  const std::string &
  Temporary(const std::string & target) const;

  /** Flushes every staged file to disk, then renames each onto its target and flushes
   * their directories. InputError naming the target and the reason when a file is
   * missing or cannot be flushed or renamed; nothing is renamed when a flush fails. A
   * SIGINT or SIGTERM arriving during the renames takes effect after them. */
  void
  Commit();

private:
  struct File
  {
    std::string option;
    std::string path;
    std::string temporary; // outputs only
  };
  void
  RequireDistinct(const File & file) const;

  std::vector<File> m_Inputs;
  std::vector<File> m_Outputs;
  bool              m_Committed{ false };
};

/** Writes a file (created or truncated) piece by piece with every byte checked: a failed
 * or short write, and a failed close (NFS), throw InputError naming displayName and the
 * system's reason (e.g. "No space left on device"). For outputs too large to build in
 * memory first. */
class CheckedFileWriter
{
public:
  CheckedFileWriter(const std::string & path, const std::string & displayName);
  CheckedFileWriter(const CheckedFileWriter &) = delete;
  CheckedFileWriter &
  operator=(const CheckedFileWriter &) = delete;
  ~CheckedFileWriter(); ///< closes a file not Close()d (after an exception), reporting nothing

  void
  Append(const void * data, std::size_t size);
  void
  Close();

private:
  int         m_Descriptor{ -1 };
  std::string m_DisplayName;
};

/** Writes contents to path (created or truncated) with every byte checked, then closes it.
 * InputError naming displayName and the system's reason (e.g. "No space left on device"). */
void
WriteFileDurably(const std::string & path, const std::string & contents, const std::string & displayName);

/** Checks a file written by a library that may not report a failed write (ITK's NIfTI
 * writer only prints one): it must exist and hold at least expectedSize bytes. If it is
 * short, the reason is found by asking the file system for the missing space. InputError
 * naming displayName otherwise. */
void
CheckFileComplete(const std::string & path, std::uintmax_t expectedSize, const std::string & displayName);

/** The extension of an image file name, ".nii.gz" counted as one. */
std::string
ImageExtension(const std::string & path);

} // namespace voxelkl

#endif
