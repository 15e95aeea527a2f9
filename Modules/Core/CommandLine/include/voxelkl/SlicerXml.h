// The 3D Slicer CLI module description (`--xml`) of a command.
#ifndef voxelkl_SlicerXml_h
#define voxelkl_SlicerXml_h

#include "voxelkl/CommandDescription.h"

#include <string>
#include <string_view>

namespace voxelkl
{

/** Starts with exactly `<?xml version="1.0" encoding="utf-8"?>` (Slicer checks the first
 * six bytes) and uses only elements Slicer's ModuleDescriptionParser accepts: any other
 * element fails the whole module. One `<parameters>` per group; each parameter named and
 * long-flagged by its flag (no dashes); return values in a last group, with
 * `<channel>output</channel>` and neither flag nor index. */
std::string
FormatSlicerXml(const CommandDescription & description);

/** & < > " ' as entities: safe in element text and in attribute values. */
std::string
EscapeXml(std::string_view text);

} // namespace voxelkl

#endif
