// Error messages on one line: scripts and 3D Slicer show only the last line of stderr, so
// every message a library gives us (ITK, its NRRD and MetaIO readers) is folded into one.
#ifndef voxelkl_ErrorText_h
#define voxelkl_ErrorText_h

#include <string>

namespace voxelkl
{

/** text on one line: lines trimmed, empty ones dropped, the rest joined with "; " (with
 * " " after a line that ends in ':', which introduces the next). */
std::string
OneLine(const std::string & text);

/** What an ITK exception says, for a user: its description (or what()) without the
 * source location ("itkImageIOBase.cxx:399:") and the class-and-address prefixes
 * ("itk::ERROR: NrrdImageIO(0x55d0...): ", "ITK ERROR: MetaImageIO(0x...): "), and
 * NRRD's "[nrrd] " line tags, on one line (OneLine). Used wherever an itk::ExceptionObject
 * becomes an InputError, and by RunCommand for any message that escapes. */
std::string
ItkErrorText(const std::string & description);

} // namespace voxelkl

#endif
