// Checks that the raw data of a MetaImage or NRRD file is as long as its header says
// (private to the module).
#ifndef voxelkl_RawDataSize_h
#define voxelkl_RawDataSize_h

#include "itkImageIOBase.h"

#include <string>

namespace voxelkl
{

/** Throws InputError(file, "truncated: ...") when file is a MetaImage (.mha/.mhd) or NRRD
 * (.nrrd/.nhdr) whose uncompressed data (in the file itself, in one data file it names, or
 * in the files of a MetaImage LIST or pattern, one per slice) holds fewer bytes than io's
 * header read describes, and InputError naming the data file when one is missing: ITK's
 * readers would fill the rest with garbage or zeros (MetaIO skips a missing or short slice
 * file with a message on stderr only). A LIST that names fewer files than it needs, or
 * compressed data in one file per slice, is refused. Compressed data in one stream is not
 * checked here (its size is only known by decoding it; the readers fail on a short stream).
 * Other formats: nothing is checked. */
void
CheckRawDataSize(const std::string & file, const itk::ImageIOBase & io);

/** For a MetaImage (.mha, .mhd): refuses, naming the file, the line and the field, a
 * header ITK's MetaIO would misread or fail on (it loops forever on an NDims of -4 and
 * divides by zero on some file patterns, found by the series fuzzer): a line before
 * ElementDataFile that is not printable "Key = Value" text, an NDims not 1 to 8, a DimSize
 * that is not NDims positive sizes, an ElementNumberOfChannels below 1, or an
 * ElementDataFile pattern ("name%d.raw first last step") that does not name one file per
 * slice of the last dimension, a field name or text value longer than MetaIO's buffers,
 * or a SequenceID with NDims above 4. Other files: nothing. */
void
CheckMetaImageHeader(const std::string & file);

/** For a NRRD (.nrrd, .nhdr): refuses, naming the file and the line, a header line longer
 * than NrrdIO can quote in an error message (400 characters; comments, content and
 * key:=value lines excepted). Other files: nothing. */
void
CheckNrrdHeader(const std::string & file);

} // namespace voxelkl

#endif
