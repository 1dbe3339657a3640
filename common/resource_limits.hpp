// Process resource limits a server needs raised before it starts.
#pragma once

#include <cstddef>

namespace net {

// Raises the soft limit on open descriptors to the hard limit (a server with thousands of
// connections needs more than the usual 1,024). Returns the limit now in force.
std::size_t raise_open_file_limit();

}  // namespace net
