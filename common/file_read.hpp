#pragma once
// Reading a whole (small) file into memory, with a size cap, as a value:
// for texts kept next to their data (the text of a text/* attachment).
//
// Thread-safety: reentrant. Blocking I/O: call it off actor scheduler
// threads (the detached store_writer does).

#include "common/error.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace jirasync::common {

/// The bytes of `path`. Errors: not_found (no such file), invalid_input
/// (larger than `max_bytes`; nothing is read), io_error (anything else,
/// with the system's reason). The error's record is empty: callers name it.
result<std::string> read_file(const std::filesystem::path& path,
                              std::uint64_t max_bytes);

} // namespace jirasync::common
