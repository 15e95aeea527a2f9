// Writing result maps with ITK, compressed when the name ends in .gz.
#ifndef voxelkl_MapWriter_h
#define voxelkl_MapWriter_h

#include "itkImage.h"

#include <string>

namespace voxelkl
{

/** True when ITK has a writer for this file name (checked before any work is done). */
bool
CanWriteImage(const std::string & path);

/** Checks an image output's name before any work: UsageError "--OPTION PATH: ..." when ITK
 * has no writer for it, or when the format keeps its voxels in a second file (NIfTI pairs
 * .hdr/.img, MetaImage .mhd, detached NRRD .nhdr): the output transaction stages, checks and
 * renames one file per output, and the header would be renamed while the voxels stayed in a
 * hidden temporary that it names. option is given without its dashes ("output"). */
void
RequireImageOutputName(const std::string & option, const std::string & path);

/** Whether file is a NIfTI without orientation (qform_code and sform_code 0, like nipype's
 * ds003); false for other files and for "". */
bool
IsUnorientedNifti(const std::string & file);

/** Writes image to path (a staged temporary) and checks that the file is complete (ITK's
 * NIfTI writer does not report a short write); InputError naming displayName and the
 * reason (e.g. "No space left on device") on failure.
 *
 * unorientedNifti: the map was computed from a NIfTI without orientation
 * (IsUnorientedNifti); a NIfTI map then gets codes 0 too: ITK would write an sform of its
 * origin-0 reading, which tools that honour the codes (nibabel, FSL) read differently from
 * the series; with the same codes, every tool puts the map's voxels where it puts the
 * series'. */
void
WriteMap(const itk::Image<float, 3> * image,
         const std::string &          path,
         const std::string &          displayName,
         bool                         unorientedNifti = false);
/** The same for a 4D image (e.g. a spectrum per voxel, frequency along the 4th axis). */
void
WriteMap(const itk::Image<float, 4> * image,
         const std::string &          path,
         const std::string &          displayName,
         bool                         unorientedNifti = false);

} // namespace voxelkl

#endif
