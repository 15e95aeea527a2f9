// Names of the regions of a label atlas, read from a text table or an FSL atlas XML file.
#ifndef voxelkl_LabelNames_h
#define voxelkl_LabelNames_h

#include <cstdint>
#include <map>
#include <string>

namespace voxelkl
{

/** Region name by label value (the voxel value in the atlas image). */
using LabelNames = std::map<std::int32_t, std::string>;

/** Reads region names from either format, told apart by content (XML starts with '<'):
 *
 * - Text, one `index name` per line, e.g. MRIcron's aal.nii.txt (`1 Precentral_L 2001`).
 *   Blank lines and lines starting with '#' are skipped; CR LF and a UTF-8 BOM are fine.
 *   A line holding a tab is split on tabs: index, name (may hold spaces), further columns
 *   ignored. Otherwise it is split on spaces: a double-quoted name anywhere wins (ITK-SNAP
 *   label files); else when everything after the name is numeric (AAL codes, FreeSurfer
 *   LUT colours) the name is the second field; else the name is the rest of the line.
 *   The first line may be a header naming an `index` and a `name` column (BIDS dseg.tsv).
 * - FSL atlas XML (`<atlas><header><type>Label|Probabilistic</type>...<data>
 *   <label index="0" x=".." y=".." z="..">Name</label>`). In a Label atlas `index` is the
 *   voxel value. In a Probabilistic atlas `index` is the 0-based volume of the 4D
 *   probability image, and its 3D summary (maxprob) image, the one usable here, stores
 *   index + 1 (FSL's fslpy reads them so); the names are keyed by that voxel value. The
 *   type is required, since it decides the offset ("Probabalistic", a spelling in some
 *   FSL files, is accepted).
 *
 * A file that is not valid UTF-8 is read as Latin-1 (FSL's XML files declare ISO-8859-1),
 * so names are always UTF-8. Throws InputError naming the file (and the line) for a
 * missing or unreadable file, a malformed line, a label named twice, or no names at all. */
LabelNames
ReadLabelNames(const std::string & path);

} // namespace voxelkl

#endif
