#include "common/error.hpp"

namespace jirasync::common {

std::string_view to_string(errc code) {
  switch (code) {
    case errc::not_found:
      return "not_found";
    case errc::invalid_input:
      return "invalid_input";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::unavailable:
      return "unavailable";
    case errc::timeout:
      return "timeout";
    case errc::unauthenticated:
      return "unauthenticated";
    case errc::permission_denied:
      return "permission_denied";
    case errc::locked:
      return "locked";
    case errc::schema_too_new:
      return "schema_too_new";
    case errc::no_space:
      return "no_space";
    case errc::io_error:
      return "io_error";
    case errc::corruption:
      return "corruption";
    case errc::read_only:
      return "read_only";
    case errc::cancelled:
      return "cancelled";
    case errc::internal:
      return "internal";
  }
  return "unknown";
}

std::string error::to_string() const {
  return record.empty() ? message : record + ": " + message;
}

error_exception::error_exception(error e)
    : err_(std::move(e)), what_(err_.to_string()) {
  // nop
}

const char* error_exception::what() const noexcept {
  return what_.c_str();
}

void throw_exception_from_error(const error& e, const boost::source_location&) {
  throw error_exception(e);
}

} // namespace jirasync::common
