// Scalar results in 3D Slicer's return parameter format.
#ifndef voxelkl_ReturnParameters_h
#define voxelkl_ReturnParameters_h

#include <string>
#include <utility>
#include <vector>

namespace voxelkl
{

/** Writes one `name = value` line per value (Slicer reads the text before the first '='
 * as the name; booleans as true/false, vectors comma-separated) to path, or to stdout when
 * path is empty, as on a terminal without --returnparameterfile. Names must be
 * identifiers and values one line (std::logic_error); an unwritable file throws
 * std::runtime_error naming it.
 *
 *   WriteReturnParameters(args.ReturnParameterFile().value_or(""),
 *                         { { "meanKL", fmt::format("{}", meanKL) } });
 */
/** The text WriteReturnParameters writes, for callers that write the file themselves (in
 * an OutputTransaction, so that it is replaced only with the other outputs). */
std::string
FormatReturnParameters(const std::vector<std::pair<std::string, std::string>> & values);

void
WriteReturnParameters(const std::string & path, const std::vector<std::pair<std::string, std::string>> & values);

} // namespace voxelkl

#endif
