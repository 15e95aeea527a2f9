// What the header screens of this module share (private to the module): the text and
// path helpers, where a file's raw data is, and the readers of the MetaImage and NRRD
// fields that locate it (MetaImageScreening.cxx, NrrdScreening.cxx), for CheckRawDataSize.
#ifndef voxelkl_HeaderScreening_h
#define voxelkl_HeaderScreening_h

#include "itkImageIOBase.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace voxelkl::detail
{

/** text without leading and trailing blanks (space, tab, carriage return). */
std::string
Trimmed(const std::string & text);

/** A data file named in header: as it is when absolute, else beside the header. */
std::string
Beside(const std::string & header, const std::string & name);

/** Where the data is and how many of its bytes a header-described image may use: the
 * bytes after `skip` in `path`. */
struct DataExtent
{
  std::string   path;
  std::uint64_t skip{ 0 };
  bool          atEnd{ false }; ///< data at the end of the file: only its total size counts
};

/** The data of an image: its files and how many bytes each must hold. */
struct DataFiles
{
  std::vector<DataExtent> files;
  std::uint64_t           bytesEach{ 0 };
  bool                    text{ false }; ///< numbers as text (MetaImage BinaryData = False)
};

/** A MetaImage's data files as MetaIO reads them (LOCAL, one file, a LIST or a pattern);
 * empty where they cannot be sized without decoding them (compressed). Throws InputError
 * for layouts MetaIO misreads (see CheckRawDataSize). */
std::optional<DataFiles>
MetaImageData(const std::string & file, const itk::ImageIOBase & io);

/** Throws InputError unless the text voxels of a MetaImage's data are as many numbers as
 * io describes, each in the range of its voxel type. */
void
CheckTextVoxels(const std::string & file, const DataExtent & data, const itk::ImageIOBase & io);

/** A NRRD's raw data (attached or in one data file); empty where it cannot be sized
 * without decoding it (compressed, text, lists of files, line skips). */
std::optional<DataExtent>
NrrdData(const std::string & file);

} // namespace voxelkl::detail

#endif
