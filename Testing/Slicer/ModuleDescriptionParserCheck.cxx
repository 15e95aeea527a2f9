// VoxelKLSlicerParserCheck FILE: parses a module description with 3D Slicer's own
// ModuleDescriptionParser (from a SlicerExecutionModel checkout, see CMakeLists.txt), as
// Slicer does when it loads a CLI module; exit 0 when it parses, and lists what it read.
#include "ModuleDescription.h"
#include "ModuleDescriptionParser.h"

#include <fstream>
#include <iostream>
#include <sstream>

int
main(int argc, char ** argv)
{
  if (argc != 2)
  {
    std::cerr << "usage: VoxelKLSlicerParserCheck FILE\n";
    return 2;
  }
  std::ifstream      stream(argv[1], std::ios::binary);
  std::ostringstream xml;
  xml << stream.rdbuf();
  ModuleDescription       description;
  ModuleDescriptionParser parser;
  if (parser.Parse(xml.str(), description) != 0)
  {
    std::cerr << argv[1] << ": ModuleDescriptionParser rejects it\n";
    return 1;
  }
  std::cout << description.GetCategory() << " / " << description.GetTitle() << " " << description.GetVersion()
            << (description.HasReturnParameters() ? ", with return parameters" : "") << '\n';
  for (const auto & group : description.GetParameterGroups())
  {
    for (const auto & parameter : group.GetParameters())
    {
      std::cout << "  " << parameter.GetTag() << " " << parameter.GetName() << " --" << parameter.GetLongFlag() << " "
                << parameter.GetChannel() << " " << parameter.GetType() << '\n';
    }
  }
  return 0;
}
