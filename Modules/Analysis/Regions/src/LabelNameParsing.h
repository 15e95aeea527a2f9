// Internals of ReadLabelNames: the two file formats and what they share.
#ifndef voxelkl_LabelNameParsing_h
#define voxelkl_LabelNameParsing_h

#include "voxelkl/LabelNames.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace voxelkl::detail
{

/** A label value: an optionally signed decimal integer in the int32 range, nothing else. */
std::optional<std::int32_t>
ParseLabelValue(std::string_view text);

/** text without leading and trailing spaces, tabs, CR and LF. */
std::string_view
Trim(std::string_view text);

/** 1 + the line breaks before offset. */
std::size_t
LineAt(std::string_view text, std::size_t offset);

/** Adds label -> name from line of path; InputError when the name is empty or the label
 * was already named (the message gives both lines). */
void
AddLabelName(LabelNames &                          names,
             std::map<std::int32_t, std::size_t> & lines,
             const std::string &                   path,
             std::size_t                           line,
             std::int32_t                          label,
             std::string                           name);

/** `index name` lines (see ReadLabelNames). */
LabelNames
ParseLabelTable(const std::string & path, std::string_view text);

/** An FSL atlas description (see ReadLabelNames). */
LabelNames
ParseFslAtlasXml(const std::string & path, std::string_view text);

} // namespace voxelkl::detail

#endif
