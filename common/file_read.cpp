#include "common/file_read.hpp"

#include <fstream>
#include <system_error>

namespace jirasync::common {

result<std::string> read_file(const std::filesystem::path& path,
                              std::uint64_t max_bytes) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    auto code = ec == std::errc::no_such_file_or_directory ? errc::not_found
                                                           : errc::io_error;
    return make_error(code, "cannot read " + path.filename().string() + ": "
                              + ec.message());
  }
  if (size > max_bytes)
    return make_error(errc::invalid_input,
                      path.filename().string() + " has " + std::to_string(size)
                        + " bytes, more than " + std::to_string(max_bytes));
  std::ifstream in{path, std::ios::binary};
  std::string out(static_cast<std::size_t>(size), '\0');
  if (!in || !in.read(out.data(), static_cast<std::streamsize>(size)))
    return make_error(errc::io_error,
                      "cannot read " + path.filename().string());
  return out;
}

} // namespace jirasync::common
